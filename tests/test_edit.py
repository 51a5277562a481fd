"""Invariants of the network edits, on a short fit of every family."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pixparam as pp

FAMILIES = pp.FAMILIES
#: Families with hidden units (align, neuron pruning and layer splicing act on them), and the others.
HIDDEN = [f for f in FAMILIES if pp.fields.spec_for(f).mlp is not None]
NO_HIDDEN = [f for f in FAMILIES if f not in HIDDEN]
#: Families whose values sit at places in the image (splice by region).
PLACED = [f for f in FAMILIES if pp.fields.spec_for(f).region_values is not None]


@pytest.fixture(scope="module")
def seeded(tiny_fits, rgb32):
    """A second fit per family from another seed (same arch)."""
    return {f: pp.fit(rgb32, a.arch, steps=30, seed=1, progress=False) for f, a in tiny_fits.items()}


@pytest.fixture(scope="module")
def shared(tiny_fits, rgb32):
    """A second fit per family started from the first one's weights."""
    return {f: pp.fit(rgb32, a.arch, steps=10, seed=2, init_from=a, progress=False) for f, a in tiny_fits.items()}


def snapshot(fit):
    return {k: v.detach().clone() for k, v in fit.model.state_dict().items()}, fit.edits, dict(fit.masks)


def assert_unchanged(fit, snap):
    state, edits, masks = snap
    for k, v in fit.model.state_dict().items():
        assert torch.equal(v, state[k]), k
    assert fit.edits == edits and fit.masks.keys() == masks.keys()


def prunable(fit):
    return sum(p.numel() for p in fit.model.parameters())


@pytest.mark.parametrize("family", FAMILIES)
def test_identities(tiny_fits, family):
    a = tiny_fits[family]
    ref = a.render()
    for g in (pp.edit.prune(a, 0.0), pp.edit.quantize(a, 32), pp.edit.noise(a, 0.0)):
        np.testing.assert_array_equal(g.render(), ref)
        assert g is not a and g.model is not a.model
        assert g.edits[-1]["name"] in ("prune", "quantize", "noise") and len(g.edits) == len(a.edits) + 1
        assert g.n_params == a.n_params and g.storage_bits == 32 * a.n_params


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["magnitude", "random"])
@pytest.mark.parametrize("amount", [0.3, 0.8, 0.95])
def test_prune_fraction(tiny_fits, family, method, amount):
    a = tiny_fits[family]
    g = pp.edit.prune(a, amount, method)
    n = prunable(a)
    zeros = n - g.n_effective
    assert abs(zeros - round(amount * n)) <= 1
    assert sum(int((~m).sum()) for m in g.masks.values()) == round(amount * n)
    assert g.n_params == a.n_params and g.storage_bits < a.storage_bits
    if method == "magnitude":  # every kept value is at least as large as every pruned one
        vals = torch.cat([p.detach().abs().flatten() for p in a.model.parameters()])
        keep = torch.cat(
            [g.masks.get(k, torch.ones_like(p, dtype=torch.bool)).flatten() for k, p in a.model.named_parameters()]
        )
        assert vals[keep].min() >= vals[~keep].max()


def test_prune_again_keeps_earlier_zeros(tiny_fits):
    a = tiny_fits["siren"]
    once = pp.edit.prune(a, 0.5, "random", seed=3)
    twice = pp.edit.prune(once, 0.7)
    for k, m in once.masks.items():
        assert not twice.masks[k][~m].any()
    assert prunable(a) - twice.n_effective == round(0.7 * prunable(a))


@pytest.mark.parametrize("family", HIDDEN)
def test_structured_prune_is_smaller_and_equals_masked(tiny_fits, family):
    a = tiny_fits[family]
    g = pp.edit.prune(a, 0.5, "neurons")
    assert g.n_params == pp.n_trainable(g.model) == g.arch.n_params < a.n_params
    assert all(w < w0 for w, w0 in zip(g.arch.widths, a.arch.widths, strict=True))
    # the masked original: removed units get zero incoming weights and bias
    masked = copy.deepcopy(a.model)
    layers = pp.fields.hidden_layers(masked)
    with torch.no_grad():
        for i, kept in enumerate(g.edits[-1]["kept"]):
            drop = torch.ones(layers[i].out_features, dtype=torch.bool)
            drop[kept] = False
            layers[i].weight[drop] = 0
            layers[i].bias[drop] = 0
    ref = pp.Fit(**{**a.__dict__, "model": masked}).render()
    np.testing.assert_allclose(g.render(), ref, atol=1e-5)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("bits", [8, 4, 3, 2])
