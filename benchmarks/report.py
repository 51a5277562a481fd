"""Write ``docs/benchmarks.md`` from the speed benchmarks' JSON results (no number is typed by hand).

Reads ``benchmarks/results/bench_{peers,ladder,tcnn,fastpaths,memory,gaussians}_*.json``
and ``reach_sweep_*.json``, ``profile_*.json``, ``standard_estimate_*.json``, ``time_to_quality_*.json``,
``wire_window_*.json``, ``gaussian_holes_*.json`` (whichever exist), a ``standard`` gallery's section
times (:mod:`_standard_build`), and the GPU suite's ``gpu_suite.json`` (``--gpu-suite``; its section says
"not measured" without one), and renders, for each, the command, date, machine and table, after a
summary of the speed targets: met, missed (with the gap), or not measured on this kind of device.

    python benchmarks/report.py --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _standard_build
import _suite_report  # benchmarks/ is on sys.path when a script runs
from gaussian_holes import render as gaussian_holes_section
from standard_quality import render as standard_quality_section
from standard_quality import target_row as standard_quality_target
from time_to_quality import render as time_to_quality_section
from wire_window import render as wire_window_section

from pixparam._io import write_bytes_atomic

RESULTS = Path(__file__).parent / "results"


def load(pattern: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text())) for p in sorted(RESULTS.glob(pattern))]


def each_run(render: Callable[[dict[str, Any]], str]) -> Callable[[list[tuple[str, dict[str, Any]]]], list[str]]:
    """A section from a script's own renderer of one saved run (its Markdown block, one per file)."""
    return lambda files: [render(d) for _, d in files]


def on_cuda(d: dict[str, Any]) -> bool:
    return str(d["meta"].get("device", "")).startswith("cuda")


def meta_line(name: str, m: dict[str, Any]) -> str:
    where = m.get("machine") or "machine not recorded"
    return (
        f"`{m['command']}` → `benchmarks/results/{name}` · {m['date'][:10]} · {where} · "
        f"{m.get('device', 'cpu')}, {m['threads']} threads · torch {m['torch']}"
    )


def peers_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    import bench_peers

    out = ["## pixparam against peer SIREN implementations (`bench_peers.py`)", ""]
    out += [
        "Time for pixparam's `fit` at default settings to reach the best peer's PSNR after its "
        "1000 steps (best of lr ∈ {1e-4, 5e-4, 1e-3}), over that peer's 1000-step time. "
        "Same image, same budget, same process. Target: ≤ 1/3.",
        "",
    ]
    for name, d in files:
        out += [meta_line(name, d["meta"]), "", bench_peers.render_table(d["rows"], d["meta"]["peer_steps"]), ""]
    return out


def reach_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = [
        "### Would other defaults reach the peer sooner? (`reach_sweep.py`)",
        "",
        "On the tuning images: steps for pixparam's schedule to reach a constant-lr-1e-3 SIREN's 1000-step PSNR "
        "at each depth and multiple of the default learning rate (2000 steps).",
        "",
    ]
    for name, d in files:
        out += [meta_line(name, d["meta"]), ""]
        out += ["| image | budget | bar | depth (widths) | lr × | steps to reach | of the peer's steps | PSNR @2000 |"]
        out += ["|---|---:|---:|---|---:|---:|---:|---:|"]
        for r in d["rows"]:
            steps = "not reached" if r["steps_to_reach"] is None else str(r["steps_to_reach"])
            ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
            out.append(
                f"| {r['image']} | {r['budget']} | {r['bar_psnr']:.2f} dB | {r['depth']} {tuple(r['widths'])} "
                f"| {r['lr_factor']:.2g} | {steps} | {ratio} | {r['final_psnr']:.2f} dB |"
            )
        out.append("")
    return out


def ladder_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    import bench_ladder

    out = ["## Ladders, one by one against batched (`bench_ladder.py`)", ""]
    for name, d in files:
        out += [meta_line(name, d["meta"]), "", *bench_ladder.render_markdown(d).splitlines()[2:], ""]
    return out


