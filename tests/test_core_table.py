"""``benchmarks/core_table.py``: the lens table's report, from records (no training here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
ct = pytest.importorskip("core_table")

META = {"command": "python benchmarks/core_table.py", "date": "2026-12-02", "pixparam": "0", "torch": "t",
        "device": "cpu", "cpu_threads": 2}  # fmt: skip


def _rec(model, budget, psnr, **kw):
    rec = {"image": "coffee", "size": 16, "shape": [12, 16, 3], "budget": budget, "model": model,
           "values": budget, "psnr": psnr, "ssim": 0.5, "steps": None, "seconds": None, "pixels": [6, 8]}  # fmt: skip
    if not model.startswith("pixels"):
        rec |= {"steps": 2000, "seconds": 12.34, "arch": f"{model} · {budget} params"}
    return rec | kw


def test_the_grid_verdict_counts_cells_it_wins_and_names_who_beats_it():
    records = [
        _rec("pixels (values)", 100, 20.0), _rec("pixels (bits)", 100, 25.0),
        _rec("grid", 100, 22.0), _rec("siren", 100, 24.5), _rec("relu", 100, 19.0),
        _rec("pixels (values)", 300, 24.0), _rec("pixels (bits)", 300, 30.0),
        _rec("grid", 300, 28.0), _rec("siren", 300, 27.0), _rec("relu", 300, 21.0),
        _rec("pixels (values)", 600, float("inf")), _rec("grid", 600, 60.0),  # 600 ≥ 576 values: not compared
    ]  # fmt: skip
    text = "\n".join(ct.verdicts(records, ["grid", "siren", "relu"]))
    assert "The trained grid beats every network in 1 of the 2 compared cells" in text
    assert "- coffee 16 px, 100: siren wins (24.50 dB); the grid (22.00 dB, +2.00 dB over sampled pixels) is " \
           "beaten by siren (24.50)" in text  # fmt: skip
    assert "- coffee 16 px, 300: grid wins (28.00 dB); the grid beats every network (sampled pixels +4.00 dB" in text
    assert "- coffee 16 px, 600: above the image's 576 values (pixels are lossless); not compared" in text


def test_compiled_and_reused_fits_are_marked_and_explained_only_when_there_are_any():
    plain = [_rec("pixels (values)", 100, 20.0), _rec("pixels (bits)", 100, 25.0), _rec("siren", 100, 24.5)]
    text = ct.render_markdown(META, plain, ["siren"])
    assert "| 100 | siren | 100 | 2000 | 12.3 | siren · 100 params |" in text
    assert "compiled" not in text and "reused" not in text
    marked = [*plain[:2], _rec("siren", 100, 24.5, compiled=True, reused=True)]
    text = ct.render_markdown(META, marked, ["siren"])
    assert "| 100 | siren | 100 | 2000 | 12.3 (compiled) (reused) | siren · 100 params |" in text
    assert "Seconds marked *compiled* were trained through `torch.compile`" in text


def test_a_partial_table_says_how_many_planned_fits_are_in_and_names_the_rest():
    records = [_rec("pixels (values)", 100, 20.0), _rec("pixels (bits)", 100, 25.0), _rec("siren", 100, 24.5)]
    missing = [("coffee", 16, 100, "relu"), ("coffee", 16, 300, "siren"), ("coffee", 16, 300, "relu")]
    text = ct.render_markdown(META, records, ["siren", "relu"], missing=missing, planned=4)
    assert "**Partial table:** 1 of the 4 planned fits are in; the rest are not yet run (the script resumes " \
           "from its JSON): coffee 16 px 100: relu; coffee 16 px 300: siren, relu." in text  # fmt: skip
    assert "| 100 | 20.00 (0.500) | 25.00 (0.500) | 24.50 (0.500) | – |" in text  # the missing fit's cell
    assert "- coffee 16 px, 100: not compared yet (relu not run)" in text  # no verdict over some families
    assert "Partial" not in ct.render_markdown(META, records, ["siren"])


def test_report_writes_the_markdown_from_the_json_alone(tmp_path, monkeypatch):
    import json

    saved = tmp_path / "t.json"
    records = [_rec("pixels (values)", 100, 20.0), _rec("pixels (bits)", 100, 25.0), _rec("siren", 100, 24.5)]
    saved.write_text(json.dumps({"meta": META, "records": records}))
    md = tmp_path / "t.md"
    argv = ["core_table.py", "--images", "coffee", "--sizes", "16", "--budgets", "100", "300", "--families", "siren",
            "--json", str(saved), "--md", str(md), "--report"]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    ct.main()  # trains nothing: the one missing fit is named, not run
    text = md.read_text()
    assert "**Partial table:** 1 of the 2 planned fits are in" in text and "coffee 16 px 300: siren." in text
    assert json.loads(saved.read_text())["records"] == records  # the JSON is read, not rewritten
    monkeypatch.setattr(sys, "argv", [*argv[:-5], "--json", str(tmp_path / "none.json"), "--md", str(md), "--report"])
    with pytest.raises(SystemExit, match="has no records; run without --report first"):
        ct.main()
