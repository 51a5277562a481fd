"""The GPU suite's steps (``gpu_suite.py``): each fills its result dict, reading sizes and the clock from the suite.

Each ``step_<name>(suite, out)`` calls the benchmark scripts' own functions
(``bench_tcnn_setting.measure``, ``bench_ladder.timed_ladder``,
``bench_memory.measure_case``, ``_flops.matmul_peak``) at the suite's
:class:`~gpu_suite.Scale`, checks ``suite.left()`` before each costly item
and lists what it skipped for time.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from _flops import matmul_peak, step_flops

import pixparam as pp
from pixparam.gallery import Profile, get_profile

if TYPE_CHECKING:
    from gpu_suite import Suite

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def gallery_profile(name: str) -> Profile:
    """The gallery the suite builds: ``full``, or ``smoke`` (the full profile's shape at tiny sizes, every family)."""
    full = get_profile("full")
    if name == "full":
        return full
    tiny = {
        "crowding": {"size": 8, "budget": 300, "families": None, "ks": [1, 2], "steps": 3},
        "generalisation": {
            "image": "camera",
            "size": 12,
            "budgets": [200, 400],
            "families": None,
            "train_fraction": 0.5,
            "noise": 0.1,
            "steps": 3,
            "seeds": 1,
        },
        "scaling": {"size": 12, "budgets": [200, 400], "families": None, "steps": [2, 3]},
    }
    return full.with_(
        name="smoke",
        size=16,
        budgets=(300, 600),
        steps=3,
        lens_budget=300,
        film_steps=4,
        film_frames=3,
        heal_steps=2,
        experiments=tiny,
    )


def step_env(s: Suite, out: dict[str, Any]) -> None:
    """Versions, device, GPU and driver, and which of pixparam's requirements are missing."""
    out.update(torch=torch.__version__, cuda=torch.version.cuda, device=str(s.device), pixparam=pp.__version__)
    out["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    out["families"] = list(pp.FAMILIES)
    out["missing_packages"] = missing_requirements()
    out["commit"] = command_output(["git", "-C", str(ROOT), "rev-parse", "HEAD"])
    changed = command_output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    out["changed_files"] = None if changed is None else [line[3:] for line in changed.splitlines()]  # vs commit
    if s.device.type == "cuda":
        props = torch.cuda.get_device_properties(s.device)
        out.update(
            gpu=props.name,
            memory_bytes=props.total_memory,
            capability=f"{props.major}.{props.minor}",
            multiprocessors=props.multi_processor_count,
        )
        query = "driver_version,clocks.sm,clocks.max.sm,power.limit"
        out["nvidia_smi"] = command_output(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader"])


def _marker_holds(req: str) -> bool:
    """Whether a requirement's environment marker (``; python_version < '3.11'``) applies here.

    Evaluated with ``packaging`` when it is importable; a marker that cannot
    be evaluated does not count the requirement as missing.
    """
    if ";" not in req:
        return True
    try:
        from packaging.markers import Marker
    except ImportError:
        return False
    return Marker(req.split(";", 1)[1].strip()).evaluate()


def missing_requirements() -> list[str]:
    """pixparam's requirements (installed metadata, else ``pyproject.toml``) that are not installed."""
    try:
        reqs = importlib.metadata.requires("pixparam") or []
    except importlib.metadata.PackageNotFoundError:
        text = (ROOT / "pyproject.toml").read_text()
        block = text.split("dependencies = [", 1)[1].split("]", 1)[0]
        reqs = re.findall(r'"([^"]+)"', block)
    missing = []
    for req in reqs:
        if "extra ==" in req or not _marker_holds(req):
            continue
        name = re.match(r"[A-Za-z0-9_.\-]+", req).group(0)
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    return missing


def command_output(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def step_peak(s: Suite, out: dict[str, Any]) -> None:
    """The dense matmul peak at each precision (``_flops.matmul_peak``)."""
    out["n"] = s.scale.peak_n
    out["flops"] = {}
    for precision in s.scale.precisions:
        out["flops"][precision] = matmul_peak(s.device, precision, n=s.scale.peak_n)


def step_tcnn(s: Suite, out: dict[str, Any]) -> None:
    """tiny-cuda-nn's setting at each (precision, compiled) variant, while time is left."""
    import bench_tcnn_setting as tcnn

    sc = s.scale
    img = pp.load_image("astronaut", size=sc.tcnn_size)
    img_t = torch.from_numpy(img).permute(2, 0, 1).contiguous().to(s.device)
    out.update(image="astronaut", shape=list(img.shape), reference_s_per_1000=0.42, rows=[], skipped=[])
    last = 0.0
    for precision, compiled in sc.tcnn_variants:
        if s.left() < 1.5 * last:
            out["skipped"].append({"precision": precision, "compile": compiled, "reason": "time"})
            continue
        t = time.perf_counter()
        batch = 1 << sc.tcnn_batch_log2
        row = tcnn.measure(img_t, batch, sc.tcnn_steps, sc.tcnn_warmup, precision, compiled, s.peak(precision))
        out["rows"].append(row)
        last = time.perf_counter() - t


def steady_seconds_per_step(fit: pp.Fit) -> float:
    """Seconds per step between the logged steps past the first 20 % (warm-up and first-call costs left out)."""
    h = fit.history
    steps, secs = h.step[:-1], h.seconds[:-1]  # the last entry is after the final whole-image pass
    start = next((i for i, st in enumerate(steps) if st >= 0.2 * steps[-1]), 0) if steps else 0
    if len(steps) - start >= 2 and steps[-1] > steps[start]:
        return (secs[-1] - secs[start]) / (steps[-1] - steps[start])
    return fit.seconds / fit.config["steps"]


def step_siren(s: Suite, out: dict[str, Any]) -> None:
    """The full profile's largest SIREN rung: achieved FLOP/s against the matmul peak at its precision."""
    full = get_profile("full")
    size, budget = s.scale.siren_size or full.size, s.scale.siren_budget or max(full.budgets)
    img = pp.load_image(full.images[0], size=size)
    h, w, _ = img.shape
    out.update(image=full.images[0], shape=[h, w], budget=budget, target_of_peak=0.4, rows=[], skipped=[])
    last = 0.0
    for precision in ("auto", *s.scale.precisions):  # the default first: that is the target's row
        if any(r["precision"] == precision for r in out["rows"]):
            continue  # the default's precision, timed already
        if precision != "auto" and s.left() < 1.5 * last:  # the default is the target's row: always timed
            out["skipped"].append(precision)
            continue
        t = time.perf_counter()
        f = pp.fit(img, budget, "siren", steps=s.scale.siren_steps, device=str(s.device), precision=precision,
                   progress=False)  # fmt: skip
        used = f.config["precision"]
        per_step = steady_seconds_per_step(f)
        points = f.config["batch_size"] or h * w
        flops = step_flops(f.arch, points) / per_step
        peak = s.peak(used)
        out["rows"].append(
            {
                "precision": used,
                "default": precision == "auto",
                "params": f.n_params,
                "arch": f.arch.describe(),
                "points_per_step": points,
                "seconds_per_step": per_step,
                "flops": flops,
                "matmul_peak": peak,
                "of_peak": flops / peak,
                "psnr": f.psnr,
                "steps": s.scale.siren_steps,
            }
        )
        last = time.perf_counter() - t
    default = out["rows"][0]
    out["met"] = default["of_peak"] >= out["target_of_peak"]


def step_ladder(s: Suite, out: dict[str, Any]) -> None:
    """``fit_ladder`` sequential and batched for every family, then batched + ``torch.compile`` where asked.

    One pass per variant (SIREN and the hash grid first in each), so the
    cheap comparison reaches every family before the compiled runs, whose
    compilation per rung is the costly part, start. The rows are rebuilt
    after every timed ladder, so a step stopped by its budget keeps what it
    measured.
    """
    import bench_ladder

    sc = s.scale
    img = pp.load_image("astronaut", size=sc.ladder_size)
    h, w, _ = img.shape
    kw = dict(steps=sc.ladder_steps, device=str(s.device), progress=False)
    pp.fit_ladder(img, sc.ladder_budgets[:1], "siren", **{**kw, "steps": 5})  # warm-up: first-call costs
    first = [f for f in ("siren", "hashgrid") if f in pp.FAMILIES]
    families = first + [f for f in pp.FAMILIES if f not in first]
    options = {"sequential": {}, "batched": {}, "batched+compile": {"compile": True}}
    out.update(image="astronaut", shape=[h, w], budgets=list(sc.ladder_budgets), steps=sc.ladder_steps)
    out.update(rows=[], skipped=[])
    variants: dict[str, dict[str, Any]] = {f: {} for f in families}
    fits: dict[str, dict[str, list[pp.Fit]]] = {f: {} for f in families}
    last: dict[str, float] = {}
    for name in sc.ladder_variants:
        for family in families:
            if name == "batched+compile" and family not in sc.compile_families:
                continue
            if s.left() < 1.2 * last.get(family, 0.0) or ("sequential" not in fits[family] and name != "sequential"):
                out["skipped"].append(f"{family} {name}")
                continue
            seconds, got = bench_ladder.timed_ladder(
                img, list(sc.ladder_budgets), family, name != "sequential", **kw, **options[name]
            )
            fits[family][name] = got
            variants[family][name] = {
                "seconds": seconds,
                "groups": [f.config.get("trained_with", 1) for f in got],
                "psnr": [f.psnr for f in got],
            }
            last[family] = seconds
            out["rows"] = [ladder_row(s, f, fits[f], variants[f], h * w) for f in families if fits[f]]


def ladder_row(
    s: Suite, family: str, fits: dict[str, list[pp.Fit]], variants: dict[str, Any], n_pixels: int
) -> dict[str, Any]:
    """One family's ladder row: each variant's time, speed-up and PSNR change against sequential, and its rungs."""
    seq = fits["sequential"]
    for name in variants:
        variants[name]["speedup"] = variants["sequential"]["seconds"] / variants[name]["seconds"]
        variants[name]["max_abs_dpsnr"] = max(abs(a.psnr - b.psnr) for a, b in zip(fits[name], seq))
    rungs = []
    for f in seq:
        per_step = f.seconds / s.scale.ladder_steps
        flops = step_flops(f.arch, f.config["batch_size"] or n_pixels) / per_step
        rungs.append(
            {
                "budget": f.arch.budget,
                "params": f.n_params,
                "psnr": f.psnr,
                "seconds_per_step": per_step,
                "flops": flops,
                "of_peak": flops / s.peak(f.config["precision"]),
                "precision": f.config["precision"],
            }
        )
    best = min(variants, key=lambda n: variants[n]["seconds"])
    return {"family": family, "variants": variants, "best": best, "rungs": rungs}


def step_memory(s: Suite, out: dict[str, Any]) -> None:
    """Peak memory of a render and a full-batch fit of every family (``bench_memory.measure_case``)."""
    import bench_memory

    sc = s.scale
    out.update(rows=[], skipped=[])
    if s.device.type == "cuda":
        out["memory_bytes"] = torch.cuda.get_device_properties(s.device).total_memory
        out["peak_is"] = "torch.cuda.max_memory_allocated per case"
    else:
        out["peak_is"] = "the process's peak resident set size (cumulative: not per case on a CPU)"
    for kind, size in (("render", sc.render_size), ("fit", sc.fit_size)):
        for budget in sc.memory_budgets:
            for family in pp.FAMILIES:
                if s.left() < 5:
                    out["skipped"].append(f"{kind} {family} {budget}")
                    continue
                try:
                    row = bench_memory.measure_case(kind, family, budget, size, sc.memory_steps, str(s.device))
                except (torch.cuda.OutOfMemoryError, pp.PixparamError) as exc:
                    row = {"kind": kind, "family": family, "budget": budget, "size": size,
                           "error": f"{type(exc).__name__}: {str(exc)[:300]}"}  # fmt: skip
                    if s.device.type == "cuda":
                        torch.cuda.empty_cache()
                out["rows"].append(row)
    measured = [r for r in out["rows"] if "peak_bytes" in r]
    if measured:
        worst = max(measured, key=lambda r: r["peak_bytes"])
        out["largest"] = {k: worst[k] for k in ("kind", "family", "budget", "size", "peak_bytes")}
    if "memory_bytes" in out:
        out["within"] = all("error" not in r and r["peak_bytes"] <= out["memory_bytes"] for r in out["rows"])


# The gallery in a child process: a crash or the deadline there leaves the suite and its JSON intact.
GALLERY_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[4])
from _suite_steps import gallery_profile
from pixparam.gallery import build_gallery
r = build_gallery(sys.argv[1], gallery_profile(sys.argv[2]), device=sys.argv[3], progress=False)
print(json.dumps(r["meta"]))
"""


def cached_fits(cache: Path) -> list[dict[str, Any]]:
    """Each fit in a gallery cache, in the order they were written: family, budget, seconds, PSNR, settings.

    Read from the files' headers (no weights), so a build stopped at its
    deadline still says where its time went.
    """
    from safetensors import safe_open

    rows = []
    for path in sorted(cache.glob("**/*.safetensors"), key=lambda f: f.stat().st_mtime):
        try:
            with safe_open(str(path), "pt") as h:
                meta = json.loads((h.metadata() or {}).get("pixparam", "{}"))
        except (OSError, ValueError):  # a file cut short by the deadline
            continue
        arch, cfg = meta.get("arch", {}), meta.get("config", {})
        rows.append(
            {
                "file": path.name,
                "family": arch.get("family"),
                "budget": arch.get("budget"),
                "params": arch.get("n_params"),
                "shape": meta.get("image_shape"),
                "steps": cfg.get("steps"),
                "batch_size": cfg.get("batch_size"),
                "precision": cfg.get("precision"),
                "seconds": meta.get("seconds"),
                "psnr": (meta.get("metrics") or {}).get("psnr"),
            }
        )
    return rows


def step_gallery(s: Suite, out: dict[str, Any]) -> None:
    """The gallery built end to end into ``OUT/gallery`` (fits cached there, so a stopped build says how far it got)."""
    folder = s.out / "gallery"
    p = gallery_profile(s.scale.gallery)
    out.update(profile=p.name, folder="gallery", families=list(p.families))
    out["ladder_fits"] = len(p.images) * len(p.families) * len(p.budgets)
    cmd = [sys.executable, "-c", GALLERY_CHILD, str(folder), p.name, str(s.device), str(BENCH)]
    t = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=max(1.0, s.left()))
        out["finished"] = done.returncode == 0
        if done.returncode != 0:
            raise RuntimeError(f"the gallery build failed (exit {done.returncode}): {done.stderr[-1500:]}")
        out["meta"] = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        out["finished"] = False
    finally:
        out["seconds"] = time.perf_counter() - t
        out["fits_in_cache"] = len(list((folder / ".cache").glob("**/*.safetensors")))
        out["fits"] = cached_fits(folder / ".cache")
        files = [f for f in folder.rglob("*") if f.is_file() and ".cache" not in f.relative_to(folder).parts]
        out["files"] = len(files)
        out["bytes"] = sum(f.stat().st_size for f in files)
        out["png_bytes"] = sum(f.stat().st_size for f in files if f.suffix == ".png")
    out["target_s"] = 480
    out["met"] = bool(out["finished"] and out["seconds"] <= out["target_s"]) if p.name == "full" else None


STEP_FUNCTIONS: dict[str, Callable[[Suite, dict[str, Any]], None]] = {
    "env": step_env,
    "peak": step_peak,
    "tcnn": step_tcnn,
    "siren": step_siren,
    "ladder": step_ladder,
    "memory": step_memory,
    "gallery": step_gallery,
}
