"""``pixparam pack`` and ``pixparam unpack``: a checkpoint as a small entropy-coded file, and back."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    """Add ``pack`` and ``unpack``."""
    p = sub.add_parser(
        "pack",
        help="quantise and entropy-code a checkpoint into a small .ppk file",
        description="Write MODEL quantised to --bits and range-coded (pp.pack); the file's size is its byte count.",
    )
    p.add_argument("model", type=Path, help="checkpoint (.safetensors)")
    p.add_argument("-o", "--output", type=Path, required=True, help="packed file to write (.ppk)")
    p.add_argument("--bits", type=int, default=8, help="2-15 (coded grid), 16 (float16) or 32 (float32); default 8")
    p.add_argument("--per-tensor", dest="per_channel", action="store_false", help="one grid per tensor, not per unit")
    p.add_argument("--image", default=None, help="the fitted image (file or sample): print the packed file's PSNR")
    p.add_argument("--size", default=None, help="resize --image first: longest side or HxW")
    p.set_defaults(run=cmd_pack)
    u = sub.add_parser(
        "unpack",
        help="read a .ppk file back as a checkpoint",
        description="Decode a packed file (pp.unpack) and save it as a checkpoint, render it, or both.",
    )
    u.add_argument("packed", type=Path, help="packed file (.ppk)")
    u.add_argument("-o", "--output", type=Path, default=None, help="checkpoint to write (.safetensors)")
    u.add_argument("--render", type=Path, default=None, help="also write its reconstruction as an image")
    u.set_defaults(run=cmd_unpack)


def cmd_pack(a: argparse.Namespace) -> None:
    from .. import metrics
    from .._io import check_writable
    from ..images import load_image
    from ..store import load, pack, unpack
    from . import _args as argtypes
    from ._outputs import no_overwrite

    no_overwrite({"-o": a.output}, {"the checkpoint": a.model, "--image": a.image})
    check_writable(a.output)
    fit = load(a.model, device="cpu")
    path = pack(fit, a.output, bits=a.bits, per_channel=a.per_channel)
    n = path.stat().st_size
    h, w = fit.image_shape[:2]
    line = (
        f"packed {path}: {n:,} B, {8 * n / (h * w):.3f} bits per pixel, {8 * n / fit.n_params:.2f} bits per parameter"
    )
    if a.image is not None:
        img = load_image(a.image, size=None if a.size is None else argtypes.size(a.size))
        line += f" · PSNR {metrics.psnr(img, unpack(path, device='cpu').render(size=img.shape[:2])):.2f} dB"
    print(line)


def cmd_unpack(a: argparse.Namespace) -> None:
    from ..store import unpack
    from ._core import write_outputs
    from ._outputs import checkpoint_output, image_output, no_overwrite

    output = checkpoint_output(a.output)
    no_overwrite({"-o": output, "--render": a.render}, {"the packed file": a.packed})
    fit = unpack(a.packed, device="cpu")
    image_output(a.render, fit.arch.channels)
    print(f"unpacked {a.packed}: {fit.arch.describe()} at {fit.config['packed']['bits']} bits")
    write_outputs(fit, output, a.render)
