from __future__ import annotations

import inspect
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import pixparam as pp
from pixparam import figures
from pixparam.capacity import law_crossing
from pixparam.figures import (
    MAX_WIDTH,
    FilmRecorder,
    capacity_table,
    compare,
    crossovers,
    draw_capacity,
    draw_image,
    plot_blend_strip,
    plot_capacity,
    plot_edit_curve,
    plot_edit_strip,
    plot_families,
    plot_film,
    plot_strip,
    power_law,
    save_figure,
    training_film,
)
from pixparam.jpeg import jpeg_at_most

#: Library code must not use its own deprecated call forms (the tests' own deliberate calls are caught by pytest.warns).
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:pixparam")


def _strip(rgb32):
    rows = {
        "pixels": [(rgb32, "a"), (rgb32, "b")],
        "siren": [(rgb32, "c"), (rgb32, "d")],
    }
    return plot_strip(rgb32, rows, column_titles=["1k", "4k"])


def test_plot_strip_panels(rgb32):
    fig = _strip(rgb32)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 1 + 4  # original + 2 rows × 2 budgets
    assert [ax.get_xlabel() for ax in shown] == ["original", "a", "b", "c", "d"]
    assert shown[1].get_ylabel() == "pixels" and shown[1].get_title() == "1k"
    assert fig.get_size_inches()[0] <= 7.2


def test_draw_image_gray_uses_unit_range(gray24):
    fig = Figure()
    ax = draw_image(fig.add_subplot(), gray24, caption="cap")
    im = ax.images[0]
    assert im.get_clim() == (0.0, 1.0) and im.get_interpolation() == "nearest"
    assert ax.get_xlabel() == "cap"


def test_positional_caption_is_deprecated(gray24):
    with pytest.warns(DeprecationWarning, match=r"draw_image\(ax, img, caption=\.\.\.\)"):
        ax = draw_image(Figure().add_subplot(), gray24, "cap")
    assert ax.get_xlabel() == "cap"


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_save_figure_formats(rgb32, tmp_path, suffix):
    path = save_figure(_strip(rgb32), tmp_path / f"f.{suffix}", dpi=60)
    data = path.read_bytes()
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[suffix]
    assert data.startswith(magic)
    if suffix == "png":
        with Image.open(path) as im:
            assert np.asarray(im).std() > 10  # not blank
    assert [p.name for p in tmp_path.iterdir()] == [f"f.{suffix}"]


def test_save_figure_rejects_unknown_format(rgb32, tmp_path):
    with pytest.raises(pp.OutputError, match="cannot save a figure as"):
        save_figure(_strip(rgb32), tmp_path / "f.doc")
    with pytest.raises(ValueError, match="cannot save a figure as"):  # OutputError is a ValueError, as before
        save_figure(_strip(rgb32), tmp_path / "f.doc")
    with pytest.raises(pp.OutputError, match="create it first"):
        save_figure(_strip(rgb32), tmp_path / "missing" / "f.png")


# --------------------------------------------------------------------------- compare, curves, films


@pytest.fixture(scope="module")
def img24():
    return pp.load_image("astronaut", size=24)


@pytest.fixture(scope="module")
def ladder(img24):
    """siren and relu at two budgets, 5 steps each, on a 24-px RGB image."""
    return [pp.fit(img24, b, f, steps=5, progress=False, device="cpu") for f in ("relu", "siren") for b in (800, 300)]


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def _captions(fig):
    return [ax.get_xlabel() for ax in fig.axes]


def test_compare_panels_and_captions(img24, ladder):
    fig = compare(img24, ladder)
    assert isinstance(fig, Figure) and fig.get_size_inches()[0] <= 7.2
    # original + (2 families + pixels) × 2 budgets
    assert len(_image_axes(fig)) == 1 + 3 * 2
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["image", "budget 300", "budget 800"]  # columns sorted by budget
    text = "\n".join(_captions(fig))
    for f in ladder:
        assert f"{f.psnr:.1f} dB" in text and f"{pp.format_count(f.n_params)} params" in text
    for b in (300, 800):
        pix = pp.pixelate(img24, b)
        assert f"{pix.shape[0]}×{pix.shape[1]} px · {pp.format_count(pix.n_values)} values" in text
        assert f"{pix.psnr:.1f} dB" in text
    assert [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()] == ["pixels", "siren", "relu"]  # pixels to networks


