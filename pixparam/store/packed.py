"""Packed files (``.ppk``): a fit quantised and entropy-coded, whose size on disk is its byte count.

Layout (all integers little-endian)::

    b"PPK1"                      magic
    u32  n                       length of the header
    n bytes                      zlib-compressed JSON header: architecture, image shape, seed,
                                 bit depth, per tensor its shape, grid shape, entropy model and mask
    float32 arrays               every grid's ``lo`` then ``step``; fixed buffers not derived from the seed
    u32 words                    one range-coded stream (``constriction``): each tensor's mask
                                 (Bernoulli), then its grid indices (quantised Gaussian or Laplace,
                                 whichever codes it shorter), or raw float16/float32 values
    u32  crc32                   of everything before it

Decoding computes ``k * step + lo`` from the grid indices ``k`` exactly as
:func:`pixparam.edit.quantize` does, so an unpacked fit renders bit for bit
what the quantised fit renders. Nothing in a file is executed: the header is
JSON, the rest numbers.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._io import write_bytes_atomic
from ..arch import Arch
from ..devices import resolve_device
from ..edit.quantgrid import QuantGrid
from ..errors import CheckpointError, EditError
from ..fields import FAMILIES, build, spec_for
from ..result import Fit, History

__all__ = ["MAGIC", "PACK_BITS", "pack", "packed_size", "unpack"]

#: The first four bytes of every packed file.
MAGIC = b"PPK1"
#: The bit depths :func:`pack` writes: 2–15 (a coded grid), 16 (float16) and 32 (float32).
PACK_BITS: tuple[int, ...] = (*range(2, 17), 32)
#: Version of the header layout.
FORMAT = 1
_U32 = struct.Struct("<I")
# How a tensor is stored: grid indices under a quantised Gaussian or Laplace, or raw floats.
_GAUSS, _LAPLACE, _RAW16, _RAW32 = 0, 1, 2, 3


def _coder() -> Any:
    import constriction

    return constriction


def _entropy_code(k: np.ndarray, levels: int, enc: Any) -> tuple[int, float, float]:
    """Append ``k`` (ints in ``[0, levels)``) to ``enc`` with the cheaper of two fitted models: ``(kind, a, b)``."""
    cs = _coder()
    mean, std = np.float32(k.mean()), np.float32(max(float(k.std()), 0.3))
    median = np.float32(np.median(k))
    scale = np.float32(max(float(np.mean(np.abs(k - median))), 0.3))
    best: tuple[int, int, float, float] | None = None
    for kind, a, b in ((_GAUSS, mean, std), (_LAPLACE, median, scale)):  # float32: what the file stores
        trial = cs.stream.queue.RangeEncoder()
        trial.encode(k.astype(np.int32), _model(kind, levels, float(a), float(b)))
        size = int(trial.get_compressed().size)
        if best is None or size < best[0]:
            best = (size, kind, float(a), float(b))
    assert best is not None
    _, kind, a, b = best
    enc.encode(k.astype(np.int32), _model(kind, levels, a, b))
    return kind, a, b


def _model(kind: int, levels: int, a: float, b: float) -> Any:
    m = _coder().stream.model
    if kind == _GAUSS:
        return m.QuantizedGaussian(0, levels - 1, a, b)
    if kind == _LAPLACE:
        return m.QuantizedLaplace(0, levels - 1, a, b)
    raise ValueError(f"unknown entropy model {kind!r}")


def _on_grids(fit: Fit, bits: int, per_channel: bool) -> bool:
    """Whether every parameter already lies on a ``bits`` grid of this layout (after qat or quantize): kept as is."""
    tables = spec_for(fit.family).tables
    for name, p in fit.model.named_parameters():
        g = fit.grids.get(name)
        if g is None or g.bits != bits:
            return False
        if bits < 16 and g.per_channel != (per_channel and p.ndim == 2 and name not in tables):
            return False
    return True


def pack(fit: Fit, path: str | os.PathLike, *, bits: int = 8, per_channel: bool = True) -> Path:
    """Write ``fit`` quantised to ``bits`` and entropy-coded as one small file.

    Parameters
    ----------
    fit : Fit
        Any fit. One already on ``bits`` grids of this layout (from
        :func:`pixparam.edit.qat` or ``quantize``) is stored as it is;
        any other is quantised as :func:`pixparam.edit.quantize` would.
    path : str or path
        Target file, conventionally ``*.ppk``; written atomically.
    bits : int
        2–15: a uniform grid per tensor (or per output unit), the indices
        range-coded; 16: float16 values stored raw; 32: float32 stored raw.
    per_channel : bool
        One grid per output unit of each linear weight (as ``quantize``).

    Returns
    -------
    Path
        ``path``; its size on disk is the fit's packed byte count.

    Examples
    --------
    >>> import tempfile, os, pixparam as pp
    >>> f = pp.fit(pp.load_image("camera", size=16), 300, "relu", steps=5, progress=False)
    >>> p = pp.pack(f, os.path.join(tempfile.mkdtemp(), "f.ppk"), bits=6)
    >>> g = pp.unpack(p)
    >>> bool((g.render() == pp.edit.quantize(f, 6, per_channel=True).render()).all())
    True
    """
    from ..edit import quantize

    if isinstance(bits, bool) or not isinstance(bits, int) or bits not in PACK_BITS:
        raise EditError(f"bits={bits!r}; pack takes 2 to 15 (coded grid), 16 (float16) or 32 (float32)")
    q = fit if bits == 32 or _on_grids(fit, bits, bool(per_channel)) else quantize(fit, bits, per_channel=per_channel)
    model = q.model
    enc = _coder().stream.queue.RangeEncoder()
    floats: list[np.ndarray] = []
    tensors: list[list[Any]] = []
    for name, p in model.named_parameters():
        values = p.detach().to("cpu", torch.float32).contiguous()
        mask = q.masks.get(name)
        entry: list[Any] = [_RAW32 if bits == 32 else _RAW16, -1]
        kept = values.reshape(-1)
        if mask is not None:
            m = mask.reshape(-1).to(torch.bool)
            entry[1] = int(m.sum())
            if 0 < entry[1] < m.numel():
                enc.encode(
                    m.numpy().astype(np.int32), _coder().stream.model.Bernoulli(entry[1] / m.numel(), perfect=False)
                )
            kept = kept[m]
        grid = q.grids.get(name)
        if bits == 32:
            floats.append(kept.numpy())
        elif grid is None or grid.lo is None or grid.step is None:  # float16
            floats.append(kept.to(torch.float16).numpy())
        else:
            lo, step = grid.lo.to(torch.float32), grid.step.to(torch.float32)
            floats += [lo.numpy().reshape(-1), step.numpy().reshape(-1)]
            full = torch.round((values - lo) / step).clamp(0, 2**bits - 1).reshape(-1)
            k = (full if mask is None else full[mask.reshape(-1).to(torch.bool)]).to(torch.int64).numpy()
            kind, a, b = _entropy_code(k, 2**bits, enc) if k.size else (_GAUSS, 0.0, 1.0)
            entry[0] = kind
            floats.append(np.array([a, b], dtype=np.float32))
        tensors.append(entry)
    seed = int(fit.config.get("seed", 0))
    fresh = build(fit.arch, seed=seed)
    buffers = []
    for name, buf in model.state_dict().items():
        if name in dict(model.named_parameters()):
            continue
        if not torch.equal(buf.cpu(), fresh.state_dict()[name]):  # not what the seed gives (an init_from fit)
            buffers.append(name)
            floats.append(buf.detach().to("cpu", torch.float32).numpy().reshape(-1))
    header = {
        "v": FORMAT,
        "arch": fit.arch.to_dict(),
        "shape": list(fit.image_shape),
        "seed": seed,
        "bits": bits,
        "pc": bool(per_channel),
        "t": tensors,
        "buf": buffers,
    }
    head = zlib.compress(json.dumps(header, separators=(",", ":")).encode(), 9)
    words = enc.get_compressed().astype("<u4").tobytes()
    body = MAGIC + _U32.pack(len(head)) + head + b"".join(a.astype(a.dtype.newbyteorder("<")).tobytes() for a in floats)
    body += words
    return write_bytes_atomic(path, body + _U32.pack(zlib.crc32(body)))


def packed_size(fit: Fit, *, bits: int = 8, per_channel: bool = True) -> int:
    """The size in bytes of the file :func:`pack` writes for ``fit``: it packs to a temporary file and measures it.

    Parameters
    ----------
    fit : Fit
        Any fit (quantised here as :func:`pack` would, unless already on the grids).
    bits, per_channel
        As for :func:`pack`.

    Returns
    -------
    int
        The packed file's size on disk, headers and checksum included.

    Raises
    ------
    EditError
        ``bits`` is not one :func:`pack` writes.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pixparam-size-") as tmp:
        return pack(fit, Path(tmp) / "fit.ppk", bits=bits, per_channel=per_channel).stat().st_size


