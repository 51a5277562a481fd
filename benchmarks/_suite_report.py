"""The GPU suite's part of ``docs/benchmarks.md``: its targets and tables from ``gpu_suite.json``, or "not measured"."""

from __future__ import annotations

from typing import Any

COMMAND = [
    "# on a device machine (the device tool: run(command='bash benchmarks/gpu_suite.sh', timeout_s=600)):",
    "bash benchmarks/gpu_suite.sh                 # writes $OUT/gpu_suite.json, gpu_suite.log, gallery.tar.gz.part*",
    "# on any CUDA machine:",
    "python benchmarks/gpu_suite.py OUT_DIR       # OUT_DIR/gpu_suite.json and OUT_DIR/gallery/",
    "cp OUT_DIR/gpu_suite.json benchmarks/results/ && python benchmarks/report.py",
]
NOT_MEASURED = "not measured (no GPU was lent to this task)"
LEARNT_DB = 3.0  # a timed row more than this under its step's best PSNR did not learn: its time is not a result
#: When ``matmul_precision`` stopped keeping autocast's cast cache in bf16 (before it, bf16 loops never learnt).
BF16_FIX_DATE = "2026-12-04T19:00"


def on_gpu(suite: dict[str, Any] | None) -> bool:
    """A suite run on CUDA at the real sizes (not ``--smoke``)."""
    return bool(suite) and str(suite["meta"].get("device", "")).startswith("cuda") and not suite["meta"].get("smoke")


