"""The lenses between pixels and networks: the trained grid, WIRE and FINER, against outside references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.fields.finer import VariablePeriodicSine
from pixparam.fields.wire import WINDOW_FLOOR, gabor
from pixparam.images import upsample


@pytest.fixture(scope="module")
def img():
    return pp.load_image("coffee", size=(20, 28))  # not square, so the aspect matters


@pytest.mark.parametrize("interp", ["bicubic", "bilinear"])
def test_grid_starts_as_the_pixel_counterpart(img, interp):
    px = pp.pixelate(img, 600)
    f = pp.fit(img, 600, "grid", interp=interp, steps=1, lr=1e-30, progress=False)
    assert f.arch.options["shape"] == list(px.shape) and f.n_params == px.n_values
    # PIL's own resampling of the same values (bicubic a = -0.5, edge taps renormalised)
    np.testing.assert_allclose(f.render(), px.render(mode=interp), atol=2e-6)


@pytest.mark.parametrize("size", [(20, 28), (41, 57), (7, 9)])
def test_grid_renders_at_any_size_as_pil_resamples_its_values(img, size):
    f = pp.fit(img, 600, "grid", steps=20, progress=False)
    values = f.model.values.detach().numpy()
    if size[0] >= values.shape[0]:  # PIL antialiases when shrinking; the field samples points
        np.testing.assert_allclose(f.render(size=size), upsample(values, size), atol=2e-6)
    else:
        assert f.render(size=size).shape == (*size, 3)


def test_a_trained_grid_beats_the_sampled_one(img):
    px = pp.pixelate(img, 600)
    f = pp.fit(img, 600, "grid", steps=100, progress=False)
    assert f.psnr > px.psnr + 0.5
    assert f.history.psnr[0] == pytest.approx(px.psnr, abs=0.01)  # the first step starts at the counterpart


def test_grid_plans_without_an_image_fill_97_percent_and_refuse_bad_options():
    for budget, channels in ((1000, 4), (1023, 3), (5000, 1), (1_000_000, 3)):
        arch = pp.plan(budget, "grid", channels=channels)
        h, w = arch.options["shape"]
        assert 0.97 * budget <= arch.n_params == h * w * channels <= budget
        assert max(h, w) / min(h, w) < 1.5  # 97 % at 1k RGBA takes 13×19 (15×16 holds only 96 %)
    assert pp.plan(1200, "grid", image_shape=(10, 40)).options["shape"] == [10, 40]
    assert pp.plan(1200, "grid", shape=(5, 60)).n_params == 900
    with pytest.raises(pp.BudgetError, match="interp='nearest'; choose one of bicubic, bilinear"):
        pp.plan(1000, "grid", interp="nearest")
    with pytest.raises(pp.BudgetError, match=r"shape=\(30, 30\) × 3 channels does not fit budget 1,000"):
        pp.plan(1000, "grid", shape=(30, 30))
    with pytest.raises(pp.BudgetError, match="grid has no option depth; its options are image_shape, interp, shape"):
        pp.plan(1000, "grid", depth=2)


def test_grid_region_splice_takes_exactly_the_cells_the_region_reads(img):
    a = pp.fit(img, 600, "grid", steps=10, progress=False)
    b = pp.fit(img[::-1].copy(), a.arch, steps=10, progress=False)
    g = pp.edit.splice(a, b, region=(0, 0, 5, 5))
    taken = (g.model.values != a.model.values).any(dim=-1)
    h, w = a.arch.options["shape"]
    # a 5×5-pixel corner of a 20×28 image covers cells [0, 5·h/20) × [0, 5·w/28), plus two bicubic taps beyond
    rows, cols = torch.nonzero(taken, as_tuple=True)
    assert int(rows.max()) < 5 * h / 20 + 2 and int(cols.max()) < 5 * w / 28 + 2
    assert g.edits[-1]["values"] == int(taken.sum()) * 3 or g.edits[-1]["values"] > int(taken.sum()) * 3 - 3
    far = g.render()[12:, 16:]
    np.testing.assert_array_equal(far, a.render()[12:, 16:])  # pixels the region's cells do not reach are a's


def _complex_reference(model, coords):
    """WIRE in torch's complex arithmetic, from the same parameters: the outside check of the real-arithmetic one."""

    def act(z):
        return torch.exp(1j * model.omega0 * z - (model.sigma0 * z).abs().square())

    h = act(model.first(coords).to(torch.complex64))
    for re, im in zip(model.hidden_re, model.hidden_im, strict=True):
        w = torch.complex(re.weight, im.weight)
        h = act(h @ w.T + torch.complex(re.bias, im.bias))
    out = h @ torch.complex(model.out_re.weight, model.out_im.weight).T
    return 0.5 + 0.5 * (out.real + model.out_re.bias)


