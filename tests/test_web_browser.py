"""The web viewer in headless Chromium (WebGL2 through SwiftShader): its pixels against PyTorch's, for every family.

Skipped when Debian's chromium or playwright is missing (CI sets
PIXPARAM_REQUIRE_BROWSER=1, which turns the skip into a failure).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pixparam as pp
from pixparam.web import HEADLESS_WEBGL_ARGS, render_view, serve, stored_model

#: WebGL2 in headless Chromium without a GPU: ANGLE on SwiftShader (--enable-unsafe-swiftshader allows it).
ARGS = list(HEADLESS_WEBGL_ARGS)
#: The three views every family is checked at, on the 32-px fits: (width, height, view).
VIEWS = {
    "fitted": (32, 32, None),
    "corner-4x": (32, 32, {"x": 4.0, "y": 4.0, "zoom": 4.0}),
    "half": (16, 16, None),
}
#: Browser (8-bit) against PyTorch on the same weights: 2/255 (measured: < 0.05/255 in float, then 8-bit rounding).
TOL_SAME_WEIGHTS = 2 / 255
#: Browser with float16 weights against the float32 fit: also 2/255 (the first layer of a raw-coordinate MLP
#: stays float32, see FieldData.exact; benchmarks/web_viewer.py measures trained ladders).
TOL_FLOAT16 = 2 / 255


@pytest.fixture(scope="module")
def browser(chromium):
    path, sync_api = chromium
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


class Page:
    """A page with a viewer, its console errors collected."""

    def __init__(self, browser, url: str, viewport=(1000, 800)) -> None:
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed {r.url}"))
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.goto(url, wait_until="load")
        self.page.evaluate("customElements.whenDefined('pixparam-viewer')")
        self.page.evaluate("document.querySelector('pixparam-viewer').ready.then(() => true)")

    def pixels(self, width: int, height: int, view=None, **options) -> np.ndarray:
        got = self.page.evaluate(
            "async ([w, h, v, o]) => Array.from(await document.querySelector('pixparam-viewer')"
            ".renderPixels(w, h, v || {}, o))",
            [width, height, view, options],
        )
        return np.asarray(got, dtype=np.uint8).reshape(height, width, 4)

    def floats(self, width: int, height: int, view=None, **options) -> np.ndarray:
        got = self.page.evaluate(
            "async ([w, h, v, o]) => Array.from(await document.querySelector('pixparam-viewer')"
            ".renderFloats(w, h, v || {}, o))",
            [width, height, view, options],
        )
        return np.asarray(got, dtype=np.float32).reshape(height, width, 4)

    def js(self, expression: str, arg=None):
        body = f"const v = document.querySelector('pixparam-viewer'); {expression}"
        return self.page.evaluate(f"(arg) => {{ {body} }}", arg)

    def close(self) -> None:
        self.page.close()
        assert not self.errors, self.errors


@pytest.fixture(scope="module")
def exports(tiny_fits, tmp_path_factory) -> dict[str, Path]:
    fits = list(tiny_fits.values())
    root = tmp_path_factory.mktemp("web")
    return {w: pp.export_web(fits, root / w, weights=w) for w in ("float16", "float32")}


@pytest.fixture(scope="module")
def pages(browser, exports):
    with serve(exports["float16"]) as u16, serve(exports["float32"]) as u32:
        opened = {"float16": Page(browser, f"{u16}/index.html"), "float32": Page(browser, f"{u32}/index.html")}
        yield opened
        for p in opened.values():
            p.close()  # no console errors, no failed requests


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("family", list(pp.FAMILIES))
def test_browser_pixels_equal_pytorch(pages, tiny_fits, family, view, record_property):
    fit = tiny_fits[family]
    index = list(tiny_fits).index(family)
    width, height, v = VIEWS[view]
    exact = render_view(fit, width, height, v)
    rounded = render_view(fit, width, height, v, model=stored_model(fit.model))  # what the float16 export holds
    got32 = pages["float32"].pixels(width, height, v, model=index) / 255.0
    got16 = pages["float16"].pixels(width, height, v, model=index) / 255.0
    err32 = float(np.abs(got32 - exact).max())
    err16 = float(np.abs(got16 - rounded).max())
    err16_vs_32 = float(np.abs(got16 - exact).max())
    for name, value in (("err_float32", err32), ("err_float16", err16), ("err_float16_vs_float32", err16_vs_32)):
        record_property(name, round(value * 255, 3))
    assert err32 <= TOL_SAME_WEIGHTS, err32 * 255
    assert err16 <= TOL_SAME_WEIGHTS, err16 * 255
    assert err16_vs_32 <= TOL_FLOAT16, err16_vs_32 * 255
    if view == "fitted":  # the default view is Fit.render itself
        np.testing.assert_allclose(exact[..., :3], fit.render(), atol=1e-6)
    assert (exact[..., 3] == 1).all() and np.unique(got16.reshape(-1, 4), axis=0).shape[0] > 8


def test_float_error_is_far_below_one_level(pages, tiny_fits, record_property):
    """Before 8-bit rounding the shader matches PyTorch to a small fraction of 1/255 (measured: 0.003/255).

    GLSL's own sin and cos erred by 2e-4 on SwiftShader, which sine and Gabor MLPs amplified to 0.5/255;
    the viewer's sincos4 is float32-accurate.
    """
    worst = {}
    for index, (family, fit) in enumerate(tiny_fits.items()):
        got = pages["float32"].floats(32, 32, None, model=index)
        worst[family] = float(np.abs(got - render_view(fit, 32, 32)).max())
    record_property("float_err_x255", {k: round(v * 255, 4) for k, v in worst.items()})
    assert max(worst.values()) < 0.02 / 255, worst


@pytest.fixture(scope="module")
def variant_fits(rgb32, gray24):
    """What the tiny fits leave out: bilinear gray and RGBA grids, a WIRE without complex layers, summed Gaussians."""
    rgba = np.concatenate([rgb32, np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(32, 32, 1)], axis=-1)
    return {
        "grid-bilinear-gray": pp.fit(gray24, 300, "grid", steps=20, interp="bilinear", progress=False),
        "grid-rgba": pp.fit(rgba, 1200, "grid", steps=20, progress=False),
        "wire-depth-1": pp.fit(rgb32, 600, "wire", steps=20, depth=1, progress=False),
        "finer-gray": pp.fit(gray24, 600, "finer", steps=20, progress=False),
        "gaussians-sum": pp.fit(rgb32, 1200, "gaussians", steps=20, blending="sum", progress=False),
    }


@pytest.fixture(scope="module")
def variant_page(browser, variant_fits, tmp_path_factory):
    out = pp.export_web(list(variant_fits.values()), tmp_path_factory.mktemp("variants") / "site")
    with serve(out) as url:
        page = Page(browser, f"{url}/index.html")
        yield page
        page.close()


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("variant", ["grid-bilinear-gray", "grid-rgba", "wire-depth-1", "finer-gray", "gaussians-sum"])
def test_family_variants_equal_pytorch(variant_page, variant_fits, variant, view):
    fit = variant_fits[variant]
    h, w = fit.image_shape[:2]
    width, height, v = VIEWS[view]
    width, height = width * w // 32, height * h // 32
    v = v and {"x": v["x"] * w / 32, "y": v["y"] * h / 32, "zoom": v["zoom"]}
    got = variant_page.pixels(width, height, v, model=list(variant_fits).index(variant)) / 255.0
    assert np.abs(got - render_view(fit, width, height, v, model=stored_model(fit.model))).max() <= TOL_SAME_WEIGHTS
    assert np.abs(got - render_view(fit, width, height, v)).max() <= TOL_FLOAT16
    if variant == "grid-rgba":  # the fitted alpha, not an opaque image
        assert np.unique(got[..., 3]).size > 8


def test_frame_time_is_reported(pages, capsys):
    p = pages["float16"]
    times = {}
    for index, family in enumerate(pp.FAMILIES):
        p.pixels(128, 128, None, model=index)
        times[family] = p.js("return v.renderMs;")
    frame = p.js("return v.frameMs;")
    with capsys.disabled():
        print("\nrenderPixels(128, 128) ms:", {k: round(v, 1) for k, v in times.items()}, "screen frame ms:", frame)
    assert all(t > 0 for t in times.values()) and frame > 0
    assert "frame" in p.js("return v.shadowRoot.querySelector('.numbers').textContent;")


def test_outside_the_image_is_transparent(pages):
    got = pages["float16"].pixels(32, 32, {"zoom": 0.5})
    assert (got[:7, :, 3] == 0).all() and (got[9:23, 9:23, 3] == 255).all()


def test_file_url_loads_the_same_pixels(browser, exports, pages):
    page = Page(browser, (exports["float16"] / "index.html").resolve().as_uri())
    try:
        assert page.page.url.startswith("file://")
        np.testing.assert_array_equal(page.pixels(32, 32), pages["float16"].pixels(32, 32))
    finally:
        page.close()


@pytest.fixture(scope="module")
def ladder_page(browser, rgb32, tmp_path_factory):
    fits = pp.fit_ladder(rgb32, [300, 1500], "relu", steps=5, progress=False)
    out = pp.export_web(fits, tmp_path_factory.mktemp("ladder") / "site")
    with serve(out) as url:
        page = Page(browser, f"{url}/index.html", viewport=(900, 500))
        yield page, fits
        page.close()


def test_budget_slider_swaps_models_and_numbers(ladder_page):
    page, fits = ladder_page
    numbers = "return v.shadowRoot.querySelector('.numbers').textContent;"
    assert f"{fits[0].n_params:,} params" in page.js(numbers)
    page.page.focus("pixparam-viewer >> .budget")
    page.page.keyboard.press("ArrowRight")
    page.page.wait_for_function("document.querySelector('pixparam-viewer').index === 1")
    text = page.js(numbers)
    assert f"{fits[1].n_params:,} params" in text and f"{fits[1].psnr:.1f}\u00a0dB" in text
    assert "values" in text  # the pixel counterpart's numbers


def test_keyboard_zoom_pan_and_reset(ladder_page):
    page, _ = ladder_page
    page.page.focus("pixparam-viewer >> canvas")
    page.page.keyboard.press("+")
    assert page.js("return v.view.zoom;") == pytest.approx(1.25)
    page.page.keyboard.press("ArrowLeft")
    assert page.js("return v.view.x;") < 16
    page.page.keyboard.press("0")
    assert page.js("return v.view;") == {}


def test_wheel_scrolls_the_page_until_the_image_is_active(ladder_page):
    page, _ = ladder_page
    pg = page.page
    pg.evaluate("document.body.style.height = '3000px'; window.scrollTo(0, 0); document.activeElement.blur()")
    page.js("v.resetView();")
    box = pg.locator("pixparam-viewer >> canvas").bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.mouse.wheel(0, 200)
    pg.wait_for_function("window.scrollY > 0")
    assert page.js("return v.view;") == {}  # the page scrolled, the view did not zoom
    pg.evaluate("window.scrollTo(0, 0)")
    pg.mouse.click(box["x"] + box["width"] / 4, box["y"] + box["height"] / 2)  # left of the split handle
    pg.mouse.wheel(0, -200)
    pg.wait_for_function("(document.querySelector('pixparam-viewer').view.zoom || 1) > 1")


def test_split_handle_drags_and_keys(ladder_page):
    page, _ = ladder_page
    pg = page.page
    pg.evaluate("window.scrollTo(0, 0)")
    frame = pg.locator("pixparam-viewer >> .frame").bounding_box()
    handle = pg.locator("pixparam-viewer >> .handle").bounding_box()
    pg.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    pg.mouse.down()
    pg.mouse.move(frame["x"] + 0.25 * frame["width"], handle["y"] + handle["height"] / 2, steps=4)
    pg.mouse.up()
    assert page.js("return v.split;") == pytest.approx(0.25, abs=0.02)
    pg.focus("pixparam-viewer >> .handle")
    pg.keyboard.press("End")
    assert page.js("return v.split;") == 1


def test_phone_width_fits_without_horizontal_scroll(browser, exports):
    with serve(exports["float16"]) as url:
        page = Page(browser, f"{url}/index.html", viewport=(390, 800))
        try:
            width = page.page.evaluate("document.documentElement.scrollWidth")
            frame = page.page.locator("pixparam-viewer >> .frame").bounding_box()
            assert width <= 390 and frame["width"] <= 390 - 16
            assert page.js("return getComputedStyle(v.shadowRoot.querySelector('canvas')).touchAction;") == "pan-y"
        finally:
            page.close()