def step(suite: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """The result of step ``name`` when it ran (fully or in part), else None."""
    if not suite:
        return None
    entry = suite["steps"].get(name, {})
    return entry.get("result") or None if entry.get("status") in ("ok", "timeout") else None


def learnt(row: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    """Whether a timed row learnt: its PSNR within :data:`LEARNT_DB` of the best row's of the same step."""
    return row["psnr"] >= max(r["psnr"] for r in rows) - LEARNT_DB


def ladder_target(suite: dict[str, Any] | None) -> str:
    """The ladder target's measured and status cells when no GPU ladder was kept."""
    entry = (suite or {}).get("steps", {}).get("ladder", {}) if on_gpu(suite) else {}
    if entry.get("status") == "timeout" and not (entry.get("result") or {}).get("rows"):
        return (
            f"not measured: the suite's ladder step ({entry['status']}, {entry.get('seconds', 0):.0f} s) kept no "
            "row; it keeps each family's row as it is timed since | open"
        )
    return "not measured: no GPU in the session that built this | open"


def targets(suite: dict[str, Any] | None) -> list[str]:
    """Rows for the targets table: the SIREN rung's share of the peak, the full gallery's time, GPU memory."""
    gpu = on_gpu(suite)
    siren, gallery, memory = (step(suite, n) if gpu else None for n in ("siren", "gallery", "memory"))
    rows = []
    if siren and siren.get("rows"):
        r = siren["rows"][0]
        rows.append(
            f"| GPU: the full profile's largest SIREN rung at ≥ 40 % of the matmul peak at its precision "
            f"| {100 * r['of_peak']:.0f} % at {r['precision']} ({r['params']:,} params) "
            f"| {'met' if r['of_peak'] >= siren['target_of_peak'] else 'missed'} |"
        )
    else:
        rows.append(
            f"| GPU: the full profile's largest SIREN rung at ≥ 40 % of the matmul peak | {NOT_MEASURED} | open |"
        )
    if gallery:
        done = (
            "built"
            if gallery["finished"]
            else f"stopped unfinished ({gallery['fits_in_cache']} fits trained; "
            f"its ladders hold {gallery['ladder_fits']})"
        )
        status = "met" if gallery["met"] else "missed"
        rows.append(
            f"| GPU: the `full` gallery end to end in ≤ 8 min | {done} in {gallery['seconds']:.0f} s | {status} |"
        )
    else:
        rows.append(f"| GPU: the `full` gallery end to end in ≤ 8 min | {NOT_MEASURED} | open |")
    if memory and "within" in memory:
        worst = memory.get("largest")
        text = (
            f"largest peak {worst['peak_bytes'] / 2**30:.2f} GiB ({worst['kind']} {worst['family']} {worst['budget']})"
        )
        total = memory["memory_bytes"] / 2**30
        rows.append(
            f"| GPU: 4096² render and 1024² full-batch fit of every family within the GPU's memory "
            f"| {text} of {total:.0f} GiB | {'met' if memory['within'] else 'missed'} |"
        )
    else:
        rows.append(
            f"| GPU: 4096² render and 1024² full-batch fit of every family within its memory | {NOT_MEASURED} | open |"
        )
    return rows


def tcnn_rows(suite: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The suite's tcnn rows, when it ran on a GPU (for the tcnn target)."""
    found = step(suite, "tcnn") if on_gpu(suite) else None
    return found.get("rows", []) if found else []


def mark(row: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """`` ✗`` after the PSNR of a row that did not learn (:func:`learnt`), else nothing."""
    return "" if learnt(row, rows) else " ✗"


def section(suite: dict[str, Any] | None, name: str) -> list[str]:
    """``## The GPU suite``: how to run it and, when ``suite`` is given, its tables."""
    out = ["## The GPU suite (`gpu_suite.py`)", ""]
    out += [
        ("" if on_gpu(suite) else f"GPU rows: {NOT_MEASURED}. ")
        + "One call measures them all (environment, matmul peaks, the tcnn "
        "setting, the largest SIREN rung against the peak, batched ladders against sequential fits, "
        "memory per family) and builds the `full` gallery, within an 8-minute deadline:",
        "",
        "```",
        *COMMAND,
        "```",
        "",
    ]
    if not on_gpu(suite):
        if suite is None:
            return out
        out += [
            f"The tables below are from a `--smoke` run on {suite['meta']['device']}: tiny sizes that prove "
            "the code runs, not the speed.",
            "",
        ]
    m = suite["meta"]
    env = step(suite, "env") or {}
    where = env.get("gpu") or m.get("machine", "")
    out += [f"`{m['command']}` → `benchmarks/results/{name}` · {m['date'][:10]} · {where} · torch {m['torch']}", ""]
    if env.get("memory_bytes"):
        out += [
            f"{env['gpu']}, {env['memory_bytes'] / 2**30:.0f} GiB, driver and clocks: {env.get('nvidia_smi')}; "
            f"CUDA {env.get('cuda')}, commit {str(env.get('commit'))[:10]}"
            + (f" with changes to {', '.join(env['changed_files'])}" if env.get("changed_files") else "")
            + ".",
            "",
        ]
    out += ["| step | status | seconds | note |", "|---|---|---:|---|"]
    for s, e in suite["steps"].items():
        note = (
            (e.get("error") or e.get("reason") or "").splitlines()[0][:120] if e.get("error") or e.get("reason") else ""
        )
        skipped = (e.get("result") or {}).get("skipped")
        note = note or (f"skipped for time: {', '.join(map(str, skipped))}" if skipped else "")
        if (e.get("result") or {}).get("finished") is False:
            note = note or "stopped unfinished at the suite's deadline"
        out.append(f"| {s} | {e['status']} | {e.get('seconds', 0):.1f} | {note} |")
    out.append("")
    if peak := step(suite, "peak"):
        out += [
            f"Dense {peak['n']}² matmul peak: "
            + ", ".join(f"{p} {v / 1e12:.1f} TFLOP/s" for p, v in peak["flops"].items())
            + ".",
            "",
        ]
    if tcnn := step(suite, "tcnn"):
        out += [
            "| tcnn setting | compiled | batch | s per 1000 steps | of matmul peak | PSNR |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in tcnn["rows"]:
            out.append(
                f"| {r['precision']} | {'yes' if r['compile'] else 'no'} | 2^{r['batch'].bit_length() - 1} "
                f"| {r['s_per_1000_steps']:.3f} | {100 * r['of_peak']:.0f} % "
                f"| {r['psnr']:.2f} dB{mark(r, tcnn['rows'])} |"
            )
        out.append("")
    if siren := step(suite, "siren"):
        out += [
            f"Largest SIREN rung: {siren['image']} {siren['shape'][1]}×{siren['shape'][0]}, budget "
            f"{siren['budget']:,}.",
            "",
            "| precision | default | params | ms/step | TFLOP/s | of matmul peak | PSNR |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in siren["rows"]:
            out.append(
                f"| {r['precision']} | {'yes' if r['default'] else ''} | {r['params']:,} "
                f"| {1e3 * r['seconds_per_step']:.2f} | {r['flops'] / 1e12:.2f} | {100 * r['of_peak']:.0f} % "
                f"| {r['psnr']:.2f} dB{mark(r, siren['rows'])} |"
            )
        out.append("")
    if any(not learnt(r, x["rows"]) for x in filter(None, (tcnn, siren)) for r in x["rows"]):
        out += [
            f"✗: did not learn (PSNR more than {LEARNT_DB:g} dB under the best row); its time is no result."
            + (
                " These bf16 rows ran with autocast's cast cache, which kept the first step's bf16 weights for "
                "the whole loop; `pixparam.devices.matmul_precision` runs without it since "
                f"{BF16_FIX_DATE[:10]} (not yet measured on a GPU)."
                if m["date"] < BF16_FIX_DATE
                else ""
            ),
            "",
        ]
    if (ladder := step(suite, "ladder")) and ladder.get("rows"):
        names = ["sequential", "batched", "batched+compile"]
        out += [
            f"Ladders: {ladder['image']} {ladder['shape'][1]}×{ladder['shape'][0]}, budgets "
            f"{', '.join(ladder['budgets'])}, {ladder['steps']} steps per rung.",
            "",
            "| family | " + " | ".join(names) + " | best | max abs ΔPSNR |",
            "|---|---:|---:|---:|---|---:|",
        ]
        for r in ladder["rows"]:
            v = r["variants"]
            cells = [f"{v[n]['seconds']:.2f} s (×{v[n]['speedup']:.2f})" if n in v else "—" for n in names]
            dpsnr = max(x["max_abs_dpsnr"] for x in v.values())
            out.append(f"| {r['family']} | " + " | ".join(cells) + f" | {r['best']} | {dpsnr:.3g} dB |")
        out.append("")
    if memory := step(suite, "memory"):
        out += [
            f"Memory ({memory['peak_is']}):",
            "",
            "| case | family | budget | peak | seconds |",
            "|---|---|---|---:|---:|",
        ]
        for r in memory["rows"]:
            peak = f"{r['peak_bytes'] / 2**30:.2f} GiB" if "peak_bytes" in r else r.get("error", "")[:80]
            secs = f"{r['seconds']:.2f}" if "seconds" in r else ""
            out.append(f"| {r['kind']} {r['size']}² | {r['family']} | {r['budget']} | {peak} | {secs} |")
        out.append("")
    if gallery := step(suite, "gallery"):
        done = "finished" if gallery["finished"] else "stopped unfinished"
        out += [
            f"Gallery `{gallery['profile']}`: {done} in {gallery['seconds']:.0f} s; {gallery['fits_in_cache']} fits "
            f"cached ({gallery['ladder_fits']} in the ladders); {gallery['files']} files, "
            f"{gallery['bytes'] / 2**20:.1f} MiB ({gallery['png_bytes'] / 2**20:.1f} MiB of PNG).",
            "",
        ]
        fits = [f for f in gallery.get("fits", []) if f.get("seconds") is not None]
        if fits:
            out += [
                "Where its training time went (the cached fits' own clocks):",
                "",
                "| family | fits | budgets | seconds | slowest |",
                "|---|---:|---|---:|---:|",
            ]
            for family in dict.fromkeys(f["family"] for f in fits):
                mine = [f for f in fits if f["family"] == family]
                budgets = sorted({f["budget"] for f in mine})
                out.append(
                    f"| {family} | {len(mine)} | {', '.join(f'{b:,}' for b in budgets)} "
                    f"| {sum(f['seconds'] for f in mine):.1f} | {max(f['seconds'] for f in mine):.1f} |"
                )
            out.append("")
    return out
