"""The fast paths give the plain path's results: batched ladders, prepared encodings."""

from __future__ import annotations

import logging
import warnings

import pytest
import torch
from torch import nn

import pixparam as pp
from pixparam.training import FitJob, Points, TrainConfig, memory_groups, train
from pixparam.training.memory import step_bytes

LADDER = ["1k", "3k", "2k"]  # not sorted: order and grouping must not matter


def assert_same_fit(a: pp.Fit, b: pp.Fit) -> None:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert a.history.loss == b.history.loss
    assert a.history.events == b.history.events
    assert a.psnr == b.psnr


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_batched_ladder_equals_sequential_fits(rgb32, family):
    kw = dict(steps=40, log_every=7, seed=2, progress=False)
    batched = pp.fit_ladder(rgb32, LADDER, family, batched=True, **kw)
    alone = [pp.fit(rgb32, b, family, **kw) for b in LADDER]
    assert [f.arch.budget for f in batched] == [1000, 3000, 2000]
    for a, b in zip(batched, alone):
        assert_same_fit(a, b)  # bit-identical on the CPU, far inside the 0.05 dB the issue allows
        assert a.config["trained_with"] == len(LADDER)
        assert "trained_with" not in b.config
    assert len({f.seconds for f in batched}) == 1  # one clock for the group


def test_batched_ladder_with_minibatches_equals_sequential(rgb32):
    kw = dict(steps=30, batch_size=200, seed=5, progress=False)
    batched = pp.fit_ladder(rgb32, LADDER, "hashgrid", batched=True, **kw)
    sequential = pp.fit_ladder(rgb32, LADDER, "hashgrid", **kw)
    for a, b in zip(batched, sequential):
        assert a.config["batch_size"] == 200
        assert_same_fit(a, b)


def test_ladder_splits_into_groups_that_fit_in_memory(rgb32):
    jobs = [FitJob.plan(rgb32, b, "siren") for b in LADDER]
    two = sum(step_bytes(j.cfg, j.model, j.points.n) for j in jobs[:2])
    kw = dict(steps=12, progress=False, memory_cap=two)  # room for the first two rungs, not the third
    assert memory_groups([FitJob.plan(rgb32, b, "siren", memory_cap=two) for b in LADDER]) == [[0, 1], [2]]
    grouped = pp.fit_ladder(rgb32, LADDER, "siren", batched=True, **kw)
    assert [f.config.get("trained_with", 1) for f in grouped] == [2, 2, 1]
    for a, b in zip(grouped, pp.fit_ladder(rgb32, LADDER, "siren", **kw)):
        assert_same_fit(a, b)


def test_batched_ladder_refuses_per_network_options(rgb32, tiny_fits):
    with pytest.raises(ValueError, match="batched=False"):
        pp.fit_ladder(rgb32, LADDER, batched=True, callback=lambda step, model: None, steps=2, progress=False)
    with pytest.raises(ValueError, match="batched=False"):
        pp.fit_ladder(rgb32, LADDER, batched=True, init_from=tiny_fits["siren"], steps=2, progress=False)
    fits = pp.fit_ladder(rgb32, LADDER[:2], batched=True, callback=None, init_from=None, steps=2, progress=False)
    assert [f.config["trained_with"] for f in fits] == [2, 2]


class Flaky(nn.Module):
    """A field whose output turns NaN on chosen forward calls (to force recoveries)."""

    def __init__(self, field: pp.fields.Field, bad_calls: set[int]) -> None:
        super().__init__()
        self.field, self.arch, self.bad, self.calls = field, field.arch, bad_calls, 0

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        out = self.field(coords)
        return out * float("nan") if self.calls in self.bad else out


