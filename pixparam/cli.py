"""Command line: ``pixparam fit | render | demo | info | compare | curve``.

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

    i = sub.add_parser("info", help="describe a checkpoint, or list the samples", description="Describe a checkpoint.")
    i.add_argument("model", type=Path, nargs="?", help="checkpoint to describe")
    i.add_argument("--samples", action="store_true", help="list the built-in sample images")
    _add_compare_parser(sub)
    _add_curve_parser(sub)
    return p


def _fractions(text: str) -> tuple[float, ...]:
    try:
        box = tuple(float(v) for v in text.split(","))
        if len(box) != 4:
            raise ValueError
        return box
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"inset {text!r}: write TOP,LEFT,HEIGHT,WIDTH as fractions, e.g. 0.2,0.3,0.25,0.25"
        ) from None


def _add_ladder_options(p: argparse.ArgumentParser, steps_default: int | None) -> None:
    """Options shared by ``compare`` and ``curve``: the image and the ladder of fits."""
    p.add_argument("image", help="image file or sample name (see 'pixparam info --samples')")
    p.add_argument("--budgets", type=_budgets, default=[1000, 4000, 16000, 64000], help="comma-separated (1k,4k,...)")
    p.add_argument("--families", type=_families, default=["siren", "hashgrid"], help="comma-separated families")
    p.add_argument("--size", type=_size, default=128, help="resize first: longest side or HxW (default 128)")
    p.add_argument("--steps", type=int, default=steps_default, help=f"steps per fit (default {steps_default})")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default per family)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, mps")
    p.add_argument(
        "--cache", type=Path, default=None, help="folder of saved fits: reused when present, filled when not"
    )
    p.add_argument("--dpi", type=int, default=150, help="resolution of PNG output (default 150)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _add_compare_parser(sub: Any) -> None:
    c = sub.add_parser(
        "compare",
        help="figure: networks beside pixel counterparts, one column per budget",
        description="Fit each family at each budget (or reuse --cache) and draw networks beside pixel counterparts.",
    )
    _add_ladder_options(c, 1000)
    c.add_argument("--match", choices=("values", "bits"), default="values", help="pixels with equal values or bytes")
    c.add_argument("--smooth", action="store_true", help="add a row of bicubic-upsampled pixels")
    c.add_argument("--errors", action="store_true", help="add |difference| maps under each row")
    c.add_argument("--inset", type=_fractions, default=None, metavar="T,L,H,W", help="zoom this crop (fractions)")
    c.add_argument("-o", "--output", type=Path, default=Path("compare.png"), help="figure path: .png, .svg, .pdf")


def _add_curve_parser(sub: Any) -> None:
    c = sub.add_parser(
        "curve",
        help="figure: quality against number of values for networks, pixels and JPEG",
        description="Fit each family at each budget (or reuse --cache) and plot PSNR/SSIM against the number of "
        "values, with pixels and JPEG at equal bytes, fitted laws and crossovers.",
    )
    _add_ladder_options(c, 1000)
    c.add_argument("--param-bits", type=_budgets, default=[32], help="bits per parameter for equal bytes: 32 or 32,16")
    c.add_argument("--no-jpeg", action="store_true", help="leave JPEG out")
    c.add_argument("--json", type=Path, default=None, help="also write the measured records as JSON")
    c.add_argument("-o", "--output", type=Path, default=Path("curve.png"), help="figure path: .png, .svg, .pdf")


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


def _cache_key(img: Any, family: str, budget: int, a: argparse.Namespace) -> str:
    """Hash of everything that decides a fit: image bytes, architecture, steps, lr, seed, pixparam version."""
    import hashlib

    from .budget import plan

    arch = plan(budget, family, img.shape[2], resolution=max(img.shape[:2]))
    spec = {
        "image": hashlib.sha256(img.tobytes()).hexdigest(),
        "shape": list(img.shape),
        "arch": arch.to_dict(),
        "steps": a.steps,
        "lr": a.lr,
        "seed": a.seed,
        "pixparam": __version__,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


def _check_figure_path(path: Path) -> None:
    """Fail before any training when the figure cannot be written there."""
    from matplotlib.figure import Figure

    supported = Figure().canvas.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in supported:
        raise ValueError(f"cannot save a figure as {str(path)!r}; use one of: {', '.join(sorted(supported))}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: folder {str(parent)!r} does not exist; create it first")


def _ladder(img: Any, a: argparse.Namespace) -> list[Any]:
    """Every (family, budget) fit, with a tqdm bar; reused from and saved to ``--cache``."""
    _check_figure_path(a.output)
    from tqdm.auto import tqdm

    from . import train
    from .store import load

    if a.steps is not None and a.steps < 1:
        raise ValueError(f"--steps {a.steps}: it must be at least 1")
    if a.cache is not None:
        a.cache.mkdir(parents=True, exist_ok=True)
    pairs = [(fam, b) for b in sorted(set(a.budgets)) for fam in a.families]
    fits, reused = [], 0
    for fam, b in tqdm(pairs, desc="fits", unit="fit", disable=None if not a.quiet else True):
        path = None if a.cache is None else a.cache / f"{fam}-{b}-{_cache_key(img, fam, b, a)}.safetensors"
        if path is not None and path.exists():
            f = load(path, device=a.device)
            f.image = img
            reused += 1
        else:
            f = train.fit(img, b, fam, steps=a.steps, lr=a.lr, seed=a.seed, device=a.device, progress=False)
            if path is not None:
                f.save(path)
        fits.append(f)
    if a.cache is not None:
        print(f"{reused} of {len(pairs)} fits reused from {a.cache}")
    return fits


def _cmd_compare(a: argparse.Namespace) -> None:
    from .figures import compare, save_figure
    from .images import load_image

    img = load_image(a.image, size=a.size)
    fits = _ladder(img, a)
    fig = compare(img, fits, match=a.match, smooth=a.smooth, errors=a.errors, inset=a.inset)
    for f in fits:
        print(f"{f.family:>9} {format_count(f.n_params):>6} params · PSNR {f.psnr:6.2f} dB · SSIM {f.ssim:.3f}")
    print(f"wrote {save_figure(fig, a.output, dpi=a.dpi)}")


def _cmd_curve(a: argparse.Namespace) -> None:
    from ._io import write_bytes_atomic
    from .figures import capacity_table, crossovers, plot_capacity, save_figure
    from .images import load_image

    img = load_image(a.image, size=a.size)
    fits = _ladder(img, a)
    records = capacity_table(img, a.budgets, a.families, fits=fits, param_bits=a.param_bits, jpeg=not a.no_jpeg)
    against = {"equal values": "pixels/values", **{f"equal bytes ({b}-bit)": f"pixels/bits{b}" for b in a.param_bits}}
    cross = {name: crossovers(records, series) for name, series in against.items()}
    for name, table in cross.items():
        for fam, e in table.items():
            where = format_count(e["n"]) if e["n"] is not None else "-"
            print(f"{fam:>9} vs pixels at {name}: {e['status']} (fitted N* {where})")
    if a.json is not None:
        payload = {"command": "pixparam " + " ".join(sys.argv[1:]), "records": records, "crossovers": cross}
        write_bytes_atomic(a.json, (json.dumps(payload, indent=1) + "\n").encode())
        print(f"wrote {a.json}")
    h, w = img.shape[:2]
    fig = plot_capacity(records, title=f"{Path(str(a.image)).name} · {h}×{w} px · {fits[0].config['steps']} steps")
    print(f"wrote {save_figure(fig, a.output, dpi=a.dpi)}")


_COMMANDS = {
    "fit": _cmd_fit,
    "render": _cmd_render,
    "demo": _cmd_demo,
    "info": _cmd_info,
    "compare": _cmd_compare,
    "curve": _cmd_curve,
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
