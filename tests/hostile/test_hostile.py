"""Issue #13: every careless or hostile input gets a clear answer, before any work (the cases: hostile_list.py).

Each case that must fail is run with ``--steps 100000`` (or ``steps=100000``)
where it would train, in-process through ``pixparam.cli.main`` (and again
through ``pixparam.cli.run`` for the error's type), and must: raise the
expected :class:`~pixparam.PixparamError` subclass, print exactly one line
(``pixparam: error: ...``) naming the input and the fix, exit non-zero, show
no traceback, train nothing, write nothing, leave every input byte-for-byte
unchanged, and return within ``FAST_S`` seconds.
"""

from __future__ import annotations

import os

import pytest
from hostile_cases import FAST_S, copy_inputs, make_inputs, no_proc, run_case, verdict
from hostile_list import CASES

import pixparam as pp
from pixparam.cli import main


@pytest.fixture(scope="session")
def master(tmp_path_factory):
    """The input files, made once (the checkpoints take two tiny fits)."""
    d = tmp_path_factory.mktemp("hostile-inputs")
    make_inputs(d)
    main(["info", "--samples"])  # imports paid here, not by the first timed case
    import matplotlib.pyplot  # noqa: F401

    return d


def _describe(o) -> str:
    return (
        f"rc={o.rc} exc={o.exc!r} escaped={o.escaped!r} trained={o.trained} new={o.new_files} "
        f"changed={o.changed} seconds={o.seconds:.2f}\nstdout: {o.out[-800:]}\nstderr: {o.err[-1500:]}"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case, master, tmp_path):
    if case.id.endswith("unwritable folder") and no_proc():
        pytest.skip(no_proc())
    d = copy_inputs(master, tmp_path / "work")
    o = run_case(case, d)
    assert verdict(case, o, d) == "ok", _describe(o)
    assert not o.changed and o.escaped is None and "Traceback" not in o.err, _describe(o)
    if case.error is None:
        assert o.rc in (0, None) and o.exc is None, _describe(o)
        return
    assert o.trained == 0 and not o.new_files and o.seconds < FAST_S, _describe(o)
    if case.error == "usage":
        assert o.rc == 2 and o.err.rstrip().splitlines()[-1].startswith("pixparam "), _describe(o)
        return
    assert isinstance(o.exc, getattr(pp, case.error)), _describe(o)
    assert "\n" not in str(o.exc), _describe(o)
    if case.kind == "cli":
        assert o.rc == 1, _describe(o)
        lines = o.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("pixparam: error: "), _describe(o)


def test_enough_cases_over_every_section():
    from hostile_cases import SECTIONS

    assert len(CASES) >= 80
    assert {c.section for c in CASES} == set(SECTIONS)
    assert sum(c.kind == "cli" for c in CASES) > len(CASES) / 2


def test_memory_limit_env_is_checked(monkeypatch):
    monkeypatch.setenv("PIXPARAM_MEMORY_LIMIT", "lots")
    with pytest.raises(pp.ConfigError, match="PIXPARAM_MEMORY_LIMIT"):
        pp.limits.memory_limit()
    monkeypatch.setenv("PIXPARAM_MEMORY_LIMIT", "512Mi")
    assert pp.limits.memory_limit()[0] == 512 << 20
    monkeypatch.delenv("PIXPARAM_MEMORY_LIMIT")
    limit, source = pp.limits.memory_limit()
    assert limit > 0 and source


def test_plan_is_fast_for_any_integer():
    import time

    for budget in (10**9, 10**9 + 1, 10**12, 10**30, 2**4000):
        t0 = time.perf_counter()
        try:
            pp.plan(budget, "siren")
        except pp.BudgetError:
            assert budget > pp.budget.MAX_BUDGET
        assert time.perf_counter() - t0 < 1.0, budget


def test_nothing_half_written_when_the_render_fails(master, tmp_path, monkeypatch):
    """A failure while writing leaves neither the target nor a temp file (atomic writes)."""
    d = copy_inputs(master, tmp_path / "work")
    fit = pp.load(d / "m.safetensors", device="cpu")
    before = sorted(os.listdir(d))
    with pytest.raises(pp.ImageError):
        pp.save_image(fit.render() * float("nan"), d / "r.png")
    assert sorted(os.listdir(d)) == before
