from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.coords import grid, pixel_centers
from pixparam.fields.hashgrid import PRIME


def test_pixel_centres():
    np.testing.assert_allclose(pixel_centers(4).numpy(), [-0.75, -0.25, 0.25, 0.75])
    g = grid(2, 3)
    assert g.shape == (6, 2)
    # raster order: x varies fastest, y is constant along a row
    np.testing.assert_allclose(g[:3, 1].numpy(), [-0.5] * 3)
    np.testing.assert_allclose(g[:3, 0].numpy(), [-2 / 3, 0, 2 / 3], atol=1e-6)
    np.testing.assert_array_equal(grid(5, 3, rows=(2, 4)).numpy(), grid(5, 3)[6:12].numpy())


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_forward_shape_and_seed(family):
    arch = pp.plan(3000, family, channels=4)
    x = torch.rand(17, 2) * 2 - 1
    a, b, c = pp.build(arch, seed=1), pp.build(arch, seed=1), pp.build(arch, seed=2)
    assert a(x).shape == (17, 4)
    torch.testing.assert_close(a(x), b(x), rtol=0, atol=0)
    if family == "grid":  # a grid draws nothing: built alone it is mid-grey, and fit starts it from the image
        assert torch.equal(a(x), c(x))
        torch.testing.assert_close(a(x), torch.full((17, 4), 0.5))
    elif family == "gaussians":  # seeded centres, all grey: mid-grey where they reach, and their mean elsewhere
        assert not torch.equal(a.means, c.means)
        torch.testing.assert_close(a(x), torch.full((17, 4), 0.5), rtol=0, atol=1e-6)
    else:
        assert not torch.equal(a(x), c(x))


def test_build_leaves_global_rng_alone():
    state = torch.get_rng_state()
    pp.build(pp.plan(5000, "siren"), seed=3)
    assert torch.equal(state, torch.get_rng_state())


def test_siren_initialisation_bounds():
    arch = pp.plan(100_000, "siren")
    model = pp.build(arch, seed=0)
    first, *rest = model.mlp.layers
    assert first.weight.abs().max() <= 1 / 2
    omega = arch.options["omega0"]
    for layer in rest:
        bound = math.sqrt(6 / layer.in_features) / omega
        assert layer.weight.abs().max() <= bound
        # U(-b, b) has std b/√3: the draw should be close to it
        assert layer.weight.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_siren_activations_are_sines_of_omega():
    arch = pp.plan(2000, "siren", depth=1, omega0=7.0)
    model = pp.build(arch)
    x = torch.rand(5, 2)
    lin0, out = model.mlp.layers
    expected = 0.5 + 0.5 * out(torch.sin(7.0 * lin0(x)))
    torch.testing.assert_close(model(x), expected)


def test_fourier_features_match_definition():
    arch = pp.plan(3000, "fourier", sigma=4.0)
    model = pp.build(arch, seed=5)
    x = torch.rand(9, 2) * 2 - 1
    u = (x.double() + 1) / 2
    phase = 2 * math.pi * u @ model.B.double()
    expected = torch.cat([torch.sin(phase), torch.cos(phase)], dim=1)
    torch.testing.assert_close(model.encode(x).double(), expected, atol=1e-4, rtol=0)
    assert model.B.std().item() == pytest.approx(4.0, rel=0.35)


def test_hashgrid_interpolates_bilinearly_and_hits_vertices():
    arch = pp.plan(20_000, "hashgrid", resolution=32, levels=2, base_resolution=4)
    model = pp.build(arch, seed=0)
    with torch.no_grad():
        model.table.normal_()
    res = arch.options["resolutions"]
    # At a grid vertex of the coarsest level, its encoding is that vertex's entry exactly.
    i, j = 1, 3
    n = res[0]
    coord = torch.tensor([[2 * i / n - 1, 2 * j / n - 1]])
    row = j * (n + 1) + i  # level 0 is dense
    torch.testing.assert_close(model.encode(coord)[0, : model.n_features], model.table[row])
    # Bilinear: the midpoint of a cell is the mean of its four corners.
    mid = torch.tensor([[2 * (i + 0.5) / n - 1, 2 * (j + 0.5) / n - 1]])
    rows = [j * (n + 1) + i, j * (n + 1) + i + 1, (j + 1) * (n + 1) + i, (j + 1) * (n + 1) + i + 1]
    torch.testing.assert_close(model.encode(mid)[0, : model.n_features], model.table[rows].mean(0))


def test_hashgrid_hash_formula():
    arch = pp.plan(5_000, "hashgrid", resolution=256)
    model = pp.build(arch)
    assert not bool(model.dense[-1])  # the finest level is hashed at this budget
    T = arch.options["table_size"]
    ij = torch.tensor([[[[5, 7]] * 4] * arch.options["levels"]])
    idx = model.vertex_index(ij)[0, -1, 0].item() - model.offsets[-1].item()
    assert idx == (((7 * PRIME) % 2**32) ^ 5) % T


def test_hashgrid_edges_stay_in_table():
    model = pp.build(pp.plan(8_000, "hashgrid", resolution=64))
    corners = torch.tensor([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [1.5, -3.0]])
    assert torch.isfinite(model(corners)).all()


@pytest.mark.parametrize("family", pp.FAMILIES)
def test_gradients_reach_every_parameter(family):
    model = pp.build(pp.plan(2000, family), seed=0)
    model(grid(16, 16)).square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
