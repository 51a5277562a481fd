"""Weight matching: the symmetries it uses are exact, sign search never matches worse, and shared inits are shared."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import pixparam as pp
from pixparam.gallery.edits import pair_images
from pixparam.training import FitJob


@pytest.fixture(scope="module")
def img16() -> np.ndarray:
    return pp.load_image("astronaut", size=16)


@pytest.fixture(scope="module")
def fits(img16) -> dict[str, list[pp.Fit]]:
    """Three short fits per family (seeds 0, 1, 2) of one 16-px image, one architecture each."""
    out = {}
    for family in ("siren", "relu"):
        first = pp.fit(img16, 400, family, steps=40, seed=0, device="cpu", progress=False)
        out[family] = [first] + [
            pp.fit(img16, first.arch, steps=40, seed=s, device="cpu", progress=False) for s in (1, 2)
        ]
    return out


def scrambled(fit: pp.Fit, *, seed: int, flip: bool) -> pp.Fit:
    """``fit`` with every hidden layer's units randomly permuted and (``flip``) about half of them negated.

    A unit's incoming weights, bias and outgoing weights move together; a
    flip negates all three. Written directly on the model, so it checks the
    symmetry itself, not pixparam's alignment code.
    """
    out = copy.deepcopy(fit)
    gen = torch.Generator().manual_seed(seed)
    layers = pp.fields.hidden_layers(out.model)
    with torch.no_grad():
        for i, layer in enumerate(layers[:-1]):
            n = layer.out_features
            perm = torch.randperm(n, generator=gen)
            sign = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0) if flip else torch.ones(n)
            layer.weight.copy_(layer.weight[perm] * sign[:, None])
            layer.bias.copy_(layer.bias[perm] * sign)
            nxt = layers[i + 1]
            nxt.weight.copy_(nxt.weight[:, perm] * sign[None, :])
    out.metrics.clear()
    return out


def test_permuted_and_sign_flipped_siren_renders_identically(fits):
    a = fits["siren"][0]
    for seed in range(3):
        s = scrambled(a, seed=seed, flip=True)
        assert pp.edit.weight_distance(a, s) > 1.0  # the weights really moved
        np.testing.assert_allclose(s.render(size=40), a.render(size=40), atol=2e-6)  # ω0 and the bias included


def test_permuted_relu_renders_identically_but_a_sign_flip_changes_it(fits):
    a = fits["relu"][0]
    np.testing.assert_allclose(scrambled(a, seed=0, flip=False).render(), a.render(), atol=2e-6)
    assert np.abs(scrambled(a, seed=0, flip=True).render() - a.render()).max() > 1e-2  # relu is not odd


def test_align_undoes_a_scramble_only_with_signs(fits):
    a = fits["siren"][0]
    s = scrambled(a, seed=4, flip=True)
    assert pp.edit.weight_distance(a, pp.edit.align(a, s, signs=True)) < 1e-9
    assert pp.edit.weight_distance(a, pp.edit.align(a, s, signs=False)) > 1.0
    r = fits["relu"][0]
    assert pp.edit.weight_distance(r, pp.edit.align(r, scrambled(r, seed=4, flip=False))) < 1e-9


@pytest.mark.parametrize(("i", "j"), [(0, 1), (1, 2), (2, 0)])
def test_sign_search_never_matches_worse_than_permutations(fits, i, j):
    a, b = fits["siren"][i], fits["siren"][j]
    signed, perm = pp.edit.align(a, b, signs=True), pp.edit.align(a, b, signs=False)
    d = {k: pp.edit.weight_distance(a, f) for k, f in {"none": b, "perm": perm, "signed": signed}.items()}
    assert d["signed"] <= d["perm"] + 1e-9 <= d["none"] + 2e-9
    assert signed.edits[-1]["signs"] and not perm.edits[-1]["signs"] and perm.edits[-1]["flips"] == 0
    np.testing.assert_allclose(signed.render(), b.render(), atol=2e-6)


def test_align_refuses_sign_flips_that_would_change_the_function(fits):
    r = fits["relu"]
    with pytest.raises(pp.EditError, match=r"signs=True but a relu network's activation is not odd"):
        pp.edit.align(r[0], r[1], signs=True)
    s = fits["siren"]
    with pytest.raises(pp.EditError, match="b is quantised"):
        pp.edit.align(s[0], pp.edit.quantize(s[1], 6), signs=True)
    assert pp.edit.align(s[0], pp.edit.quantize(s[1], 6)).edits[-1]["flips"] == 0  # the default skips flips


def test_weight_distance(fits):
    a, b = fits["siren"][:2]
    assert pp.edit.weight_distance(a, a) == 0.0
    pairs = zip(a.model.parameters(), b.model.parameters(), strict=True)
    expect = sum(float((p.detach().double() - q.detach().double()).square().sum()) for p, q in pairs)
    assert pp.edit.weight_distance(a, b) == pytest.approx(expect, rel=1e-9)
    with pytest.raises(pp.EditError, match="differ in family or shape"):
        pp.edit.weight_distance(a, fits["relu"][0])


def test_same_seed_fits_of_two_images_start_from_identical_weights():
    A, B = pair_images(pp.load_image("astronaut", size=16), pp.load_image("coffee", size=24))
    assert A.shape == B.shape == (16, 16, 3) and not np.allclose(A, B)
    arch = pp.plan(300, "siren", channels=3)
    start = [FitJob.plan(img, arch, seed=5, steps=3, device="cpu").model.state_dict() for img in (A, B)]
    assert all(torch.equal(start[0][k], start[1][k]) for k in start[0])
    other = FitJob.plan(A, arch, seed=6, steps=3, device="cpu").model.state_dict()
    assert not all(torch.equal(start[0][k], other[k]) for k in start[0])
    fb = pp.fit(B, arch, steps=3, seed=5, device="cpu", progress=False)
    assert "init_from" not in fb.config and fb.config["seed"] == 5


def test_pair_images_matches_shape_and_colour():
    gray, colour = pp.load_image("camera", size=20), pp.load_image("coffee", size=30)  # 20×20×1, 20×30×3
    a, b = pair_images(gray, colour)
    assert a.shape == b.shape == (20, 20, 3)
    np.testing.assert_array_equal(a[..., 0], gray[..., 0])
    np.testing.assert_array_equal(a[..., 2], gray[..., 0])
    np.testing.assert_allclose(b, pp.images.resize(colour[:, 5:25], (20, 20)))  # the centre 20×20, kept
    a2, b2 = pair_images(colour, gray)
    assert a2 is colour and b2.shape == colour.shape