def test_recovery_in_one_network_leaves_the_others_as_if_alone(rgb32):
    points = Points.from_image(rgb32)

    def setup(budget: int, bad: set[int]) -> tuple[Flaky, TrainConfig]:
        arch = pp.plan(budget, "siren", rgb32.shape[2], resolution=32)
        cfg = TrainConfig.resolve(arch, steps=30, seed=0, device="cpu", log_every=5, n_points=points.n)
        return Flaky(pp.build(arch), bad), cfg

    bad = {11, 12}  # forward calls 11 and 12: the loss logged before update 11 (a recovery), and the next one

    def runs() -> tuple[list[Flaky], list[TrainConfig]]:
        models, cfgs = zip(setup(1000, bad), setup(2000, set()))
        return list(models), list(cfgs)

    models, cfgs = runs()
    together = train(models, points, cfgs, progress=False)
    models, cfgs = runs()
    alone = [train([m], points, [cfg], progress=False)[0] for m, cfg in zip(models, cfgs)]
    assert together[0].history.events and together[0].history.events[0][0] == 10
    assert not together[1].history.events
    for t, a in zip(together, alone):
        assert t.history.loss == a.history.loss and t.history.events == a.history.events


def test_train_needs_one_loop_setting(rgb32):
    points = Points.from_image(rgb32)
    arch = pp.plan(1000, "siren", rgb32.shape[2])
    cfgs = [TrainConfig.resolve(arch, steps=s, device="cpu", n_points=points.n) for s in (10, 20)]
    with pytest.raises(pp.ConfigError, match="same steps"):
        train([pp.build(arch), pp.build(arch)], points, cfgs, progress=False)
    with pytest.raises(pp.ConfigError, match="one config per model"):
        train([pp.build(arch)], points, cfgs, progress=False)


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_prepared_forward_is_the_forward(tiny_fits, family):
    model = tiny_fits[family].model
    x = torch.rand(300, 2) * 2 - 1
    rows = torch.randperm(300)[:77]
    prepared = model.prepare(x)
    assert torch.equal(model.forward_prepared(prepared), model(x))
    taken = prepared[rows] if torch.is_tensor(prepared) else tuple(t[rows] for t in prepared)
    assert torch.equal(model.forward_prepared(taken), model(x[rows]))
    assert not any(t.requires_grad for t in ((prepared,) if torch.is_tensor(prepared) else prepared))


def test_fit_without_the_prepared_encoding_is_unchanged(rgb32):
    kw = dict(steps=25, log_every=5, progress=False)
    for batch_size in (None, 300):
        fast = pp.fit(rgb32, 2000, "hashgrid", batch_size=batch_size, **kw)
        slow = pp.fit(rgb32, 2000, "hashgrid", batch_size=batch_size, prepare=False, **kw)  # encode every step
        assert fast.config["prepare"] is True and slow.config["prepare"] is False
        assert {**fast.config, "prepare": False} == slow.config
        assert_same_fit(fast, slow)
    # no room for the prepared encoding in memory: the same result again
    tight = pp.fit(rgb32, 2000, "hashgrid", memory_cap=1 << 20, **kw)
    assert_same_fit(tight, pp.fit(rgb32, 2000, "hashgrid", **kw))


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_fused_adam_matches_the_plain_one(rgb32, family):
    kw = dict(steps=60, progress=False)
    fused = pp.fit(rgb32, 2000, family, **kw)
    plain = pp.fit(rgb32, 2000, family, fused_adam=False, **kw)
    assert fused.history.loss != plain.history.loss  # the switch reaches the optimiser
    assert abs(fused.psnr - plain.psnr) < 0.01
    assert abs(fused.history.psnr[-1] - plain.history.psnr[-1]) < 0.01


def test_batch_size_of_the_whole_image_forces_full_batch():
    img = pp.load_image("astronaut", size=80)  # 6,400 pixels, more than the smallest automatic batch
    kw = dict(steps=2, progress=False, memory_cap=1 << 20)  # too small for them all at once
    assert pp.fit(img, 2000, "siren", **kw).config["batch_size"] == 4096
    assert pp.fit(img, 2000, "siren", batch_size=80 * 80, **kw).config["batch_size"] is None
    assert pp.fit(img, 2000, "siren", batch_size=10**6, **kw).config["batch_size"] is None