def unpack(path: str | os.PathLike, *, device: str | torch.device = "auto") -> Fit:
    """Read a file written by :func:`pack` as a :class:`Fit` (``image=None``, history empty).

    Its ``grids`` and ``masks`` are those of the quantised fit, so
    :func:`pixparam.edit.heal` keeps the values on them.

    Parameters
    ----------
    path : str or path
        A ``.ppk`` file.
    device : str or torch.device
        Where to put the model (``"auto"``: cuda, then mps, then cpu).

    Returns
    -------
    Fit

    Raises
    ------
    CheckpointError
        The file is missing, not a packed file, truncated or altered (its
        checksum does not match), or holds a family that is not registered.
    """
    path = Path(path)
    name = repr(str(path))
    if not path.is_file():
        raise CheckpointError(f"packed file {name} does not exist" if not path.exists() else f"{name} is not a file")
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise CheckpointError(f"{name} is not a pixparam packed file (it does not start with {MAGIC!r})")
    body, crc = data[:-4], _U32.unpack(data[-4:])[0] if len(data) >= 12 else None
    if crc is None or zlib.crc32(body) != crc:
        raise CheckpointError(f"{name} is truncated or altered (its checksum does not match); pack the fit again")
    try:
        (n,) = _U32.unpack(body[4:8])
        header = json.loads(zlib.decompress(body[8 : 8 + n]))
        if int(header["v"]) > FORMAT:
            raise CheckpointError(
                f"{name} has packed format {header['v']}; this pixparam reads up to {FORMAT}: upgrade"
            )
        arch = Arch.from_dict(header["arch"])
        bits, seed, per_channel = int(header["bits"]), int(header["seed"]), bool(header["pc"])
        tensors, buffers = [(int(a), int(b)) for a, b in header["t"]], [str(b) for b in header["buf"]]
        image_shape = tuple(int(v) for v in header["shape"])
    except (ValueError, KeyError, TypeError, zlib.error, struct.error) as exc:
        raise CheckpointError(f"{name} has a damaged header ({exc!r})") from None
    if arch.family not in FAMILIES:
        raise CheckpointError(
            f"{name} holds a {arch.family} network, a family that is not registered in this session; "
            f"pp.fields.register(its spec) before unpacking"
        )
    try:
        model, masks, grids = _decode(body, 8 + n, arch, seed, bits, per_channel, tensors, buffers)
    except (ValueError, KeyError, TypeError, RuntimeError, IndexError) as exc:
        raise CheckpointError(f"{name} does not decode to its architecture ({exc})") from None
    model = model.to(resolve_device(device)).eval()
    done = {"name": "unpack", "bytes": len(data)}
    edits = ({"name": "quantize", "bits": bits, "per_channel": per_channel}, done) if bits < 32 else (done,)
    return Fit(
        model=model,
        arch=arch,
        image_shape=image_shape,  # type: ignore[arg-type]
        history=History(),
        seconds=0.0,
        config={"seed": seed, "packed": {"bits": bits, "per_channel": per_channel}},
        edits=edits,
        masks=masks,
        grids=grids,
    )


