"""``benchmarks/gpu_suite.py``: every step recorded (a result, an error, a timeout or a skip), the suite going on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pixparam as pp

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import _suite_report  # noqa: E402
import _suite_steps  # noqa: E402
import gpu_suite  # noqa: E402


def _record(out: Path) -> dict:
    return json.loads((out / "gpu_suite.json").read_text())


def test_step_list_budgets_and_scales_agree():
    assert gpu_suite.STEPS == ("env", "peak", "tcnn", "siren", "ladder", "memory", "gallery")
    assert tuple(_suite_steps.STEP_FUNCTIONS) == gpu_suite.STEPS
    assert set(gpu_suite.BUDGETS) == set(gpu_suite.SMOKE_BUDGETS) == set(gpu_suite.STEPS)
    assert gpu_suite.BUDGETS["gallery"] is None  # the gallery gets what the deadline leaves
    assert sum(v for v in gpu_suite.BUDGETS.values() if v) < 480  # the measurements leave the gallery time
    full = _suite_steps.gallery_profile("full")
    assert full == pp.gallery.get_profile("full") and full.families == tuple(pp.FAMILIES)
    smoke = _suite_steps.gallery_profile("smoke")
    assert smoke.families == tuple(pp.FAMILIES) and set(smoke.experiments) == set(full.experiments)
    assert gpu_suite.GPU.render_size == 4096 and gpu_suite.GPU.fit_size == 1024 and gpu_suite.GPU.tcnn_batch_log2 == 18


def test_a_failing_step_is_recorded_and_the_suite_goes_on(tmp_path, capsys):
    out = tmp_path / "run"
    code = gpu_suite.main([str(out), "--smoke", "--only", "env", "--only", "peak", "--fail-step", "env"])
    assert code == 1
    rec = _record(out)
    assert rec["finished"] and list(rec["steps"]) == ["env", "peak"]
    env, peak = rec["steps"]["env"], rec["steps"]["peak"]
    assert env["status"] == "error" and env["error"] == "RuntimeError: --fail-step env: a deliberate failure"
    assert "Traceback" in env["traceback"]
    assert peak["status"] == "ok" and set(peak["result"]["flops"]) == {"fp32", "tf32", "bf16"}
    assert all(v > 0 for v in peak["result"]["flops"].values()) and peak["seconds"] >= 0
    assert rec["meta"]["smoke"] and rec["meta"]["device"] == "cpu"
    assert "env      error" in capsys.readouterr().out


def test_deadline_skips_a_step_and_says_why(tmp_path):
    out = tmp_path / "run"
    code = gpu_suite.main([str(out), "--smoke", "--only", "env", "--only", "siren", "--budget", "siren=100",
                           "--deadline", "30"])  # fmt: skip
    assert code == 0  # a skip is not a failure
    rec = _record(out)
    assert rec["steps"]["env"]["status"] == "ok"
    siren = rec["steps"]["siren"]
    assert siren["status"] == "skipped" and siren["reason"].startswith("would overrun the deadline: needs 100.0 s")


def test_a_step_past_its_budget_is_stopped(tmp_path):
    # in a child process: the alarm that stops a step must not reach into this test session's state
    out = tmp_path / "run"
    argv = [str(out), "--smoke", "--only", "ladder", "--only", "env", "--budget", "ladder=0.2"]
    argv += ["--stall-step", "ladder"]
    cmd = [sys.executable, str(BENCH / "gpu_suite.py"), *argv]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    rec = _record(out)
    # the stalled step waits past its 0.2 s budget, and the alarm stops it at 0.2 + 0.1 s grace
    ladder = rec["steps"]["ladder"]
    assert ladder["status"] == "timeout" and ladder["error"] == "stopped after 0.3 s" and ladder["seconds"] < 5
    assert rec["steps"]["env"]["status"] == "ok"  # env runs first (STEPS order), whatever order --only gives


def test_bad_arguments_are_refused_before_any_work(tmp_path, capsys):
    afile = tmp_path / "f"
    afile.write_text("x")
    for argv, message in (
        ([str(afile), "--smoke"], "is a file; pass a folder"),
        ([str(tmp_path / "o"), "--budget", "nope=3"], "--budget 'nope=3': give STEP=SECONDS"),
        ([str(tmp_path / "o"), "--only", "everything"], "invalid choice: 'everything'"),
    ):
        with pytest.raises(SystemExit) as exc:
            gpu_suite.main(argv)
        err = capsys.readouterr().err + str(exc.value.code)
        assert exc.value.code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # refused before any work


def test_report_without_a_suite_says_not_measured_and_gives_the_command():
    text = "\n".join(_suite_report.section(None, "gpu_suite.json"))
    assert "not measured (no GPU was lent to this task)" in text and "bash benchmarks/gpu_suite.sh" in text
    rows = _suite_report.targets(None)
    assert len(rows) == 3 and all(r.endswith("| open |") for r in rows)
    doc = (ROOT / "docs" / "benchmarks.md").read_text()
    assert "## The GPU suite (`gpu_suite.py`)" in doc and "python benchmarks/gpu_suite.py OUT_DIR" in doc


@pytest.mark.slow
def test_smoke_runs_every_step_and_the_report_renders_it(tmp_path):
    out = tmp_path / "suite"
    done = subprocess.run(
        [sys.executable, str(BENCH / "gpu_suite.py"), str(out), "--smoke", "--device", "cpu"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rec = _record(out)
    assert list(rec["steps"]) == list(gpu_suite.STEPS) and rec["finished"]
    steps = rec["steps"]
    assert all(e["status"] == "ok" and e["seconds"] >= 0 for e in steps.values())
    assert steps["env"]["result"]["families"] == list(pp.FAMILIES) and steps["env"]["result"]["missing_packages"] == []
    assert [(r["precision"], r["compile"]) for r in steps["tcnn"]["result"]["rows"]] == list(
        map(tuple, rec["meta"]["scale"]["tcnn_variants"])
    )
    siren = steps["siren"]["result"]
    assert siren["rows"][0]["default"] and siren["rows"][0]["params"] <= siren["budget"]
    ladder = steps["ladder"]["result"]
    rest = [f for f in pp.FAMILIES if f not in ("siren", "hashgrid")]
    assert [r["family"] for r in ladder["rows"]] == ["siren", "hashgrid", *rest]
    for r in ladder["rows"]:
        assert set(r["variants"]) == {"sequential", "batched"} and len(r["rungs"]) == 2
        assert r["variants"]["batched"]["max_abs_dpsnr"] < 1e-3  # the batched loop gives the sequential results
    memory = steps["memory"]["result"]["rows"]
    assert len(memory) == 2 * len(pp.FAMILIES) and all("peak_bytes" in r for r in memory)
    gallery = steps["gallery"]["result"]
    assert gallery["finished"] and gallery["meta"]["fits_trained"] >= gallery["ladder_fits"]
    fits = gallery["fits"]  # every cached fit, read from its header: where a stopped build's time went
    assert len(fits) == gallery["fits_in_cache"] and {f["family"] for f in fits} == set(pp.FAMILIES)
    assert all(f["seconds"] > 0 and f["budget"] in (300, 600) for f in fits)
    assert (out / "gallery" / "index.html").exists() and (out / "gallery" / "results.json").exists()
    report = tmp_path / "benchmarks.md"
    subprocess.run([sys.executable, str(BENCH / "report.py"), "--out", str(report), "--gpu-suite",
                    str(out / "gpu_suite.json")], check=True, cwd=ROOT)  # fmt: skip
    text = report.read_text()
    assert "a `--smoke` run on cpu" in text and "| gallery | ok |" in text and "| siren | " in text