def tcnn_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = [
        "## The tiny-cuda-nn image-learning setting (`bench_tcnn_setting.py`)",
        "",
        "ReLU MLP 64 × 4 hidden, one-blob encoding with 32 bins, random batches, L2, Adam; "
        "tiny-cuda-nn's published figure is about 0.42 s per 1000 steps on an RTX 3090 at batch 2^18.",
        "",
    ]
    for name, d in files:
        out += [meta_line(name, d["meta"]), ""]
        out += [
            "| precision | compiled | batch | s per 1000 steps | GFLOP/s | of matmul peak | PSNR |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in d["rows"]:
            out.append(
                f"| {r['precision']} | {'yes' if r['compile'] else 'no'} | 2^{r['batch'].bit_length() - 1} "
                f"| {r['s_per_1000_steps']:.2f} | {r['flops'] / 1e9:.1f} | {100 * r['of_peak']:.0f} % "
                f"| {r['psnr']:.2f} dB |"
            )
        out.append("")
    return out


def fastpaths_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["## Fast paths against plain ones (`bench_fastpaths.py`)", ""]
    for name, d in files:
        m = d["meta"]
        cache = "warm" if m.get("warm_cache") else "cold (no on-disk cache)"
        noise = (
            "SIREN and ReLU prepare nothing, so for them 'encode every step' runs the same computation as "
            "'shipped': the gap between those two rows is this machine's run-to-run noise."
        )
        out += [
            meta_line(name, m),
            "",
            f"{m['image']} at {m['size']} px, {m['budget']}, {m['steps']} steps; "
            f"times include compilation, {cache}. {noise}",
            "",
        ]
        out += [
            "| family | variant | ms/step, first run | ms/step, best run | best against shipped | PSNR | ΔPSNR |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in d["fit"]:
            out.append(
                f"| {r['family']} | {r['variant']} | {r['first_ms_per_step']:.2f} | {r['ms_per_step']:.2f} "
                f"| ×{r['speedup_of_shipped']:.2f} | {r['psnr']:.3f} dB | {r['dpsnr']:+.3f} |"
            )
        if d["compile"]:
            out += [
                "",
                "| family | eager ms/step | `torch.compile` ms/step | speed-up | first 10 steps eager / compiled |",
                "|---|---:|---:|---:|---:|",
            ]
            for c in d["compile"]:
                out.append(
                    f"| {c['family']} | {c['eager_ms_per_step']:.2f} | {c['compiled_ms_per_step']:.2f} "
                    f"| ×{c['speedup']:.2f} | {c['eager_first10_s']:.2f} s / {c['compiled_first10_s']:.1f} s |"
                )
        if d["precision"]:
            out += ["", "| family | precision | ms/step | PSNR |", "|---|---|---:|---:|"]
            for r in d["precision"]:
                out.append(f"| {r['family']} | {r['precision']} | {r['ms_per_step']:.2f} | {r['psnr']:.3f} dB |")
        out.append("")
    return out


def profile_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["## Where a step's time goes (`profile_step.py`)", ""]
    for name, d in files:
        m = d["meta"]
        out += [meta_line(name, m), "", f"{m['arch']} on {m['image']} at {m['size']} px, {m['steps']} steps.", ""]
        out += ["| operator | share of self time | calls |", "|---|---:|---:|"]
        out += [f"| `{r['op']}` | {100 * r['share']:.1f} % | {r['calls']:,} |" for r in d["rows"]]
        out.append("")
    return out


def memory_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["## Peak memory (`bench_memory.py`)", ""]
    for name, d in files:
        base = d["meta"]["baseline_bytes"] / 2**30
        rest = f"Python with torch and pixparam imported: {base:.2f} GiB resident."
        out += [meta_line(name, d["meta"]), "", rest, ""]
        out += ["| case | family | budget | peak | seconds | batch |", "|---|---|---|---:|---:|---:|"]
        for r in d["rows"]:
            batch = r.get("batch_size")
            batch_text = "" if r["kind"] == "render" else ("full" if batch is None else f"{batch:,}")
            out.append(
                f"| {r['kind']} {r['size']}² | {r['family']} | {r['budget']} | {r['peak_bytes'] / 2**30:.2f} GiB "
                f"| {r['seconds']:.1f} | {batch_text} |"
            )
        out.append("")
    return out


def gaussians_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["## Gaussians beside the hash grid (`bench_gaussians.py`)", ""]
    for name, d in files:
        m = d["meta"]
        base = next(k for k in d["rows"][0] if k.startswith("ratio_to_"))
        out += [
            meta_line(name, m),
            "",
            f"{m['image']} at {m['size']} px, {m['budget']}, full batch, "
            f"median of the runs; families alternate in one process.",
            "",
        ]
        out += [
            "| family | network | ms/step | against " + base.removeprefix("ratio_to_") + " |",
            "|---|---|---:|---:|",
        ]
        for r in d["rows"]:
            out.append(f"| {r['family']} | {r['arch']} | {r['seconds_per_step'] * 1e3:.1f} | ×{r[base]:.2f} |")
        out.append("")
    return out


def _trained_as(m: dict[str, Any]) -> str:
    """How the estimate's fits were trained: today's defaults, or the profile's training settings."""
    if m.get("training"):
        return "as the profile trains (`Profile.training`: the steps and points a step below)"
    return "with today's defaults (full batch)"


def estimate_section(files: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = ["## The `standard` profile on this CPU today (`standard_estimate.py`)", ""]
    for name, d in files:
        m = d["meta"]
        out += [
            meta_line(name, m),
            "",
            f"Fits trained {_trained_as(m)}. "
            + f"Each family and budget timed on {m['image']} ({m['shape'][0]}×{m['shape'][1]} px): fits of "
            f"{m['short']} and {m['long']} steps, whose difference is the cost of a step; a fit is its fixed cost "
            f"plus its steps ({m['steps']} unless the table says otherwise). "
            f"The ladder is {len(m['images'])} images of that size. The floor is the "
            "ladder's matmul work (6 · the MLP's multiply-adds a point · points a step; WIRE's complex hidden "
            f"weights count twice) at the measured float32 matmul peak, "
            f"{m['matmul_peak_flops'] / 1e9:.0f} GFLOP/s; the grid and the Gaussians do no matmuls, so their floor "
            "is 0." + (f" The floors were recomputed by `{m['floor_command']}`." if m.get("floor_command") else ""),
        ]
        compiled = "compiled_ladder_seconds" in d
        if compiled:
            out[-1] += (
                f" Each fit was also timed through `torch.compile`, right after the eager one: a cold first fit "
                f"(an empty on-disk compile cache) gives its fixed cost, compilation included, and fits of "
                f"{m['short']} and {m['compiled_long']} steps its cost a step; compiling pays where a family's "
                "ladder takes at most 0.9 of the eager time (✓)."
            )
        out += [
            "",
            "| family | steps | points a step | 1 image, every budget | of which the floor |"
            + (" compiled |" if compiled else ""),
            "|---|---:|---|---:|---:|" + ("---:|" if compiled else ""),
        ]
        for fam in dict.fromkeys(r["family"] for r in d["rows"]):
            rows = [r for r in d["rows"] if r["family"] == fam]
            fit, floor = sum(r["fit_seconds"] for r in rows), sum(r["floor_seconds"] for r in rows)
            batch = rows[0].get("batch_size")
            points = "every pixel" if batch is None else f"{batch:,} (a mini-batch)"
            cell = ""
            if compiled:
                c = sum(r["compiled_fit_seconds"] for r in rows)
                cell = f" {c / 60:.1f} min, ×{c / fit:.2f}{' ✓' if fam in d['compile_pays'] else ''} |"
            out.append(f"| {fam} | {rows[0].get('steps', m['steps'])} | {points} | {fit / 60:.1f} min "
                       f"| {floor / 60:.1f} min |{cell}")  # fmt: skip
        ratio = d["ladder_seconds"] / d["target_seconds"]
        out += [
            "",
            f"The ladder alone: **{d['ladder_seconds'] / 60:.0f} min** extrapolated"
            + (" uncompiled" if compiled else "")
            + f", against the target's {d['target_seconds'] / 60:.0f} min for the whole build (×{ratio:.1f}); "
            f"its floor at the matmul peak is {d['floor_seconds'] / 60:.0f} min. The edits, films and experiments "
            "come on top.",
            "",
        ]
        if compiled:
            gain = d["compiled_ladder_seconds"] / d["ladder_seconds"]
            out += [
                f"Compiled where it pays ({', '.join(d['compile_pays']) or 'no family'}), the ladder takes "
                f"**{d['compiled_ladder_seconds'] / 60:.0f} min** (×{gain:.2f} of the eager one).",
                "",
            ]
    return out


def peak_shares(d: dict[str, Any]) -> list[tuple[float, str, int]]:
    """``(share of the matmul peak, family, budget)`` of each MLP rung ≥ 16k of an estimate, as the profile trains
    it (compiled where compiling paid): the rung's matmul work a step (its floor) over its measured step."""
    out = []
    for r in d["rows"]:
        if r["budget"] < 16000 or r["floor_seconds"] == 0 or r["family"] == "hashgrid":
            continue
        step = r["compiled_seconds_per_step"] if r["family"] in d.get("compile_pays", ()) else r["seconds_per_step"]
        out.append((r["floor_seconds"] / r["steps"] / step, r["family"], r["budget"]))
    return out


def ladder_minutes(d: dict[str, Any]) -> float:
    """The estimate's ladder in minutes, as the profile trains it: compiled where compiling paid, if timed so."""
    return d.get("compiled_ladder_seconds", d["ladder_seconds"]) / 60


def targets(peers, ladders, tcnn, memory, suite=None, estimates=(), quality=()) -> list[str]:
    rows = []
    for _, d in estimates:
        how = _trained_as(d["meta"]) + (
            f", compiled where it pays ({', '.join(d['compile_pays'])})" if d.get("compile_pays") else ""
        )
        met = ladder_minutes(d) * 60 <= d["target_seconds"]
        rows.append(
            f"| CPU, 2 cores: the `standard` profile from an empty cache in ≤ {d['target_seconds'] / 60:.0f} min "
            f"| {how}: its ladder alone {ladder_minutes(d):.0f} min (extrapolated; floor at the matmul peak "
            f"{d['floor_seconds'] / 60:.0f} min) | {'met' if met else 'missed'} |"
        )
    if estimates:
        rows.append(standard_quality_target(quality[-1][1] if quality else None))
    shares = [share for _, d in estimates if "compile_pays" in d for share in peak_shares(d)]
    if shares:
        best, worst = max(shares), min(shares)
        rows.append(
            "| CPU: MLP rungs ≥ 16k at ≥ 50 % of the measured matmul peak | the `standard` profile's rungs as it "
            f"trains them: best {best[0]:.0%} ({best[1]} {best[2]:,}), worst {worst[0]:.0%} ({worst[1]} {worst[2]:,}); "
            "the hash grid not counted (its table gathers are not matmuls) "
            f"| {'met' if worst[0] >= 0.5 else 'missed'} |"
        )
    cpu_peers = [r for _, d in peers if not on_cuda(d) for r in d["rows"]]
    if cpu_peers:
        met = sum(bool(r["met"]) for r in cpu_peers)
        ratios = [r["ratio"] for r in cpu_peers if r["ratio"] is not None]
        worst = f"{max(ratios):.2f}" if ratios else "—"
        rows.append(
            f"| CPU: pixparam reaches the best peer's 1000-step PSNR in ≤ 1/3 of its time, every budget "
            f"| met at {met} of {len(cpu_peers)} image × budget rows; ratios {min(ratios):.2f}–{worst} "
            f"| {'met' if met == len(cpu_peers) else 'missed'} |"
        )
    gpu_tcnn = [r for _, d in tcnn if on_cuda(d) for r in d["rows"]] + _suite_report.tcnn_rows(suite)
    learnt = [r for r in gpu_tcnn if _suite_report.learnt(r, gpu_tcnn)]
    if learnt:
        best = min(learnt, key=lambda r: r["s_per_1000_steps"])
        got = (
            f"best {best['s_per_1000_steps']:.2f} s ({best['precision']}{', compiled' if best['compile'] else ''}; "
            f"{best['s_per_1000_steps'] / 0.42:.1f}× the target) | "
            + ("met" if best["s_per_1000_steps"] <= 0.42 else "missed")
        )
    else:
        got = "not measured: no GPU in the session that built this | open"
    rows.append(f"| GPU: tcnn setting in ≤ 0.42 s per 1000 steps (tiny-cuda-nn's on an RTX 3090) | {got} |")
    gpu_ladders = [d for _, d in ladders if on_cuda(d)]
    rows.append(
        "| GPU: 6-rung SIREN + hash-grid ladder, 512², 2000 steps, ≤ 10 s; largest rung ≥ 40 % of matmul peak | "
        + (
            f"{sum(r['batched_s'] for d in gpu_ladders for r in d['rows']):.1f} s | see below"
            if gpu_ladders
            else _suite_report.ladder_target(suite)
        )
        + " |"
    )
    mem = [r for _, d in memory for r in d["rows"]]
    if mem:
        worst = max(mem, key=lambda r: r["peak_bytes"])
        rows.append(
            f"| 4096² render and 1024² full-batch fit within 24 GB (CPU) or the GPU | largest peak "
            f"{worst['peak_bytes'] / 2**30:.2f} GiB ({worst['kind']} {worst['family']} on {worst['device']}) "
            f"| {'met' if worst['peak_bytes'] <= 24 * 10**9 else 'missed'} |"
        )
    rows += _suite_report.targets(suite)
    return ["| target | measured | status |", "|---|---|---|", *rows, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    ap.add_argument("--gpu-suite", type=Path, default=RESULTS / "gpu_suite.json", help="the GPU suite's JSON")
    a = ap.parse_args()
    suite = json.loads(a.gpu_suite.read_text()) if a.gpu_suite.is_file() else None
    peers, ladders, sweeps = load("bench_peers_*.json"), load("bench_ladder_*.json"), load("reach_sweep_*.json")
    tcnn, fast, memory = load("bench_tcnn_*.json"), load("bench_fastpaths_*.json"), load("bench_memory_*.json")
    profiles, gaussians = load("profile_*.json"), load("bench_gaussians_*.json")
    estimates = load("standard_estimate_*.json")
    levers, quality = load("time_to_quality_*.json"), load("standard_quality_*.json")
    windows, holes = load("wire_window_*.json"), load("gaussian_holes_*.json")
    lines = [
        "# Speed benchmarks",
        "",
        "Written by `python benchmarks/report.py` from the JSON in `benchmarks/results/`; every figure "
        "below was measured by the script named in its section, side by side in one run. "
        "Absolute times mean something only on the machine given; compare ratios.",
        "",
        "## Targets",
        "",
        *targets(peers, ladders, tcnn, memory, suite, estimates, quality),
    ]
    standard = _standard_build.find(Path(__file__).resolve().parents[1])
    names = _standard_build.sections_of_standard()
    built_row = _standard_build.target_row(standard, names, _standard_build.TARGET_MIN)
    if built_row:
        lines.insert(lines.index("|---|---|---|") + 1, built_row)
    if not _suite_report.on_gpu(suite) and not any(on_cuda(d) for _, d in [*peers, *ladders, *tcnn, *fast, *memory]):
        lines += [
            "No GPU was available when these were measured, so every table is CPU. The GPU paths "
            "(batched ladders, fused Adam, prepared encodings, TF32/bf16) run the same code as the CPU "
            "ones and are tested for equivalence on CPU shapes; each script takes `--device cuda` and "
            "its docstring gives the command for the GPU targets.",
            "",
        ]
    for section, files in (
        (peers_section, peers),
        (reach_section, sweeps),
        (ladder_section, ladders),
        (fastpaths_section, fast),
        (profile_section, profiles),
        (tcnn_section, tcnn),
        (memory_section, memory),
        (gaussians_section, gaussians),
        (estimate_section, estimates),
        (each_run(standard_quality_section), quality),
        (each_run(time_to_quality_section), levers),
        (each_run(wire_window_section), windows),
        (each_run(gaussian_holes_section), holes),
    ):
        if files:
            lines += section(files)
    if standard:
        lines += _standard_build.section(standard, names)
    lines += _suite_report.section(suite, a.gpu_suite.name)
    write_bytes_atomic(a.out, ("\n".join(lines).rstrip() + "\n").encode())
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
