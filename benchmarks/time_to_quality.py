"""Time to quality: which training settings reach today's 2000-step PSNR in less time (issue #15's levers).

The ``standard`` gallery profile spends almost all its time in full-batch fits
of 2000 steps (``standard_estimate.py``). This script fits each family at the
profile's scale on the tuning images only (astronaut, camera) with the default
settings and with cheaper ones — a shorter schedule (the same warm-up and
cosine decay over fewer steps), random pixel mini-batches (epochs of a shuffled order), or both — and
records each fit's PSNR, SSIM and seconds on one machine. A setting *pays*
for a family when its PSNR is within ``--tolerance`` dB of the default's
(issue #15: 0.3 dB) in at most ``CHEAPER`` (0.9) of its time.

The JSON is rewritten after every fit, so a rerun with the same settings
resumes it; ``--doc`` renders the Markdown table from a saved run.

    OMP_NUM_THREADS=2 python benchmarks/time_to_quality.py \
        --json benchmarks/results/time_to_quality_256px.json
    python benchmarks/time_to_quality.py --from-json benchmarks/results/time_to_quality_256px.json \
        --md docs/time_to_quality.md
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic

#: The settings tried, the default first: ``steps``, ``batch`` (pixels a step, ``None`` full batch) and ``lr``
#: (a multiple of the family's default rate).
SETTINGS: dict[str, dict[str, Any]] = {
    "default (2000 steps, full batch)": {"steps": 2000, "batch": None, "lr": 1.0},
    "500 steps": {"steps": 500, "batch": None, "lr": 1.0},
    "1000 steps": {"steps": 1000, "batch": None, "lr": 1.0},
    "2000 steps, batch 2^15": {"steps": 2000, "batch": 2**15, "lr": 1.0},
    "2000 steps, batch 2^14": {"steps": 2000, "batch": 2**14, "lr": 1.0},
    "1000 steps, batch 2^14": {"steps": 1000, "batch": 2**14, "lr": 1.0},
}

#: A setting must take at most this fraction of the default's time to count as cheaper (timing noise aside).
CHEAPER = 0.9
DEFAULT = next(iter(SETTINGS))


def run_one(img: Any, family: str, budget: int, setting: dict[str, Any], seed: int) -> dict[str, Any]:
    """One timed fit at ``setting``; its record."""
    arch = pp.plan(budget, family, channels=img.shape[2], resolution=max(img.shape[:2]))
    lr = pp.fields.spec_for(family).defaults.lr_for(arch) * setting["lr"]
    t = time.perf_counter()
    f = pp.fit(img, arch, steps=setting["steps"], lr=lr, batch_size=setting["batch"], seed=seed,
               device="cpu", progress=False)  # fmt: skip
    seconds = time.perf_counter() - t
    return {"n_params": f.n_params, "psnr": f.metrics["psnr"], "ssim": f.metrics["ssim"], "seconds": seconds}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every (image, setting, family, budget), settings outermost so an interrupted run has whole columns."""
    meta = run_meta(size=args.size, seed=args.seed, tolerance=args.tolerance)
    records: list[dict[str, Any]] = []
    if args.json is not None and args.json.exists():
        old = json.loads(args.json.read_text())
        if all(old["meta"].get(k) == meta[k] for k in ("size", "seed")):
            records = old["records"]
            meta["commands"] = [*old["meta"].get("commands", [old["meta"]["command"]]), meta["command"]]
            meta["notes"] = old["meta"].get("notes", [])
    done = {(r["image"], r["setting"], r["family"], r["budget"]) for r in records}
    for name in args.images:
        img = pp.load_image(name, size=args.size)
        for label in args.settings:
            for budget in (pp.parse_budget(b) for b in args.budgets):
                for family in args.families:
                    if (name, label, family, budget) in done:
                        continue
                    rec = {"image": name, "setting": label, "family": family, "budget": budget, **SETTINGS[label]}
                    rec |= run_one(img, family, budget, SETTINGS[label], args.seed)
                    records.append(rec)
                    print(f"{name} {family:9s} {budget:>6} {label:34s} {rec['psnr']:6.2f} dB {rec['seconds']:7.1f} s",
                          flush=True)  # fmt: skip
                    if args.json is not None:
                        text = json.dumps({"meta": meta, "records": records}, indent=1)
                        write_bytes_atomic(args.json, (text + "\n").encode())
    return {"meta": meta, "records": records}