def test_render_chunks_are_sized_to_the_device(tiny_fits):
    from pixparam.rendering import render_chunk_bytes, render_field

    assert render_chunk_bytes(torch.device("cpu")) == 64 << 20
    f = tiny_fits["hashgrid"]
    torch.testing.assert_close(
        torch.from_numpy(render_field(f.model, 33, 20, max_chunk_bytes=1)),
        torch.from_numpy(render_field(f.model, 33, 20)),
        rtol=0,
        atol=1e-6,
    )
    if torch.cuda.is_available():
        assert 64 << 20 <= render_chunk_bytes(torch.device("cuda")) <= 2 << 30


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("family", pp.FAMILIES)
def test_batched_ladder_on_cuda_matches_sequential(rgb32, family):
    kw = dict(steps=100, device="cuda", precision="fp32", progress=False)
    batched = pp.fit_ladder(rgb32, LADDER, family, batched=True, **kw)
    sequential = pp.fit_ladder(rgb32, LADDER, family, **kw)
    for a, b in zip(batched, sequential):
        assert abs(a.psnr - b.psnr) < 0.05


# the families the standard profile compiles, with its points a step (FINER and WIRE in mini-batches)
@pytest.mark.parametrize(("family", "batch"), [("siren", None), ("hashgrid", None), ("finer", 256), ("wire", 256)])
def test_compiled_fit_matches_the_eager_one(rgb32, family, batch):
    kw = dict(steps=40, batch_size=batch, progress=False)
    eager = pp.fit(rgb32, 2000, family, **kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = pp.fit(rgb32, 2000, family, compile=True, **kw)
    assert not [w for w in caught if "torch.compile failed" in str(w.message)]  # a fallback would be vacuous
    assert compiled.config["compile"] is True and eager.config["compile"] is False
    assert abs(compiled.psnr - eager.psnr) < 0.05
    assert compiled.history.step == eager.history.step


def test_fit_after_fit_stays_compiled():
    # torch runs code it has recompiled more than its limit (8; 2 here, to keep the test short) times eagerly,
    # and says so only in a log record: fits of different families (whose forward passes share code), one
    # after another in one process, must each get a compiled path
    import torch._dynamo.config as dynamo_config

    limit = "recompile_limit" if hasattr(dynamo_config, "recompile_limit") else "cache_size_limit"
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    log = logging.getLogger("torch._dynamo")
    log.addHandler(handler)
    img = pp.load_image("camera", size=16)
    torch.compiler.reset()  # count from zero whatever earlier tests compiled
    try:
        with dynamo_config.patch(**{limit: 2}):
            for family in ("siren", "finer", "fourier", "relu"):
                pp.fit(img, 1000, family, steps=2, compile=True, progress=False)
    finally:
        log.removeHandler(handler)
    assert not [r for r in records if limit in r.getMessage()]


def test_compile_failure_falls_back_with_a_warning(rgb32, monkeypatch):
    def broken(fn):
        def run(x):
            raise RuntimeError("no C++ compiler\nmore detail")

        return run

    monkeypatch.setattr(torch, "compile", broken)
    with pytest.warns(UserWarning, match="torch.compile failed .RuntimeError: no C\\+\\+ compiler.; training without"):
        f = pp.fit(rgb32, 1000, "siren", steps=10, compile=True, progress=False)
    g = pp.fit(rgb32, 1000, "siren", steps=10, progress=False)
    assert f.history.loss == g.history.loss  # the eager path, exactly


def test_compile_unavailable_falls_back_with_a_warning(rgb32, monkeypatch):
    def unsupported(fn):
        raise RuntimeError("torch.compile is not supported on this Python")

    monkeypatch.setattr(torch, "compile", unsupported)
    with pytest.warns(UserWarning, match="torch.compile failed .RuntimeError: torch.compile is not supported"):
        f = pp.fit(rgb32, 1000, "siren", steps=10, compile=True, progress=False)
    assert f.history.loss == pp.fit(rgb32, 1000, "siren", steps=10, progress=False).history.loss


def test_compile_must_be_a_bool(rgb32):
    with pytest.raises(ValueError, match="compile='yes'"):
        pp.fit(rgb32, 1000, steps=1, compile="yes", progress=False)
