"""Device choice and matmul precision."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from .errors import ConfigError, DeviceError

__all__ = ["PRECISIONS", "matmul_precision", "resolve_device"]

#: ``fp32``: IEEE float32 throughout; ``tf32``: TensorFloat-32 matmuls on CUDA
#: (float32 elsewhere); ``bf16``: bfloat16 autocast on CUDA. ``auto`` picks per family.
PRECISIONS = ("auto", "fp32", "tf32", "bf16")


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Turn ``"auto"`` into cuda, else mps, else cpu; check any other choice exists.

    Parameters
    ----------
    device : str, torch.device or None
        ``"auto"`` (or ``None``), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``.

    Returns
    -------
    torch.device

    Raises
    ------
    DeviceError
        The device is not available here; the message says what is.
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise DeviceError(f"device={device!r} is not a device ({exc}); use 'auto', 'cpu', 'cuda' or 'mps'") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device={device!r} but CUDA is not available (torch {torch.__version__}); use device='cpu' or 'auto'"
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise DeviceError(f"device={device!r} but only {torch.cuda.device_count()} CUDA device(s) exist")
    elif dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceError(f"device={device!r} but MPS is not available here; use device='cpu' or 'auto'")
    elif dev.type != "cpu":
        raise DeviceError(f"device={device!r} is not supported; use 'auto', 'cpu', 'cuda' or 'mps'")
    return dev


@contextlib.contextmanager
def matmul_precision(device: torch.device, precision: str) -> Iterator[None]:
    """Run the body with TF32 matmuls or bf16 autocast on CUDA; a no-op elsewhere.

    The global TF32 setting is restored on exit. The bf16 autocast keeps no
    cast cache, so a training loop inside one context casts each step's
    weights afresh (with the cache, every step would reuse the first step's).

    Parameters
    ----------
    device : torch.device
        Where the body runs; only CUDA changes anything.
    precision : {"fp32", "tf32", "bf16"}
        A resolved precision (not ``"auto"``).

    Yields
    ------
    None
    """
    if precision not in PRECISIONS[1:]:
        raise ConfigError(f"precision={precision!r}; choose one of {', '.join(PRECISIONS)}")
    if device.type != "cuda" or precision == "fp32":
        yield
        return
    if precision == "bf16":
        # No cast cache: the body is a whole training loop, and autocast's cache would keep the bf16 copies
        # of the first step's weights for every later forward (the optimiser updates the fp32 weights in
        # place, and the cache is cleared only when the context exits), so nothing would be learnt.
        with torch.autocast("cuda", dtype=torch.bfloat16, cache_enabled=False):
            yield
        return
    matmul = torch.backends.cuda.matmul
    if hasattr(matmul, "fp32_precision"):
        before = matmul.fp32_precision
        matmul.fp32_precision = "tf32"
        try:
            yield
        finally:
            matmul.fp32_precision = before
    else:  # torch < 2.9
        before = matmul.allow_tf32
        matmul.allow_tf32 = True
        try:
            yield
        finally:
            matmul.allow_tf32 = before
