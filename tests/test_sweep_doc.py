"""The sweep section of ``docs/experiments.md`` is what ``benchmarks/sweep_experiments.py --doc`` writes (from JSON)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "sweep_experiments_cpu.json"


@pytest.mark.skipif(not RESULTS.exists(), reason="no sweep experiment results committed")
def test_the_sweep_section_is_generated_from_the_results(tmp_path):
    doc = tmp_path / "experiments.md"
    shutil.copy(ROOT / "docs" / "experiments.md", doc)
    script = ROOT / "benchmarks" / "sweep_experiments.py"
    cmd = [sys.executable, str(script), "--doc", str(doc), "--from-json", str(RESULTS.relative_to(ROOT))]
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    committed = (ROOT / "docs" / "experiments.md").read_text()
    assert doc.read_text() == committed, "docs/experiments.md is stale: rerun benchmarks/sweep_experiments.py --doc"
    assert (tmp_path / "experiments-across-images.png").exists()
    assert (tmp_path / "experiments-emergence-chelsea-siren.png").exists()