def test_quantize_levels(tiny_fits, family, bits):
    a = tiny_fits[family]
    g = pp.edit.quantize(a, bits)
    for name, p in g.model.named_parameters():
        assert torch.unique(p).numel() <= 2**bits, name
        assert torch.equal(g.grids[name].project(p), p)
    assert g.storage_bits == sum(bits * p.numel() + 64 for p in a.model.parameters())


def test_quantize_per_channel_and_half(tiny_fits):
    a = tiny_fits["relu"]
    g = pp.edit.quantize(a, 3, per_channel=True)
    w = g.model.mlp.layers[1].weight
    assert all(torch.unique(row).numel() <= 8 for row in w)
    assert torch.unique(w).numel() > 8  # rows have their own grids
    h = pp.edit.quantize(a, 16)
    for p in h.model.parameters():
        assert torch.equal(p, p.half().float())
    assert abs(h.psnr - a.psnr) < 0.05


def test_noise_is_seeded_and_relative(tiny_fits):
    a = tiny_fits["siren"]
    g1, g2, g3 = pp.edit.noise(a, 0.1, seed=1), pp.edit.noise(a, 0.1, seed=1), pp.edit.noise(a, 0.1, seed=2)
    np.testing.assert_array_equal(g1.render(), g2.render())
    assert not np.array_equal(g1.render(), g3.render())
    for (_, p), q in zip(a.model.named_parameters(), g1.model.parameters(), strict=True):
        if p.numel() > 100:
            ratio = float((q - p).detach().std() / p.detach().std())
            assert 0.07 < ratio < 0.13


def test_positional_noise_seed_is_deprecated(tiny_fits):
    a = tiny_fits["siren"]
    with pytest.warns(DeprecationWarning, match=r"noise\(fit, scale, seed=\.\.\.\)"):
        old = pp.edit.noise(a, 0.1, 1)
    new = pp.edit.noise(a, 0.1, seed=1)
    np.testing.assert_array_equal(old.render(), new.render())
    assert old.edits == new.edits


@pytest.mark.parametrize("family", HIDDEN)
def test_align_preserves_function(tiny_fits, seeded, family):
    a, b = tiny_fits[family], seeded[family]
    al = pp.edit.align(a, b)
    np.testing.assert_allclose(al.render(), b.render(), atol=1e-5)
    assert al.edits[-1]["name"] == "align"


def test_align_moves_b_towards_a(tiny_fits, seeded):
    a, b = tiny_fits["siren"], seeded["siren"]
    al = pp.edit.align(a, b)

    def dist(x, y):
        return sum(
            float((p - q).detach().square().sum())
            for p, q in zip(x.model.parameters(), y.model.parameters(), strict=True)
        )

    assert dist(a, al) < dist(a, b)
    assert al.edits[-1]["flips"] > 0  # SIREN's sign symmetry is used


