from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.rendering import render_field

LEARN_STEPS = 300


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_each_family_learns(rgb32, family, device):
    f = pp.fit(rgb32, 4000, family, steps=LEARN_STEPS, device=device, progress=False)
    assert f.device.type == torch.device(device).type
    assert f.psnr > 18.0
    assert f.psnr > f.history.psnr[0] + 5
    assert f.n_params == f.arch.n_params <= 4000


def test_same_seed_is_bit_identical_on_cpu(rgb32):
    a = pp.fit(rgb32, 1500, "siren", steps=25, seed=3, progress=False)
    b = pp.fit(rgb32, 1500, "siren", steps=25, seed=3, progress=False)
    c = pp.fit(rgb32, 1500, "siren", steps=25, seed=4, progress=False)
    for (ka, va), (_, vb) in zip(a.model.state_dict().items(), b.model.state_dict().items()):
        assert torch.equal(va, vb), ka
    assert a.history.loss == b.history.loss
    assert np.array_equal(a.render(), b.render())
    assert not np.array_equal(a.render(), c.render())


def test_minibatch_path_is_seeded_and_learns(rgb32, device):
    a = pp.fit(rgb32, 2000, "hashgrid", steps=60, batch_size=256, seed=1, device=device, progress=False)
    b = pp.fit(rgb32, 2000, "hashgrid", steps=60, batch_size=256, seed=1, device=device, progress=False)
    assert a.config["batch_size"] == 256
    if torch.device(device).type == "cpu":  # CUDA's index_add (the table's backward) sums in no fixed order
        assert torch.equal(a.model.table, b.model.table)
    assert a.history.psnr[-1] > a.history.psnr[0]


def test_history_layout(rgb32):
    f = pp.fit(rgb32, 1000, "relu", steps=50, log_every=10, progress=False)
    h = f.history
    assert h.step == [0, 10, 20, 30, 40, 50]
    assert all(b >= a for a, b in zip(h.seconds, h.seconds[1:]))
    assert h.psnr[-1] == pytest.approx(10 * math.log10(1 / h.loss[-1]))
    assert f.seconds == pytest.approx(h.seconds[-1])
    assert h.lr[1] == pytest.approx(f.config["lr"] * 1.0, rel=0.1)  # warm-up is over by step 10


def test_lr_schedule_warms_up_then_decays():
    from pixparam.training import TrainConfig

    cfg = TrainConfig(
        steps=1000,
        lr=1e-3,
        seed=0,
        device="cpu",
        precision="fp32",
        batch_size=None,
        log_every=10,
        final_lr=0.05,
        warmup=0.02,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    lrs = [cfg.lr_at(s) for s in range(1, 1001)]
    assert lrs[0] == pytest.approx(1e-3 / 20)
    assert max(lrs) == pytest.approx(1e-3)
    assert lrs[-1] == pytest.approx(5e-5)
    peak = lrs.index(max(lrs))
    assert all(b <= a for a, b in zip(lrs[peak:], lrs[peak + 1 :]))


def test_best_weights_are_kept(rgb32):
    def wreck(step, model):
        if step == 40:  # ruin the weights after the last update
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(0)) * 5)

    f = pp.fit(rgb32, 1500, "siren", steps=40, log_every=5, callback=wreck, progress=False)
    assert f.psnr >= max(f.history.psnr[:-1]) - 0.5  # close to the best checked, not wrecked
    assert f.history.loss[-1] == min(f.history.loss)


def test_nan_loss_is_recovered(rgb32):
    def poison(step, model):
        if step == 20:
            with torch.no_grad():
                next(model.parameters()).fill_(float("nan"))

    f = pp.fit(rgb32, 1500, "relu", steps=60, log_every=5, callback=poison, progress=False)
    assert len(f.history.events) == 1 and "restored best weights" in f.history.events[0][1]
    assert np.isfinite(f.psnr)
    assert all(math.isfinite(v) for v in f.history.loss)


def test_persistent_nan_raises_training_diverged(rgb32):
    def poison(step, model):
        with torch.no_grad():
            next(model.parameters()).fill_(float("inf"))

    with pytest.raises(pp.TrainingDiverged, match="lower lr"):
        pp.fit(rgb32, 1500, "relu", steps=60, log_every=5, callback=poison, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps=0"),
        ({"lr": -1.0}, "lr=-1.0"),
        ({"lr": float("nan")}, "lr=nan"),
        ({"precision": "fp8"}, "precision='fp8'"),
        ({"seed": -1}, "seed=-1"),
        ({"seed": 1.5}, "seed=1.5"),
        ({"batch_size": 0}, "batch_size=0"),
        ({"log_every": 0}, "log_every=0"),
    ],
)
def test_bad_training_arguments(rgb32, kwargs, match):
    with pytest.raises(ValueError, match=match):
        pp.fit(rgb32, 1000, "relu", progress=False, **kwargs)


def test_fit_accepts_an_arch(rgb32):
    arch = pp.plan(1200, "relu", channels=3, depth=2)
    f = pp.fit(rgb32, arch, steps=5, progress=False)
    assert f.arch == arch
    with pytest.raises(pp.BudgetError, match="channels"):
        pp.fit(rgb32[..., :1], arch, steps=5, progress=False)
    with pytest.raises(pp.BudgetError, match="family='siren' but the given Arch is 'relu'"):
        pp.fit(rgb32, arch, "siren", steps=5, progress=False)


