"""Core subcommands: ``fit``, ``render``, ``info`` and ``demo``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .. import budget as _budget
from ..budget import format_count
from . import _args as argtypes
from ._outputs import checkpoint_output, figure_output, image_output, no_overwrite, note, unsaved_hint


def add_parsers(sub: Any) -> None:
    """Add ``fit``, ``render``, ``demo`` and ``info``."""

    f = sub.add_parser(
        "fit", help="fit one network to an image and save it", description="Fit one network to an image."
    )
    f.add_argument("image", help="image file or sample name (see 'pixparam info --samples')")
    f.add_argument("--budget", type=argtypes.budget, required=True, help="trainable parameters: 4096, 4k, 1.5M, 4Ki")
    f.add_argument("--family", choices=tuple(_budget.FAMILIES), default="siren")
    f.add_argument("--steps", type=int, default=None, help="optimiser steps (default 2000)")
    f.add_argument("--lr", type=float, default=None, help="peak learning rate (default per family)")
    f.add_argument("--size", type=argtypes.size, default=None, help="resize first: longest side or HxW")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, mps")
    f.add_argument("--depth", type=int, default=None, help="hidden layers (MLP families)")
    f.add_argument("--compile", action="store_true", help="train through torch.compile (pays on long fits)")
    f.add_argument(
        "--option",
        type=argtypes.option,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="other architecture option, e.g. sigma=20 or levels=12 (repeatable)",
    )
    f.add_argument("-o", "--output", type=Path, default=None, help="checkpoint path (.safetensors)")
    f.add_argument("--render", type=Path, default=None, help="also write the reconstruction as an image")
    f.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    f.set_defaults(run=cmd_fit)

    r = sub.add_parser("render", help="render a saved network to an image", description="Render a checkpoint.")
    r.add_argument("model", type=Path, help="checkpoint written by 'pixparam fit'")
    r.add_argument("-o", "--output", type=Path, required=True, help="image path (.png, .jpg, ...)")
    r.add_argument("--size", type=argtypes.size, default=None, help="longest side or HxW (default: the fitted size)")
    r.add_argument("--device", default="auto")
    r.set_defaults(run=cmd_render)

    d = sub.add_parser(
        "demo",
        help="fit a small ladder on a sample and write a comparison strip",
        description="Fit a small ladder of budgets for each family on a sample image, "
        "print PSNR beside the pixel counterparts, and write a PNG strip.",
    )
    d.add_argument("--image", default="astronaut", help="sample name or image file (default astronaut)")
    d.add_argument("--size", type=int, default=48, help="longest side to resize to (default 48)")
    d.add_argument("--budgets", type=argtypes.budgets, default=[1000, 4000], help="comma-separated (default 1k,4k)")
    d.add_argument("--families", type=argtypes.families, default=None, help="comma-separated (default all)")
    d.add_argument("--steps", type=int, default=300, help="steps per fit (default 300)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--device", default="auto")
    d.add_argument("-o", "--output", type=Path, default=Path("pixparam-demo.png"))
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    d.set_defaults(run=cmd_demo)
    i = sub.add_parser("info", help="describe a checkpoint, or list the samples", description="Describe a checkpoint.")
    i.add_argument("model", type=Path, nargs="?", help="checkpoint to describe")
    i.add_argument("--samples", action="store_true", help="list the built-in sample images")
    i.set_defaults(run=cmd_info)


def cmd_fit(a: argparse.Namespace) -> None:
    from ..images import load_image
    from ..training import FitJob, fit

    options = dict(a.option)
    if a.depth is not None:
        options["depth"] = a.depth
    img = load_image(a.image, size=a.size)
    output, render = check_outputs(a, {"the input image": a.image}, channels=img.shape[2])
    settings = {"steps": a.steps, "lr": a.lr, "device": a.device, "seed": a.seed, "compile": a.compile}
    FitJob.configure(img, a.budget, a.family, **settings, **options)  # every check before the first step
    h, w, c = img.shape
    if a.budget > h * w * c:
        note(
            f"budget {format_count(a.budget)} is more than the {h * w * c:,} values of the {h}×{w}×{c} image: "
            f"the network can hold more numbers than the pixels themselves (a larger --size compares them fairly)"
        )
    unsaved_hint(output, "network")
    result = fit(img, a.budget, a.family, progress=not a.quiet, **settings, **options)
    h, w, c = result.image_shape
    print(
        f"{result.arch.describe()} (budget {a.budget:,}) · {h}×{w}×{c} · {result.config['steps']} steps · "
        f"{result.seconds:.1f} s on {result.config['device']} · PSNR {result.psnr:.2f} dB · SSIM {result.ssim:.3f}"
    )
    write_outputs(result, output, render)


def check_outputs(
    a: argparse.Namespace, inputs: dict[str, Any], *, channels: int, packed: bool = False
) -> tuple[Path | None, Path | None]:
    """``-o`` (a checkpoint; with ``packed`` a ``.ppk`` too) and ``--render`` (an image), checked before any work."""
    output = checkpoint_output(a.output, packed=packed)
    render = image_output(a.render, channels)
    no_overwrite({"-o": output, "--render": render}, inputs)
    return output, render


def write_outputs(result: Any, output: Path | None, render: Path | None) -> None:
    """Save ``result`` to ``--output`` and its render to ``--render`` (either may be ``None``), saying where."""
    from ..images import save_image

    if output is not None:
        print(f"saved {result.save(output)}")
    if render is not None:
        print(f"rendered {save_image(result.render(), render)}")


def cmd_render(a: argparse.Namespace) -> None:
    from ..images import save_image
    from ..store import load

    no_overwrite({"-o": a.output}, {"the checkpoint": a.model})
    result = load(a.model, device=a.device)
    image_output(a.output, result.arch.channels)
    img = result.render(size=a.size)
    print(f"rendered {img.shape[0]}×{img.shape[1]} → {save_image(img, a.output)}")


def cmd_demo(a: argparse.Namespace) -> None:
    from ..demo import format_table, run_demo

    figure_output(a.output)
    no_overwrite({"-o": a.output}, {"the image": a.image})
    res = run_demo(
        a.image,
        size=a.size,
        budgets=a.budgets,
        families=a.families,
        steps=a.steps,
        device=a.device,
        seed=a.seed,
        out=a.output,
        progress=not a.quiet,
    )
    h, w, c = res.image.shape
    print(f"{a.image}: {h}×{w}×{c} · {a.steps} steps per fit · pixels are area-averaged, upsampled bicubic for PSNR")
    print(format_table(res.rows()))
    print(f"wrote {res.figure}")


def cmd_info(a: argparse.Namespace) -> None:
    if a.samples or a.model is None:
        from ..images import SAMPLES

        print("samples: " + ", ".join(SAMPLES))
        if a.model is None:
            return
    from ..store import load

    r = load(a.model, device="cpu")
    h, w, c = r.image_shape
    print(r.arch.describe())
    cfg = r.config
    lr = cfg.get("lr")
    lr_text = f"{lr:g}" if isinstance(lr, (int, float)) and not isinstance(lr, bool) else "?"
    print(
        f"image {h}×{w}×{c} · {cfg.get('steps', '?')} steps · lr {lr_text} · seed {cfg.get('seed', '?')} "
        f"· {r.seconds:.1f} s on {cfg.get('device', '?')}"
    )
    if r.metrics:
        print(
            f"PSNR {r.metrics.get('psnr', float('nan')):.2f} dB · SSIM {r.metrics.get('ssim', float('nan')):.3f} "
            f"· {format_count(r.n_params)} params vs {format_count(h * w * c)} pixel values"
        )
    for e in r.edits:
        print(f"edit: {e}")