def test_align_self_is_identity(tiny_fits):
    a = tiny_fits["siren"]
    al = pp.edit.align(a, a)
    for p, q in zip(a.model.parameters(), al.model.parameters(), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("family", FAMILIES)
def test_blend_ends(tiny_fits, shared, family):
    a, b = tiny_fits[family], shared[family]
    np.testing.assert_array_equal(pp.edit.blend(a, b, 0.0).render(), a.render())
    np.testing.assert_allclose(pp.edit.blend(a, b, 1.0).render(), b.render(), atol=1e-5)
    np.testing.assert_array_equal(pp.edit.blend(a, b, 1.0, align=False).render(), b.render())


@pytest.mark.parametrize("family", HIDDEN)
def test_splice_self_is_identity(tiny_fits, family):
    a = tiny_fits[family]
    ref = a.render()
    for kw in ({"layers": [0, -1]}, {"neurons": 0.5}, {"neurons": [0, 2]}):
        np.testing.assert_array_equal(pp.edit.splice(a, a, **kw).render(), ref)


@pytest.mark.parametrize("family", PLACED)
def test_splice_region_self_is_identity_and_takes_only_the_region(tiny_fits, shared, family):
    a, b = tiny_fits[family], shared[family]
    np.testing.assert_array_equal(pp.edit.splice(a, a, region=(0, 0, 8, 8)).render(), a.render())
    g = pp.edit.splice(a, b, region=(0, 0, 8, 8))
    assert 0 < g.edits[-1]["values"] < a.n_params and g.n_params == a.n_params
    changed = sum(int((p != q).sum()) for p, q in zip(g.model.parameters(), a.model.parameters(), strict=True))
    assert 0 < changed <= g.edits[-1]["values"]


@pytest.mark.parametrize("family", NO_HIDDEN)
def test_edits_without_hidden_units_name_the_ones_that_apply(tiny_fits, seeded, family):
    a = tiny_fits[family]
    applies = r"the edits that apply to it are prune \(magnitude, random\), .*quantize, noise, blend, heal, qat"
    ops = (
        lambda: pp.edit.align(a, seeded[family]),
        lambda: pp.edit.splice(a, a, layers=[0]),
        lambda: pp.edit.splice(a, a, neurons=0.5),
    )
    for op in ops:
        with pytest.raises(pp.EditError, match=r"no hidden units to align.*" + applies):
            op()
    if pp.fields.spec_for(family).units is None:
        with pytest.raises(pp.EditError, match=applies):
            pp.edit.prune(a, 0.5, "neurons")
    if family not in PLACED:
        with pytest.raises(pp.EditError, match=r"no values tied to a region.*" + applies):
            pp.edit.splice(a, a, region=(0, 0, 4, 4))


@pytest.mark.parametrize("family", NO_HIDDEN)
def test_families_without_hidden_units_name_the_edits_that_apply(tiny_fits, seeded, family):
    a, b = tiny_fits[family], seeded[family]
    spec = pp.fields.spec_for(family)
    edits = (
        lambda: pp.edit.align(a, b),
        lambda: pp.edit.splice(a, b, neurons=0.5, align=False),
        lambda: pp.edit.splice(a, b, layers=[0]),
    )
    for edit in edits:
        with pytest.raises(pp.EditError, match=r"no hidden units.*apply to it are prune \(magnitude, random\)"):
            edit()
    ref = a.render()
    if spec.region_values is not None:  # a region splice of a fit with itself changes nothing
        np.testing.assert_array_equal(pp.edit.splice(a, a, region=(0, 0, 16, 16)).render(), ref)
    if spec.tables:
        np.testing.assert_array_equal(pp.edit.splice(a, a, layers=list(spec.tables)).render(), ref)
    if spec.units is not None:  # structured pruning drops whole units and plans the smaller Arch exactly
        n = int(a.arch.options[spec.unit_option])
        g = pp.edit.prune(a, 0.5, "neurons")
        assert int(g.arch.options[spec.unit_option]) == n - round(0.5 * n) == len(g.edits[-1]["kept"])
        assert g.n_params == pp.n_trainable(g.model) == g.arch.n_params < a.n_params


def test_splice_takes_from_b(tiny_fits, shared):
    a, b = tiny_fits["relu"], shared["relu"]
    g = pp.edit.splice(a, b, layers=[1], align=False)
    assert torch.equal(g.model.mlp.layers[1].weight, b.model.mlp.layers[1].weight)
    assert torch.equal(g.model.mlp.layers[0].weight, a.model.mlp.layers[0].weight)
    g = pp.edit.splice(a, b, neurons=[3], align=False)
    assert torch.equal(g.model.mlp.layers[0].weight[3], b.model.mlp.layers[0].weight[3])
    assert torch.equal(g.model.mlp.layers[1].weight[:, 3], b.model.mlp.layers[1].weight[:, 3])
    assert torch.equal(g.model.mlp.layers[0].weight[2], a.model.mlp.layers[0].weight[2])


def test_positional_splice_options_are_deprecated(tiny_fits, shared):
    a, b = tiny_fits["relu"], shared["relu"]
    with pytest.warns(DeprecationWarning, match=r"splice\(a, b, layers=\.\.\., neurons=\.\.\., align=\.\.\.\)"):
        old = pp.edit.splice(a, b, [1], None, False)
    new = pp.edit.splice(a, b, layers=[1], align=False)
    np.testing.assert_array_equal(old.render(), new.render())
    assert old.edits == new.edits
    with pytest.warns(DeprecationWarning, match=r"write splice\(a, b, layers=\.\.\.\)"):
        old = pp.edit.splice(a, b, [0], align=False)
    np.testing.assert_array_equal(old.render(), pp.edit.splice(a, b, layers=[0], align=False).render())
    with pytest.raises(TypeError, match="multiple values for argument 'layers'"):
        pp.edit.splice(a, b, [0], layers=[1])
    with pytest.raises(TypeError):
        pp.edit.splice(a, b, [0], None, False, "extra")  # more than the old signature took


def test_splice_region_hashgrid(tiny_fits, shared):
    a, b = tiny_fits["hashgrid"], shared["hashgrid"]
    g = pp.edit.splice(a, b, region=(0, 0, 16, 16), align=False)
    ra, rb, rg = a.render(), b.render(), g.render()
    # inside the region the render is b's exactly (same MLP, b's table entries)
    np.testing.assert_allclose(rg[:16, :16], pp.edit.splice(a, b, layers=["table"], align=False).render()[:16, :16])
    assert 0 < g.edits[-1]["table_entries"] < a.model.table.shape[0]
    assert g.edits[-1]["values"] == g.edits[-1]["table_entries"] * a.model.table.shape[1]
    assert np.abs(rg[:16, :16] - ra[:16, :16]).max() > 0 and rb is not None
    with pytest.raises(
        pp.EditError,
        match=r"no values tied to a region.*apply to it are prune \(magnitude, random\), "
        r"prune \(neurons\), align, splice \(layers, neurons\), quantize",
    ):
        pp.edit.splice(tiny_fits["siren"], tiny_fits["siren"], region=(0, 0, 4, 4))
    with pytest.raises(pp.EditError, match="rectangle"):
        pp.edit.splice(a, b, region=(0, 0, 99, 4))


def test_incompatible_fits_raise(tiny_fits, rgb32, gray24):
    a = tiny_fits["siren"]
    other = pp.fit(rgb32, 800, "siren", steps=2, progress=False)
    for op in (lambda: pp.edit.blend(a, other, 0.5), lambda: pp.edit.splice(a, other, layers=[0])):
        with pytest.raises(pp.EditError, match="same architecture"):
            op()
    with pytest.raises(pp.EditError, match="same architecture"):
        pp.edit.align(a, tiny_fits["relu"])
    f0 = tiny_fits["fourier"]
    f1 = pp.fit(rgb32, f0.arch, steps=2, seed=5, progress=False)
    with pytest.raises(pp.EditError, match="different fixed"):
        pp.edit.blend(f0, f1, 0.5)
    with pytest.raises(pp.EditError, match="layers=, neurons= or region="):
        pp.edit.splice(a, a)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: pp.edit.prune(f, 1.5), "amount=1.5"),
        (lambda f: pp.edit.prune(f, 0.5, "l1"), "method='l1'"),
        (lambda f: pp.edit.quantize(f, 1), "bits=1"),
        (lambda f: pp.edit.quantize(f, 24), "bits=24"),
        (lambda f: pp.edit.noise(f, -1), "scale=-1"),
        (lambda f: pp.edit.blend(f, f, 2), "alpha=2"),
        (lambda f: pp.edit.splice(f, f, neurons=[999]), "neurons contains"),
        (lambda f: pp.edit.prune("model.safetensors", 0.5), "must be a pixparam Fit"),
    ],
)
def test_bad_arguments(tiny_fits, call, message):
    with pytest.raises(pp.EditError, match=message):
        call(tiny_fits["relu"])