def test_compare_marks_a_budget_holding_the_whole_image_lossless(img24, ladder):
    whole = pp.fit(img24, 2000, "relu", steps=3, progress=False, device="cpu")  # 2,000 > 24·24·3 = 1,728 values
    fig = compare(img24, [*ladder[:2], whole])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[-1] == "budget 2k\n≥ the image's 1.7k values:\nlossless" and "lossless" not in titles[1]
    text = "\n".join(_captions(fig))
    assert f"{pp.format_count(whole.n_params)} params\n≥ the image's values" in text
    assert f"{whole.psnr:.1f} dB" not in text  # no dB for a network holding as many values as the image
    assert f"{ladder[0].psnr:.1f} dB" in text


def test_compare_errors_inset_smooth(img24, ladder):
    fig = compare(img24, ladder, rows=["siren", "pixels", "smooth"], errors=True, inset=(0.2, 0.2, 0.4, 0.4))
    main = [ax for ax in _image_axes(fig) if ax.get_xlabel()]
    # 3 rows × 2 budgets, each with an error row; no original
    assert len(main) == 12
    errs = [ax for ax in main if ax.get_xlabel().startswith("mean |error|")]
    assert len(errs) == 6
    assert len({ax.images[0].get_clim() for ax in errs}) == 1  # one shared colour scale
    insets = [child for ax in main for child in ax.child_axes if child.images]
    assert len(insets) == 12  # the same crop on every panel
    assert {tuple(np.round(ax.get_xlim(), 6)) for ax in insets} == {(4.3, 13.9)}
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_compare_match_bits_counts_bytes(img24, ladder):
    fig = compare(img24, ladder, match="bits", rows=["pixels"])
    pix = pp.pixelate(img24, 300, match="bits")
    assert pix.n_values <= 1200
    assert f"{pp.format_count(pix.n_values)} bytes" in "\n".join(_captions(fig))


def test_compare_rejects_bad_input(img24, ladder, rgb32):
    with pytest.raises(ValueError, match="fitted to"):
        compare(rgb32, ladder)
    with pytest.raises(ValueError, match="choose from"):
        compare(img24, ladder, rows=["fourier"])
    with pytest.raises(ValueError, match="fits is empty"):
        compare(img24, [])
    with pytest.raises(ValueError, match="inset box"):
        compare(img24, ladder, inset=(0.8, 0.8, 0.5, 0.5))
    # the same errors, typed
    with pytest.raises(pp.ImageError, match="fitted to"):
        compare(rgb32, ladder)
    with pytest.raises(pp.ConfigError, match="choose from"):
        compare(img24, ladder, rows=["fourier"])
    with pytest.raises(pp.ConfigError, match="fits is empty"):
        compare(img24, [])
    with pytest.raises(pp.ConfigError, match="inset box"):
        compare(img24, ladder, inset=(0.8, 0.8, 0.5, 0.5))
    with pytest.raises(pp.ConfigError, match="panel_width"):
        compare(img24, ladder, panel_width=0)


def test_jpeg_at_most_is_the_best_quality_that_fits(rgb32):
    import io

    from pixparam.images import to_uint8

    def n_bytes(quality):  # Pillow directly, with the settings jpeg_at_most documents
        buf = io.BytesIO()
        Image.fromarray(to_uint8(rgb32)).save(buf, format="JPEG", quality=quality, optimize=True)
        return len(buf.getvalue())

    j = jpeg_at_most(rgb32, 1500)
    assert j.n_bytes <= 1500 and 1 <= j.quality <= 100
    assert n_bytes(j.quality) == j.n_bytes
    if j.quality < 100:
        assert n_bytes(j.quality + 1) > 1500
    assert j.psnr == pytest.approx(pp.psnr(rgb32, j.decoded))
    with pytest.raises(pp.BudgetError, match="raise the budget"):
        jpeg_at_most(rgb32, 100)
    with pytest.raises(pp.ImageError, match="drop the alpha"):
        jpeg_at_most(np.concatenate([rgb32, rgb32[..., :1]], axis=-1), 1500)


