"""Experiments on tiny settings: records and columns, K=1 equality, no leaks, power-law recovery, cache."""

from __future__ import annotations

import csv
import itertools
import json
import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import pixparam as pp
from pixparam import experiments as ex

CPU = {"device": "cpu", "progress": False}


@pytest.fixture(scope="module")
def tiles4() -> list[np.ndarray]:
    return ex.tiles("astronaut", 4, size=12)


@pytest.fixture(scope="module")
def crowd(tiles4) -> ex.ExperimentResult:
    return ex.crowding(tiles4, 900, ["siren", "hashgrid"], ks=(1, 2, 4), steps=8, seeds=1, **CPU)


@pytest.fixture(scope="module")
def gen(gray16) -> ex.ExperimentResult:
    return ex.generalisation(gray16, [60, 200, 600], ["siren", "relu"], steps=[5, 10], seeds=3, **CPU)


@pytest.fixture(scope="module")
def gray16() -> np.ndarray:
    return pp.load_image("camera", size=16)


# --------------------------------------------------------------------------- crowding


def test_tiles_cut_one_image_in_raster_order():
    ts = ex.tiles("camera", 4, size=8)
    big = pp.load_image(pp.load_image("camera")[:, :], size=(16, 16))
    assert [t.shape for t in ts] == [(8, 8, 1)] * 4
    np.testing.assert_array_equal(ts[1], big[:8, 8:])
    np.testing.assert_array_equal(ts[2], big[8:, :8])
    with pytest.raises(ValueError, match="positive integer"):
        ex.tiles("camera", 0)


def test_crowding_records(crowd):
    assert set(crowd.columns) == set(ex.crowding.__globals__["COLUMNS"])
    for r in crowd.records:
        assert set(r) == set(crowd.columns)
    # per method and family: sum over K of K images
    for fam in ("siren", "hashgrid", "pixels"):
        assert len(crowd.select(family=fam)) == 3 * 4  # every K reports all 4 images
        for k in (1, 2, 4):
            assert sorted(r["image"] for r in crowd.select(family=fam, k=k)) == [0, 1, 2, 3]
    assert {r["group"] for r in crowd.select(family="siren", k=2)} == {0, 1}
    for r in crowd.select(method="network"):
        assert r["n_params"] <= 900 and r["n_params"] >= 0.9 * 900
        assert (r["n_embedding"] == 0) == (r["k"] == 1)
    for r in crowd.select(method="pixels"):
        assert r["n_params"] <= 900 and r["values_per_image"] <= 900 / r["k"]
    assert crowd.images["siren/4/900/0"].shape == (4, 12, 12, 3)
    assert crowd.images["siren/1/900/0"].shape == (4, 12, 12, 3)
    assert crowd.meta["trained"] == 2 * (4 + 2 + 1) and crowd.meta["cached"] == 0


@pytest.mark.parametrize("family", ["siren", "hashgrid"])
def test_crowding_k1_is_exactly_a_plain_fit(tiles4, crowd, family):
    """K=1 has no embedding and trains with fit's loop: bit-identical on the CPU."""
    f = pp.fit(tiles4[0], 900, family, steps=8, seed=0, device="cpu", progress=False)
    (rec,) = crowd.select(method="network", family=family, k=1, image=0)
    assert rec["n_params"] == f.n_params
    assert rec["psnr"] == f.psnr
    np.testing.assert_array_equal(crowd.images[f"{family}/1/900/0"][0], f.render())


def test_crowding_k1_differs_from_another_seed(tiles4, crowd):
    """The equality above can fail: a different seed gives a different PSNR."""
    f = pp.fit(tiles4[0], 900, "siren", steps=8, seed=1, device="cpu", progress=False)
    assert crowd.select(method="network", family="siren", k=1, image=0)[0]["psnr"] != f.psnr


def test_crowding_needs_enough_images(tiles4):
    with pytest.raises(pp.ImageError, match="4 images were given"):
        ex.crowding(tiles4, 900, "siren", ks=(8,), steps=1, **CPU)
    with pytest.raises(ValueError, match="must divide 4"):
        ex.crowding(tiles4, 900, "siren", ks=(3, 4), steps=1, **CPU)


