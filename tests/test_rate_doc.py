"""``docs/rate_distortion.md`` is what ``benchmarks/rate_distortion.py`` renders from the committed results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted((ROOT / "benchmarks" / "results").glob("rate_distortion_*.json"))
TUNES = sorted((ROOT / "benchmarks" / "results").glob("qat_rate_tune_*.json"))


@pytest.mark.skipif(not RESULTS, reason="no rate-distortion results committed")
def test_rate_distortion_doc_is_generated_from_the_results(tmp_path):
    doc = tmp_path / "rate_distortion.md"
    script = ROOT / "benchmarks" / "rate_distortion.py"
    cmd = [sys.executable, str(script), "--doc", str(doc), "--from-json", *map(str, RESULTS + TUNES)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    committed = (ROOT / "docs" / "rate_distortion.md").read_text()
    assert doc.read_text() == committed, "docs/rate_distortion.md is stale: rerun benchmarks/rate_distortion.py --doc"
    images = {r["image"] for p in RESULTS for r in json.loads(p.read_text())["records"]}
    assert images and all((tmp_path / f"rate_distortion-{image}.png").exists() for image in images)
    for image in images:  # the committed figure beside the doc is there too
        assert (ROOT / "docs" / f"rate_distortion-{image}.png").exists()