def test_capacity_table_records(img24, ladder):
    records = capacity_table(img24, [300, 800], ["relu", "siren"], fits=ladder, param_bits=(32, 16))
    series = {r["series"] for r in records}
    assert {"relu", "siren", "pixels/values", "pixels/bits32", "pixels/bits16", "jpeg/bits32"} <= series
    by = {(r["series"], r["budget"]): r for r in records}
    for f in ladder:
        assert by[f.family, f.arch.budget]["psnr"] == f.psnr  # reused, not retrained
    for r in records:
        if r["kind"] == "jpeg":
            bits = int(r["series"].split("bits")[1])
            assert r["n_bytes"] <= r["budget"] * bits // 8
        if r["series"] == "pixels/values":
            assert r["n"] <= r["budget"]


def _synthetic(a_fam, b_fam, a_pix=10.0, b_pix=3.0):
    ns = [1e3, 1e4, 1e5]
    rec = [
        {"series": "fam", "kind": "network", "budget": int(n), "n": n, "psnr": a_fam + b_fam * np.log10(n)} for n in ns
    ]
    rec += [
        {"series": "pixels/values", "kind": "pixels", "budget": int(n), "n": n, "psnr": a_pix + b_pix * np.log10(n)}
        for n in ns
    ]
    for r in rec:
        r["ssim"] = 0.5
    return rec


def test_power_law_and_crossovers():
    rec = _synthetic(0.0, 6.0)
    assert power_law(rec, "pixels/values") == pytest.approx((10.0, 3.0))
    assert crossovers(rec, against="pixels/values") == crossovers(rec)
    c = crossovers(rec)["fam"]
    assert c["status"] == "overtakes" and c["n"] == pytest.approx(10 ** (10 / 3))
    assert c["measured"] == 10000
    assert crossovers(_synthetic(0.0, 3.0))["fam"]["status"] == "never in range"
    parallel = crossovers(_synthetic(20.0, 3.0))["fam"]
    assert parallel["status"] == "ahead throughout" and parallel["n_extrapolated"] is None
    steeper = crossovers(_synthetic(5.0, 6.0))["fam"]
    assert steeper["status"] == "ahead throughout" and steeper["n_extrapolated"] == pytest.approx(10 ** (5 / 3))
    assert steeper["wins"] == [1000, 10000, 100000]


def test_crossing_of_exactly_and_nearly_parallel_laws():
    # #21: slopes 3.0 and 2.9999999999999996 once gave 10 ** (10 / 4e-16), an OverflowError.
    assert law_crossing((0.0, 3.0), (10.0, 3.0)) is None
    assert law_crossing((0.0, 3.0), (10.0, 2.9999999999999996)) is None
    assert law_crossing((0.0, 3.0), (10.0, 3.0000000000000004)) is None
    assert law_crossing((0.0, 6.0), (10.0, 3.0)) == pytest.approx(10 ** (10 / 3))
    assert law_crossing((0.0, 3.0 + 1e-3), (10.0, 3.0)) is None  # 10^10000: no float holds it
    assert law_crossing((0.0, 4.0), (2.0, 3.0)) == pytest.approx(100.0)
    assert law_crossing((float("nan"), 4.0), (2.0, 3.0)) is None


@pytest.mark.parametrize("b", [1.0, 2.5, 3.0, 4.0])
def test_crossovers_of_parallel_fitted_laws_never_raise(b):
    # Least squares rounds two parallel series' slopes apart by ~1e-16, up or down by numpy version;
    # over this grid some land each way (a = -4, b = 4 overflowed on numpy 2.4.6).
    for a in np.arange(-5.0, 20.0, 0.5):
        c = crossovers(_synthetic(float(a), b, a_pix=10.0, b_pix=b))["fam"]
        assert c["n"] is None and c["n_extrapolated"] is None
        assert c["status"] == ("ahead throughout" if a >= 10.0 else "never in range")
    same = crossovers(_synthetic(10.0, b, a_pix=10.0, b_pix=b))["fam"]
    assert same["status"] == "ahead throughout" and same["law"] == pytest.approx((10.0, b))


def test_plot_capacity_panels_and_legend():
    rec = _synthetic(0.0, 6.0)
    rec.append({"series": "pixels/values", "kind": "pixels", "budget": 10**6, "n": 1e6, "psnr": np.inf, "ssim": 1.0})
    fig = plot_capacity(rec)
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and fig.get_size_inches()[0] <= 7.2
    assert fig.axes[0].get_xscale() == "log"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "pixels, equal values: a=10.0, b=3.00" in legend and "fam: a=0.0, b=6.00" in legend
    assert "2.2k" in [t.get_text() for t in fig.axes[0].texts]  # the crossover, marked
    assert "lossless from 1.0M" in fig.legends[0].get_title().get_text()
    with pytest.raises(pp.ConfigError, match="no records"):
        plot_capacity([])


