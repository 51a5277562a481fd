"""``benchmarks/standard_quality.py``: the standard profile's fits beside the defaults', from records (no training)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from pixparam.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
sq = pytest.importorskip("standard_quality")

SHAPE = [171, 256, 3]


def _gallery(fits, name="standard"):
    training = {"wire": {"batch_size": 16384, "compile": True}}
    fits = [{"image": i, "shape": SHAPE, "family": f, "budget": b, "psnr": p} for i, f, b, p in fits]
    return {"meta": {"date": "2026-12-02"}, "profile": {"name": name, "training": training}, "fits": fits}


def _table(recs):
    recs = [{"image": i, "shape": s, "budget": b, "model": m, "psnr": p} for i, s, b, m, p in recs]
    return {"meta": {"date": "2026-12-01", "command": "python benchmarks/core_table.py"}, "records": recs}


def test_each_fit_pairs_with_the_default_of_its_image_shape_budget_and_family():
    gallery = _gallery([("coffee", "siren", 1000, 30.0), ("coffee", "wire", 1000, 27.5), ("rocket", "wire", 1000, 1)])
    table = _table([
        ("coffee", SHAPE, 1000, "siren", 30.2), ("coffee", SHAPE, 1000, "wire", 28.0),
        ("coffee", SHAPE, 1000, "pixels (values)", 25.0),  # pixels are not fits
        ("rocket", [64, 43, 3], 1000, "wire", 1.0),  # another size: no pair
    ])  # fmt: skip
    rows = sq.pair(gallery, table, tolerance=0.3)
    assert [(r["family"], r["within"]) for r in rows] == [("siren", True), ("wire", False)]
    assert rows[0]["delta_db"] == pytest.approx(-0.2) and rows[1]["delta_db"] == pytest.approx(-0.5)
    assert rows[1]["training"] == {"batch_size": 16384, "compile": True} and rows[0]["training"] == {}
    result = {"meta": {"command": "c", "date": "2026-12-02T00:00", "gallery_built": "g", "table_built": "t",
                       "table_command": "tc", "tolerance": 0.3, "fits": 3}, "rows": rows}  # fmt: skip
    text = sq.render(result)
    assert "| wire | batch_size 16384, compile True | 1 | -0.50 dB | -0.50 dB | 0 |" in text
    assert "| siren | as the defaults | 1 | -0.20 dB | -0.20 dB | 1 |" in text
    assert "1 of 2 fits are within 0.3 dB; the worst is wire at 1,000 on coffee, -0.50 dB" in text
    assert sq.target_row(result).endswith("| 1 of 2 fits; worst -0.50 dB | missed |")
    assert "not measured" in sq.target_row(None)


def test_only_a_standard_build_with_fits_in_the_table_is_compared(tmp_path):
    table = tmp_path / "t.json"
    table.write_text(json.dumps(_table([("coffee", SHAPE, 1000, "siren", 30.0)])))
    quick = tmp_path / "quick.json"
    quick.write_text(json.dumps(_gallery([("coffee", "siren", 1000, 30.0)], name="quick")))
    args = argparse.Namespace(gallery=quick, table=table, tolerance=0.3)
    with pytest.raises(ConfigError, match="is a 'quick' build; pass a standard build's"):
        sq.measure(args)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(_gallery([("chelsea", "siren", 1000, 30.0)])))
    with pytest.raises(ConfigError, match=r"no fit of .* is in .*; run core_table\.py"):
        sq.measure(argparse.Namespace(gallery=other, table=table, tolerance=0.3))
