"""Results-unchanged check: record a fixed set of small CPU fits, later compare a refactored pixparam against it.

The set (public API only, so deprecation-aliased renames keep it running): every family fitted full batch
and with mini-batches, a batched SIREN and hash-grid ladder, heal after prune, crowding with K = 2,
generalisation at its smallest setting, and a training film. Each item stores its float32 renders (or an
experiment's reconstructions and per-record PSNR/MSE), a sha256 of the model's ``state_dict`` where it has a
model, and its PSNRs. Everything runs on the CPU with two threads and fixed seeds (seconds).

Record the baseline on the commit before a change, then compare after it::

    python benchmarks/results_unchanged.py record --out benchmarks/results/unchanged_baseline
    python benchmarks/results_unchanged.py compare --baseline benchmarks/results/unchanged_baseline [--json PATH]

``record`` writes ``PREFIX.npz`` (arrays) and ``PREFIX.json`` (digests, PSNRs, versions, commit, date,
command). ``compare`` reruns the set with the installed pixparam, prints one row per item (identical
weights; max |Δ render| over its images, values in [0, 1]; the largest ΔPSNR) and exits 0 when every item
is bit-identical or within 0.01 dB of the baseline in every PSNR, 1 otherwise (the failing items are
listed). Record and compare with the same torch, NumPy and thread count: only then is bit-identity expected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

import pixparam as pp

#: Threads for every run (record and compare must agree: reductions may depend on the thread count).
THREADS = 2
#: Largest |ΔPSNR| (dB) an item may show and still pass when it is not bit-identical.
TOLERANCE_DB = 0.01
#: Fitted image: a colour sample at this size (pixels per side).
SIZE = 32
#: Optimiser steps per fit.
STEPS = 60
#: Mini-batch size: about a quarter of the pixels.
BATCH = SIZE * SIZE // 4


@dataclass
class Item:
    """What one item of the set produced.

    Attributes
    ----------
    arrays : dict of str to ndarray
        Renders and other arrays, compared element-wise.
    digests : dict of str to str
        sha256 of each model's state_dict (one per model the item has).
    psnrs : dict of str to float
        PSNRs (dB) the item reports, compared with :data:`TOLERANCE_DB`.
    seconds : float
        Wall time of the item.
    """

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    psnrs: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


# --------------------------------------------------------------------------- the fixed set


def state_digest(model: torch.nn.Module) -> str:
    """sha256 over the state_dict: each tensor by name (sorted) with its dtype, shape and CPU bytes.

    Parameters
    ----------
    model : torch.nn.Module
        The model (parameters and buffers, i.e. fixed features, are both included).

    Returns
    -------
    str
        Hex digest.
    """
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def add_fit(item: Item, name: str, fit: pp.Fit) -> None:
    """Store a fit's render, weight digest and PSNR under ``name``."""
    item.arrays[f"{name}.render"] = np.asarray(fit.render(), dtype=np.float32)
    item.digests[name] = state_digest(fit.model)
    item.psnrs[name] = float(fit.psnr)


def image() -> np.ndarray:
    """The fitted image: ``astronaut`` (colour) at :data:`SIZE` px."""
    return pp.load_image("astronaut", size=SIZE)


def fit_item(family: str, batch_size: int | None) -> Callable[[], Item]:
    """One ``pp.fit`` of ``family`` at 2k parameters, full batch (``None``) or mini-batches."""

    def run() -> Item:
        item = Item()
        fit = pp.fit(image(), "2k", family, steps=STEPS, device="cpu", seed=0, progress=False, batch_size=batch_size)
        add_fit(item, "fit", fit)
        return item

    return run


def ladder_item(family: str) -> Callable[[], Item]:
    """``pp.fit_ladder(batched=True)`` of ``family`` over two budgets."""

    def run() -> Item:
        item = Item()
        fits = pp.fit_ladder(
            image(), ["1k", "2k"], family, batched=True, steps=STEPS, device="cpu", seed=0, progress=False
        )
        for budget, fit in zip(("1k", "2k"), fits):
            add_fit(item, f"rung_{budget}", fit)
        return item

    return run


def heal_item() -> Item:
    """A SIREN fit, pruned by half (magnitude), healed; the pruned and the healed fit are both stored."""
    item = Item()
    fit = pp.fit(image(), "1k", "siren", steps=STEPS, device="cpu", seed=0, progress=False)
    pruned = pp.edit.prune(fit, 0.5)
    healed = pp.edit.heal(pruned, steps=STEPS)
    add_fit(item, "pruned", pruned)
    add_fit(item, "healed", healed)
    return item


