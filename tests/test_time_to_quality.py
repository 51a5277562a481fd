"""``benchmarks/time_to_quality.py``: which cheaper setting pays, judged from the records (no training here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
ttq = pytest.importorskip("time_to_quality")
se = pytest.importorskip("standard_estimate")


def _result(rows):
    meta = {"tolerance": 0.3, "size": 32, "seed": 0, "command": "c", "date": "2026-12-01", "machine": "m",
            "threads": 2, "torch": "t"}  # fmt: skip
    recs = [{"image": "astronaut", "budget": 1000, "family": f, "setting": s, "psnr": p, "seconds": t}
            for f, s, p, t in rows]  # fmt: skip
    return {"meta": meta, "records": recs}


def test_a_setting_pays_only_within_the_tolerance_and_clearly_cheaper():
    d = ttq.DEFAULT
    result = _result([
        ("siren", d, 30.0, 100.0), ("siren", "500 steps", 29.75, 25.0), ("siren", "1000 steps", 30.1, 50.0),
        ("grid", d, 20.0, 10.0), ("grid", "500 steps", 20.0, 9.5),  # not cheaper than CHEAPER × the default
        ("relu", d, 18.0, 50.0), ("relu", "500 steps", 17.5, 12.5),  # cheaper, but 0.5 dB down
    ])  # fmt: skip
    rows = {(r["family"], r["setting"]): r for r in ttq.compared(result)}
    assert rows["siren", "500 steps"]["pays"] and rows["siren", "500 steps"]["time_ratio"] == 0.25
    assert rows["siren", "500 steps"]["delta_db"] == pytest.approx(-0.25)
    assert rows["siren", "1000 steps"]["pays"]
    assert not rows["grid", "500 steps"]["pays"] and not rows["relu", "500 steps"]["pays"]
    text = ttq.render(result)
    assert "- siren: 500 steps, at ×0.25 of the time (worst ΔPSNR -0.25 dB)" in text
    assert "- relu: none (the cheaper settings lose down to -0.50 dB)" in text
    assert "- grid: none" in text
    assert "| siren | 30.00 dB, 100 s | -0.25 dB, ×0.25 ✓ | +0.10 dB, ×0.50 ✓ |" in text


def test_a_setting_must_pay_on_every_image_measured():
    d = ttq.DEFAULT
    result = _result([("siren", d, 30.0, 100.0), ("siren", "500 steps", 30.0, 25.0)])
    result["records"] += [dict(r, image="camera") for r in result["records"]]
    result["records"][-1]["psnr"] = 29.0  # camera: 1 dB down
    assert "- siren: none (the cheaper settings lose down to -1.00 dB)" in ttq.render(result)


def test_the_standard_profiles_levers_are_the_ones_that_paid():
    """Every per-family setting of the ``standard`` profile was measured to pay in the committed results."""
    import json

    import pixparam as pp

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "time_to_quality_256px.json"
    rows = ttq.compared(json.loads(results.read_text()))
    standard = pp.gallery.get_profile("standard")
    assert standard.training, "the standard profile keeps no lever"
    for family, own in standard.training.items():
        if not {"steps", "batch_size"} & own.keys():
            continue  # compiling alone: the next test
        want = (own.get("steps", standard.steps), own.get("batch_size"))
        got = [r for r in rows if r["family"] == family and (r["steps"], r["batch"]) == want]
        assert got and all(r["pays"] for r in got), (family, want)


def test_the_standard_profile_compiles_exactly_where_compiling_paid():
    import json

    import pixparam as pp

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "standard_estimate_cpu_profile.json"
    saved = json.loads(results.read_text())
    standard = pp.gallery.get_profile("standard")
    compiled = [f for f in standard.families if standard.training_for(f).get("compile")]
    assert compiled == saved["compile_pays"]
    assert saved["compile_pays"] == se.compiled_ladder(saved["rows"], len(saved["meta"]["images"]))["compile_pays"]


def test_compiling_pays_for_a_family_only_over_its_whole_ladder():
    rows = [
        {"family": "siren", "fit_seconds": 100.0, "compiled_fit_seconds": 50.0},
        {"family": "siren", "fit_seconds": 10.0, "compiled_fit_seconds": 20.0},  # a small rung compiles slower
        {"family": "relu", "fit_seconds": 50.0, "compiled_fit_seconds": 46.0},  # x0.92: not clearly cheaper
    ]
    got = se.compiled_ladder(rows, images=3)
    assert got["compile_pays"] == ["siren"]
    assert got["compiled_ladder_seconds"] == pytest.approx(3 * (70.0 + 50.0))
