"""Cost of recording a training film: the same fit with and without a FilmRecorder, side by side.

Runs the identical fit (same image, architecture, seed, steps) alternately
without and with recording, ``--repeats`` times each, and reports the
training-loop seconds (``Fit.seconds``, which includes the callback) and the
overhead of the median. Frames are taken every ``steps // 40`` steps, the
:func:`pixparam.training_film` default, unless ``--every`` is given.

    OMP_NUM_THREADS=1 python benchmarks/film_overhead.py --json benchmarks/results/film_overhead.json
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--budget", default="4k")
    ap.add_argument("--family", default="siren")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--every", type=int, default=None, help="steps between frames (default steps // 40)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    img = pp.load_image(a.image, size=a.size)
    every = a.every or max(1, a.steps // 40)
    kw = {"steps": a.steps, "seed": 0, "device": a.device, "progress": False}
    plain, recorded, frames = [], [], 0
    for _ in range(a.repeats):
        plain.append(pp.fit(img, a.budget, a.family, **kw).seconds)
        rec = pp.FilmRecorder(img, every, last_step=a.steps)
        recorded.append(pp.fit(img, a.budget, a.family, callback=rec, **kw).seconds)
        frames = len(rec.film)
    p, r = statistics.median(plain), statistics.median(recorded)
    result = {
        "meta": run_meta(device=a.device),
        "setup": {
            "image": a.image,
            "shape": list(img.shape),
            "family": a.family,
            "budget": a.budget,
            "steps": a.steps,
            "every": every,
            "frames": frames,
        },
        "seconds_without": plain,
        "seconds_with": recorded,
        "median_without": p,
        "median_with": r,
        "overhead": r / p - 1,
    }
    print(
        f"{a.family} {a.budget} on {a.image} {img.shape[0]}×{img.shape[1]}, {a.steps} steps, a frame every {every} "
        f"({frames} frames): without {p:.2f} s, with {r:.2f} s (median of {a.repeats})"
        f" → overhead {100 * (r / p - 1):+.1f} %"
    )
    if a.json is not None:
        write_bytes_atomic(a.json, (json.dumps(result, indent=1) + "\n").encode())
        print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