def add_experiment(item: Item, result: Any, values: tuple[str, ...]) -> None:
    """Store an experiment's reconstructions and, per record, the columns in ``values``."""
    for key, arr in sorted(result.images.items()):
        item.arrays[f"images[{key}]"] = np.asarray(arr)
    for column in values:
        item.arrays[f"records.{column}"] = np.array([r[column] for r in result.records], dtype=np.float64)
    for i, rec in enumerate(result.records):
        label = "/".join(str(rec[c]) for c in ("method", "family", "image", "budget", "seed") if c in rec)
        for column in values:
            if column.endswith("psnr"):
                item.psnrs[f"{i}:{label}:{column}"] = float(rec[column])


def crowding_item() -> Item:
    """Crowding at its smallest K = 2 setting: one SIREN unit on two 16-px tiles, one budget, one seed."""
    item = Item()
    tiles = pp.experiments.tiles("astronaut", 2, size=16)
    result = pp.experiments.crowding(
        tiles, 600, "siren", ks=(2,), steps=STEPS, seeds=1, device="cpu", cache=None, progress=False
    )
    add_experiment(item, result, ("psnr", "mse"))
    return item


def generalisation_item() -> Item:
    """Generalisation at its smallest setting: one SIREN budget, one seed, half the pixels of a 16-px image."""
    item = Item()
    img = pp.load_image("camera", size=16)
    result = pp.experiments.generalisation(
        img, [200], "siren", steps=STEPS, seeds=1, device="cpu", cache=None, progress=False
    )
    add_experiment(item, result, ("train_psnr", "test_psnr", "clean_train_psnr"))
    return item


def film_item() -> Item:
    """A training film (GIF in a temporary folder): per-frame PSNR, the frames and the final fit."""
    item = Item()
    with tempfile.TemporaryDirectory() as tmp:
        film = pp.training_film(
            image(), Path(tmp) / "film.gif", budget="1k", family="siren", steps=STEPS, every=10, device="cpu"
        )
    item.arrays["film.psnr"] = np.asarray(film.psnr, dtype=np.float64)
    item.arrays["film.steps"] = np.asarray(film.steps, dtype=np.int64)
    item.arrays["film.frames"] = np.stack(film.frames)
    for step, value in zip(film.steps, film.psnr):
        item.psnrs[f"frame_{step}"] = float(value)
    add_fit(item, "fit", film.fit)
    return item


def items() -> dict[str, Callable[[], Item]]:
    """The fixed set, by item name, in run order."""
    out: dict[str, Callable[[], Item]] = {}
    for family in ("siren", "fourier", "relu", "hashgrid"):
        out[f"fit/{family}/full"] = fit_item(family, None)
        out[f"fit/{family}/batch{BATCH}"] = fit_item(family, BATCH)
    out["ladder/siren/batched"] = ladder_item("siren")
    out["ladder/hashgrid/batched"] = ladder_item("hashgrid")
    out["heal/siren/prune0.5"] = heal_item
    out["crowding/siren/k2"] = crowding_item
    out["generalisation/siren"] = generalisation_item
    out["film/siren"] = film_item
    return out


def run_all() -> tuple[dict[str, Item], dict[str, str], list[str]]:
    """Run every item; returns the items, the errors by item name and the warnings raised (deduplicated)."""
    torch.set_num_threads(THREADS)
    done: dict[str, Item] = {}
    errors: dict[str, str] = {}
    seen: list[str] = []
    for name, run in items().items():
        torch.manual_seed(0)
        np.random.seed(0)  # noqa: NPY002 - guards against code that draws from the global generators
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                item = run()
            except Exception:  # one failing item must not hide the others
                errors[name] = traceback.format_exc(limit=3).strip().splitlines()[-1]
                print(f"  {name}: ERROR {errors[name]}", flush=True)
                continue
        for w in caught:
            text = f"{w.category.__name__}: {w.message}"
            if text not in seen:
                seen.append(text)
        item.seconds = time.perf_counter() - t0
        done[name] = item
        print(f"  {name}: {item.seconds:.1f} s", flush=True)
    return done, errors, seen


# --------------------------------------------------------------------------- record and compare