def test_positional_capacity_options_are_deprecated():
    rec = _synthetic(0.0, 6.0)
    with pytest.warns(DeprecationWarning, match=r"crossovers\(records, against=\.\.\.\)"):
        old = crossovers(rec, "pixels/values")
    assert old == crossovers(rec, against="pixels/values")
    with pytest.warns(DeprecationWarning, match="against=..., metric=..."):
        old = crossovers(rec, "pixels/values", "ssim")
    assert old == crossovers(rec, against="pixels/values", metric="ssim")
    with pytest.warns(DeprecationWarning, match=r"power_law\(records, series, metric=\.\.\.\)"):
        old = power_law(rec, "fam", "ssim")
    assert old == power_law(rec, "fam", metric="ssim")
    ax_old, ax_new = Figure().subplots(), Figure().subplots()
    with pytest.warns(DeprecationWarning, match=r"draw_capacity\(ax, records, metric=\.\.\.\)"):
        draw_capacity(ax_old, rec, "ssim")
    draw_capacity(ax_new, rec, metric="ssim")
    assert ax_old.get_ylabel() == ax_new.get_ylabel() == "SSIM"
    assert [line.get_ydata().tolist() for line in ax_old.get_lines()] == [
        line.get_ydata().tolist() for line in ax_new.get_lines()
    ]


@pytest.mark.parametrize("suffix", ["gif", "png"])
def test_training_film_frames(img24, tmp_path, suffix):
    path = tmp_path / f"film.{suffix}"
    film = training_film(img24, path, budget=500, family="siren", steps=12, every=4, device="cpu")
    assert film.steps == [4, 8, 12] and len(film.psnr) == 3
    with Image.open(path) as im:
        assert im.n_frames == 3
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert film.psnr[-1] == pytest.approx(pp.psnr(img24, film.fit.render()), abs=0.05)
    fig = plot_film(film, n=3)
    assert len(_image_axes(fig)) == 3 and f"{film.psnr[-1]:.1f} dB" in "\n".join(_captions(fig))
    with pytest.warns(DeprecationWarning, match=r"plot_film\(film, n=\.\.\.\)"):
        old = plot_film(film, 3)
    assert _captions(old) == _captions(fig) and (old.get_size_inches() == fig.get_size_inches()).all()


def test_training_film_from_fit_retrains_identically(img24, ladder, tmp_path):
    fit = ladder[0]
    film = training_film(fit, every=2)
    assert film.steps == [2, 4, 5]
    assert film.fit.psnr == pytest.approx(fit.psnr, abs=1e-9)
    with pytest.raises(pp.ImageError, match="image="):
        training_film(pp.load(fit.save(tmp_path / "m.safetensors")))


def test_film_recorder_and_formats(img24, tmp_path, monkeypatch):
    with pytest.raises(pp.ConfigError, match="every"):
        FilmRecorder(img24, every=0)
    rec = FilmRecorder(img24, every=3)
    pp.fit(img24, 300, "relu", steps=7, progress=False, device="cpu", callback=rec)
    assert rec.film.steps == [3, 6]
    with pytest.raises(pp.OutputError, match=r"use \.gif"):
        training_film(rec, tmp_path / "f.avi")
    with pytest.raises(pp.ConfigError, match="fps"):
        training_film(rec, tmp_path / "f.gif", fps=0)
    monkeypatch.setitem(sys.modules, "av", None)  # PyAV not installed
    with pytest.raises(pp.OutputError, match=r"needs PyAV: pip install 'pixparam\[video\]'"):
        training_film(rec, tmp_path / "f.mp4")
    with pytest.raises(ValueError, match="PyAV"):  # OutputError is a ValueError, as before
        training_film(rec, tmp_path / "f.mp4")
    assert list(tmp_path.iterdir()) == []


