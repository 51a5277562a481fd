"""The ray backend on one machine (``ray.init(num_cpus=2)``): resumable, and bit-identical to ``local``.

Skips when Ray is not installed; CI installs it (``.ci/run``), so it runs there.
"""

from __future__ import annotations

import pytest

import pixparam as pp
from pixparam.sweeps.results import TIMING_COLUMNS

ray = pytest.importorskip("ray")

SPEC = {"images": ["coins", "text"], "size": 16, "budgets": [200, 400], "families": ["relu", "siren"], "steps": 20}


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def strip(result):
    return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in result.records]


def test_ray_resumes_and_matches_local(cluster, tmp_path):
    part = pp.sweep(SPEC, tmp_path / "ray", backend="ray", limit=3, progress=False)
    assert (part.meta["trained"], part.meta["missing"], part.meta["backend"]) == (3, 5, "ray")
    full = pp.sweep(SPEC, tmp_path / "ray", backend="ray", progress=False)
    assert (full.meta["trained"], full.meta["cached"], full.meta["missing"]) == (5, 3, 0)
    assert [r["cached"] for r in full.records] == [True] * 3 + [False] * 5
    assert len(list((tmp_path / "ray" / ".cache").glob("*.safetensors"))) == 8
    local = pp.sweep(SPEC, tmp_path / "local", workers=1, threads=1, progress=False)
    assert strip(full) == strip(local)  # same seeds, same threads, same bits
    csv_ray = (tmp_path / "ray" / "results.csv").read_text().splitlines()
    csv_local = (tmp_path / "local" / "results.csv").read_text().splitlines()
    drop = [pp.sweeps.COLUMNS.index(c) for c in TIMING_COLUMNS]
    cut = [[v for i, v in enumerate(line.split(",")) if i not in drop] for line in (*csv_ray, *csv_local)]
    assert cut[: len(csv_ray)] == cut[len(csv_ray) :]


def test_ray_workers_can_write_into_a_shared_store(cluster, tmp_path):
    spec = {**SPEC, "families": "relu", "images": "coins"}
    shared = pp.sweep(spec, tmp_path / "shared", backend="ray", shared=True, progress=False)
    assert shared.meta["trained"] == 2
    assert {p.name for p in (tmp_path / "shared" / ".cache").glob("*.safetensors")} == {
        f"relu-{r['key']}.safetensors" for r in shared.records
    }
    sent = pp.sweep(spec, tmp_path / "sent", backend="ray", progress=False)
    assert strip(shared) == strip(sent)