OPS = [
    lambda a, b, x: pp.edit.prune(a, x),
    lambda a, b, x: pp.edit.prune(a, x, "random", seed=1),
    lambda a, b, x: pp.edit.prune(a, x, "neurons"),
    lambda a, b, x: pp.edit.quantize(a, 2 + int(x * 14)),
    lambda a, b, x: pp.edit.noise(a, x),
    lambda a, b, x: pp.edit.align(a, b),
    lambda a, b, x: pp.edit.splice(a, b, neurons=x),
    lambda a, b, x: pp.edit.blend(a, b, x),
    lambda a, b, x: pp.edit.quantize(pp.edit.prune(a, x), 4),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(range(len(OPS))), family=st.sampled_from(["siren", "hashgrid"]), x=st.floats(0, 1))
def test_no_operator_mutates_its_inputs(tiny_fits, shared, op, family, x):
    a, b = tiny_fits[family], shared[family]
    sa, sb = snapshot(a), snapshot(b)
    out = OPS[op](a, b, x)
    assert_unchanged(a, sa)
    assert_unchanged(b, sb)
    assert out.model is not a.model and out.model is not b.model
    assert all(p.data_ptr() != q.data_ptr() for p in out.model.parameters() for q in a.model.parameters())


@pytest.mark.parametrize("family", ["siren", "hashgrid"])
def test_heal_keeps_masks_and_grids(tiny_fits, family):
    a = tiny_fits[family]
    edited = pp.edit.quantize(pp.edit.prune(a, 0.6), 4)
    healed = pp.edit.heal(edited, steps=15)
    assert healed.psnr >= edited.psnr  # best weights are kept, so healing never loses
    if family == "siren":
        assert healed.psnr > edited.psnr + 0.1
    for name, p in healed.model.named_parameters():
        m = healed.masks.get(name)
        if m is not None:
            assert not p[~m].any(), name
        kept = p if m is None else p[m]
        assert torch.equal(healed.grids[name].project(kept), kept), name
    assert healed.n_effective <= edited.n_effective
    assert healed.edits[-1]["name"] == "heal" and [e["name"] for e in healed.edits[:-1]] == ["prune", "quantize"]


