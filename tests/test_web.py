"""The web export (no browser): views and their coordinates, the folder, its size, the CLI, the notebook reprs."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

import pixparam as pp
from pixparam.cli import main
from pixparam.coords import grid, pixel_centers
from pixparam.web import (
    View,
    field_data,
    prepare_export,
    read_data_file,
    render_view,
    stored_model,
    to_rgba8,
    view_coords,
)
from pixparam.web.fixed16 import FIXED16_LEVELS, decode_fixed16, encode_fixed16, round_fixed16
from pixparam.web.notebook import display_size

# --------------------------------------------------------------------------- views


@pytest.mark.parametrize("shape", [(32, 32), (24, 40), (17, 9)])
def test_default_view_is_the_pixel_grid_bit_for_bit(shape):
    h, w = shape
    xs, ys = view_coords(shape, w, h)
    g = grid(h, w).numpy()
    np.testing.assert_array_equal(np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2), g)


def test_half_size_view_is_the_half_size_grid_bit_for_bit():
    xs, ys = view_coords((32, 48), 24, 16)
    np.testing.assert_array_equal(xs, pixel_centers(24).numpy())
    np.testing.assert_array_equal(ys, pixel_centers(16).numpy())


def test_zoomed_view_covers_the_asked_region():
    # 4x on the top-left corner of a 32-px image: the output spans image pixels 0..8, i.e. coords -1..-0.5
    xs, ys = view_coords((32, 32), 32, 32, {"x": 4, "y": 4, "zoom": 4})
    np.testing.assert_array_equal(xs, ys)
    assert xs[0] == pytest.approx(-1 + 1 / 128) and xs[-1] == pytest.approx(-0.5 - 1 / 128)
    np.testing.assert_allclose(np.diff(xs), 1 / 64, rtol=1e-5)


def test_render_view_at_the_default_view_is_fit_render(tiny_fits):
    fit = tiny_fits["hashgrid"]
    got = render_view(fit, 32, 32)
    np.testing.assert_allclose(got[..., :3], fit.render(), atol=1e-6)
    assert (got[..., 3] == 1).all()
    np.testing.assert_allclose(render_view(fit, 16, 16)[..., :3], fit.render(size=16), atol=1e-6)


def test_render_view_is_transparent_outside_the_image(tiny_fits):
    got = render_view(tiny_fits["relu"], 32, 32, View(zoom=0.5))
    assert (got[:8] == 0).all() and (got[:, :8] == 0).all() and (got[8:24, 8:24, 3] == 1).all()


def test_gray_fits_repeat_into_rgb(gray24):
    fit = pp.fit(gray24, 400, "relu", steps=3, progress=False)
    got = render_view(fit, 24, 24)
    np.testing.assert_allclose(got[..., 0], fit.render()[..., 0], atol=1e-6)
    np.testing.assert_array_equal(got[..., 0], got[..., 2])
    assert to_rgba8(got).dtype == np.uint8 and (to_rgba8(got)[..., 3] == 255).all()


@pytest.mark.parametrize(
    ("view", "message"),
    [
        ({"zoom": 0}, "view zoom=0"),
        ({"x": float("nan")}, "view x=nan"),
        ({"scale": 2}, "['scale'] are unknown"),
        ("whole", "view must be a View"),
    ],
)
def test_bad_views_are_config_errors(view, message):
    with pytest.raises(pp.ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        view_coords((8, 8), 8, 8, view)


def test_bad_output_size_is_a_config_error():
    with pytest.raises(pp.ConfigError, match="width=0"):
        view_coords((8, 8), 0, 8)


# --------------------------------------------------------------------------- the export


def test_export_writes_the_folder_and_round_trips_the_weights(tiny_fits, tmp_path):
    fits = list(tiny_fits.values())
    out = pp.export_web(fits, tmp_path / "site")
    manifest = json.loads((out / "models.json").read_text())
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "pixparam-viewer.js", "models.json", "models.js"} <= names
    assert len(manifest["models"]) == len(fits) and manifest["format"] == "pixparam.web"
    assert '<pixparam-viewer src="models.json">' in (out / "index.html").read_text()
    assert 'pixparamData("models.json", ' in (out / "models.js").read_text()
    for fit, entry in zip(fits, manifest["models"]):
        assert entry["n_params"] == fit.n_params and entry["psnr"] == pytest.approx(fit.psnr)
        stored = read_data_file((out / entry["weights"]["file"]).read_text(), entry["weights"]["arrays"])
        data = field_data(fit.model)
        assert set(stored) == set(data.arrays)
        trained = sum(a.size for n, a in stored.items() if isinstance(data.tensors[n], torch.nn.Parameter))
        assert trained == fit.n_params  # every trained value, and the fixed features, nothing else
        assert sum(a.size for a in stored.values()) == fit.n_params + fit.arch.n_fixed
        for name, a in stored.items():
            if name in data.fixed:
                expect = round_fixed16(data.arrays[name])
            else:
                expect = data.arrays[name].astype(np.float32 if name in data.exact else np.float16)
            np.testing.assert_array_equal(a, expect)
        assert entry["weights"]["bytes"] == sum(
            a.size * (2 if name in data.fixed else a.itemsize) for name, a in stored.items()
        )
        assert manifest["format_version"] == 2
        pix = pp.pixelate(fit.image, fit.n_params)
        small = read_data_file((out / entry["pixels"]["file"]).read_text(), entry["pixels"]["arrays"])["pixels"]
        np.testing.assert_array_equal(small, np.round(pix.small * 255).astype(np.uint8))
        assert entry["pixels"]["n_values"] == pix.n_values and entry["pixels"]["psnr"] == pytest.approx(pix.psnr)


#: The arrays each family keeps float32 in a float16 export (FieldData.exact): every bias, and the first
#: layer on raw coordinates.
EXACT = {
    "siren": {"layer0.weight", "layer0.bias", "layer1.bias", "layer2.bias", "layer3.bias", "layer4.bias"},
    "finer": {"layer0.weight", "layer0.bias", "layer1.bias", "layer2.bias", "layer3.bias", "layer4.bias"},
    "wire": {"first.weight", "first.bias", "out_re.bias"}
    | {f"hidden_{p}.{i}.bias" for p in ("re", "im") for i in (0, 1)},
    "hashgrid": {"layer0.bias", "layer1.bias", "layer2.bias"},
    "grid": set(),
    "gaussians": set(),
}
#: The arrays each family stores in 16-bit fixed point (FieldData.fixed).
FIXED = {"gaussians": {"means", "chol", "colours"}}


@pytest.mark.parametrize("family", list(EXACT))
def test_stored_model_holds_what_the_file_stores(tiny_fits, family):
    fit = tiny_fits[family]
    export = prepare_export(fit)
    entry = export.manifest["models"][0]
    stored = read_data_file(export.files[entry["weights"]["file"]].decode(), entry["weights"]["arrays"])
    browser_net = field_data(stored_model(fit.model))
    half = field_data(pp.edit.quantize(fit, 16).model)  # the float16 cast, for every array not kept exact
    dtypes = {e["name"]: e["dtype"] for e in entry["weights"]["arrays"]}
    for name, a in stored.items():
        np.testing.assert_array_equal(a.astype(np.float32), browser_net.arrays[name])
        if name in browser_net.exact:
            assert dtypes[name] == "float32"
            np.testing.assert_array_equal(a, field_data(fit.model).arrays[name])
        elif name in browser_net.fixed:
            assert dtypes[name] == "uint16"
            np.testing.assert_array_equal(a, round_fixed16(field_data(fit.model).arrays[name]))
        else:
            assert dtypes[name] == "float16"
            np.testing.assert_array_equal(a.astype(np.float32), half.arrays[name])
    assert browser_net.exact == EXACT[family] and browser_net.fixed == FIXED.get(family, set())


def test_fixed16_round_trips_each_column_within_half_a_step():
    rng = np.random.default_rng(0)
    a = np.stack([rng.uniform(-1.2, 1.1, 500), rng.uniform(-4.6, -2.7, 500), np.full(500, 0.25)], 1).astype(np.float32)
    codes, lo, step = encode_fixed16(a)
    assert codes.dtype == np.uint16 and codes.shape == a.shape and lo.dtype == step.dtype == np.float32
    assert codes[:, :2].min(0).tolist() == [0, 0] and codes[:, :2].max(0).tolist() == [FIXED16_LEVELS] * 2
    np.testing.assert_array_equal(lo, a.min(0))
    back = decode_fixed16(codes, lo, step)
    assert back.dtype == np.float32
    assert (np.abs(back - a) <= step * 0.5 + 1e-7).all()  # half a step (plus float32 rounding of lo + step*code)
    np.testing.assert_array_equal(back[:, 2], a[:, 2])  # a constant column is exact
    half = a[:, :2].astype(np.float16).astype(np.float32)
    assert np.abs(back[:, :2] - a[:, :2]).max() * 20 < np.abs(half - a[:, :2]).max()  # finer than float16


def test_fixed16_refuses_non_finite_values():
    with pytest.raises(pp.ConfigError, match=r"'means'.*NaN/inf"):
        encode_fixed16(np.array([[0.0, np.nan]], np.float32), "means")


def test_float32_export_of_gaussians_stays_float32(tiny_fits):
    entry = prepare_export(tiny_fits["gaussians"], weights="float32").manifest["models"][0]
    assert {e["dtype"] for e in entry["weights"]["arrays"]} == {"float32"}
    assert not any("fixed16" in e for e in entry["weights"]["arrays"])


def test_a_data_file_of_an_unknown_dtype_is_refused(tiny_fits):
    export = prepare_export(tiny_fits["grid"])
    entry = export.manifest["models"][0]
    entries = [{**e, "dtype": "bfloat16"} for e in entry["weights"]["arrays"]]
    with pytest.raises(pp.ConfigError, match=r"stored as 'bfloat16'.*reads float16, float32, uint8, uint16"):
        read_data_file(export.files[entry["weights"]["file"]].decode(), entries)


def test_a_version_1_data_file_still_reads(tiny_fits):
    # version 1 entries have no fixed16 key: arrays read back in their stored dtype, as before
    export = prepare_export(tiny_fits["siren"])
    entry = export.manifest["models"][0]
    stored = read_data_file(export.files[entry["weights"]["file"]].decode(), entry["weights"]["arrays"])
    assert {a.dtype.name for a in stored.values()} == {"float16", "float32"}


@pytest.fixture(scope="module")
def trained_gaussians():
    img = pp.load_image("astronaut", size=32)
    return pp.fit(img, 1500, "gaussians", steps=100, seed=0, progress=False)


#: A float16 export's render of a trained Gaussian fit against the float32 fit, in 1/255 (see docs/viewer.md).
TOL_GAUSSIANS_X255 = 2.0


def test_trained_gaussians_export_renders_within_the_tolerance_of_the_float32_fit(trained_gaussians):
    fit = trained_gaussians
    browser_net = stored_model(fit.model)
    for width, height, view in [(32, 32, None), (32, 32, {"x": 4, "y": 4, "zoom": 4}), (16, 16, None)]:
        exact = to_rgba8(render_view(fit, width, height, view)).astype(int)
        got = to_rgba8(render_view(fit, width, height, view, model=browser_net)).astype(int)
        assert np.abs(got - exact).max() <= TOL_GAUSSIANS_X255, (width, view)
    # what float16 storage of the same arrays gives, for scale: far outside the tolerance on this fit
    half = stored_model(fit.model, "float32")
    with torch.no_grad():
        for t in (half.means, half.chol, half.colours):
            t.copy_(t.half().float())
    exact = to_rgba8(render_view(fit, 32, 32)).astype(int)
    assert np.abs(to_rgba8(render_view(fit, 32, 32, model=half)).astype(int) - exact).max() > TOL_GAUSSIANS_X255


def test_float32_export_is_exact(tiny_fits):
    fit = tiny_fits["fourier"]
    export = prepare_export(fit, weights="float32")
    entry = export.manifest["models"][0]
    stored = read_data_file(export.files[entry["weights"]["file"]].decode(), entry["weights"]["arrays"])
    np.testing.assert_array_equal(stored["B"], fit.model.B.numpy())
    np.testing.assert_array_equal(stored["layer0.weight"], fit.model.mlp.layers[0].weight.detach().numpy())
    assert entry["weights"]["dtype"] == "float32"


def test_fits_without_an_image_export_without_pixels_and_with_their_stored_psnr(tiny_fits, tmp_path):
    fit = tiny_fits["relu"]
    loaded = pp.load(fit.save(tmp_path / "f.safetensors"))
    entry = prepare_export(loaded).manifest["models"][0]
    assert entry["pixels"] is None and entry["psnr"] == pytest.approx(fit.psnr)
    with_image = prepare_export(loaded, image=fit.image).manifest["models"][0]
    assert with_image["pixels"]["n_values"] == pp.pixelate(fit.image, fit.n_params).n_values


def test_a_registered_family_with_a_known_encoding_exports(rgb32, newfam):
    fit = pp.fit(rgb32, 600, newfam, steps=2, progress=False)
    entry = prepare_export(fit).manifest["models"][0]
    assert entry["family"] == newfam and entry["field"]["encoding"]["name"] == "raw"


def test_a_family_the_viewer_cannot_evaluate_fails_before_writing(rgb32, tmp_path):
    relu = pp.fields.spec_for("relu")

    def plan(budget, channels, resolution, options):
        return dataclasses.replace(relu.plan(budget, channels, resolution, options), family="mystery")

    pp.fields.register(dataclasses.replace(relu, name="mystery", plan=plan, encoding="mystery"))
    try:
        fit = pp.fit(rgb32, 600, "mystery", steps=1, progress=False)
        with pytest.raises(pp.ConfigError, match=r"cannot export family 'mystery'.*register_encoder"):
            pp.export_web(fit, tmp_path / "site")
        assert not (tmp_path / "site").exists()
    finally:
        pp.fields.unregister("mystery")


def test_bad_arguments(tiny_fits, tmp_path, rgb32):
    fit = tiny_fits["relu"]
    with pytest.raises(pp.ConfigError, match="one or more fits"):
        pp.export_web([], tmp_path / "a")
    with pytest.raises(pp.ConfigError, match="takes Fit objects, got str"):
        pp.export_web(["fit.safetensors"], tmp_path / "a")
    with pytest.raises(pp.ConfigError, match="weights='int8'"):
        pp.export_web(fit, tmp_path / "a", weights="int8")
    with pytest.raises(pp.ImageError, match="was fitted to 32×32×3"):
        pp.export_web(fit, tmp_path / "a", image=rgb32[:16])
    (tmp_path / "file").write_text("x")
    with pytest.raises(pp.OutputError, match="it is a file"):
        pp.export_web(fit, tmp_path / "file")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(pp.OutputError, match="not a pixparam web export"):
        pp.export_web(fit, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
    with pytest.raises(pp.OutputError, match="does not exist"):
        pp.export_web(fit, tmp_path / "missing" / "site")


def test_an_earlier_export_is_replaced_whole(tiny_fits, tmp_path):
    out = pp.export_web(list(tiny_fits.values()), tmp_path / "site")
    assert len(list(out.iterdir())) == 4 + 2 * len(tiny_fits)
    pp.export_web(tiny_fits["relu"], out, pixels=False)
    after = {p.name for p in out.iterdir()}
    assert after == {"index.html", "pixparam-viewer.js", "models.json", "models.js", "00-relu-1.5k.js"}
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folders left behind


#: A 5-rung ladder, 1k to 256k parameters.
LADDER = [1000, 4000, 16000, 64000, 256000]


@pytest.mark.parametrize("family", list(pp.FAMILIES))
def test_a_five_rung_ladder_weighs_at_most_1_2_times_its_float16_weights_plus_40_kb(family, tmp_path):
    # Untrained builds (training 256k here is too slow); their weights are as varied as trained ones, and a
    # family that starts from the image (a grid) starts from a 512-px one, as pp.fit would start it.
    image = pp.load_image("astronaut", size=512)
    init = pp.fields.spec_for(family).init_from_image
    fits = []
    for budget in LADDER:
        arch = pp.plan(budget, family, channels=3, resolution=512)
        model = pp.build(arch, seed=0)
        if init is not None:
            init(model, image, torch.Generator().manual_seed(0))
        fits.append(pp.Fit(model, arch, (512, 512, 3), pp.History(), 0.0, {}))
    out = pp.export_web(fits, tmp_path / "site")
    total = sum(p.stat().st_size for p in out.iterdir())
    half = 2 * sum(f.n_params for f in fits)
    assert total <= 1.2 * half + 40_000, (total, half, total / half)


def test_grid_exports_its_values_and_taps(rgb32, gray24):
    fit = pp.fit(gray24, 300, "grid", steps=2, interp="bilinear", progress=False)
    data = field_data(fit.model)
    h, w = fit.arch.options["shape"]
    assert data.kind == "grid" and data.meta == {"shape": [h, w], "channels": 1, "taps": 2}
    np.testing.assert_array_equal(data.arrays["values"], fit.model.values.detach().numpy())
    assert data.arrays["values"].shape == (h, w, 1) and data.exact == set()
    bicubic = field_data(pp.fit(rgb32, 1200, "grid", steps=2, progress=False).model)
    assert bicubic.meta["taps"] == 4 and bicubic.meta["channels"] == 3


def test_wire_exports_every_real_and_imaginary_part(rgb32):
    fit = pp.fit(rgb32, 1500, "wire", steps=2, depth=3, progress=False)
    data = field_data(fit.model)
    assert data.kind == "wire"
    o = fit.arch.options
    assert data.meta == {"widths": list(fit.arch.widths), "channels": 3, "omega0": o["omega0"], "sigma0": o["sigma0"]}
    assert set(data.arrays) == {name for name, _ in fit.model.named_parameters()}
    assert {"hidden_re.1.weight", "hidden_im.1.bias", "out_im.weight"} <= set(data.arrays)
    assert "out_im.bias" not in data.arrays  # the real part never reads an imaginary output bias
    assert sum(a.size for a in data.arrays.values()) == fit.n_params


# --------------------------------------------------------------------------- CLI


def test_cli_export(tiny_fits, tmp_path, capsys):
    model = tiny_fits["hashgrid"].save(tmp_path / "h.safetensors")
    code = main(["export", str(model), "-o", str(tmp_path / "site"), "--image", "astronaut", "--size", "32"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "exported 1 model to" in out and "index.html" in out
    entry = json.loads((tmp_path / "site" / "models.json").read_text())["models"][0]
    assert entry["pixels"] is not None and entry["family"] == "hashgrid"


def test_cli_export_refuses_to_replace_its_inputs(tiny_fits, tmp_path, capsys):
    site = pp.export_web(tiny_fits["relu"], tmp_path / "site")
    model = tiny_fits["relu"].save(site / "r.safetensors")  # an input inside the output folder
    code = main(["export", str(model), "-o", str(site)])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "is inside -o" in err and model.exists()


def test_cli_export_bad_checkpoint_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    code = main(["export", str(bad), "-o", str(tmp_path / "site")])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("pixparam: error:") and err.count("\n") == 1
    assert not (tmp_path / "site").exists()


# --------------------------------------------------------------------------- notebooks


def _png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.asarray(im)


def test_fit_repr_png_is_the_network_rendered_at_display_size(tiny_fits):
    fit = tiny_fits["siren"]
    assert display_size(fit.image_shape) == (256, 256)
    got = _png(fit._repr_png_())
    assert got.shape == (256, 256, 3)
    np.testing.assert_array_equal(got, np.round(fit.render(size=256) * 255).astype(np.uint8))


def test_gray_fit_repr_png_is_one_channel(gray24):
    fit = pp.fit(gray24, 300, "relu", steps=2, progress=False)
    assert _png(fit._repr_png_()).shape == (264, 264)  # 24 px × 11


def test_fit_repr_html_shows_its_numbers(tiny_fits, tmp_path):
    fit = tiny_fits["fourier"]
    text = fit._repr_html_()
    assert f"{fit.n_params:,}" in text and f"{fit.psnr:.2f} dB" in text and f"{fit.ssim:.4f}" in text
    assert "data:image/png;base64," in text and "32×32×3" in text and "fourier" in text
    loaded = pp.load(fit.save(tmp_path / "f.safetensors"))  # no image: the stored numbers
    assert f"{fit.psnr:.2f} dB" in loaded._repr_html_()
    edited = pp.edit.prune(fit, 0.5)
    assert "prune" in edited._repr_html_()


def test_pixels_repr_png_shows_blocks(rgb32):
    pix = pp.pixelate(rgb32, 300)
    got = _png(pix._repr_png_())
    assert got.shape == (256, 256, 3)
    np.testing.assert_array_equal(got, np.round(pix.render(mode="nearest", size=256) * 255).astype(np.uint8))
    h, w = pix.shape
    assert len(np.unique(got.reshape(-1, 3), axis=0)) <= h * w


def test_show_embeds_the_viewer_and_every_data_file(tiny_fits):
    viewer = pp.show(list(tiny_fits.values()))
    page = viewer.html
    assert page.count("<script>") == 2 + 2 * len(tiny_fits)  # viewer, manifest, weights and pixels per model
    assert page.count("</script>") == page.count("<script>")  # nothing inside closes a script early
    assert 'customElements.define("pixparam-viewer"' in page and '<pixparam-viewer src="models.json">' in page
    frame = viewer._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts' in frame
    assert "<script>" not in frame  # escaped into the attribute


def test_show_takes_one_fit_and_its_options(tiny_fits):
    viewer = pp.show(tiny_fits["relu"], pixels=False, height=300)
    assert viewer.height == 300 and ".pixels.js" not in viewer.html


def test_render_view_takes_another_model(tiny_fits):
    fit = tiny_fits["relu"]
    other = pp.edit.noise(fit, 0.5, seed=1)
    with torch.no_grad():
        a = render_view(fit, 8, 8)
        b = render_view(fit, 8, 8, model=other.model)
    assert not np.array_equal(a, b)