def test_crowding_first_k_only(tiles4):
    r = ex.crowding(tiles4, 900, "siren", ks=(1, 3), every=False, steps=2, **CPU)
    assert sorted(x["image"] for x in r.select(method="network")) == [0, 0, 1, 2]
    assert r.images["siren/3/900/0"].shape[0] == 3 and r.meta["trained"] == 2


#: Families whose first hidden layer can take a K-image embedding (an MLP with a known first-layer init).
EMBEDDABLE = [f for f in pp.FAMILIES if pp.fields.spec_for(f).mlp and pp.fields.spec_for(f).first_layer_bound]


def test_families_without_an_mlp_refuse_an_embedding():
    for family in sorted(set(pp.FAMILIES) - set(EMBEDDABLE)):
        with pytest.raises(pp.BudgetError, match=f"{family} has no MLP to take an image embedding; use embed_dim=0"):
            ex.plan_multi(3000, family, 2, 3, resolution=32)
        assert ex.plan_multi(3000, family, 2, 3, resolution=32, embed_dim=0).n_embedding == 0


@pytest.mark.parametrize("family", EMBEDDABLE)
@pytest.mark.parametrize("k", [2, 16])
def test_embedding_counts_toward_the_exact_budget(family, k):
    m = ex.plan_multi(3000, family, k, 3, resolution=32)
    model = ex.MultiField(m, seed=0)
    assert pp.n_trainable(model) == m.n_params <= 3000
    assert m.n_params >= 0.95 * 3000
    assert m.n_embedding == k * 4 + 4 * m.base.width > 0
    out = model(torch.tensor([[0.1, -0.2, 0.0], [0.1, -0.2, float(k - 1)]]))
    assert out.shape == (2, 3) and not torch.equal(out[0], out[1])  # the index changes the output


@pytest.mark.parametrize("family", [f for f in pp.FAMILIES if pp.fields.spec_for(f).mlp is None])
def test_a_family_without_an_mlp_takes_no_image_embedding(family):
    with pytest.raises(pp.BudgetError, match=f"{family} has no MLP to take an image embedding; use embed_dim=0"):
        ex.plan_multi(3000, family, 2, 3, resolution=32)


def test_plan_multi_refuses_an_embedding_bigger_than_the_budget():
    with pytest.raises(pp.BudgetError, match="embedding"):
        ex.plan_multi(50, "siren", 16, 3, embed_dim=4)


def test_multifield_without_embedding_is_the_family_network():
    m = ex.plan_multi(1000, "relu", 1, 1)
    assert m.embed_dim == 0 and m.n_params == pp.plan(1000, "relu", 1).n_params
    xy = torch.rand(5, 2) * 2 - 1
    torch.testing.assert_close(ex.MultiField(m, seed=3)(xy), pp.build(m.base, seed=3)(xy), rtol=0, atol=0)


def test_plot_crowding(crowd):
    fig = ex.plot_crowding(crowd)
    assert isinstance(fig, Figure) and fig.get_figwidth() <= 7.2
    captions = [ax.get_xlabel() for ax in fig.axes]
    assert any("params/img · " in c and c.endswith("dB") for c in captions)


# --------------------------------------------------------------------------- generalisation


def test_split_is_disjoint_covering_and_seeded():
    tr, te = ex.split_pixels(100, 0.3, seed=4)
    assert len(tr) == 30 and len(te) == 70
    assert not set(tr) & set(te) and set(tr) | set(te) == set(range(100))
    np.testing.assert_array_equal(tr, ex.split_pixels(100, 0.3, seed=4)[0])
    assert not np.array_equal(tr, ex.split_pixels(100, 0.3, seed=5)[0])
    with pytest.raises(ValueError, match="strictly between"):
        ex.split_pixels(10, 1.0, seed=0)