def _decode(
    body: bytes,
    pos: int,
    arch: Arch,
    seed: int,
    bits: int,
    per_channel: bool,
    tensors: list[tuple[int, int]],
    buffers: list[str],
) -> tuple[torch.nn.Module, dict[str, torch.Tensor], dict[str, QuantGrid]]:
    """Rebuild the module from the float arrays and the coded stream that follow the header."""
    cs = _coder()
    model = build(arch, seed=seed)
    params = dict(model.named_parameters())
    if len(tensors) != len(params):
        raise ValueError(f"it stores {len(tensors)} tensors for the architecture's {len(params)}")
    tables = spec_for(arch.family).tables

    def take(count: int, dtype: str) -> torch.Tensor:
        nonlocal pos
        width = np.dtype(dtype).itemsize * count
        if pos + width > len(body):
            raise ValueError("the file ends inside its values")
        out = np.frombuffer(body, dtype=np.dtype(dtype).newbyteorder("<"), count=count, offset=pos)
        pos += width
        return torch.from_numpy(out.astype(np.float32))

    read = []
    for (kind, kept), (pname, p) in zip(tensors, params.items()):
        size = p.numel()
        n_kept = size if kept < 0 else kept
        if not 0 <= n_kept <= size:
            raise ValueError(f"{pname} keeps {kept} of {size} values")
        if kind in (_RAW16, _RAW32):
            read.append((kind, n_kept, take(n_kept, "float16" if kind == _RAW16 else "float32"), None))
            continue
        per_row = per_channel and p.ndim == 2 and pname not in tables  # quantize's rule for per-channel grids
        rows = p.shape[0] if per_row else 1
        shape: tuple[int, ...] = (rows, 1) if per_row else ()
        lo, step = take(rows, "float32").reshape(shape), take(rows, "float32").reshape(shape)
        a, b = take(2, "float32").tolist()
        read.append((kind, n_kept, (lo, step), (a, b)))
    state = {}
    current = model.state_dict()
    for bname in buffers:
        if bname not in current or bname in params:
            raise ValueError(f"it stores a buffer {bname!r} the architecture does not have")
        state[bname] = take(current[bname].numel(), "float32").reshape(current[bname].shape).clone()
    rest = body[pos:]
    if len(rest) % 4:
        raise ValueError("the coded stream is not whole 32-bit words")
    dec = cs.stream.queue.RangeDecoder(np.frombuffer(rest, dtype="<u4").astype(np.uint32))
    masks: dict[str, torch.Tensor] = {}
    grids: dict[str, QuantGrid] = {}
    for (pname, p), (kind, kept), (_, n_kept, payload, model_ab) in zip(params.items(), tensors, read):
        size = p.numel()
        sel = torch.ones(size, dtype=torch.bool)
        if kept >= 0:
            if 0 < kept < size:
                sel = torch.from_numpy(
                    dec.decode(cs.stream.model.Bernoulli(kept / size, perfect=False), size).astype(bool)
                )
                if int(sel.sum()) != kept:
                    raise ValueError(f"{pname}'s mask keeps {int(sel.sum())} values, its header {kept}")
            else:
                sel = torch.full((size,), kept == size)
            masks[pname] = sel.reshape(p.shape)
        if model_ab is None:  # raw floats
            values = payload
            if kind == _RAW16:
                grids[pname] = QuantGrid(16)
        else:
            lo, step = payload
            grids[pname] = QuantGrid(bits, lo, step)
            k = torch.zeros(size, dtype=torch.float32)
            if n_kept:
                coded = dec.decode(_model(kind, 2**bits, *model_ab), n_kept)
                k[sel] = torch.from_numpy(np.asarray(coded, dtype=np.float32))
            values = (k.reshape(p.shape) * step + lo).reshape(-1)[sel]  # what QuantGrid.project computes
        full = torch.zeros(size, dtype=torch.float32)
        full[sel] = values
        state[pname] = full.reshape(p.shape)
    model.load_state_dict({**current, **state}, strict=True)
    return model, masks, grids