def test_heal_needs_the_image(tiny_fits, tmp_path, gray24):
    loaded = pp.load(tiny_fits["relu"].save(tmp_path / "m.safetensors"))
    with pytest.raises(pp.EditError, match="pass image="):
        pp.edit.heal(loaded, steps=2)
    with pytest.raises(pp.EditError, match="shape"):
        pp.edit.heal(loaded, gray24, steps=2)


@pytest.mark.parametrize("family", ["siren", "hashgrid"])
def test_checkpoint_round_trip_of_edited_fit(tiny_fits, tmp_path, family):
    a = tiny_fits[family]
    g = pp.edit.quantize(pp.edit.prune(a, 0.5), 3, per_channel=True)
    g = pp.edit.prune(g, 0.3, "neurons")
    back = pp.load(g.save(tmp_path / "e.safetensors"), device="cpu")
    np.testing.assert_array_equal(back.render(), g.render())
    assert back.arch == g.arch and back.edits == tuple(g.edits)
    assert back.masks.keys() == g.masks.keys() and all(torch.equal(back.masks[k], g.masks[k]) for k in g.masks)
    assert back.grids.keys() == g.grids.keys()
    for k, grid in g.grids.items():
        assert back.grids[k].bits == grid.bits and (grid.lo is None or torch.equal(back.grids[k].lo, grid.lo))
    assert back.n_effective == g.n_effective and back.storage_bits == g.storage_bits


def test_init_from(tiny_fits, shared, rgb32):
    a, b = tiny_fits["fourier"], shared["fourier"]
    assert torch.equal(a.model.B, b.model.B)
    assert "init_from" in b.config
    with pytest.raises(pp.BudgetError, match="init_from"):
        pp.fit(rgb32, 900, "fourier", steps=1, init_from=a, progress=False)
    zero = pp.fit(rgb32, a.arch, steps=1, lr=1e-12, init_from=a, progress=False)
    np.testing.assert_allclose(zero.render(), a.render(), atol=1e-4)


def test_checkpoint_with_a_stray_edit_mask_is_refused(tiny_fits, tmp_path):
    from safetensors import safe_open
    from safetensors.torch import save_file

    path = pp.edit.prune(tiny_fits["relu"], 0.5).save(tmp_path / "e.safetensors")
    with safe_open(str(path), "pt") as fh:
        meta, tensors = fh.metadata(), {k: fh.get_tensor(k) for k in fh.keys()}
    tensors["edit.mask:mlp.layers.9.weight"] = torch.ones(3, 3, dtype=torch.bool)
    save_file(tensors, str(path), metadata=meta)
    with pytest.raises(pp.CheckpointError, match=r"edit mask for 'mlp\.layers\.9\.weight' does not match"):
        pp.load(path)


def test_applicable_edits_follow_the_registry():
    assert pp.edit.applicable("siren") == [
        "prune (magnitude, random)",
        "prune (neurons)",
        "align",
        "splice (layers, neurons)",
        "quantize",
        "noise",
        "blend",
        "heal",
        "qat",
    ]
    assert "splice (region)" in pp.edit.applicable("hashgrid") and "align" in pp.edit.applicable("hashgrid")
    grid = pp.edit.applicable("grid")
    assert "splice (region)" in grid and "align" not in grid and "prune (neurons)" not in grid
    with pytest.raises(pp.BudgetError, match="unknown family 'nope'"):
        pp.edit.applicable("nope")
    assert pp.edit.check_region((0, 1, 2, 3), (4, 4)) == (0, 1, 2, 3)
    with pytest.raises(pp.EditError, match=r"region=\(0, 0, 5, 1\) is not a non-empty rectangle inside the 4×4 image"):
        pp.edit.check_region((0, 0, 5, 1), (4, 4))