def test_wire_matches_complex_arithmetic_and_counts_real_values():
    arch = pp.plan(3000, "wire", channels=3, omega0=5.0, sigma0=2.0)
    model = pp.build(arch, seed=4)
    x = torch.rand(50, 2) * 2 - 1
    torch.testing.assert_close(model(x), _complex_reference(model, x), atol=2e-5, rtol=0)
    w = arch.widths
    by_hand = 3 * w[0] + sum(2 * (a + 1) * b for a, b in itertools.pairwise(w)) + 2 * w[-1] * 3 + 3
    assert arch.n_params == by_hand == pp.n_trainable(model)
    assert all(not p.is_complex() for p in model.parameters())
    zr, zi = torch.randn(7), torch.randn(7)
    re, im = gabor(zr, zi, 3.0, 1.5)
    ref = torch.exp(1j * 3.0 * torch.complex(zr, zi) - (1.5 * torch.complex(zr, zi)).abs().square())
    torch.testing.assert_close(torch.complex(re, im), ref)


def test_gabor_window_is_exactly_zero_below_its_floor_with_no_gradient():
    # exponents -sigma0^2 zr^2 from -20 (kept) through -60 (floored, a normal float) to -100 (a subnormal before)
    sigma0 = 10.0
    exponent = torch.tensor([-20.0, -39.0, -41.0, -60.0, -90.0, -100.0])
    zr = (-exponent).sqrt().div(sigma0).requires_grad_(True)
    zi = torch.zeros(6, requires_grad=True)
    re, im = gabor(zr, zi, 0.0, sigma0)  # omega0 = 0: the window alone, in the real part
    kept = exponent > WINDOW_FLOOR
    torch.testing.assert_close(re[kept], torch.exp(exponent[kept]), rtol=1e-5, atol=0)
    assert torch.equal(re[~kept], torch.zeros(4)) and torch.equal(im, torch.zeros(6))
    (g,) = torch.autograd.grad(re.sum(), zr)
    assert torch.equal(g[~kept], torch.zeros(4)) and bool((g[kept] < 0).all())


def test_wire_gradients_match_complex_arithmetic_at_the_default_window():
    """At the defaults (omega0 = sigma0 = 10) some units' windows are below the floor from the first step."""
    model = pp.build(pp.plan(4000, "wire", channels=3), seed=1)
    x = torch.rand(300, 2, generator=torch.Generator().manual_seed(2)) * 2 - 1
    with torch.no_grad():
        z = model.first(x)
        assert float((-(model.sigma0**2) * z * z < WINDOW_FLOOR).float().mean()) > 0.01
    target = torch.rand(300, 3, generator=torch.Generator().manual_seed(3))
    grads = []
    for forward in (model, lambda c: _complex_reference(model, c)):
        model.zero_grad()
        (forward(x) - target).square().mean().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters()]))
    scale = float(grads[1].abs().max())
    torch.testing.assert_close(grads[0], grads[1], atol=1e-5 * scale, rtol=0)


def test_finer_activation_is_odd_with_the_scale_held_constant():
    act = VariablePeriodicSine(30.0)
    z = torch.linspace(-2, 2, 41, dtype=torch.float64, requires_grad=True)
    y = act(z)
    torch.testing.assert_close(act(-z.detach()), -y.detach())
    (g,) = torch.autograd.grad(y.sum(), z)
    zd = z.detach()
    torch.testing.assert_close(g, 30.0 * (zd.abs() + 1) * torch.cos(30.0 * (zd.abs() + 1) * zd))


def test_finer_first_layer_biases_span_the_given_range():
    for k in (0.5, 5.0):
        model = pp.build(pp.plan(20_000, "finer", bias_scale=k), seed=0)
        first, second = model.mlp.layers[0].bias.detach(), model.mlp.layers[1].bias.detach()
        assert float(first.abs().max()) <= k and float(first.abs().max()) > 0.9 * k
        assert float(second.abs().max()) <= second.numel() ** -0.5 + 1e-7  # the others keep PyTorch's range


@pytest.mark.parametrize("family", ["wire", "finer"])
def test_wire_and_finer_learn(img, family):
    f = pp.fit(img, 2000, family, steps=80, progress=False)
    assert f.psnr > f.history.psnr[0] + 3


def test_grid_reads_the_edge_beyond_the_image():
    model = pp.build(pp.plan(300, "grid", channels=1, shape=(5, 6)))
    with torch.no_grad():
        model.values.copy_(torch.rand(5, 6, 1, generator=torch.Generator().manual_seed(0)))
    inside = model(torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))
    outside = model(torch.tensor([[-3.0, -7.0], [2.5, 9.0]]))
    assert torch.isfinite(outside).all()
    torch.testing.assert_close(outside, inside)