def compared(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each non-default record beside its default: ``delta_db`` and ``time_ratio`` (its seconds over the default's)
    and ``pays`` (within the tolerance in less time)."""
    tol = result["meta"]["tolerance"]
    recs = result["records"]
    base = {(r["image"], r["family"], r["budget"]): r for r in recs if r["setting"] == DEFAULT}
    out = []
    for r in recs:
        b = base.get((r["image"], r["family"], r["budget"]))
        if b is None or r["setting"] == DEFAULT:
            continue
        delta, ratio = r["psnr"] - b["psnr"], r["seconds"] / b["seconds"]
        out.append({**r, "base_psnr": b["psnr"], "delta_db": delta, "time_ratio": ratio,
                    "pays": delta >= -tol and ratio <= CHEAPER})  # fmt: skip
    return out


def render(result: dict[str, Any]) -> str:
    """The Markdown section: one table per image and budget, then the cheapest setting that pays per family."""
    m = result["meta"]
    rows = compared(result)
    order = {f: i for i, f in enumerate(pp.FAMILIES)}  # pixels to networks, whatever order the runs went in
    base = sorted((r for r in result["records"] if r["setting"] == DEFAULT), key=lambda r: order.get(r["family"], 99))
    lines = [
        "## Time to quality: fewer steps and mini-batches (`time_to_quality.py`)",
        "",
        f"Each family on {', '.join(dict.fromkeys(r['image'] for r in base))} (tuning images only) at "
        f"{m['size']} px, default settings against cheaper ones, on one "
        f"machine in runs that resume one another; a setting pays when its PSNR is within {m['tolerance']:g} dB of "
        f"the default's in at most {CHEAPER:g} of its time (the issue's bar for the `standard` profile). "
        "Mini-batches walk a freshly shuffled order of the pixels, epoch by epoch.",
        "",
        " · ".join(f"`{c}`" for c in m.get("commands", [m["command"]]))
        + f" (each run resumes the one before) · {m['date'][:10]} · {m['machine']} · {m['threads']} threads · "
        f"torch {m['torch']}",
        "",
        *(f"- {note}" for note in m.get("notes", [])),  # what changed in the code between the resumed runs
        *([""] if m.get("notes") else []),
    ]
    for image, budget in sorted({(r["image"], r["budget"]) for r in base}, key=lambda k: (k[0], k[1])):
        fams = [r["family"] for r in base if r["image"] == image and r["budget"] == budget]
        labels = [s for s in SETTINGS if s != DEFAULT and any(r["setting"] == s for r in rows)]
        lines += [f"**{image}, budget {budget:,}**: ΔPSNR against the default and time as a fraction of its time", ""]
        lines += ["| family | default | " + " | ".join(labels) + " |", "|---|---:|" + "---:|" * len(labels)]
        for fam in fams:
            b = next(r for r in base if (r["image"], r["budget"], r["family"]) == (image, budget, fam))
            cells = [f"{b['psnr']:.2f} dB, {b['seconds']:.0f} s"]
            for s in labels:
                r = next((r for r in rows if (r["image"], r["budget"], r["family"], r["setting"]) ==
                          (image, budget, fam, s)), None)  # fmt: skip
                cells.append("—" if r is None else
                             f"{r['delta_db']:+.2f} dB, ×{r['time_ratio']:.2f}{' ✓' if r['pays'] else ''}")  # fmt: skip
            lines.append(f"| {fam} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["**What pays**, per family: the cheapest setting within the tolerance on every image and budget "
              "measured (✓ above), or none.", ""]  # fmt: skip
    for fam in dict.fromkeys(r["family"] for r in base):
        best = None
        for s in SETTINGS:
            got = [r for r in rows if r["family"] == fam and r["setting"] == s]
            if got and all(r["pays"] for r in got):
                ratio = max(r["time_ratio"] for r in got)
                if best is None or ratio < best[1]:
                    best = (s, ratio, min(r["delta_db"] for r in got))
        worst = min((r["delta_db"] for r in rows if r["family"] == fam), default=None)
        if worst is None:
            lines.append(f"- {fam}: not measured beyond the default")
        elif best:
            lines.append(f"- {fam}: {best[0]}, at ×{best[1]:.2f} of the time (worst ΔPSNR {best[2]:+.2f} dB)")
        else:
            lines.append(f"- {fam}: none (the cheaper settings lose down to {worst:+.2f} dB)")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["astronaut"], help="tuning images only (astronaut, camera)")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--budgets", nargs="+", default=["16k"])
    ap.add_argument("--families", nargs="+", default=list(pp.FAMILIES))
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tolerance", type=float, default=0.3, help="dB below the default that still pays")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--from-json", type=Path, default=None, help="render a saved run (no training)")
    ap.add_argument("--md", type=Path, default=None, help="write the Markdown section here")
    a = ap.parse_args()
    if DEFAULT not in a.settings:
        a.settings = [DEFAULT, *a.settings]
    result = json.loads(a.from_json.read_text()) if a.from_json else measure(a)
    text = render(result)
    if a.md is not None:
        write_bytes_atomic(a.md, text.encode())
    print(text)


if __name__ == "__main__":
    main()
