"""Every example script runs (with tiny settings) and writes its figure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    out = tmp_path / "figure.png"
    res = subprocess.run([sys.executable, str(script), str(out), "5"], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert out.exists() and out.stat().st_size > 1000


def test_there_are_examples():
    assert EXAMPLES