def test_arch_options_pass_through(rgb32):
    f = pp.fit(rgb32, 3000, "siren", depth=2, omega0=20, steps=3, progress=False)
    assert f.arch.depth == 2 and f.arch.options["omega0"] == 20.0


def test_fit_ladder(rgb32):
    fits = pp.fit_ladder(rgb32, ["2k", 1000], "relu", steps=5, progress=False)
    assert [f.arch.budget for f in fits] == [2000, 1000]
    assert all(f.n_params <= f.arch.budget for f in fits)
    with pytest.raises(pp.BudgetError, match="empty"):
        pp.fit_ladder(rgb32, [])


def test_render_sizes_and_metrics(tiny_fits, rgb32):
    f = tiny_fits["siren"]
    out = f.render()
    assert out.shape == rgb32.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    assert f.render(size=64).shape == (64, 64, 3)
    assert f.render(size=(10, 20)).shape == (10, 20, 3)
    assert f.psnr == pytest.approx(pp.psnr(rgb32, out))
    assert f.ssim == pytest.approx(pp.ssim(rgb32, out))


def test_render_in_chunks_equals_one_pass_to_float32_rounding(tiny_fits):
    # A matmul over fewer rows may take another BLAS kernel: equal to rounding, not bit for bit (#21).
    for f in tiny_fits.values():
        whole = render_field(f.model, 40, 30, max_chunk_bytes=1 << 40)
        chunked = render_field(f.model, 40, 30, max_chunk_bytes=1)  # one row per chunk
        assert chunked.shape == whole.shape == (40, 30, 3) and chunked.dtype == np.float32
        np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-6)
        assert np.array_equal(render_field(f.model, 40, 30, max_chunk_bytes=1), chunked)  # repeatable


def test_fit_to_copies(tiny_fits):
    f = tiny_fits["relu"]
    g = f.to("cpu")
    assert g.model is not f.model and np.array_equal(g.render(), f.render())


def test_resolve_device():
    assert pp.resolve_device("cpu").type == "cpu"
    assert pp.resolve_device("auto").type in ("cuda", "mps", "cpu")
    with pytest.raises(pp.DeviceError, match="not a device"):
        pp.resolve_device("toaster")
    if not torch.cuda.is_available():
        with pytest.raises(pp.DeviceError, match="CUDA is not available"):
            pp.resolve_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("family", pp.FAMILIES)
def test_cuda_matches_cpu(rgb32, family):
    cpu = pp.fit(rgb32, 2000, family, steps=100, device="cpu", progress=False, precision="fp32")
    gpu = pp.fit(rgb32, 2000, family, steps=100, device="cuda", progress=False, precision="fp32")
    assert abs(cpu.psnr - gpu.psnr) < 0.5


def test_bf16_autocast_keeps_no_stale_weights():
    # One context wraps a whole training loop: autocast's cast cache would hand every forward the bf16
    # copies of the first step's weights (on an H200, SIREN at 1M stayed at 10.5 dB and tiny-cuda-nn's
    # setting at 3.9 dB), so the bf16 context must run without it, and leave the caller's setting alone.
    from pixparam.devices import matmul_precision

    before = torch.is_autocast_cache_enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "CUDA is not available ... Disabling autocast"
        with matmul_precision(torch.device("cuda"), "bf16"):
            assert not torch.is_autocast_cache_enabled()
    assert torch.is_autocast_cache_enabled() == before


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("family", ["relu", "hashgrid"])  # SIREN's sin(30·x) may lose more in bf16
def test_cuda_bf16_learns_like_fp32(rgb32, family):
    fp32 = pp.fit(rgb32, 2000, family, steps=200, device="cuda", progress=False, precision="fp32")
    bf16 = pp.fit(rgb32, 2000, family, steps=200, device="cuda", progress=False, precision="bf16")
    assert bf16.psnr > fp32.psnr - 3.0


@pytest.mark.slow
def test_4096_render_memory(tmp_path):
    import subprocess
    import sys

    code = """
import resource, numpy as np, pixparam as pp
from pixparam.result import Fit, History
arch = pp.plan(4000, "siren")
fit = Fit(pp.build(arch), arch, (64, 64, 3), History(), 0.0, {})
fit.render(size=8)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = fit.render(size=4096)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024, out.nbytes / 2**20)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    extra_mb, out_mb = map(float, res.stdout.split())
    assert out_mb == pytest.approx(192.0)
    assert extra_mb < out_mb + 200  # the output plus bounded chunk activations


def test_auto_batch_falls_back_to_minibatches_when_memory_is_short(rgb32):
    from pixparam.training import TrainConfig, auto_batch, bytes_per_point

    f = pp.fit(rgb32, 1000, "relu", steps=2, progress=False)
    assert f.config["batch_size"] is None  # a 32-px image is one full batch
    cfg = TrainConfig.from_dict(f.config)
    per_point = 3 * bytes_per_point(f.model)
    small = TrainConfig.from_dict({**f.config, "memory_cap": 1000 * per_point})
    assert auto_batch(small, f.model, 10**6).batch_size == 4096  # the floor
    big = TrainConfig.from_dict({**f.config, "memory_cap": 100_000 * per_point})
    assert auto_batch(big, f.model, 10**6).batch_size == 65536
    assert auto_batch(big, f.arch, 10**6).batch_size == 65536  # an Arch is enough to estimate
    assert auto_batch(big, f.model, 50_000).batch_size is None
    assert auto_batch(cfg, f.model, 1024) is cfg
