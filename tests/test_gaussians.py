"""The ``gaussians`` family: exact budgets, the culled sum against a dense reference, init, learning, edits."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.coords import grid
from pixparam.fields import gaussians
from pixparam.fields.splat import splat, splat_dense
from pixparam.rendering import render_field


@pytest.fixture(scope="module")
def fit32(rgb32: np.ndarray) -> pp.Fit:
    return pp.fit(rgb32, 1200, "gaussians", steps=40, device="cpu", progress=False)


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("budget", [1000, 1001, 4096, 65_536, 250_007, 1_000_000])
def test_budget_is_exact(budget, channels):
    arch = pp.plan(budget, "gaussians", channels)
    per = 5 + channels
    assert arch.options["n_gaussians"] == budget // per and arch.widths == ()
    assert arch.n_params == pp.n_trainable(pp.build(arch)) == arch.options["n_gaussians"] * per
    assert 0.97 * budget <= arch.n_params <= budget
    assert arch.describe() == f"gaussians · {budget // per:,} Gaussians · {arch.n_params:,} params"


def test_bad_plans_say_what_to_change():
    with pytest.raises(pp.BudgetError, match=r"budget 7 is below the minimum of 8 params for gaussians"):
        pp.plan(7, "gaussians", 3)
    with pytest.raises(pp.BudgetError, match=r"blending='max'; choose one of sum, normalized"):
        pp.plan(1000, "gaussians", blending="max")
    with pytest.raises(pp.BudgetError, match=r"gaussians has no option depth; its options are blending, cutoff"):
        pp.plan(1000, "gaussians", depth=3)
    with pytest.raises(pp.BudgetError, match=r"cutoff=-1"):
        pp.plan(1000, "gaussians", cutoff=-1)


def _random_gaussians(g: int, k: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    means = torch.rand(g, 2, generator=gen, dtype=torch.float64) * 2.4 - 1.2  # some centres off the image
    l11 = torch.rand(g, generator=gen, dtype=torch.float64) * 0.15 + 0.01
    l22 = torch.rand(g, generator=gen, dtype=torch.float64) * 0.15 + 0.01
    l21 = torch.randn(g, generator=gen, dtype=torch.float64) * 0.1  # sheared, anisotropic
    colours = torch.randn(g, k, generator=gen, dtype=torch.float64)
    return means, torch.stack([l11, l21, l22], dim=1), colours


@pytest.mark.parametrize("chunk_pairs", [64, 1 << 19])
def test_culled_sum_equals_dense_reference_forward_and_gradients(chunk_pairs):
    means, chol, colours = _random_gaussians(150, 3, seed=0)
    gen = torch.Generator().manual_seed(1)
    coords = torch.cat([grid(13, 17).double(), torch.rand(40, 2, generator=gen, dtype=torch.float64) * 2.2 - 1.1])
    params = [t.clone().requires_grad_() for t in (means, chol, colours)]
    ref_params = [t.clone().requires_grad_() for t in (means, chol, colours)]
    out = splat(coords, *params, 3.0, chunk_pairs=chunk_pairs)
    ref = splat_dense(coords, *ref_params, 3.0)
    assert (ref != 0).any(dim=1).float().mean() > 0.9  # most points are reached
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    probe = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    grads = torch.autograd.grad((out * probe).sum(), params)
    ref_grads = torch.autograd.grad((ref * probe).sum(), ref_params)
    for got, want in zip(grads, ref_grads, strict=True):
        assert want.abs().max() > 0
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)


def test_cutoff_truncates_exactly():
    means = torch.zeros(1, 2)
    chol = torch.tensor([[0.1, 0.0, 0.1]])
    coords = torch.tensor([[0.299, 0.0], [0.301, 0.0], [0.0, 0.2]])
    out = splat(coords, means, chol, torch.ones(1, 1), 3.0)[:, 0]
    assert out[0] == pytest.approx(np.exp(-0.5 * 2.99**2), rel=1e-4) and out[1] == 0
    assert out[2] == pytest.approx(np.exp(-2.0), rel=1e-5)


@pytest.mark.parametrize(("blending", "fill"), [("normalized", "mean"), ("normalized", "none"), ("sum", "none")])
def test_field_is_its_dense_formula(blending, fill):
    arch = pp.plan(800, "gaussians", 3, blending=blending, fill=fill)
    model = pp.build(arch, seed=3)
    with torch.no_grad():
        model.chol[:, 1] = torch.linspace(-1, 1, model.chol.shape[0])  # shear them
        model.colours.uniform_(0, 1, generator=torch.Generator().manual_seed(0))
    x = grid(9, 11)
    acc = splat_dense(x, model.means, model.factors(), torch.cat([model.colours, torch.ones(100, 1)], 1), 3.0)
    eps, prior = gaussians.NORMALIZE_EPS, model.colours.mean(dim=0) if fill == "mean" else 0.0
    colour = (acc[:, :3] + eps * prior) / (acc[:, 3:] + eps) if blending == "normalized" else acc[:, :3]
    torch.testing.assert_close(model(x), colour, rtol=1e-5, atol=1e-6)


def test_a_point_no_gaussian_reaches_takes_their_mean_colour_or_black():
    colours = torch.tensor([[0.9, 0.2, 0.1], [0.1, 0.6, 0.3]])
    x = torch.tensor([[-0.5, 0.0], [0.9, 0.9]])  # on the first Gaussian; 3.5 sigma from both
    for fill, hole in (("mean", colours.mean(dim=0)), ("none", torch.zeros(3))):
        model = pp.build(pp.plan(16, "gaussians", 3, fill=fill), seed=0)
        assert model.arch.n_params == 16 and model.arch.options["fill"] == fill
        with torch.no_grad():
            model.means.copy_(torch.tensor([[-0.5, 0.0], [0.5, 0.0]]))
            model.chol.copy_(torch.tensor([[np.log(0.2), 0.0, np.log(0.2)]]).repeat(2, 1))
            model.colours.copy_(colours)
        out = model(x)
        torch.testing.assert_close(out[1], hole, rtol=0, atol=1e-6)
        # a reached point keeps its colour to within eps / weight of the gap (the weight here is 1)
        torch.testing.assert_close(out[0], colours[0], rtol=0, atol=2e-4)


def test_fill_needs_the_normalised_mean_and_old_checkpoints_keep_their_holes():
    with pytest.raises(pp.BudgetError, match="fill='mean' is part of the normalised mean"):
        pp.plan(800, "gaussians", 3, blending="sum", fill="mean")
    with pytest.raises(pp.BudgetError, match="fill='grey'; choose one of mean, none"):
        pp.plan(800, "gaussians", 3, fill="grey")
    assert pp.plan(800, "gaussians", 3).options["fill"] == "mean"
    assert pp.plan(800, "gaussians", 3, blending="sum").options["fill"] == "none"
    old = pp.plan(800, "gaussians", 3, fill="none")
    legacy = pp.Arch(old.family, old.channels, old.widths, old.n_params, old.budget, old.n_fixed,
                     {k: v for k, v in old.options.items() if k != "fill"})  # fmt: skip
    assert pp.build(legacy, seed=0).fill == "none"
    assert "holes black" in legacy.describe() and "holes" not in pp.plan(800, "gaussians", 3).describe()


def test_image_free_init_is_grey_and_seeded():
    arch = pp.plan(8000, "gaussians", 3)
    a, b, c = pp.build(arch, seed=0), pp.build(arch, seed=0), pp.build(arch, seed=1)
    assert torch.equal(a.means, b.means) and not torch.equal(a.means, c.means)
    assert a.means.abs().max() <= 1
    img = render_field(a, 16, 16)
    np.testing.assert_allclose(img, 0.5, atol=1e-3)  # normalised grey, wherever a Gaussian reaches


def test_init_from_image_is_seeded_and_follows_detail(rgb32):
    arch = pp.plan(2400, "gaussians", 3, resolution=32)

    def init(seed: int) -> gaussians.Gaussians:
        model = pp.build(arch, seed=0)
        gaussians.init_from_image(model, rgb32, torch.Generator().manual_seed(seed))
        return model

    a, b, c = init(5), init(5), init(6)
    for name, p in a.named_parameters():
        assert torch.equal(p, dict(b.named_parameters())[name]), name
    assert not torch.equal(a.means, c.means)
    detail = gaussians.detail_map(rgb32)
    assert detail.sum() == pytest.approx(1.0) and detail.min() >= gaussians.UNIFORM_SHARE / detail.size - 1e-12
    col = ((a.means[:, 0].detach() + 1) * 16).long().clamp(0, 31)
    row = ((a.means[:, 1].detach() + 1) * 16).long().clamp(0, 31)
    # centres sit where the image has detail: the detail under them averages sum(p²), not the mean of p
    expected = float((detail**2).sum())
    assert expected > 1.3 * detail.mean() and detail[row, col].mean() == pytest.approx(expected, rel=0.15)
    torch.testing.assert_close(a.colours.detach(), torch.from_numpy(rgb32[row, col]))  # the colour under each
    sigma_px = torch.exp(a.chol[:, 0]).detach() * 16
    assert sigma_px.min() >= gaussians.MIN_SIGMA_PX - 1e-5
    # the initial render already resembles the image
    assert pp.psnr(rgb32, render_field(a, 32, 32)) > pp.psnr(rgb32, np.full_like(rgb32, 0.5)) + 3


def test_fit_learns_and_starts_from_the_image(rgb32):
    f = pp.fit(rgb32, 1200, "gaussians", steps=100, device="cpu", progress=False)
    assert f.history.psnr[0] > 14  # the image-driven start
    assert f.psnr > f.history.psnr[0] + 4  # and it learns
    assert f.n_params == 150 * 8 == pp.n_trainable(f.model)


def test_save_load_round_trip_and_any_resolution(fit32, tmp_path):
    g = pp.load(fit32.save(tmp_path / "g.safetensors"), device="cpu")
    assert g.arch == fit32.arch
    for name, p in fit32.model.named_parameters():
        assert torch.equal(p, dict(g.model.named_parameters())[name]), name
    np.testing.assert_array_equal(g.render(), fit32.render())
    big = g.render(size=80)
    assert big.shape == (80, 80, 3) and 0 <= big.min() and big.max() <= 1
    # the render is the training forward: the fitted-grid render equals the model on the pixel centres
    np.testing.assert_array_equal(
        fit32.render(), fit32.model(grid(32, 32)).clamp(0, 1).detach().numpy().reshape(32, 32, 3)
    )
    # row chunks change nothing but rounding
    np.testing.assert_allclose(render_field(fit32.model, 80, 80, max_chunk_bytes=1 << 12), big, atol=1e-6)


def test_structured_prune_keeps_the_top_gaussians(fit32):
    n = fit32.arch.options["n_gaussians"]
    scores = gaussians.units(fit32.model).detach()
    g = pp.edit.prune(fit32, 0.25, "neurons")
    k = n - round(0.25 * n)
    kept = torch.tensor(g.edits[-1]["kept"])
    assert g.arch.options["n_gaussians"] == k == kept.numel()
    assert g.n_params == k * 8 == pp.n_trainable(g.model) == g.arch.n_params
    dropped = torch.ones(n, dtype=torch.bool)
    dropped[kept] = False
    assert scores[kept].min() >= scores[dropped].max()
    for name, p in fit32.model.named_parameters():
        assert torch.equal(dict(g.model.named_parameters())[name], p[kept]), name
    assert g.psnr < fit32.psnr


def test_region_splice_takes_exactly_the_gaussians_centred_inside(fit32, rgb32):
    b = pp.fit(rgb32, fit32.arch, steps=20, seed=1, progress=False)
    box = (4, 8, 20, 28)  # y0, x0, y1, x1 in pixels of the 32×32 image
    g = pp.edit.splice(fit32, b, region=box)
    x, y = fit32.model.means[:, 0].detach(), fit32.model.means[:, 1].detach()
    inside = (x >= 8 / 16 - 1) & (x < 28 / 16 - 1) & (y >= 4 / 16 - 1) & (y < 20 / 16 - 1)
    assert 0 < int(inside.sum()) < inside.numel()
    for name, p in g.model.named_parameters():
        pa, pb = dict(fit32.model.named_parameters())[name], dict(b.model.named_parameters())[name]
        assert torch.equal(p[inside], pb[inside]) and torch.equal(p[~inside], pa[~inside]), name
    assert g.edits[-1]["values"] == int(inside.sum()) * 8 and g.edits[-1]["table_entries"] == int(inside.sum())
    np.testing.assert_array_equal(pp.edit.splice(fit32, fit32, region=box).render(), fit32.render())


def test_generic_edits_apply(fit32):
    q = pp.edit.quantize(fit32, 6)
    assert all(torch.unique(p).numel() <= 64 for p in q.model.parameters())
    assert pp.edit.prune(fit32, 0.5).n_effective == fit32.n_params - round(0.5 * fit32.n_params)
    healed = pp.edit.heal(pp.edit.noise(fit32, 0.2, seed=1), steps=10, progress=False)
    assert healed.psnr > 0 and healed.edits[-1]["name"] == "heal"
    with pytest.raises(pp.EditError, match=r"prune \(neurons: drops whole gaussians\), splice \(region\)"):
        pp.edit.align(fit32, fit32)


def test_trains_and_renders_on_the_device(rgb32, device):
    f = pp.fit(rgb32, 1200, "gaussians", steps=20, device=device, progress=False)
    assert f.model.means.device.type == torch.device(device).type
    on_cpu = copy.deepcopy(f.model).to("cpu")
    np.testing.assert_allclose(f.render(size=48), render_field(on_cpu, 48, 48), atol=1e-5)
    # the same init on every device: it is drawn on the CPU
    start = pp.fit(rgb32, 1200, "gaussians", steps=1, lr=1e-12, device="cpu", progress=False)
    there = pp.fit(rgb32, 1200, "gaussians", steps=1, lr=1e-12, device=device, progress=False)
    torch.testing.assert_close(there.model.means.cpu(), start.model.means, rtol=0, atol=1e-6)
