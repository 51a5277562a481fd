"""Holes in Gaussian fits: points no Gaussian reaches, black (``fill="none"``) or the mean colour (``"mean"``).

Under the normalised mean a point whose every Gaussian lies beyond the cutoff
has no weight at all. Before ``fill`` such a point was black, with no gradient
to bring a Gaussian back. This script fits each image (none a tuning image) at
each budget with both fills, from the same seed and settings (the
``standard`` profile's: 1000 steps, mini-batches of 2^14), and records the
holes at the fit's resolution and in a render at ``--zoom`` times it, with
PSNR and SSIM.

    OMP_NUM_THREADS=2 python benchmarks/gaussian_holes.py --json benchmarks/results/gaussian_holes_256px.json
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_json_atomic
from pixparam.coords import grid
from pixparam.fields.splat import splat

#: The tuning images (the only ones defaults are tuned on).
TUNING = {"astronaut", "camera"}


def holes(model: torch.nn.Module, h: int, w: int) -> int:
    """Pixel centres of an ``h × w`` render that no Gaussian reaches within its cutoff."""
    with torch.no_grad():
        ones = torch.ones(model.means.shape[0], 1)
        reach = splat(grid(h, w), model.means, model.factors(), ones, model.cutoff)[:, 0]
    return int((reach == 0).sum())


def measure(a: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for name in a.images:
        img = pp.load_image(name, size=a.size)
        h, w, _ = img.shape
        for budget in (pp.parse_budget(b) for b in a.budgets):
            for fill in ("none", "mean"):
                f = pp.fit(img, budget, "gaussians", fill=fill, steps=a.steps, batch_size=a.batch, seed=a.seed,
                           device="cpu", progress=False)  # fmt: skip
                row = {"image": name, "shape": [h, w], "budget": budget, "n_params": f.n_params, "fill": fill,
                       "holes": holes(f.model, h, w), "holes_zoomed": holes(f.model, a.zoom * h, a.zoom * w),
                       "psnr": f.metrics["psnr"], "ssim": f.metrics["ssim"]}  # fmt: skip
                rows.append(row)
                print(f"{name:10s} {budget:>6} fill={fill:4s}: {row['holes']} holes ({row['holes_zoomed']} at "
                      f"×{a.zoom}), {row['psnr']:.3f} dB", flush=True)  # fmt: skip
    meta = run_meta(size=a.size, steps=a.steps, batch_size=a.batch, seed=a.seed, zoom=a.zoom)
    return {"meta": meta, "rows": rows}


def render(d: dict[str, Any]) -> str:
    """The Markdown section of ``docs/benchmarks.md`` for a saved run."""
    m = d["meta"]
    images = list(dict.fromkeys(r["image"] for r in d["rows"]))
    kind = "tuning images" if set(images) <= TUNING else "images not used for tuning"
    out = [
        f"## Holes in Gaussian fits (`gaussian_holes.py`): {', '.join(images)} ({kind})",
        "",
        f"`{m['command']}` · {m['date'][:10]} · {m['machine']} · {m['threads']} threads · torch {m['torch']}",
        "",
        f"Gaussians fitted at {m['size']} px ({m['steps']} steps, mini-batches of {m['batch_size']:,}, "
        f'seed {m["seed"]}) with the points no Gaussian reaches black (`fill="none"`, the model before the '
        "option) and in the Gaussians' mean colour (`fill=\"mean\"`, the default); holes counted at the fit's "
        f"pixel centres and in a ×{m['zoom']} render.",
        "",
        "| image | budget | uncovered pixels, none → mean | in the ×zoom render | PSNR none | PSNR mean | Δ |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(r["image"], r["budget"], r["fill"]): r for r in d["rows"]}
    pairs = [(none, by[(i, b, "mean")]) for (i, b, f), none in by.items() if f == "none" and (i, b, "mean") in by]
    for none, mean in pairs:
        out.append(
            f"| {none['image']} | {none['n_params']:,} | {none['holes']} → {mean['holes']} "
            f"| {none['holes_zoomed']} → {mean['holes_zoomed']} | {none['psnr']:.2f} dB | {mean['psnr']:.2f} dB "
            f"| {mean['psnr'] - none['psnr']:+.2f} dB |"
        )
    deltas = [mean["psnr"] - none["psnr"] for none, mean in pairs]
    more = sum(mean["holes"] > none["holes"] for none, mean in pairs)
    out += [
        "",
        f"The mean fill scores higher in {sum(x > 0 for x in deltas)} of {len(pairs)} fits "
        f"(Δ {min(deltas):+.2f} to {max(deltas):+.2f} dB). Training with it leaves more pixels uncovered in "
        f"{more} of {len(pairs)}: an uncovered pixel no longer costs a black pixel's error.",
    ]
    return "\n".join([*out, ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["coffee", "chelsea", "rocket"])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--budgets", nargs="+", default=["4k", "16k"])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=2**14)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--zoom", type=int, default=4)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    d = measure(a)
    if a.json:
        write_json_atomic(a.json, d)
    print(render(d))


if __name__ == "__main__":
    main()
