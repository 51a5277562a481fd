"""The training pipeline's public pieces: Points, TrainConfig (resolve, key), train."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.training import Points, TrainConfig, train


def test_points_from_image_subset_and_digest(gray24):
    p = Points.from_image(gray24)
    assert p.n == 24 * 24 and p.coords.shape == (576, 2) and p.target.shape == (576, 1)
    torch.testing.assert_close(p.target[:, 0], torch.from_numpy(gray24.reshape(-1)), rtol=0, atol=0)
    q = p.subset([5, 1, 5])
    assert q.n == 3 and torch.equal(q.coords[0], p.coords[5]) and torch.equal(q.coords[1], p.coords[1])
    assert p.digest() == Points.from_image(gray24.copy()).digest() != Points.from_image(1 - gray24).digest()
    with pytest.raises(pp.ConfigError, match="weights must have shape"):
        Points(p.coords, p.target, torch.ones(3))
    with pytest.raises(pp.ConfigError, match=r"\(N, D\) coordinates and \(N, C\) targets"):
        Points(p.coords, p.target[:10])


def test_masked_points_do_not_reach_the_result(gray24):
    """With 0/1 weights, the targets of weight-0 points cannot change the trained weights (bit for bit)."""
    p = Points.from_image(gray24)
    w = torch.zeros(p.n)
    w[::2] = 1.0
    other = p.target.clone()
    other[1::2] = 1.0 - other[1::2]  # scramble only the masked points
    arch = pp.plan(400, "siren", 1, resolution=24)
    cfg = TrainConfig.resolve(arch, steps=20, device="cpu", n_points=p.n)
    runs = []
    for target in (p.target, other):
        model = pp.build(arch, seed=0)
        (res,) = train([model], Points(p.coords, target, w), [cfg], progress=False)
        runs.append((model, res))
    for (ka, va), (_, vb) in zip(runs[0][0].state_dict().items(), runs[1][0].state_dict().items()):
        assert torch.equal(va, vb), ka
    assert runs[0][1].history.loss == runs[1][1].history.loss
    # and the weighted loss is a loss over the kept points only
    model = pp.build(arch, seed=0)
    (half,) = train([model], p.subset(np.arange(0, p.n, 2)), [cfg], progress=False)
    assert half.history.loss[0] == pytest.approx(runs[0][1].history.loss[0], rel=1e-6)


def test_config_resolve_fills_the_family_defaults_and_checks_values():
    arch = pp.plan(2000, "hashgrid", 3)
    cfg = TrainConfig.resolve(arch, device="cpu")
    spec = pp.fields.spec_for("hashgrid").defaults
    assert (cfg.lr, cfg.betas, cfg.eps, cfg.steps) == (spec.lr, spec.betas, spec.eps, pp.training.DEFAULT_STEPS)
    assert cfg.log_every == 20 and cfg.precision == "fp32" and cfg.prepare and cfg.fused_adam is None
    assert TrainConfig.resolve(arch, batch_size=500, n_points=400).batch_size is None  # a whole batch
    with pytest.raises(pp.ConfigError, match="unknown training setting warmpu"):
        TrainConfig.resolve(arch, warmpu=0.1)
    for bad, match in [({"steps": 0}, "steps=0"), ({"lr": -1.0}, "lr=-1.0"), ({"memory_cap": 0}, "memory_cap=0")]:
        with pytest.raises(pp.ConfigError, match=match):
            TrainConfig.resolve(arch, **bad)


def test_config_key_is_derived_from_the_fields():
    arch = pp.plan(1000, "siren", 3)
    base = TrainConfig.resolve(arch, device="cpu")
    speed = TrainConfig.resolve(arch, device="cpu", compile=True, prepare=False, fused_adam=False, memory_cap=1 << 20)
    assert base.key() == speed.key()  # speed-only switches do not decide the result
    assert set(base.key()) == set(TrainConfig.setting_names()) - {
        "device",
        "compile",
        "prepare",
        "fused_adam",
        "memory_cap",
    }
    assert base.key() != TrainConfig.resolve(arch, device="cpu", warmup=0.1).key()
    assert TrainConfig.from_dict(base.to_dict()) == base
    assert TrainConfig.from_dict({**base.to_dict(), "trained_with": 2}) == base  # extra provenance is ignored


def test_train_counts_what_it_trains(gray24):
    p = Points.from_image(gray24)
    arch = pp.plan(300, "relu", 1)
    cfg = TrainConfig.resolve(arch, steps=2, device="cpu", n_points=p.n)
    before = pp.training.networks_trained()
    results = train([pp.build(arch), pp.build(arch, seed=1)], p, [cfg, cfg], progress=False)
    assert pp.training.networks_trained() == before + 2 and len(results) == 2
    assert [len(r.history) for r in results] == [3, 3]  # steps 0, 1 and the final one


def test_the_deprecated_train_module_does_not_shadow_pp_train():
    import pixparam.train  # noqa: F401
    from pixparam.train import TrainConfig as Old
    from pixparam.train import fit as old_fit

    assert callable(pp.train) and pp.train is train  # the function of the contract, not the module
    assert Old is TrainConfig and old_fit is pp.fit
