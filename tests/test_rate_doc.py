"""``docs/rate_distortion.md`` is what ``benchmarks/rate_distortion.py`` renders from the committed results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = sorted((ROOT / "benchmarks" / "results").glob("rate_distortion_*.json"))


@pytest.mark.skipif(not RESULTS, reason="no rate-distortion results committed")
def test_rate_distortion_doc_is_generated_from_the_results(tmp_path):
    doc = tmp_path / "rate_distortion.md"
    script = ROOT / "benchmarks" / "rate_distortion.py"
    cmd = [sys.executable, str(script), "--doc", str(doc), "--from-json", *map(str, RESULTS)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    committed = (ROOT / "docs" / "rate_distortion.md").read_text()
    assert doc.read_text() == committed, "docs/rate_distortion.md is stale: rerun benchmarks/rate_distortion.py --doc"
    assert all((tmp_path / f"rate_distortion-{p.stem.split('_')[-1]}.png").exists() for p in RESULTS)