def run_meta() -> dict[str, Any]:
    """Versions, thread count, the installed pixparam's git commit, UTC date and the command."""
    root = Path(pp.__file__).resolve().parent
    commit, dirty = None, None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        )
        dirty = bool(status.stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return {
        "command": "python " + shlex.join(sys.argv),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "dirty": dirty,
        "pixparam": pp.__version__,
        "pixparam_path": str(root),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
    }


def record(prefix: Path) -> int:
    """Run the set and write ``prefix.npz`` and ``prefix.json``; 1 when an item failed (nothing written)."""
    t0 = time.perf_counter()
    done, errors, caught = run_all()
    if errors:
        print(f"not recorded: {len(errors)} item(s) failed: {', '.join(errors)}")
        return 1
    prefix.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"{name}::{key}": arr for name, item in done.items() for key, arr in item.arrays.items()}
    np.savez_compressed(with_suffix(prefix, ".npz"), **arrays)
    meta = {
        **run_meta(),
        "seconds": round(time.perf_counter() - t0, 1),
        "warnings": caught,
        "items": {
            name: {
                "digests": item.digests,
                "psnrs": {k: encode(v) for k, v in item.psnrs.items()},
                "arrays": sorted(item.arrays),
                "seconds": round(item.seconds, 2),
            }
            for name, item in done.items()
        },
    }
    with_suffix(prefix, ".json").write_text(json.dumps(meta, indent=1, allow_nan=False) + "\n")
    size = with_suffix(prefix, ".npz").stat().st_size
    print(f"recorded {len(done)} items in {meta['seconds']} s: {prefix}.json, {prefix}.npz ({size / 1e3:.0f} kB)")
    return 0


def encode(value: float) -> float | str:
    """A PSNR for strict JSON: non-finite values as ``"inf"``, ``"-inf"`` or ``"nan"``."""
    return value if math.isfinite(value) else str(value)


