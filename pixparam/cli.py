"""Command line: ``pixparam fit | render | edit | demo | experiment | info``.

Errors print one line (``pixparam: error: ...``) and exit with status 1;
usage errors exit with status 2, as argparse does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .budget import FAMILIES, format_count, parse_budget
from .errors import PixparamError


def _budget(text: str) -> int:
    try:
        return parse_budget(text)
    except PixparamError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _budgets(text: str) -> list[int]:
    return [_budget(t) for t in text.split(",") if t.strip()]


def _families(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in FAMILIES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown family {', '.join(bad) or '(none)'}; choose from {', '.join(FAMILIES)}"
        )
    return names


def _size(text: str) -> int | tuple[int, int]:
    try:
        if "x" in text.lower():
            h, w = (int(v) for v in text.lower().split("x"))
            if h < 1 or w < 1:
                raise ValueError
            return h, w
        side = int(text)
        if side < 2:
            raise ValueError
        return side
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r}: write the longest side (256) or HxW (256x384)") from None


def _option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"option {text!r}: write KEY=VALUE, e.g. sigma=20")
    try:
        parsed: Any = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return key.strip(), parsed


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pixparam",
        description="Parameters are like pixels: fit coordinate networks with exact parameter budgets "
        "and compare them with pixel counterparts.",
    )
    p.add_argument("--version", action="version", version=f"pixparam {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    f = sub.add_parser(
        "fit", help="fit one network to an image and save it", description="Fit one network to an image."
    )
    f.add_argument("image", help="image file or sample name (see 'pixparam info --samples')")
    f.add_argument("--budget", type=_budget, required=True, help="trainable parameters: 4096, 4k, 1.5M, 4Ki")
    f.add_argument("--family", choices=FAMILIES, default="siren")
    f.add_argument("--steps", type=int, default=None, help="optimiser steps (default 2000)")
    f.add_argument("--lr", type=float, default=None, help="peak learning rate (default per family)")
    f.add_argument("--size", type=_size, default=None, help="resize first: longest side or HxW")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, mps")
    f.add_argument("--depth", type=int, default=None, help="hidden layers (MLP families)")
    f.add_argument(
        "--option",
        type=_option,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="other architecture option, e.g. sigma=20 or levels=12 (repeatable)",
    )
    f.add_argument("-o", "--output", type=Path, default=None, help="checkpoint path (.safetensors)")
    f.add_argument("--render", type=Path, default=None, help="also write the reconstruction as an image")
    f.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    r = sub.add_parser("render", help="render a saved network to an image", description="Render a checkpoint.")
    r.add_argument("model", type=Path, help="checkpoint written by 'pixparam fit'")
    r.add_argument("-o", "--output", type=Path, required=True, help="image path (.png, .jpg, ...)")
    r.add_argument("--size", type=_size, default=None, help="longest side or HxW (default: the fitted size)")
    r.add_argument("--device", default="auto")

    d = sub.add_parser(
        "demo",
        help="fit a small ladder on a sample and write a comparison strip",
        description="Fit a small ladder of budgets for each family on a sample image, "
        "print PSNR beside the pixel counterparts, and write a PNG strip.",
    )
    d.add_argument("--image", default="astronaut", help="sample name or image file (default astronaut)")
    d.add_argument("--size", type=int, default=48, help="longest side to resize to (default 48)")
    d.add_argument("--budgets", type=_budgets, default=[1000, 4000], help="comma-separated (default 1k,4k)")
    d.add_argument("--families", type=_families, default=list(FAMILIES), help="comma-separated (default all)")
    d.add_argument("--steps", type=int, default=300, help="steps per fit (default 300)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--device", default="auto")
    d.add_argument("-o", "--output", type=Path, default=Path("pixparam-demo.png"))
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bars")

    _add_edit_parser(sub)
    _add_experiment_parser(sub)

    i = sub.add_parser("info", help="describe a checkpoint, or list the samples", description="Describe a checkpoint.")
    i.add_argument("model", type=Path, nargs="?", help="checkpoint to describe")
    i.add_argument("--samples", action="store_true", help="list the built-in sample images")
    return p


def _region(text: str) -> tuple[int, int, int, int]:
    try:
        y0, x0, y1, x1 = (int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"region {text!r}: write Y0,X0,Y1,X1 in pixels, e.g. 0,0,32,32") from None
    return y0, x0, y1, x1


def _ints(text: str) -> list[int | str]:
    try:
        return [t.strip() if t.strip() == "table" else int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write comma-separated integers, e.g. 0,2") from None


def _neurons(text: str) -> float | list[int]:
    try:
        return float(text) if "." in text else [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write a fraction (0.5) or unit indices (0,3,7)") from None


def _add_edit_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser(
        "edit",
        help="edit a saved network: prune, quantize, noise, blend, splice, heal",
        description="Apply one edit to a checkpoint and save the result (and optionally its render).",
    )
    e.add_argument("model", type=Path, help="checkpoint written by 'pixparam fit'")
    e.add_argument("-o", "--output", type=Path, default=None, help="edited checkpoint path (.safetensors)")
    e.add_argument("--render", type=Path, default=None, help="also write the edited reconstruction as an image")
    e.add_argument("--image", default=None, help="the fitted image (file or sample): measures PSNR; heal needs it")
    e.add_argument("--size", type=_size, default=None, help="resize --image first: longest side or HxW")
    e.add_argument("--device", default="auto")
    ops = e.add_subparsers(dest="op", metavar="OP")
    ops.required = True
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
    s.add_argument("--layers", type=_ints, default=None, help="layer numbers (0,-1) or 'table'")
    s.add_argument(
        "--neurons", type=_neurons, default=None, help="a fraction with a point (0.5, 1.0) or unit indices (0,3,7)"
    )
    s.add_argument("--region", type=_region, default=None, help="hash grids: Y0,X0,Y1,X1 in pixels")
    s.add_argument("--no-align", dest="align", action="store_false", help="skip permutation alignment")
    h = ops.add_parser("heal", help="fine-tune, keeping pruned values at zero and quantised values on their grids")
    h.add_argument("--steps", type=int, default=200)
    h.add_argument("--lr", type=float, default=None)
    h.add_argument("--seed", type=int, default=0)


def _cmd_edit(a: argparse.Namespace) -> None:
    from . import edit
    from .images import load_image, save_image
    from .store import load

    fit = load(a.model, device=a.device)
    img = None if a.image is None else load_image(a.image, size=a.size)
    if img is not None:
        if img.shape != fit.image_shape:
            raise ValueError(
                f"--image is {img.shape[0]}×{img.shape[1]}×{img.shape[2]} but {a.model} was fitted to "
                f"{'×'.join(map(str, fit.image_shape))}; pass that image (and --size)"
            )
        fit.image = img
    if a.op == "prune":
        out = edit.prune(fit, a.amount, a.method, seed=a.seed)
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
            raise ValueError("heal needs the image it fine-tunes towards: pass --image (and --size)")
        out = edit.heal(fit, img, a.steps, lr=a.lr, seed=a.seed)
    psnr = "" if img is None else f" · PSNR {fit.psnr:.2f} → {out.psnr:.2f} dB"
    print(
        f"{a.op}: {out.arch.describe()} · {format_count(out.n_effective)} non-zero of {format_count(out.n_params)} "
        f"· {out.storage_bits / 8 / 1024:.1f} KiB stored{psnr}"
    )
    if a.output is not None:
        print(f"saved {out.save(a.output)}")
    if a.render is not None:
        print(f"rendered {save_image(out.render(), a.render)}")


def _steps(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"steps {text!r}: write positive integers, comma-separated (300 or 100,1000)")
    return values


def _add_experiment_parser(sub: argparse._SubParsersAction) -> None:
    x = sub.add_parser(
        "experiment",
        help="run an experiment: crowding, generalisation or scaling",
        description="Run one experiment on a sample or image file; write its figure and records. "
        "Finished fits are cached in --cache, so a rerun (or a resumed one) trains only what is missing.",
    )
    x.add_argument("name", choices=("crowding", "generalisation", "scaling"))
    x.add_argument("--image", default="astronaut", help="sample name or image file (default astronaut)")
    x.add_argument("--size", type=int, default=32, help="longest side; crowding: tile side (default 32)")
    x.add_argument("--budgets", type=_budgets, default=None, help="comma-separated (default per experiment)")
    x.add_argument("--families", type=_families, default=["siren", "hashgrid"], help="comma-separated")
    x.add_argument("--steps", type=_steps, default=None, help="comma-separated step counts (default per experiment)")
    x.add_argument("--seeds", type=int, default=None, help="number of seeds (default 1; generalisation 3)")
    x.add_argument("--ks", type=_steps, default=[1, 2, 4, 8, 16], help="crowding: images per network")
    x.add_argument("--train-fraction", type=float, default=0.5, help="generalisation: fraction of pixels to train on")
    x.add_argument("--noise", type=float, default=0.0, help="generalisation: noise std added to training values")
    x.add_argument("--cache", type=Path, default=None, help="cache folder for finished fits")
    x.add_argument("--device", default="auto")
    x.add_argument("-o", "--output", type=Path, default=None, help="figure path (.png, .svg, .pdf)")
    x.add_argument("--json", type=Path, default=None, help="write the result (records and tables) as JSON")
    x.add_argument("--csv", type=Path, default=None, help="write the records as CSV")
    x.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _cmd_experiment(a: argparse.Namespace) -> None:
    import datetime

    import torch

    from . import experiments as ex
    from .devices import resolve_device
    from .figures import save_figure
    from .images import load_image

    common = {"device": a.device, "cache": a.cache, "progress": not a.quiet}
    if a.seeds is not None:
        common["seeds"] = a.seeds
    if a.name == "crowding":
        if a.steps is not None and len(a.steps) > 1:
            raise ValueError(f"crowding trains every network for one step count; got --steps {a.steps}, pass one")
        images = ex.tiles(a.image, max(a.ks), size=a.size)
        result = ex.crowding(images, a.budgets or [1000], a.families, ks=a.ks, steps=(a.steps or [500])[-1], **common)
        plot = ex.plot_crowding
    elif a.name == "generalisation":
        result = ex.generalisation(
            load_image(a.image, size=a.size),
            a.budgets or [100, 300, 1000, 3000, 10000],
            a.families,
            train_fraction=a.train_fraction,
            noise=a.noise,
            steps=a.steps or [500],
            **common,
        )
        plot = ex.plot_generalisation
    else:
        result = ex.scaling(
            load_image(a.image, size=a.size),
            a.budgets or [300, 1000, 3000, 10000],
            a.families,
            steps=a.steps or [100, 300, 1000],
            **common,
        )
        plot = ex.plot_scaling
    result.meta.update(
        command="pixparam " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["experiment"] else None,
        image=a.image,
        date=datetime.date.today().isoformat(),
        pixparam=__version__,
        torch=torch.__version__,
        device=str(resolve_device(a.device)),
        cpu_threads=torch.get_num_threads(),
    )
    print(ex.summary(result))
    print(f"{result.meta['trained']} fits trained, {result.meta['cached']} reused from the cache")
    if a.output is not None:
        print(f"wrote {save_figure(plot(result), a.output)}")
    if a.json is not None:
        print(f"wrote {result.save_json(a.json)}")
    if a.csv is not None:
        print(f"wrote {result.save_csv(a.csv)}")


def _cmd_fit(a: argparse.Namespace) -> None:
    from .images import load_image, save_image
    from .train import fit

    options = dict(a.option)
    if a.depth is not None:
        options["depth"] = a.depth
    img = load_image(a.image, size=a.size)
    result = fit(
        img, a.budget, a.family, steps=a.steps, lr=a.lr, device=a.device, seed=a.seed, progress=not a.quiet, **options
    )
    h, w, c = result.image_shape
    print(
        f"{result.arch.describe()} (budget {a.budget:,}) · {h}×{w}×{c} · {result.config['steps']} steps · "
        f"{result.seconds:.1f} s on {result.config['device']} · PSNR {result.psnr:.2f} dB · SSIM {result.ssim:.3f}"
    )
    if a.output is not None:
        print(f"saved {result.save(a.output)}")
    if a.render is not None:
        print(f"rendered {save_image(result.render(), a.render)}")


def _cmd_render(a: argparse.Namespace) -> None:
    from .images import save_image
    from .store import load

    result = load(a.model, device=a.device)
    img = result.render(size=a.size)
    print(f"rendered {img.shape[0]}×{img.shape[1]} → {save_image(img, a.output)}")


def _cmd_demo(a: argparse.Namespace) -> None:
    from .demo import format_table, run_demo

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


def _cmd_info(a: argparse.Namespace) -> None:
    if a.samples or a.model is None:
        from .images import SAMPLES

        print("samples: " + ", ".join(SAMPLES))
        if a.model is None:
            return
    from .store import load

    r = load(a.model, device="cpu")
    h, w, c = r.image_shape
    print(r.arch.describe())
    print(
        f"image {h}×{w}×{c} · {r.config.get('steps')} steps · lr {r.config.get('lr'):g} · seed {r.config.get('seed')} "
        f"· {r.seconds:.1f} s on {r.config.get('device')}"
    )
    if r.metrics:
        print(
            f"PSNR {r.metrics.get('psnr', float('nan')):.2f} dB · SSIM {r.metrics.get('ssim', float('nan')):.3f} "
            f"· {format_count(r.n_params)} params vs {format_count(h * w * c)} pixel values"
        )
    for e in r.edits:
        print(f"edit: {e}")


_COMMANDS = {
    "fit": _cmd_fit,
    "render": _cmd_render,
    "edit": _cmd_edit,
    "demo": _cmd_demo,
    "experiment": _cmd_experiment,
    "info": _cmd_info,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("pixparam: interrupted", file=sys.stderr)
        return 130
    except (PixparamError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"pixparam: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
