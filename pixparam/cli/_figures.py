"""``pixparam compare`` and ``pixparam curve``: figures over a ladder of fits (reusing ``--cache``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..budget import format_count
from ..errors import ConfigError
from . import _args as argtypes
from ._outputs import cache_folder, file_output, no_overwrite


def add_parsers(sub: Any) -> None:
    """Add ``compare`` and ``curve``."""
    _add_compare_parser(sub)
    _add_curve_parser(sub)


def _add_ladder_options(p: argparse.ArgumentParser, steps_default: int | None) -> None:
    """Options shared by ``compare`` and ``curve``: the image and the ladder of fits."""
    p.add_argument("image", help="image file or sample name (see 'pixparam info --samples')")
    p.add_argument(
        "--budgets", type=argtypes.budgets, default=[1000, 4000, 16000, 64000], help="comma-separated (1k,4k,...)"
    )
    p.add_argument("--families", type=argtypes.families, default=["siren", "hashgrid"], help="comma-separated families")
    p.add_argument("--size", type=argtypes.size, default=128, help="resize first: longest side or HxW (default 128)")
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
    c.add_argument(
        "--inset", type=argtypes.fractions, default=None, metavar="T,L,H,W", help="zoom this crop (fractions)"
    )
    c.add_argument("-o", "--output", type=Path, default=Path("compare.png"), help="figure path: .png, .svg, .pdf")
    c.set_defaults(run=_cmd_compare)


def _add_curve_parser(sub: Any) -> None:
    c = sub.add_parser(
        "curve",
        help="figure: quality against number of values for networks, pixels and JPEG",
        description="Fit each family at each budget (or reuse --cache) and plot PSNR/SSIM against the number of "
        "values, with pixels and JPEG at equal bytes, fitted laws and crossovers.",
    )
    _add_ladder_options(c, 1000)
    c.add_argument(
        "--param-bits",
        type=argtypes.param_bits,
        default=[32],
        help="bits per parameter for equal bytes: 32, 16, 8, 6, 4, 3 or 2; comma-separated (32,16)",
    )
    c.add_argument("--no-jpeg", action="store_true", help="leave JPEG out")
    c.add_argument(
        "--packed-bits",
        type=argtypes.packed_bits,
        default=[],
        help="also fine-tune each network at these bits, pack it and measure the file, with JPEG, WebP, AVIF "
        "and PNG pixels at its bytes; comma-separated (8,4)",
    )
    c.add_argument("--qat-steps", type=int, default=300, help="fine-tuning steps per packed bit depth (default 300)")
    c.add_argument(
        "--x", choices=("values", "bytes"), default="values", help="x axis: number of values, or bytes on disk"
    )
    c.add_argument("--json", type=Path, default=None, help="also write the measured records as JSON")
    c.add_argument("-o", "--output", type=Path, default=Path("curve.png"), help="figure path: .png, .svg, .pdf")
    c.set_defaults(run=_cmd_curve)


def _check_outputs(a: argparse.Namespace, extra: dict[str, Path | None] | None = None) -> None:
    """Fail before any training when an output cannot be written, or would overwrite an input."""
    from ..figures import check_figure_path

    check_figure_path(a.output, dpi=a.dpi)
    for path in (extra or {}).values():
        file_output(path)
    cache_folder(a.cache)
    no_overwrite({"-o": a.output, **(extra or {})}, {"the input image": a.image})


def _ladder(img: Any, a: argparse.Namespace) -> list[Any]:
    """Every (family, budget) fit, with progress (a bar, or lines off a terminal); reused from ``--cache``."""
    from ..cache import FitCache
    from ..progress import progress_bar
    from ..training import FitJob

    if a.steps is not None and a.steps < 1:
        raise ConfigError(f"--steps {a.steps}: it must be at least 1")
    cache = FitCache(a.cache)
    pairs = [(fam, b) for b in sorted(set(a.budgets)) for fam in a.families]
    for fam, b in pairs:  # plan and check every fit before training the first
        FitJob.configure(img, b, fam, steps=a.steps, lr=a.lr, seed=a.seed, device=a.device)
    fits = []
    with progress_bar(len(pairs), "fits", "fit", progress=not a.quiet) as bar:
        for fam, b in pairs:
            fits.append(cache.fit(img, b, fam, steps=a.steps, lr=a.lr, seed=a.seed, device=a.device, progress=False))
            if a.cache is not None:
                bar.set_postfix_str(f"{cache.hits} reused from {a.cache}")
            bar.update(1)
    if a.cache is not None:
        print(f"{cache.hits} of {len(pairs)} fits reused from {a.cache}")
    return fits


def _cmd_compare(a: argparse.Namespace) -> None:
    from ..figures import compare, save_figure
    from ..images import load_image

    _check_outputs(a)
    img = load_image(a.image, size=a.size)
    fits = _ladder(img, a)
    fig = compare(img, fits, match=a.match, smooth=a.smooth, errors=a.errors, inset=a.inset)
    for f in fits:
        print(f"{f.family:>9} {format_count(f.n_params):>6} params · PSNR {f.psnr:6.2f} dB · SSIM {f.ssim:.3f}")
    print(f"wrote {save_figure(fig, a.output, dpi=a.dpi)}")


def _cmd_curve(a: argparse.Namespace) -> None:
    from .._io import write_json_atomic
    from ..figures import capacity_table, crossovers, plot_capacity, save_figure
    from ..images import load_image

    _check_outputs(a, {"--json": a.json})
    if a.packed_bits and a.qat_steps < 1:
        raise ConfigError(f"--qat-steps {a.qat_steps}: it must be at least 1")
    img = load_image(a.image, size=a.size)
    fits = _ladder(img, a)
    records = capacity_table(
        img,
        a.budgets,
        a.families,
        fits=fits,
        param_bits=a.param_bits,
        jpeg=not a.no_jpeg,
        packed_bits=a.packed_bits,
        qat_steps=a.qat_steps,
    )
    against = {"equal values": "pixels/values", **{f"equal bytes ({b}-bit)": f"pixels/bits{b}" for b in a.param_bits}}
    cross = {name: crossovers(records, against=series) for name, series in against.items()}
    for name, table in cross.items():
        for fam, e in table.items():
            where = format_count(e["n"]) if e["n"] is not None else "-"
            print(f"{fam:>9} vs pixels at {name}: {e['status']} (fitted N* {where})")
    if a.json is not None:
        payload = {"command": "pixparam " + " ".join(sys.argv[1:]), "records": records, "crossovers": cross}
        write_json_atomic(a.json, payload)
        print(f"wrote {a.json}")
    h, w = img.shape[:2]
    title = f"{Path(str(a.image)).name} · {h}×{w} px · {fits[0].config['steps']} steps"
    fig = plot_capacity(records, title=title, x=a.x)
    print(f"wrote {save_figure(fig, a.output, dpi=a.dpi)}")