def test_capacity_curve_trains_nothing_given_fits(img24, ladder):
    before = pp.training.networks_trained()
    fig, records = pp.capacity_curve(img24, [300, 800], ["relu", "siren"], fits=ladder, return_records=True)
    assert pp.training.networks_trained() == before  # every fit it needed was given
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert not hasattr(fig, "pixparam_records")  # the records come back beside the figure, not on it
    assert records == capacity_table(img24, [300, 800], ["relu", "siren"], fits=ladder)
    measured = {(r["series"], r["budget"]): r["psnr"] for r in records}
    for f in ladder:
        assert measured[f.family, f.arch.budget] == f.psnr
    psnr_axis = fig.axes[0]
    ys = {round(float(y), 6) for line in psnr_axis.get_lines() for y in line.get_ydata()}
    assert all(round(f.psnr, 6) in ys for f in ladder)  # every measured point is drawn


def test_capacity_curve_records_attribute_is_deprecated(img24, ladder):
    fig = pp.capacity_curve(img24, [300, 800], ["relu", "siren"], fits=ladder)
    assert isinstance(fig, Figure)
    _, records = pp.capacity_curve(img24, [300, 800], ["relu", "siren"], fits=ladder, return_records=True)
    with pytest.warns(DeprecationWarning, match="return_records=True"):
        old = fig.pixparam_records
    assert old == records


def test_capacity_families_default_is_every_registered_family(img24, newfam):
    # None means "every family registered at call time", not the tuple at import
    records = capacity_table(img24, [300], fits=[], steps=2, device="cpu", jpeg=False)
    assert [r["series"] for r in records if r["kind"] == "network"] == list(pp.FAMILIES)
    assert list(pp.FAMILIES)[-1] == newfam
    with pytest.raises(pp.ConfigError, match="unknown families"):
        capacity_table(img24, [300], ["cnn"])
    with pytest.raises(pp.ConfigError, match="one string"):
        capacity_table(img24, [300], "relu")


def test_plot_families_one_budget_side_by_side(tiny_fits, rgb32):
    fits = list(tiny_fits.values())[::-1]  # drawn from pixels to networks whatever order they come in
    fig = plot_families(rgb32, fits)
    shown = [ax for ax in fig.axes if ax.images and ax.get_title()]
    assert [ax.get_title() for ax in shown] == ["image", "pixels", *pp.FAMILIES]
    for ax, f in zip(shown[2:], fits[::-1], strict=True):
        assert f"{f.psnr:.1f} dB" in ax.get_xlabel()
    errors = [ax for ax in fig.axes if ax.images and ax.get_xlabel().startswith("mean |error|")]
    assert len(errors) == len(fits) + 1
    assert len({ax.images[0].get_clim() for ax in errors}) == 1  # one shared colour scale
    assert len([ax for ax in plot_families(rgb32, fits, errors=False).axes if ax.images]) == len(fits) + 2
    with pytest.raises(pp.ConfigError, match="one budget"):
        plot_families(rgb32, [*fits, pp.fit(rgb32, 900, "relu", steps=2, progress=False)])


def test_capacity_json_is_strict_and_rgba_gets_no_jpeg(tmp_path, rgb32):
    import json

    from pixparam.capacity import capacity_table, save_table

    rgba = np.concatenate([rgb32, np.ones_like(rgb32[..., :1])], axis=-1)
    records = capacity_table(rgba, [100, 10**6], families=())
    assert records and not [r for r in records if r["kind"] == "jpeg"]
    assert any(r["psnr"] == float("inf") for r in records)  # pixels at 10^6 values are lossless
    path = save_table(records, tmp_path / "t.json")

    def reject(name):
        raise ValueError(f"non-standard JSON constant {name}")

    data = json.loads(path.read_text(), parse_constant=reject)
    assert None in [r["psnr"] for r in data["records"]]


def test_film_of_an_init_from_fit_is_refused(tiny_fits, rgb32):
    from pixparam.figures import training_film

    a = tiny_fits["relu"]
    b = pp.fit(rgb32, a.arch, steps=2, init_from=a, progress=False)
    with pytest.raises(pp.ConfigError, match="init_from"):
        training_film(b)


# --------------------------------------------------------------------------- every figure: style, width, aliases


def _is_alias(func):
    wrapped = getattr(func, "__wrapped__", None)
    return wrapped is not None and wrapped.__name__ != func.__name__


#: Every public Figure-returning function of pixparam.figures (deprecated aliases left out).
FIGURE_FUNCTIONS = sorted(
    name
    for name in figures.__all__
    if inspect.isfunction(getattr(figures, name))
    and "Figure" in str(inspect.signature(getattr(figures, name)).return_annotation)
    and not _is_alias(getattr(figures, name))
)


