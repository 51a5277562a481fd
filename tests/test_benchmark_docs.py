"""``docs/benchmarks.md`` is what ``benchmarks/report.py`` writes from the committed results: no hand-typed numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmarks_doc_is_generated_from_the_results(tmp_path):
    out = tmp_path / "benchmarks.md"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report.py"), "--out", str(out)], check=True, cwd=ROOT)
    committed = (ROOT / "docs" / "benchmarks.md").read_text()
    assert out.read_text() == committed, "docs/benchmarks.md is stale: run python benchmarks/report.py"
    assert "## Targets" in committed
