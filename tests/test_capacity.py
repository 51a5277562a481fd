"""The capacity table at real bytes (issue #16): packed networks, codecs at their files' sizes, a bytes axis."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from matplotlib.figure import Figure

import pixparam as pp
from pixparam.capacity import capacity_table, series_label
from pixparam.codecs import at_most, available, png_pixels_at_most
from pixparam.figures import draw_capacity, plot_capacity
from pixparam.figures.curves import capacity_notes
from pixparam.jpeg import jpeg_at_most

FAMILIES = ("relu", "siren")
BUDGETS = (300, 800)


@pytest.fixture(scope="module")
def img():
    return pp.load_image("astronaut", size=24)


@pytest.fixture(scope="module")
def fits(img):
    """relu and siren at two budgets, 30 steps each, on a 24-px RGB image."""
    return [pp.fit(img, b, f, steps=30, device="cpu", progress=False) for f in FAMILIES for b in BUDGETS]


@pytest.fixture(scope="module")
def records(img, fits):
    return capacity_table(img, BUDGETS, FAMILIES, fits=fits, packed_bits=(8, 32), qat_steps=5)


def test_packed_records_are_the_packed_files(img, fits, records, tmp_path):
    packed = [r for r in records if r["kind"] == "packed"]
    assert {r["series"] for r in packed} == {f"{f}/packed{b}" for f in FAMILIES for b in (8, 32)}
    assert len(packed) == len(fits) * 2
    for f in fits:
        for bits in (8, 32):
            (r,) = [r for r in packed if r["series"] == f"{f.family}/packed{bits}" and r["budget"] == f.arch.budget]
            q = f if bits == 32 else pp.edit.qat(f, bits, image=img, steps=5, progress=False)
            path = pp.pack(q, tmp_path / "f.ppk", bits=bits)
            back = pp.unpack(path, device="cpu")
            assert r["n_bytes"] == path.stat().st_size
            assert r["n"] == f.n_params and r["bits"] == bits
            assert r["qat_steps"] == (0 if bits == 32 else 5)
            assert r["psnr"] == pp.psnr(img, back.render())  # measured on the unpacked file
            assert r["ssim"] == pytest.approx(pp.ssim(img, back.render()))
    assert all(r["n_bytes"] > 4 * r["n"] for r in packed if r["bits"] == 32)  # float32 plus a header


def test_codecs_at_each_packed_files_bytes(img, records):
    packed = {
        (r["series"].split("/")[0], r["budget"], r["bits"]): r["n_bytes"] for r in records if r["kind"] == "packed"
    }
    at = [r for r in records if "target_bytes" in r]
    codecs = [c for c in ("jpeg", "webp", "avif") if available(c)]
    want = {f"{c}/packed{b}" for c in codecs for b in (8, 32)} | {"pixels/png-packed8", "pixels/png-packed32"}
    assert {r["series"] for r in at} == want
    assert len(at) == len(packed) * (len(codecs) + 1)  # every codec and PNG at every packed file
    for r in at:
        assert r["target_bytes"] == packed[r["family"], r["budget"], r["bits"]]
        assert not r["no_file"] and r["n_bytes"] <= r["target_bytes"]
        assert r["n"] == 8 * r["n_bytes"] / r["bits"]
    jpeg = next(r for r in at if r["series"] == "jpeg/packed8")
    again = at_most(img, jpeg["target_bytes"], "jpeg")
    assert (jpeg["n_bytes"], jpeg["quality"], jpeg["psnr"]) == (again.n_bytes, again.quality, again.psnr)
    png = next(r for r in at if r["series"] == "pixels/png-packed8")
    pix, size = png_pixels_at_most(img, png["target_bytes"])
    assert (png["n_bytes"], png["n_values"], png["psnr"]) == (size, pix.n_values, pix.psnr)


def test_no_file_fits_is_a_record(rgb32, tmp_path):
    # A 60-parameter grid packs to about 200 B: less than any JPEG of this image.
    records = capacity_table(rgb32, [60], ["grid"], steps=5, device="cpu", packed_bits=(4,), qat_steps=2)
    target = next(r["n_bytes"] for r in records if r["kind"] == "packed")
    empty = [r for r in records if r.get("no_file")]
    assert "jpeg/packed4" in {r["series"] for r in empty}
    for r in empty:
        assert r["psnr"] is None and r["ssim"] is None and r["n_bytes"] is None and r["target_bytes"] == target
        assert at_most(rgb32, target, r["series"].split("/")[0]) is None
    notes = capacity_notes(records, x="bytes")
    assert f"JPEG at 4-bit packed bytes: no file fits in {target:,} B (grid)" in notes
    fig = plot_capacity(records, x="bytes")
    assert all(line.get_label() != series_label("jpeg/packed4") for line in fig.axes[0].get_lines())
    saved = json.loads(pp.save_table(records, tmp_path / "t.json").read_text())
    assert [r["series"] for r in saved["records"] if r.get("no_file")] == [r["series"] for r in empty]


def test_keep_packed_keeps_each_measured_file(rgb32, tmp_path):
    folder = tmp_path / "kept" / "here"  # made, parents included
    records = capacity_table(rgb32, [60, 120], ["grid"], steps=5, device="cpu", packed_bits=(4, 8), qat_steps=2,
                             keep_packed=folder)  # fmt: skip
    packed = [r for r in records if r["kind"] == "packed"]
    assert sorted(r["file"] for r in packed) == sorted(p.name for p in folder.iterdir())
    assert sorted(r["file"] for r in packed) == ["grid-120-4.ppk", "grid-120-8.ppk", "grid-60-4.ppk", "grid-60-8.ppk"]
    for r in packed:
        path = folder / r["file"]
        assert path.stat().st_size == r["n_bytes"]
        back = pp.unpack(path, device="cpu")
        back.image = rgb32
        assert back.psnr == r["psnr"]  # the file is the one measured
    assert all("file" not in r for r in capacity_table(rgb32, [60], ["grid"], steps=5, device="cpu",
                                                      packed_bits=(4,), qat_steps=2))  # fmt: skip


def test_default_records_unchanged_by_the_packed_series(img, fits, records):
    default = capacity_table(img, BUDGETS, FAMILIES, fits=fits)
    assert default == capacity_table(img, BUDGETS, FAMILIES, fits=fits, packed_bits=(), qat_steps=300)
    assert [r for r in records if "packed" not in r["series"]] == default


@pytest.mark.parametrize("bits", [1, 17, 8.0, True])
def test_packed_bits_refused_before_training(img, bits):
    steps_run, trained = [], pp.training.networks_trained()
    with pytest.raises(pp.ConfigError, match=rf"packed_bits={bits!r}; pack takes 2 to 15"):
        capacity_table(img, [300], ["relu"], steps=5, packed_bits=(bits,), callback=lambda i, f: steps_run.append(i))
    assert steps_run == [] and pp.training.networks_trained() == trained  # pp.fit never started


def test_packed_options_refused_before_training(img):
    steps_run = []
    track = {"steps": 5, "callback": lambda i, f: steps_run.append(i)}
    with pytest.raises(pp.ConfigError, match="packed_bits=8 is one value"):
        capacity_table(img, [300], ["relu"], packed_bits=8, **track)
    with pytest.raises(pp.ConfigError, match="qat_steps=0; it is a whole number"):
        capacity_table(img, [300], ["relu"], packed_bits=(8,), qat_steps=0, **track)
    with pytest.raises(pp.ConfigError, match="x='pixels'; choose 'values'"):
        pp.capacity_curve(img, [300], ["relu"], x="pixels", **track)
    assert steps_run == []


def test_bytes_axis_places_every_series_at_its_bytes(records):
    fig = plot_capacity(records, x="bytes")
    for ax, metric in zip(fig.axes[:2], ("psnr", "ssim")):
        assert ax.get_xlabel() == "bytes on disk" and ax.get_xscale() == "log"
        (top,) = ax.child_axes  # the secondary axis
        assert top.get_xlabel() == "values at 32 bits"
        fig.draw_without_rendering()
        assert np.allclose(top.get_xlim(), np.array(ax.get_xlim()) / 4)
        drawn = {
            line.get_label().split(":")[0]: line for line in ax.get_lines() if not line.get_label().startswith("_")
        }
        for series in dict.fromkeys(r["series"] for r in records):
            rows = [r for r in records if r["series"] == series and np.isfinite(r[metric])]
            line = drawn[series_label(series)]
            assert sorted(line.get_xdata()) == sorted(float(r["n_bytes"]) for r in rows)
    siren, packed = (next(line for line in fig.axes[0].get_lines() if line.get_label().startswith(s)) for s in
                     ("siren:", "siren, packed 8-bit"))  # fmt: skip
    assert siren.get_color() == packed.get_color() == pp.figures.COLORS["siren"]
    assert siren.get_marker() != packed.get_marker()
    webp = next(line for line in fig.axes[0].get_lines() if line.get_label().startswith("WebP at 8-bit"))
    assert webp.get_color() == pp.figures.COLORS["webp"]


def test_values_axis_keeps_its_label_and_no_top_axis(records):
    ax = Figure().subplots()
    draw_capacity(ax, records, x="values")
    assert ax.get_xlabel().startswith("number of values N") and not ax.child_axes
    line = next(line for line in ax.get_lines() if line.get_label().startswith("relu, packed 8-bit"))
    assert sorted(line.get_xdata()) == sorted(r["n"] for r in records if r["series"] == "relu/packed8")
    with pytest.raises(pp.ConfigError, match="needs each record's n_bytes"):
        draw_capacity(Figure().subplots(), [{k: v for k, v in r.items() if k != "n_bytes"} for r in records], x="bytes")


def test_capacity_curve_on_bytes(img, fits, records):
    fig, got = pp.capacity_curve(
        img, BUDGETS, FAMILIES, fits=fits, packed_bits=(8, 32), qat_steps=5, x="bytes", return_records=True
    )
    assert got == records
    assert fig.axes[0].get_xlabel() == "bytes on disk" and fig.axes[0].child_axes


def test_laws_and_crossovers_take_the_new_series(records):
    assert set(pp.crossovers(records)) == set(FAMILIES)  # packed networks are not families
    for against in ("jpeg/packed8", "pixels/png-packed8"):
        assert set(pp.crossovers(records, against=against)) == set(FAMILIES)
    assert pp.figures.power_law(records, "siren/packed8") is not None


def test_series_labels_of_the_new_series():
    assert series_label("siren/packed8") == "siren, packed 8-bit"
    assert series_label("webp/packed4") == "WebP at 4-bit packed bytes"
    assert series_label("pixels/png-packed8") == "pixels (PNG) at 8-bit packed bytes"
    assert series_label("jpeg/bits32") == "JPEG, equal bytes (32-bit params)"


def test_jpeg_search_reaches_quality_100(rgb32):
    assert jpeg_at_most(rgb32, 10**7).quality == 100
    (j,) = [r for r in capacity_table(rgb32, [10**6], families=()) if r["kind"] == "jpeg"]
    assert j["quality"] == 100 and j["saturated"]


def test_equal_bytes_verdict_names_the_best_file_and_every_rival(img, records):
    from pixparam.gallery.capacity import equal_bytes_at

    for budget in BUDGETS:
        e = equal_bytes_at(records, img, budget)
        nets = [r for r in records if r["kind"] == "packed" and r["budget"] == budget and r["bits"] == 8]
        best = max(nets, key=lambda r: r["psnr"])
        assert (e["family"], e["n_bytes"], e["psnr"]) == (best["series"].split("/")[0], best["n_bytes"], best["psnr"])
        raw = pp.pixelate(img, best["n_bytes"], match="bits", param_bits=8)
        assert e["rivals"]["pixels/raw"] == raw.psnr and raw.n_values <= best["n_bytes"]
        jpeg = next(r for r in records if r["series"] == "jpeg/packed8" and r["target_bytes"] == best["n_bytes"])
        assert e["rivals"]["jpeg"] == (None if jpeg.get("no_file") else jpeg["psnr"])
        scores = {"network": e["psnr"], **{k: v for k, v in e["rivals"].items() if v is not None}}
        assert e["winner"] == max(scores, key=scores.get)


def test_equal_bytes_figure_labels_line_ends_and_has_no_legend(records):
    from pixparam.figures.bytes import equal_bytes_series, plot_equal_bytes

    fig = plot_equal_bytes(records, bits=8)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    labels = equal_bytes_series(records, 8)
    assert {"relu, 8-bit file", "siren, 8-bit file", "JPEG", "pixels, raw 8-bit"} <= set(labels.values())
    drawn = {lab for s, lab in labels.items() if any(np.isfinite(r["psnr"] or np.inf) and not r.get("no_file")
                                                      for r in records if r["series"] == s)}  # fmt: skip
    assert drawn <= texts  # every drawn series is named at its line's end
    assert ax.get_legend() is None and not fig.legends
    assert ax.get_xlabel() == "bytes on disk" and ax.get_xscale() == "log"
    with pytest.raises(pp.ConfigError, match="no networks packed at 6 bits"):
        plot_equal_bytes(records, bits=6)


def _rows(series, kind, points):
    return [{"series": series, "kind": kind, "n_bytes": b, "psnr": y, "bits": 8} for b, y in points]


# A codec whose line ends (at 10 kB, 30 dB) on a network's line that goes on: a label at the codec's end sat on it
EARLY_END = (_rows("siren/packed8", "packed", [(1_000, 29.0), (100_000, 31.0)])
             + _rows("webp/packed8", "codec", [(1_000, 25.0), (10_000, 30.0)])
             + _rows("pixels/bits32", "pixels", [(1_000, 15.0), (50_000, 35.0)]))  # fmt: skip


@pytest.mark.parametrize("which", ["fitted", "early end"])
def test_equal_bytes_labels_sit_on_no_curve_and_inside_the_axes(records, which):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from pixparam.figures.bytes import plot_equal_bytes

    fig = plot_equal_bytes(records if which == "fitted" else EARLY_END, bits=8)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    curves = [line.get_transform().transform_path(line.get_path()) for line in ax.get_lines()]
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts if t.get_text()]  # the text, not its leader
    assert len(boxes) == len(curves)  # one label per curve
    for box in boxes:
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
        assert not any(path.intersects_bbox(box, filled=False) for path in curves), "a label sits on a curve"
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2)), "two labels overlap"
