"""The family registry: a new family is one module (here, this file) plus one ``register`` line.

The toy families below are planned, fitted, saved, loaded, rendered and edited
through the public API alone; nothing in pixparam names them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import pixparam as pp
from pixparam.arch import mlp_count
from pixparam.fields import MLP, FamilyDefaults, FamilySpec, Field
from pixparam.fields.planning import check_options, fill_mlp, int_option, mlp_bytes_per_point

#: The built-in families, in order, before any toy family here is registered.
BUILT_IN = tuple(pp.FAMILIES)


# --------------------------------------------------------------------------- a toy MLP family: cosine activations
class CosineMLP(Field):
    """``cos`` MLP on raw coordinates, weights U(±sqrt(6/fan_in)) from the build generator."""

    def __init__(self, arch: pp.Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        self.mlp = MLP(2, arch.widths, arch.channels, torch.cos)
        for layer in self.mlp.layers:
            bound = math.sqrt(6.0 / layer.in_features)
            with torch.no_grad():
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-1.0, 1.0, generator=generator)

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        return self.mlp(prepared)


def cosine_count(channels: int, widths: Sequence[int], options: Mapping[str, Any]) -> int:
    return mlp_count(2, widths, channels)


def cosine_plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> pp.Arch:
    check_options("cosine", options, {"depth"})
    depth = int_option(options, "depth", 2, 1)
    widths = fill_mlp(budget, depth, 2, lambda ws: cosine_count(channels, ws, {}), "cosine")
    return pp.Arch("cosine", channels, tuple(widths), cosine_count(channels, widths, {}), budget, 0, {})


COSINE = FamilySpec(
    name="cosine",
    module=CosineMLP,
    plan=cosine_plan,
    count=cosine_count,
    defaults=FamilyDefaults(lr=1e-2),
    bytes_per_point=mlp_bytes_per_point,
    first_layer_bound=lambda fan_in: math.sqrt(6.0 / fan_in),
    encoding="raw",
    activation="cos",
)


# --------------------------------------------------------------------------- a toy family without an MLP
class Lut(Field):
    """A ``side × side × C`` table of values read bilinearly: no hidden units at all."""

    def __init__(self, arch: pp.Arch, generator: torch.Generator) -> None:
        super().__init__(arch)
        side = int(arch.options["side"])
        self.values = torch.nn.Parameter(torch.zeros(1, arch.channels, side, side))

    def raw_prepared(self, prepared: torch.Tensor) -> torch.Tensor:
        grid = prepared.view(1, 1, -1, 2)
        out = F.grid_sample(self.values, grid, mode="bilinear", align_corners=False)  # (1, C, 1, N)
        return out[0, :, 0].T


def lut_plan(budget: int, channels: int, resolution: int, options: dict[str, Any]) -> pp.Arch:
    check_options("lut", options, set())
    side = math.isqrt(budget // channels)
    if side < 1:
        raise pp.BudgetError(f"budget {budget:,} is below the minimum of {channels} params for lut")
    return pp.Arch("lut", channels, (), side * side * channels, budget, 0, {"side": side})


LUT = FamilySpec(
    name="lut",
    module=Lut,
    plan=lut_plan,
    count=lambda channels, widths, options: options["side"] ** 2 * channels,
    defaults=FamilyDefaults(lr=5e-2),
    bytes_per_point=lambda arch: 64,
    mlp=None,
    tables=("values",),
    encoding="grid",
    activation="none",
)


@pytest.fixture
def toys() -> Iterator[None]:
    pp.fields.register(COSINE)
    pp.fields.register(LUT)
    try:
        yield
    finally:
        pp.fields.unregister("cosine")
        pp.fields.unregister("lut")


def test_a_registered_family_is_planned_fitted_saved_loaded_rendered_and_edited(toys, rgb32, tmp_path):
    assert tuple(pp.FAMILIES)[-2:] == ("cosine", "lut") and "cosine" in pp.FAMILIES
    arch = pp.plan("2k", "cosine", 3, depth=3)
    assert arch.n_params == pp.n_trainable(pp.build(arch)) <= 2000 and arch.n_params >= 0.97 * 2000
    assert arch.describe().startswith("cosine · ")
    f = pp.fit(rgb32, "2k", "cosine", steps=40, progress=False)
    assert f.arch == pp.plan("2k", "cosine", 3, resolution=32)  # the spec's default depth, at the image's size
    assert f.psnr > f.history.psnr[0]  # it learned
    assert f.config["lr"] == pytest.approx(1e-2)  # the spec's defaults reached the loop
    path = f.save(tmp_path / "cosine.safetensors")
    g = pp.load(path, device="cpu")
    assert g.arch == f.arch and np.array_equal(g.render(), f.render())
    assert g.render(size=64).shape == (64, 64, 3)
    # every edit applies to an MLP family the registry describes
    pruned = pp.edit.prune(f, 0.5, "neurons")
    assert pruned.n_params == pp.n_trainable(pruned.model) < f.n_params
    healed = pp.edit.heal(pp.edit.quantize(f, 6), steps=5, progress=False)
    assert healed.grids and healed.psnr > 0
    b = pp.fit(rgb32, f.arch, steps=40, seed=1, progress=False)
    aligned = pp.edit.align(f, b)
    np.testing.assert_allclose(aligned.render(), b.render(), atol=1e-5)  # same function, units reordered
    assert pp.edit.splice(f, b, layers=[0], align=False).edits[-1]["layers"] == [0]
    assert pp.edit.blend(f, b, 0.5).render().shape == rgb32.shape


def test_a_family_without_hidden_units_gets_the_edits_that_apply(toys, rgb32):
    f = pp.fit(rgb32, 300, "lut", steps=30, progress=False)
    assert f.arch.widths == () and f.n_params == 10 * 10 * 3
    assert f.arch.describe() == "lut · 300 params"
    assert f.psnr > f.history.psnr[0]
    assert pp.edit.prune(f, 0.5).n_effective == 150  # magnitude pruning needs no units
    q = pp.edit.quantize(f, 4, per_channel=True)
    assert q.grids["values"].n_groups == 1  # a table keeps one grid per tensor
    for edit in (lambda: pp.edit.prune(f, 0.5, "neurons"), lambda: pp.edit.align(f, f)):
        with pytest.raises(pp.EditError, match=r"no hidden units.*prune \(magnitude, random\), quantize"):
            edit()
    assert pp.edit.splice(f, f, layers=["values"], align=False).edits[-1]["layers"] == ["values"]


def test_registry_refuses_duplicates_and_names_the_families(toys):
    with pytest.raises(pp.BudgetError, match="already registered; pass replace=True"):
        pp.fields.register(COSINE)
    with pytest.raises(pp.BudgetError, match=r"unknown family 'nope'; choose one of grid, .*, relu, cosine, lut"):
        pp.plan(1000, "nope")
    assert pp.fields.spec_for("cosine") is COSINE
    half = dataclasses.replace(LUT, name="halfunits", units=lambda model: model.table.detach().abs().sum(dim=1))
    with pytest.raises(pp.BudgetError, match="family 'halfunits': units and unit_option go together"):
        pp.fields.register(half)
    assert "halfunits" not in pp.FAMILIES


def test_unregistered_family_disappears_everywhere(rgb32, tmp_path):
    pp.fields.register(COSINE)
    try:
        path = pp.fit(rgb32, 500, "cosine", steps=3, progress=False).save(tmp_path / "c.safetensors")
    finally:
        pp.fields.unregister("cosine")
    assert "cosine" not in pp.FAMILIES and tuple(pp.FAMILIES) == BUILT_IN
    with pytest.raises(pp.CheckpointError, match=r"a cosine network.*not registered.*pp\.fields\.register"):
        pp.load(path)


def test_families_is_a_live_read_only_view():
    view = pp.FAMILIES
    assert view == BUILT_IN and view == list(view) and len(view) == len(BUILT_IN)
    assert view[0] == "grid" and view[-1] == "relu" and repr(view) == repr(tuple(view))  # pixels to networks
    with pytest.raises(TypeError):
        view[0] = "x"  # type: ignore[index]
    pp.fields.register(LUT)
    try:
        assert view[-1] == "lut" and pp.fields.FAMILIES is view
    finally:
        pp.fields.unregister("lut")