def strict(obj: Any) -> Any:
    """``obj`` with every non-finite float :func:`encode`-d, for strict JSON."""
    if isinstance(obj, float):
        return encode(obj)
    if isinstance(obj, dict):
        return {k: strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [strict(v) for v in obj]
    return obj


def decode(value: float | str) -> float:
    """Inverse of :func:`encode`."""
    return float(value)


def is_render(key: str) -> bool:
    """Whether array ``key`` is an image (a render, an experiment's reconstructions, film frames)."""
    return key.endswith(".render") or key.startswith("images[") or key == "film.frames"


def compare_item(base: dict[str, Any], base_arrays: dict[str, np.ndarray], item: Item) -> dict[str, Any]:
    """One item against its baseline: weights, renders and PSNRs, and whether it passes."""
    problems = []
    same_weights: bool | None = None
    if base["digests"] or item.digests:
        same_weights = base["digests"] == item.digests
    renders = [k for k in base_arrays if is_render(k)]
    max_diff: float | None = 0.0 if renders else None
    identical_arrays = True
    for key in sorted(set(base_arrays) | set(item.arrays)):
        a, b = base_arrays.get(key), item.arrays.get(key)
        if a is None or b is None or a.shape != b.shape:
            problems.append(f"array {key} missing or reshaped")
            identical_arrays, max_diff = False, math.inf
            continue
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            identical_arrays = False
            if is_render(key) and max_diff is not None:
                scale = 255.0 if a.dtype == np.uint8 else 1.0
                diff = np.abs(a.astype(np.float64) - b.astype(np.float64)) / scale
                max_diff = max(max_diff, float(np.max(diff)))
    d_psnr = 0.0
    for key in sorted(set(base["psnrs"]) | set(item.psnrs)):
        if key not in base["psnrs"] or key not in item.psnrs:
            problems.append(f"psnr {key} missing")
            d_psnr = math.inf
            continue
        old, new = decode(base["psnrs"][key]), item.psnrs[key]
        same = old == new or (math.isnan(old) and math.isnan(new))  # equal infinities are no change
        d = 0.0 if same else new - old
        if not abs(d) <= abs(d_psnr):
            d_psnr = d
    identical = same_weights is not False and identical_arrays and d_psnr == 0.0 and not problems
    ok = identical or (not problems and abs(d_psnr) <= TOLERANCE_DB)
    if not ok and not problems:
        problems.append(f"ΔPSNR {d_psnr:+.5f} dB beyond {TOLERANCE_DB} dB")
    return {
        "identical_weights": same_weights,
        "identical": identical,
        "max_abs_diff": max_diff,
        "delta_psnr_db": d_psnr,
        "ok": ok,
        "problems": problems,
    }


def compare(prefix: Path, json_path: Path | None) -> int:
    """Rerun the set, print the table against ``prefix``; 0 when every item passes, else 1."""
    base = json.loads(with_suffix(prefix, ".json").read_text())
    with np.load(with_suffix(prefix, ".npz")) as npz:
        stored = {key: npz[key] for key in npz.files}
    now = run_meta()
    for key in ("torch", "numpy", "threads"):
        if base.get(key) != now[key]:
            print(f"note: baseline {key} {base.get(key)} but now {now[key]}; bit-identity is not expected")
    t0 = time.perf_counter()
    done, errors, caught = run_all()
    rows: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys([*base["items"], *items()]):
        if name not in base["items"]:
            rows[name] = {"ok": True, "identical": False, "problems": ["new item, not in the baseline"]}
        elif name in errors:
            rows[name] = {"ok": False, "identical": False, "problems": [f"error: {errors[name]}"]}
        elif name not in done:
            rows[name] = {"ok": False, "identical": False, "problems": ["in the baseline, no longer in the set"]}
        else:
            arrays = {k.split("::", 1)[1]: v for k, v in stored.items() if k.split("::", 1)[0] == name}
            rows[name] = compare_item(base["items"][name], arrays, done[name])
    width = max(len(n) for n in rows)
    print(f"\nbaseline {base.get('commit')} ({base.get('date')}) · now {now['commit']} (dirty: {now['dirty']})")
    print(f"{'item':<{width}}  {'weights':>7}  {'max |Δ render|':>14}  {'ΔPSNR (dB)':>10}  result")
    for name, row in rows.items():
        weights = {True: "yes", False: "no", None: "-"}[row.get("identical_weights")]
        diff = "-" if row.get("max_abs_diff") is None else f"{row['max_abs_diff']:.3g}"
        dp = f"{row['delta_psnr_db']:+.4f}" if "delta_psnr_db" in row else "-"
        verdict = "identical" if row["identical"] else ("ok" if row["ok"] else "FAIL")
        print(f"{name:<{width}}  {weights:>7}  {diff:>14}  {dp:>10}  {verdict}")
    for text in caught:
        print(f"warning raised: {text}")
    failed = [n for n, r in rows.items() if not r["ok"]]
    seconds = round(time.perf_counter() - t0, 1)
    if failed:
        print(f"\nFAIL ({seconds} s): {len(failed)} item(s) changed beyond {TOLERANCE_DB} dB or failed:")
        for n in failed:
            print(f"  {n}: {'; '.join(rows[n]['problems'])}")
    else:
        n_same = sum(r["identical"] for r in rows.values())
        print(f"\nOK ({seconds} s): {n_same}/{len(rows)} items bit-identical, the rest within {TOLERANCE_DB} dB")
    if json_path is not None:
        report = {"baseline": {k: base.get(k) for k in ("commit", "date", "torch", "numpy", "threads")}, **now}
        report.update(seconds=seconds, warnings=caught, ok=not failed, failed=failed, items=rows)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(strict(report), indent=1, allow_nan=False) + "\n")
        print(f"report: {json_path}")
    return 1 if failed else 0


def with_suffix(prefix: Path, suffix: str) -> Path:
    """``prefix`` with ``suffix`` appended (a dot inside the prefix is kept)."""
    return prefix.with_name(prefix.name + suffix)


def _prefix(text: str) -> Path:
    path = Path(text)
    return path.with_suffix("") if path.suffix in (".npz", ".json") else path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``record --out PREFIX`` or ``compare --baseline PREFIX [--json PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    rec = sub.add_parser("record", help="run the set and write PREFIX.npz + PREFIX.json")
    rec.add_argument("--out", required=True, type=_prefix, help="output prefix (no suffix)")
    cmp_ = sub.add_parser("compare", help="rerun the set and compare against a recorded baseline")
    cmp_.add_argument("--baseline", required=True, type=_prefix, help="prefix given to record --out")
    cmp_.add_argument("--json", type=Path, default=None, help="write the comparison report here")
    args = parser.parse_args(argv)
    if args.mode == "record":
        return record(args.out)
    return compare(args.baseline, args.json)


if __name__ == "__main__":
    sys.exit(main())
