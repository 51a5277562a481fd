"""Experiments built on the sweep: image_scaling (laws across images) and emergence (regions over a ladder)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import pixparam as pp
from pixparam import experiments as ex
from pixparam.training import networks_trained


def test_abruptness_scores_a_step_as_one_and_an_even_rise_as_one_octave_in_k():
    ladder = [100 * 2**i for i in range(7)]  # six octaves
    assert ex.abruptness(ladder, [0, 0, 0, 1, 1, 1, 1])[0] == 1.0
    share, lo, hi = ex.abruptness(ladder, np.log2(ladder))
    assert share == pytest.approx(1 / 6) and hi / lo == 2
    assert ex.abruptness(ladder, [0, 2, 1, 1, 1, 1, 2]) == (1.0, 100.0, 200.0)  # a dip is not a loss
    assert math.isnan(ex.abruptness(ladder, [1, 1, 1, 1, 1, 1, 1])[0])


def test_bootstrap_law_recovers_an_exact_law_with_a_tight_interval():
    rng = np.random.default_rng(0)
    groups = [[(p, 3.0 * p**-0.7)] for p in (100, 200, 400, 800, 1600)]
    law = ex.bootstrap_law(groups, 50, rng)
    assert law["alpha"] == pytest.approx(0.7, rel=1e-3) and law["n_boot"] > 0
    assert law["alpha_lo"] <= 0.7 + 1e-3 and law["alpha_hi"] >= 0.7 - 1e-3


def test_image_scaling_fits_laws_per_image_and_pooled_and_resumes(tmp_path):
    # at 32 px coins is 24×32×1 = 768 values: at 800 it fits whole, and that budget leaves its laws
    kw = {"size": 32, "steps": 10, "seeds": 2, "n_boot": 20, "workers": 1, "cache": tmp_path, "progress": False}
    before = networks_trained()
    r = ex.image_scaling(["coins", "moon"], [100, 200, 400, 800], "siren", **kw)
    assert networks_trained() - before == 2 * 4 * 2 and r.meta["trained"] == 16
    assert len(r.select(method="network")) == 16 and len(r.select(method="pixels")) == 8
    laws = {(t["image"], t["family"]) for t in r.tables["laws"]}
    assert laws == {(i, f) for i in ("coins", "moon", "pooled") for f in ("siren", "pixels")}
    pooled = next(t for t in r.tables["laws"] if t["image"] == "pooled" and t["family"] == "siren")
    assert pooled["alpha_lo"] <= pooled["alpha"] <= pooled["alpha_hi"]
    coins_pixels = next(t for t in r.tables["laws"] if t["image"] == "coins" and t["family"] == "pixels")
    assert "alpha" in coins_pixels and math.isfinite(coins_pixels["alpha"])  # the lossless 800 is not in it
    assert [(t["budget"], t["n_images"]) for t in r.tables["versus"]] == [(100, 2), (200, 2), (400, 2), (800, 2)]
    assert [t["lossless_pixels"] for t in r.tables["versus"]] == [0, 0, 0, 1]
    assert len(r.tables["seeds"]) == 8 and all(t["psnr_std"] >= 0 for t in r.tables["seeds"])
    again = ex.image_scaling(["coins", "moon"], [100, 200, 400, 800], "siren", **kw)
    assert networks_trained() - before == 16 and again.meta["cached"] == 16
    assert again.tables["laws"] == r.tables["laws"]  # the bootstrap is seeded
    assert isinstance(ex.plot_image_scaling(r), Figure)


def test_emergence_measures_each_region_at_every_budget():
    regions = {"eye": (0.25, 0.29, 0.5, 0.46), "nose": (0.66, 0.48, 0.88, 0.63)}
    r = ex.emergence("chelsea", [100, 200, 400], "relu", regions=regions, size=24, steps=10, seeds=2, workers=1,
                     progress=False)  # fmt: skip
    assert len(r.records) == 3 * 2 * 3
    scored = [(t["region"], t["metric"]) for t in r.tables["abruptness"]]
    assert scored == [("global", "psnr"), ("global", "ssim"), ("eye", "ssim"), ("nose", "ssim")]
    assert all(0 <= t["share"] <= 1 or math.isnan(t["share"]) for t in r.tables["abruptness"])
    assert set(r.images) == {"image", "render:100", "render:200", "render:400"}
    t, left, b, right = r.meta["boxes"]["eye"]
    assert (t, b, left, right) == (4, 8, 6, 12)  # 16×24 image: rows 0.25·16 to 0.5·16, columns 0.29·24 to 0.46·24
    assert isinstance(ex.plot_emergence(r), Figure)
    tiles = ex.emergence("text", [100, 200], "relu", tiles=2, size=24, steps=5, seeds=1, workers=1, progress=False)
    assert tiles.meta["regions"] == ["tile 0,0", "tile 0,1", "tile 1,0", "tile 1,1"]


def test_emergence_refuses_a_bad_region_before_any_work():
    before = networks_trained()
    with pytest.raises(pp.ConfigError, match="region 'eye'"):
        ex.emergence("chelsea", [100, 200], regions={"eye": (0.5, 0.2, 0.4, 0.3)}, size=24, progress=False)
    assert networks_trained() == before
