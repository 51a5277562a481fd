"""Issue #19's experiment figures: capped train PSNR and the noise level, held-out predictions, capped scaling
points left out of the fits, three scaling figures, K different images and lossless pixels in crowding."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import pixparam as pp
from pixparam import experiments as ex
from pixparam.budget import format_count
from pixparam.experiments.scaling_plot import CAPPED_COLOR, law_label
from pixparam.metrics import mse, psnr_from_mse

CPU = {"device": "cpu", "progress": False}


@pytest.fixture(scope="module")
def gray16() -> np.ndarray:
    return pp.load_image("camera", size=16)


@pytest.fixture(scope="module")
def gen(gray16) -> ex.ExperimentResult:
    return ex.generalisation(gray16, [60, 200, 600], ["siren", "hashgrid"], steps=40, seeds=2, noise=0.1, **CPU)


@pytest.fixture(scope="module")
def scal() -> ex.ExperimentResult:
    img = pp.load_image("coffee", size=12)  # 8×12×3 = 288 values
    return ex.scaling(img, [60, 120, 240, 480, 960], ["siren"], steps=[5, 40], pixel_points=8, **CPU)


# --------------------------------------------------------------------------- generalisation


def test_noise_level_is_the_measured_psnr_of_the_noisy_targets(gen, gray16):
    clean = gray16.reshape(-1, 1)
    levels = []
    for seed in (0, 1):
        train, _ = ex.split_pixels(16 * 16, 0.5, seed)
        mask = gen.images[f"mask/{seed}"].reshape(-1)
        np.testing.assert_array_equal(np.flatnonzero(mask), train)
        targets = gen.images[f"targets/{seed}"].reshape(-1, 1)[train]
        levels.append(psnr_from_mse(mse(clean[train], targets)))
        (interp,) = gen.select(method="interpolation", seed=seed)
        assert interp["clean_train_psnr"] == levels[-1]
    assert gen.meta["noise_psnr"] == pytest.approx(np.mean(levels), rel=1e-12)
    assert 15 < gen.meta["noise_psnr"] < 25  # σ = 0.1 is 20 dB before clipping
    fig = ex.plot_generalisation(gen)
    train_axes = [ax for ax in fig.axes if ax.get_ylabel() == "train PSNR (dB)"]
    (noise_line,) = [ln for ln in train_axes[0].lines if ln.get_linestyle() == "-."]
    assert set(noise_line.get_ydata()) == {gen.meta["noise_psnr"]}
    assert any(t.get_text() == "noise level" for t in train_axes[0].texts)


def test_noise_free_runs_have_no_noise_level(gray16):
    r = ex.generalisation(gray16, [200], "siren", steps=3, seeds=[0], **CPU)
    assert r.meta["noise_psnr"] == math.inf
    fig = ex.plot_generalisation(r)
    assert not [ln for ax in fig.axes for ln in ax.lines if ln.get_linestyle() == "-."]


def test_held_out_psnr_scores_only_held_out_pixels(gen, gray16):
    """Recompute every score from the stored predictions: held-out pixels only, exactly."""
    clean = gray16.reshape(-1, 1)
    for r in gen.select(method="network"):
        train, test = ex.split_pixels(256, 0.5, r["seed"])
        pred = gen.images[f"{r['family']}/{r['budget']}/{r['steps']}/{r['seed']}"].reshape(-1, 1)
        assert r["test_psnr"] == psnr_from_mse(mse(clean[test], pred[test]))
        assert r["test_psnr"] != psnr_from_mse(mse(clean, pred))  # not the whole image
        targets = gen.images[f"targets/{r['seed']}"].reshape(-1, 1)
        assert r["train_psnr"] == psnr_from_mse(mse(targets[train], pred[train]))
    for r in gen.select(method="interpolation"):
        train, test = ex.split_pixels(256, 0.5, r["seed"])
        filled = gen.images[f"interpolation/{r['seed']}"].reshape(-1, 1)
        np.testing.assert_array_equal(filled[train], gen.images[f"targets/{r['seed']}"].reshape(-1, 1)[train])
        assert r["test_psnr"] == psnr_from_mse(mse(clean[test], filled[test]))


def test_a_toy_whose_held_out_pixels_are_predictable_only_from_themselves():
    """A constant image whose held-out pixels are flipped: a perfect fit of the training pixels scores
    exactly the PSNR of the flip on the held-out pixels, whatever it does on the training ones."""
    img = np.full((8, 8, 1), 0.25, dtype=np.float32)
    _, test = ex.split_pixels(64, 0.5, seed=0)
    img.reshape(-1)[test] = 0.75
    r = ex.generalisation(img, [60], "relu", steps=60, seeds=[0], **CPU)
    (net,) = r.select(method="network")
    pred = r.images["relu/60/60/0"].reshape(-1).astype(np.float64)
    assert net["test_psnr"] == pytest.approx(psnr_from_mse(np.mean((pred[test] - 0.75) ** 2)), rel=1e-6)
    (interp,) = r.select(method="interpolation")
    # interpolating constant 0.25 training pixels gives 0.25 at every held-out pixel: error 0.5 everywhere
    assert interp["test_psnr"] == pytest.approx(psnr_from_mse(0.25), abs=1e-9)
    assert interp["train_psnr"] == math.inf


def test_train_psnr_is_capped_and_marked(gen):
    fig = ex.plot_generalisation(gen, train_cap=18.0)
    train_axes = [ax for ax in fig.axes if ax.get_ylabel() == "train PSNR (dB)"]
    assert train_axes and all(ax.get_ylim()[1] == 18.0 for ax in train_axes)
    arrows = [ln for ax in fig.axes for ln in ax.lines if ln.get_marker() == "^"]
    assert arrows and all(set(ln.get_ydata()) == {18.0} for ln in arrows)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "above 18 dB" in legend
    assert any(t.startswith("linear interpolation of train pixels (") for t in legend)
    assert any("±1 std over 2 seeds" in t for t in legend)
    with pytest.raises(pp.ConfigError, match="train_cap"):
        ex.plot_generalisation(gen, train_cap=0)


def test_generalisation_figure_wraps_families_and_draws_the_interpolation_baseline(gen):
    fig = ex.plot_generalisation(gen)
    assert fig.get_figwidth() == 7.2 and len(fig.axes) == 4
    held = [ax for ax in fig.axes if ax.get_ylabel() == "held-out PSNR (dB)"]
    mean = np.mean([r["test_psnr"] for r in gen.select(method="interpolation")])
    (line,) = [ln for ln in held[0].lines if ln.get_linestyle() == "--"]
    assert set(line.get_ydata()) == {mean}


def test_prediction_figure(gen):
    fig = ex.plot_generalisation_predictions(gen)
    assert isinstance(fig, Figure) and fig.get_figwidth() == 7.2
    assert len(fig.axes) == (1 + 2) * 3  # first row + one per family; three budgets (at least three columns)
    captions = [ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.axison]
    assert captions[:2] == ["original 16×16 px", "training pixels (50%),\nheld out in purple"]
    assert sum("held-out" in c for c in captions) == 1 + 3 + 2  # interpolation, siren ×3, hashgrid ×2 (60 skipped)
    with pytest.raises(pp.ConfigError, match="budget 7"):
        ex.plot_generalisation_predictions(gen, budgets=[7])
    back = ex.ExperimentResult(gen.name, gen.records, gen.columns, meta=gen.meta)
    with pytest.raises(pp.ConfigError, match="loaded from JSON"):
        ex.plot_generalisation_predictions(back)


def test_shown_budgets_spread_in_log_scale():
    from pixparam.experiments.generalisation_plot import shown_budgets

    assert shown_budgets([1, 2, 4]) == [1, 2, 4]
    assert shown_budgets(range(1, 9), 4) == [1, 3, 6, 8]


# --------------------------------------------------------------------------- scaling


def test_capped_points_are_flagged_and_left_out_of_the_fits(scal):
    total = 8 * 12 * 3
    pix = scal.select(method="pixels")
    assert [r["capped"] for r in pix] == [r["n_params"] >= total for r in pix]
    assert sum(r["capped"] for r in pix) == 1 and pix[-1]["mse"] == 0  # the full-resolution grid: lossless
    law = next(t for t in scal.tables["laws"] if t["family"] == "pixels")
    kept = [r for r in pix if not r["capped"]]
    assert law["n_capped"] == 1 and law["n_points"] == len(kept)
    assert law["alpha"] == ex.fit_power_law([r["n_params"] for r in kept], [r["mse"] for r in kept]).alpha
    for e in scal.tables["exchange"]:
        assert e["capped"] == bool(e["bound"])


@pytest.fixture(scope="module")
def saturated() -> ex.ExperimentResult:
    img = pp.load_image("coffee", size=12)
    return ex.scaling(img, [60, 120, 240, 480, 960], ["siren"], steps=[5, 40], pixel_points=8, saturation_db=20, **CPU)


def test_saturated_networks_are_capped_and_left_out(scal, saturated):
    r = saturated
    nets = r.select(method="network", steps=40)
    assert [x["capped"] for x in nets] == [x["psnr"] >= 20 for x in nets]
    capped = [x for x in nets if x["capped"]]
    assert capped and len(capped) < len(nets) - 2, "the toy must cap some networks and keep three"
    law = next(t for t in r.tables["laws"] if t["family"] == "siren")
    assert law["n_capped"] == len(capped) and law["n_points"] == len(nets) - len(capped)
    kept = [x for x in nets if not x["capped"]]
    assert law["alpha"] == ex.fit_power_law([x["n_params"] for x in kept], [x["mse"] for x in kept]).alpha
    assert all(f["capped"] == (f["psnr"] >= 20) for f in r.tables["frontier"])
    # the same records uncapped fit every point
    law_all = next(t for t in scal.tables["laws"] if t["family"] == "siren")
    assert law_all["n_capped"] == 0 and law_all["n_points"] == len(nets)


def test_laws_carry_bootstrap_intervals_and_say_when_poorly_determined(scal):
    for law in scal.tables["laws"]:
        assert law["alpha_lo"] <= law["alpha"] <= law["alpha_hi"] and law["n_boot"] > 0
        ratio_ok = law["alpha_lo"] > 0 and law["alpha_hi"] / law["alpha_lo"] <= 1.5
        assert law["well_determined"] == (ratio_ok and law["n_points"] >= 5)
    wide = {"family": "siren", "alpha": 2.02, "alpha_lo": 1.23, "alpha_hi": 2.80, "n_points": 5}
    assert law_label({**wide, "well_determined": False}) == (
        "siren: fit α = 2.02 [1.23, 2.80], poorly determined (5 points)"
    )
    assert law_label({**wide, "well_determined": True}) == "siren: fit α = 2.02 [1.23, 2.80]"
    again = ex.scaling(
        pp.load_image("coffee", size=12), [60, 120, 240, 480, 960], ["siren"], steps=[5, 40], pixel_points=8, **CPU
    )
    assert again.tables["laws"] == scal.tables["laws"]  # the bootstrap is seeded


def test_three_readable_scaling_figures(scal):
    laws, rate, frontier = ex.plot_scaling_laws(scal), ex.plot_exchange_rate(scal), ex.plot_compute_frontier(scal)
    for fig in (laws, rate, frontier):
        assert fig.get_figwidth() >= 7 and len(fig.axes) == 1
    (ax,) = laws.axes
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("siren: fit α = ") for t in texts) and any(t.startswith("pixels: fit α") for t in texts)
    assert "capped: lossless or saturated, not fitted" in texts
    assert any(t.get_text() == "capped\n(lossless)" for t in ax.texts)
    # markers are drawn above the fitted lines
    points = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_linestyle() == "None" and len(ln.get_xdata())]
    fits = [ln for ln in ax.lines if ln.get_marker() in ("None", "") and len(ln.get_xdata()) == 100]
    assert points and fits and min(p.get_zorder() for p in points) > max(f.get_zorder() for f in fits)
    if any(e["capped"] for e in scal.tables["exchange"]):
        assert any(ln.get_color() == CAPPED_COLOR for ln in rate.axes[0].lines)
    stacked = ex.plot_scaling(scal)
    assert len(stacked.axes) == 3 and stacked.get_figwidth() == 7.2


def test_the_frontier_stops_at_the_cap_with_saturated_runs_on_its_top_edge(saturated):
    (ax,) = ex.plot_compute_frontier(saturated).axes
    assert ax.get_ylim()[1] == 20  # not the saturated runs' PSNR
    fr = saturated.tables["frontier"]
    arrows = [ln for ln in ax.lines if ln.get_marker() == "^" and len(ln.get_xdata())]
    assert len(arrows) == sum(f["capped"] for f in fr) > 0
    assert all(ln.get_color() == CAPPED_COLOR and list(ln.get_ydata()) == [1.0] for ln in arrows)  # axes fraction
    (line,) = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_label().startswith("siren")]
    assert list(line.get_ydata()) == [f["psnr"] for f in fr if not f["capped"]]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "saturated (≥ 20 dB): on the top edge, not in the slope" in legend
    last = fr[-1]
    assert [t.get_text() for t in ax.texts] == [
        f"every frontier ends at {format_count(last['n_params'])} params × 40 steps"
    ]


def test_capped_is_written_once_a_column():
    # two families saturate at the same two budgets: one word a column, beside its highest point
    rows = [
        {"method": "network", "family": fam, "n_params": n, "steps": 40, "mse": mse, "capped": capped}
        for fam, scale in (("siren", 1.0), ("finer", 0.1))
        for n, mse, capped in ((100, 1e-2, False), (1000, 1e-7 * scale, True), (10000, 1e-9 * scale, True))
    ]
    result = ex.ExperimentResult("scaling", rows, tuple(rows[0]), meta={"families": ["siren", "finer"], "steps": [40]})
    (ax,) = ex.plot_scaling_laws(result).axes
    words = sorted((t.xy for t in ax.texts if t.get_text() == "capped"), key=lambda xy: xy[0])
    assert words == [(1000, 1e-7), (10000, 1e-9)]
    grey = [ln for ln in ax.lines if ln.get_color() == CAPPED_COLOR and len(ln.get_xdata())]
    assert len(grey) == 4


# --------------------------------------------------------------------------- crowding


def test_square_crops_are_different_images_of_one_shape():
    crops = ex.square_crops(["coffee", "chelsea", "moon", "rocket"], 16)
    assert [c.shape for c in crops] == [(16, 16, 3)] * 4  # the gray moon repeated into three channels
    for i in range(4):
        for j in range(i + 1, 4):
            assert not np.array_equal(crops[i], crops[j])
    np.testing.assert_array_equal(crops[2][..., 0], crops[2][..., 2])
    assert ex.square_crops(["moon", "coins"], 8)[0].shape == (8, 8, 1)
    assert ex.square_crops(["coffee"], 8, channels=1)[0].shape == (8, 8, 1)
    with pytest.raises(pp.ConfigError, match="size"):
        ex.square_crops(["coffee"], 0)
    with pytest.raises(pp.ConfigError, match="at least one image"):
        ex.square_crops([], 8)


@pytest.fixture(scope="module")
def crowd4() -> ex.ExperimentResult:
    imgs = ex.square_crops(["coffee", "chelsea", "moon", "rocket"], 12)  # 432 values each
    return ex.crowding(imgs, 600, ["siren", "hashgrid"], ks=(1, 2, 4), steps=8, **CPU)


def test_crowding_stores_k_different_images(crowd4):
    stack = crowd4.images["pixels/1/600/0"]
    assert stack.shape == (4, 12, 12, 3)
    assert len({stack[i].tobytes() for i in range(4)}) == 4


def test_crowding_plot_shows_every_family_and_lossless_pixels_at_k1(crowd4):
    assert all(r["psnr"] == math.inf for r in crowd4.select(family="pixels", k=1))  # 432 values ≤ 600
    fig = ex.plot_crowding(crowd4)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == (2 + 1) * 3  # siren, hashgrid and pixels rows × three K
    assert [ax.get_ylabel() for ax in images[::3]] == ["siren", "hashgrid", "pixels"]
    (line_ax,) = [ax for ax in fig.axes if not ax.images]
    assert any(t.get_text() == "pixels: lossless" for t in line_ax.texts)
    arrows = [ln for ln in line_ax.lines if ln.get_marker() == "^"]
    assert [list(ln.get_xdata()) for ln in arrows] == [[1]]
    from pixparam.figures.style import color_for

    assert {ln.get_label(): ln.get_color() for ln in line_ax.lines if ln.get_marker() == "o"} == {
        f: color_for(f) for f in ("siren", "hashgrid", "pixels")
    }
    one = ex.plot_crowding(crowd4, families=["hashgrid"])
    assert len([ax for ax in one.axes if ax.images]) == 2 * 3
    with pytest.raises(pp.ConfigError, match="family 'wire'"):
        ex.plot_crowding(crowd4, families=["wire"])
