"""``pixparam edit``: one edit of a checkpoint, saved and optionally rendered."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..budget import format_count
from ..errors import ConfigError, ImageError
from . import _args as argtypes
from ._core import check_outputs, write_outputs
from ._outputs import PACKED_SUFFIX, unsaved_hint


def add_parser(sub: Any) -> None:
    """Add ``edit`` and its operators."""
    e = sub.add_parser(
        "edit",
        help="edit a saved network: prune, quantize, noise, blend, splice, heal",
        description="Apply one edit to a checkpoint and save the result (and optionally its render).",
    )
    e.add_argument("model", type=Path, help="checkpoint written by 'pixparam fit'")
    _add_common(e, None)
    e.set_defaults(run=cmd_edit)
    # the same options after the operator (as the README writes them): set only when given there
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, argparse.SUPPRESS)
    ops = _Ops(e.add_subparsers(dest="op", metavar="OP"), common)
    ops.action.required = True
    p = ops.add_parser("prune", help="zero a fraction of the parameters, or remove hidden units")
    p.add_argument("amount", type=float, help="fraction in [0, 1]")
    p.add_argument("--method", choices=("magnitude", "random", "neurons"), default="magnitude")
    p.add_argument("--seed", type=int, default=0)
    q = ops.add_parser("quantize", help="round the parameters to 2..16 bits")
    q.add_argument("bits", type=int, help="2-15 (uniform grid), 16 (float16), 32 (none)")
    q.add_argument("--per-channel", action="store_true", help="one grid per output unit of each weight")
    n = ops.add_parser("noise", help="add Gaussian noise relative to each tensor's std")
    n.add_argument("scale", type=float)
    n.add_argument("--seed", type=int, default=0)
    b = ops.add_parser("blend", help="interpolate weights with another checkpoint")
    b.add_argument("other", type=Path)
    b.add_argument("alpha", type=float, help="0 = MODEL, 1 = OTHER")
    b.add_argument("--no-align", dest="align", action="store_false", help="skip permutation alignment")
    s = ops.add_parser("splice", help="take layers, hidden units or a region's table entries from another checkpoint")
    s.add_argument("other", type=Path)
    s.add_argument("--layers", type=argtypes.ints, default=None, help="layer numbers (0,-1) or 'table'")
    s.add_argument(
        "--neurons",
        type=argtypes.neurons,
        default=None,
        help="a fraction with a point (0.5, 1.0) or unit indices (0,3,7)",
    )
    s.add_argument("--region", type=argtypes.region, default=None, help="hash grids: Y0,X0,Y1,X1 in pixels")
    s.add_argument("--no-align", dest="align", action="store_false", help="skip permutation alignment")
    h = ops.add_parser("heal", help="fine-tune, keeping pruned values at zero and quantised values on their grids")
    h.add_argument("--steps", type=int, default=200)
    h.add_argument("--lr", type=float, default=None)
    h.add_argument("--seed", type=int, default=0)


def _add_common(p: argparse.ArgumentParser, default: Any) -> None:
    """The options every operator shares; ``default=SUPPRESS`` leaves them unset unless given."""

    def d(value: Any) -> Any:
        return value if default is None else default

    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=d(None),
        help="edited checkpoint (.safetensors; quantize: or a packed .ppk)",
    )
    p.add_argument("--render", type=Path, default=d(None), help="also write the edited reconstruction as an image")
    p.add_argument("--image", default=d(None), help="the fitted image (file or sample): measures PSNR; heal needs it")
    p.add_argument("--size", type=argtypes.size, default=d(None), help="resize --image first: longest side or HxW")
    p.add_argument("--device", default=d("auto"))


class _Ops:
    """The operators' subparsers: each takes the shared options too, and remembers itself for its usage."""

    def __init__(self, action: Any, common: argparse.ArgumentParser) -> None:
        self.action = action
        self.common = common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = self.action.add_parser(name, parents=[self.common], **kwargs)
        parser.set_defaults(parser=parser)
        return parser


def cmd_edit(a: argparse.Namespace) -> None:
    from .. import edit
    from ..images import load_image
    from ..store import load

    inputs = {"the checkpoint": a.model, "the other checkpoint": getattr(a, "other", None), "--image": a.image}
    fit = load(a.model, device=a.device)
    output, render = check_outputs(a, inputs, channels=fit.arch.channels, packed=a.op == "quantize")
    img = None if a.image is None else load_image(a.image, size=a.size)
    if img is not None:
        if img.shape != fit.image_shape:
            raise ImageError(
                f"--image is {img.shape[0]}×{img.shape[1]}×{img.shape[2]} but {a.model} was fitted to "
                f"{'×'.join(map(str, fit.image_shape))}; pass that image (and --size)"
            )
        fit.image = img
    if a.op == "prune":
        out = edit.prune(fit, a.amount, method=a.method, seed=a.seed)
    elif a.op == "quantize":
        out = edit.quantize(fit, a.bits, per_channel=a.per_channel)
    elif a.op == "noise":
        out = edit.noise(fit, a.scale, seed=a.seed)
    elif a.op == "blend":
        out = edit.blend(fit, load(a.other, device=a.device), a.alpha, align=a.align)
    elif a.op == "splice":
        other = load(a.other, device=a.device)
        out = edit.splice(fit, other, layers=a.layers, neurons=a.neurons, align=a.align, region=a.region)
    else:
        if img is None:
            raise ConfigError("heal needs the image it fine-tunes towards: pass --image (and --size)")
        out = edit.heal(fit, img, a.steps, lr=a.lr, seed=a.seed)
    psnr = "" if img is None else f" · PSNR {fit.psnr:.2f} → {out.psnr:.2f} dB"
    print(
        f"{a.op}: {out.arch.describe()} · {format_count(out.n_effective)} non-zero of {format_count(out.n_params)} "
        f"· {out.storage_bits / 8 / 1024:.1f} KiB stored{psnr}"
    )
    unsaved_hint(output, "edited network")
    if output is not None and output.suffix.lower() == PACKED_SUFFIX:  # quantize -o x.ppk: the packed file itself
        from ..store import pack

        n = pack(out, output, bits=a.bits, per_channel=a.per_channel).stat().st_size
        print(f"packed {output}: {n:,} B (its size on disk is its byte count)")
        output = None
    write_outputs(out, output, render)