def test_generalisation_records(gen, gray16):
    net = gen.select(method="network")
    assert len(net) == 2 * 3 * 2 * 3  # families × budgets × steps × seeds
    assert len(gen.select(method="interpolation")) == 3
    assert gen.meta["threshold"] == 128  # half of 16×16 gray pixels
    for r in gen.records:
        assert set(r) == set(gen.columns)
    for r in net:
        assert r["n_params"] <= r["budget"] and r["ratio"] == pytest.approx(r["n_params"] / 128)
        assert math.isfinite(r["train_psnr"]) and math.isfinite(r["test_psnr"])


def test_training_never_sees_held_out_pixels(gray16):
    """The training points are exactly the training pixels, and held-out values cannot change the result."""
    a = ex.generalisation(gray16, [200], "siren", steps=5, seeds=[2], **CPU)
    tr, te = ex.split_pixels(16 * 16, 0.5, seed=2)
    seen = pp.Points.from_image(gray16).subset(tr)
    full = pp.coords.grid(16, 16)
    assert seen.n == len(tr)
    torch.testing.assert_close(seen.coords, full[tr], rtol=0, atol=0)
    torch.testing.assert_close(seen.target[:, 0], torch.from_numpy(gray16.reshape(-1)[tr]), rtol=0, atol=0)
    # scramble every held-out pixel: train PSNR identical, test PSNR changes
    other = gray16.copy().reshape(-1, 1)
    other[te] = 1.0 - other[te]
    b = ex.generalisation(other.reshape(16, 16, 1), [200], "siren", steps=5, seeds=[2], **CPU)
    ra, rb = a.select(method="network")[0], b.select(method="network")[0]
    assert ra["train_psnr"] == rb["train_psnr"]
    assert ra["test_psnr"] != rb["test_psnr"]


def test_noise_only_touches_training_values(gray16):
    r = ex.generalisation(gray16, [200], "siren", steps=3, seeds=[0], noise=0.1, **CPU)
    (interp,) = r.select(method="interpolation")
    assert 15 < interp["clean_train_psnr"] < 25  # σ = 0.1 is 20 dB before clipping
    clean = ex.generalisation(gray16, [200], "siren", steps=3, seeds=[0], noise=0.0, **CPU)
    assert clean.select(method="interpolation")[0]["clean_train_psnr"] == math.inf  # no noise: the values as given


def test_generalisation_skips_budgets_below_a_family_minimum(gray16):
    r = ex.generalisation(gray16, [30, 200], "hashgrid", steps=2, seeds=1, **CPU)
    assert {x["budget"] for x in r.select(method="network")} == {200}
    assert len(r.meta["skipped"]) == 1 and "30" in r.meta["skipped"][0]


def test_plot_generalisation(gen):
    fig = ex.plot_generalisation(gen)
    assert isinstance(fig, Figure) and fig.get_figwidth() <= 7.2
    assert len(fig.axes) == 4  # held-out and train rows, one column per family


# --------------------------------------------------------------------------- scaling


@pytest.mark.parametrize(("E", "A", "alpha"), [(1e-4, 3.0, 0.6), (0.0, 0.5, 1.2), (2e-3, 40.0, 0.35)])
def test_power_law_recovers_known_exponents(E, A, alpha):
    rng = np.random.default_rng(0)
    p = np.repeat(np.geomspace(100, 1e6, 12), 3)
    loss = (E + A * p**-alpha) * np.exp(rng.normal(0, 0.02, p.size))  # 2 % multiplicative noise, 3 seeds
    law = ex.fit_power_law(p, loss)
    assert law.alpha == pytest.approx(alpha, rel=0.05)
    assert law.alpha_lo < law.alpha < law.alpha_hi
    assert law.alpha_lo <= alpha * 1.05 and law.alpha_hi >= alpha * 0.95
    np.testing.assert_allclose(law(p[:3]), E + A * p[:3] ** -alpha, rtol=0.1)
    assert law.inverse(law(1000.0)) == pytest.approx(1000.0, rel=1e-6)


def test_power_law_can_fail_the_check():
    """A different exponent is not recovered: the test above can fail."""
    p = np.geomspace(100, 1e6, 12)
    assert ex.fit_power_law(p, 3 * p**-0.9).alpha != pytest.approx(0.6, rel=0.05)


