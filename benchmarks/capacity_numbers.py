"""Capacity-curve numbers for one sample: where each family overtakes pixels.

Fits every family at every budget (each fit cached, so an interrupted run
resumes), measures pixels at equal values and at equal bytes and JPEG at
equal bytes (:func:`pixparam.figures.capacity_table`), and reads off, on the
fitted laws ``PSNR = a + b·log10 N``, the budget at which each family
overtakes pixels. Writes JSON records with the command in their metadata,
and optionally the figure.

    OMP_NUM_THREADS=1 python benchmarks/capacity_numbers.py --size 128 --steps 400 \
        --json benchmarks/results/capacity_astronaut_128px.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.capacity import PIXELS, capacity_table, crossovers, series_label
from pixparam.figures import plot_capacity


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--budgets", nargs="+", default=["1k", "4k", "16k", "64k", "256k"])
    ap.add_argument("--families", nargs="+", default=list(pp.FAMILIES))
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/pixparam-capacity-cache"))
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/capacity_astronaut_128px.json"))
    ap.add_argument("--figure", type=Path, default=None, help="also draw the capacity curve here")
    a = ap.parse_args()

    img = pp.load_image(a.image, size=a.size)
    a.cache.mkdir(parents=True, exist_ok=True)
    fits = []
    t_all = time.perf_counter()
    for budget in a.budgets:
        for family in a.families:
            path = a.cache / f"{a.image}-{a.size}-{family}-{budget}-{a.steps}-{a.seed}.safetensors"
            if path.exists():
                f = pp.load(path, device="cpu")
                f.image = img
            else:
                f = pp.fit(img, budget, family, steps=a.steps, seed=a.seed, device=a.device, progress=False)
                f.save(path)
            print(f"{family:>8} {budget:>5}: {f.psnr:6.2f} dB  {f.seconds:6.1f} s", flush=True)
            fits.append(f)
    records = capacity_table(img, a.budgets, a.families, fits=fits, param_bits=(32, 16))
    cross = {
        "equal values": crossovers(records, against=PIXELS),
        "equal bytes (32-bit params)": crossovers(records, against="pixels/bits32"),
        "equal bytes (16-bit params)": crossovers(records, against="pixels/bits16"),
    }
    h, w, c = img.shape
    meta = run_meta(
        image=a.image,
        shape=[h, w, c],
        n_pixel_values=h * w * c,
        steps=a.steps,
        seed=a.seed,
        seconds=round(time.perf_counter() - t_all, 1),
        train_seconds=round(sum(f.seconds for f in fits), 1),  # the fits' own time (also when cached)
    )
    out = {"meta": meta, "records": records, "crossovers": cross}
    write_bytes_atomic(a.json, (json.dumps(out, indent=1, allow_nan=True) + "\n").encode())
    print(f"{a.image} {h}×{w}×{c} = {h * w * c:,} values · {a.steps} steps · wrote {a.json}")
    for against, table in cross.items():
        print(f"\novertakes pixels at {against}:")
        for fam, e in table.items():
            where = pp.format_count(e["n"]) if e["n"] is not None else "-"
            wins = ", ".join(pp.format_count(b) for b in e["wins"]) or "none"
            ext = e.get("n_extrapolated")
            ext = "-" if ext is None else pp.format_count(ext)
            print(
                f"  {fam:>8}: {e['status']:<17} fitted N* {where:>6} (laws cross at {ext:>6}, extrapolated) "
                f"· measured wins at budgets: {wins}"
            )
    if a.figure is not None:
        from pixparam.figures import save_figure

        save_figure(plot_capacity(records, title=f"{a.image}, {h}×{w} px, {a.steps} steps"), a.figure)
    print("series:", ", ".join(sorted({series_label(r["series"]) for r in records})))


if __name__ == "__main__":
    main()