@pytest.fixture(scope="module")
def tiny_film(img24):
    return training_film(img24, budget=300, family="relu", steps=4, every=2, device="cpu")


def _figure_cases(img24, ladder, rgb32, tiny_fits, film):
    """name -> (default call, call asking for more than 7.2 in)."""
    a = tiny_fits["relu"]
    rows = {"x": [(rgb32, "")] * 9}
    return {
        "capacity_curve": (
            lambda: figures.capacity_curve(img24, [300, 800], ["relu", "siren"], fits=ladder),
            lambda: figures.capacity_curve(img24, [300, 800], ["relu", "siren"], fits=ladder, ssim=False),
        ),
        "compare": (lambda: compare(img24, ladder), lambda: compare(img24, ladder, panel_width=4.0)),
        "plot_blend_strip": (
            lambda: plot_blend_strip(a, a, [0, 1]),
            lambda: plot_blend_strip(a, a, [0, 0.5, 1], panel_width=4.0),
        ),
        "plot_blends": (
            lambda: figures.plot_blends([figures.network_blends(a, a, [0, 1])]),
            lambda: figures.plot_blends([figures.network_blends(a, a, [0, 0.5, 1])] * 2, panel_width=4.0),
        ),
        "plot_capacity": (
            lambda: plot_capacity(_synthetic(0.0, 6.0)),
            lambda: plot_capacity(_synthetic(0.0, 6.0), width=20),
        ),
        "plot_edit_curve": (lambda: plot_edit_curve(a, "quantize", [32, 4]),) * 2,
        "plot_edit_strip": (
            lambda: plot_edit_strip(a, "prune", [0, 0.5]),
            lambda: plot_edit_strip(a, "prune", [0, 0.5, 0.9], panel_width=4.0),
        ),
        "plot_families": (lambda: plot_families(rgb32, list(tiny_fits.values())),) * 2,
        "plot_film": (lambda: plot_film(film, n=2), lambda: plot_film(film, width=20)),
        "plot_film_psnr": (
            lambda: figures.plot_film_psnr({"relu": film}, pixels=20.0),
            lambda: figures.plot_film_psnr({"relu": film}, width=20),
        ),
        "plot_strip": (lambda: plot_strip(rgb32, {"x": [(rgb32, "")]}), lambda: plot_strip(rgb32, rows)),
    }


def test_every_figure_function_is_styled_and_at_most_max_width(img24, ladder, rgb32, tiny_fits, tiny_film):
    cases = _figure_cases(img24, ladder, rgb32, tiny_fits, tiny_film)
    assert sorted(cases) == FIGURE_FUNCTIONS  # a new figure function needs a case here
    assert MAX_WIDTH == 7.2
    for name, calls in cases.items():
        for call in calls:
            fig = call()
            assert isinstance(fig, Figure), name
            assert fig.get_size_inches()[0] <= MAX_WIDTH, name
            # drawn in style(): no top or right spines (image panels hide all of theirs)
            for ax in fig.axes:
                if ax.get_label() != "<colorbar>":
                    assert not ax.spines["top"].get_visible(), (name, ax)


@pytest.mark.parametrize(
    ("old", "new", "args"),
    [
        ("compare_families", "plot_families", lambda fits, img: (img, list(fits.values()))),
        ("edit_strip", "plot_edit_strip", lambda fits, img: (fits["relu"], "quantize", [32, 4])),
        ("edit_curve", "plot_edit_curve", lambda fits, img: (fits["relu"], "noise", [0, 0.3])),
        ("blend_strip", "plot_blend_strip", lambda fits, img: (fits["relu"], fits["relu"], [0, 1])),
    ],
)
def test_renamed_figure_functions_warn_and_draw_the_same(tiny_fits, rgb32, old, new, args):
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use {new}"):
        fig_old = getattr(figures, old)(*args(tiny_fits, rgb32))
    fig_new = getattr(figures, new)(*args(tiny_fits, rgb32))
    assert (fig_old.get_size_inches() == fig_new.get_size_inches()).all()
    texts = [[ax.get_xlabel(), ax.get_ylabel(), ax.get_title()] for ax in fig_old.axes]
    assert texts == [[ax.get_xlabel(), ax.get_ylabel(), ax.get_title()] for ax in fig_new.axes]
    assert getattr(pp, old, None) in (None, getattr(figures, old))  # pp.<old>, where exported, is the same alias