def test_power_law_without_a_floor_falls_back_to_a_pure_power_law():
    p = np.geomspace(100, 1e5, 8)
    law = ex.fit_power_law(p, 2 * p**-0.8)
    assert not law.has_floor and law.E == 0
    assert law.alpha == pytest.approx(0.8, rel=0.02) and law.alpha_lo < 0.8 < law.alpha_hi


def test_power_law_needs_points():
    with pytest.raises(ValueError, match="distinct sizes"):
        ex.fit_power_law([10, 10, 100], [1, 1, 0.5])


def test_scaling_records_tables_and_frontier(gray16, tmp_path):
    r = ex.scaling(gray16, [120, 300, 900], ["siren", "hashgrid"], steps=[3, 9], seeds=1, pixel_points=6, **CPU)
    net = r.select(method="network")
    assert len(net) == (3 + 2) * 2  # hashgrid cannot go as low as 120: skipped
    assert len(r.meta["skipped"]) == 1 and "hashgrid 120" in r.meta["skipped"][0]
    assert 4 <= len(r.select(method="pixels")) <= 6
    for x in net:
        assert x["compute"] == 6 * x["n_params"] * x["steps"] * 256
    assert {law["family"] for law in r.tables["laws"]} == {"siren", "hashgrid", "pixels"}
    assert "error" in next(law for law in r.tables["laws"] if law["family"] == "hashgrid")  # 2 sizes: no fit
    pix_law = next(law for law in r.tables["laws"] if law["family"] == "pixels")
    assert pix_law["alpha"] > 0
    assert {e["family"] for e in r.tables["exchange"]} == {"siren", "hashgrid"}
    fr = r.tables["frontier"]
    for fam in ("siren", "hashgrid"):
        pts = [x for x in fr if x["family"] == fam]
        assert [x["compute"] for x in pts] == sorted(x["compute"] for x in pts)
        assert all(a["mse"] > b["mse"] for a, b in itertools.pairwise(pts))  # every step of the frontier improves
    fig = ex.plot_scaling(r)
    assert isinstance(fig, Figure) and fig.get_figwidth() <= 7.2
    # JSON/CSV round trip
    r.save_json(tmp_path / "s.json")
    r.save_csv(tmp_path / "s.csv")
    back = ex.load_result(tmp_path / "s.json")
    assert back.records[0].keys() == r.records[0].keys() and len(back.records) == len(r.records)
    with open(tmp_path / "s.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(r.records) and tuple(rows[0]) == r.columns
    json.loads((tmp_path / "s.json").read_text())  # strict JSON: no NaN/Infinity tokens


def test_exchange_rate_interpolates_the_pixel_curve():
    recs = [
        {"method": "pixels", "n_params": n, "mse": 1.0 / n, "steps": 0, "family": "pixels"} for n in (10, 100, 1000)
    ] + [{"method": "network", "family": "siren", "n_params": 50, "steps": 5, "mse": 0.01}]
    (row,) = ex.exchange_rates(recs, 5)
    assert row["pixel_values"] == pytest.approx(100.0) and row["rate"] == pytest.approx(2.0) and row["bound"] == ""
    recs[-1]["mse"] = 1e-5  # better than every pixel count: a lower bound
    (row,) = ex.exchange_rates(recs, 5)
    assert row["bound"] == "at least" and row["pixel_values"] == 1000


def test_compute_frontier_keeps_only_improvements():
    recs = [
        {"method": "network", "family": "f", "n_params": p, "steps": s, "compute": p * s, "mse": m}
        for p, s, m in [(10, 1, 0.5), (10, 10, 0.4), (100, 1, 0.45), (100, 10, 0.1)]
    ]
    fr = ex.compute_frontier(recs)
    assert [(x["n_params"], x["steps"]) for x in fr] == [(10, 1), (10, 10), (100, 10)]


# --------------------------------------------------------------------------- cache and errors


def test_cache_resumes_and_a_second_run_trains_nothing(tmp_path, gray16):
    kw = {"steps": 4, "seeds": 2, "cache": tmp_path, **CPU}
    first = ex.generalisation(gray16, [100, 300], "siren", **kw)
    assert first.meta["trained"] == 4 and first.meta["cached"] == 0
    files = sorted((tmp_path / "generalisation").glob("*.json"))
    assert len(files) == 4
    files[0].unlink()  # as if interrupted before the last unit finished

    before = pp.training.networks_trained()
    again = ex.generalisation(gray16, [100, 300], "siren", **kw)
    assert again.meta["trained"] == 1 and again.meta["cached"] == 3
    assert pp.training.networks_trained() == before + 1
    third = ex.generalisation(gray16, [100, 300], "siren", **kw)
    assert third.meta["trained"] == 0 and pp.training.networks_trained() == before + 1
    assert third.records == again.records
    # what the reused units took to train, for a cost from an empty cache: every unit's own seconds
    net = [r["seconds"] for r in third.records if r["method"] == "network"]
    assert len(net) == 4 and min(net) > 0 and first.meta["cached_seconds"] == 0.0
    assert third.meta["cached_seconds"] == pytest.approx(sum(net))
    # another image is another key
    other = ex.generalisation(1 - gray16, [100], "siren", steps=4, seeds=[0], cache=tmp_path, **CPU)
    assert other.meta["trained"] == 1 and pp.training.networks_trained() == before + 2


def test_cache_keeps_crowding_reconstructions(tmp_path, tiles4):
    kw = {"ks": (2,), "steps": 3, "every": False, "cache": tmp_path, **CPU}
    a = ex.crowding(tiles4, 900, "siren", **kw)
    b = ex.crowding(tiles4, 900, "siren", **kw)
    assert b.meta["trained"] == 0
    # one unit fits K images at once: its seconds, on each of its rows, count once
    runs = {r["seconds"] for r in a.records if r["method"] == "network"}
    assert a.meta["cached_seconds"] == 0.0 and len(runs) == 1 and b.meta["cached_seconds"] == pytest.approx(*runs)
    np.testing.assert_array_equal(a.images["siren/2/900/0"], b.images["siren/2/900/0"])


def test_damaged_cache_file_is_recomputed(tmp_path, gray16):
    kw = {"steps": 2, "seeds": [0], "cache": tmp_path, **CPU}
    ex.generalisation(gray16, [100], "siren", **kw)
    (f,) = (tmp_path / "generalisation").glob("*.json")
    f.write_text("{not json")
    assert ex.generalisation(gray16, [100], "siren", **kw).meta["trained"] == 1


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda img: ex.scaling(img, [], "siren", **CPU), ValueError, "empty"),
        (lambda img: ex.scaling(img, [100], "nosuch", **CPU), pp.BudgetError, "unknown family"),
        (lambda img: ex.generalisation(img, [100], "siren", seeds=0, **CPU), ValueError, "seeds"),
        (lambda img: ex.generalisation(img, [100], "siren", noise=-1, **CPU), ValueError, "noise"),
        (lambda img: ex.generalisation(img, [100], "siren", steps=[0], **CPU), ValueError, "steps"),
    ],
)
def test_bad_arguments_raise_clear_errors(gray16, call, error, match):
    with pytest.raises(error, match=match):
        call(gray16)


def test_load_result_refuses_other_files(tmp_path):
    (tmp_path / "x.json").write_text('{"a": 1}')
    with pytest.raises(ValueError, match="not a pixparam experiment result"):
        ex.load_result(tmp_path / "x.json")


def test_public_names():
    assert pp.experiments is ex
    assert "experiments" in pp.__all__
    for name in ex.__all__:
        assert hasattr(ex, name)


def test_experiment_figures_draw_a_family_without_a_named_colour(newfam):
    """A family registered after the palette (here "newfam") gets a spare colour, as in the other figures."""
    import matplotlib.pyplot as plt

    img = pp.load_image("camera", size=10)
    gen = ex.generalisation(img, [60, 120], [newfam], steps=2, seeds=1, device="cpu", progress=False)
    law = ex.scaling(img, [60, 120, 240], [newfam], steps=[2, 3], device="cpu", progress=False)
    for fig in (ex.plot_generalisation(gen), ex.plot_scaling(law)):
        assert isinstance(fig, Figure) and fig.axes
        plt.close(fig)
