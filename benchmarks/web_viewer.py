"""The web viewer, measured in headless Chromium: its pixels against PyTorch's, frame times, export sizes, screenshots.

Fits a small ladder (a demo, not a tuning claim), exports it with
``pp.export_web``, opens it in Debian's Chromium (WebGL2 on SwiftShader, a CPU
rasteriser: frame times are a CPU's, far slower than any GPU's) and records,
per model and view, the largest difference between the browser's pixels (and,
before 8-bit rounding, its floats) and ``pp.render_view`` of the float16-rounded
and of the float32 network, for every registered family by default. It also
weighs 5-rung ladders (1k to 256k parameters, untrained builds; a family that
starts from the image starts from a 512-px one) of every family against
``1.2 × float16 weights + 40 KB``, and takes the screenshots of docs/viewer.md
at desktop (1280 px) and phone (390 px) width, of a SIREN.

    OMP_NUM_THREADS=1 python benchmarks/web_viewer.py --json benchmarks/results/web_viewer.json --shots docs
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

import pixparam as pp
from pixparam._io import write_bytes_atomic
from pixparam.web import HEADLESS_WEBGL_ARGS, field_data, render_view, serve, stored_model, to_rgba8

ROOT = Path(__file__).resolve().parents[1]
ARGS = list(HEADLESS_WEBGL_ARGS)
LADDER = [1000, 4000, 16000, 64000, 256000]


def ladder_sizes(tmp: Path) -> dict:
    out = {}
    image = pp.load_image("astronaut", size=512)
    for family in pp.FAMILIES:
        init = pp.fields.spec_for(family).init_from_image
        fits = []
        for budget in LADDER:
            arch = pp.plan(budget, family, channels=3, resolution=512)
            model = pp.build(arch, seed=0)
            if init is not None:
                init(model, image, torch.Generator().manual_seed(0))
            fits.append(pp.Fit(model, arch, (512, 512, 3), pp.History(), 0.0, {}))
        folder = pp.export_web(fits, tmp / f"ladder-{family}")
        total = sum(p.stat().st_size for p in folder.iterdir())
        half = 2 * sum(f.n_params for f in fits)
        viewer = (folder / "pixparam-viewer.js").stat().st_size
        out[family] = {
            "n_params": [f.n_params for f in fits],
            "float16_bytes": half,
            "export_bytes": total,
            "viewer_js_bytes": viewer,
            "bound_bytes": int(1.2 * half + 40_000),
            "ratio": total / half,
        }
    return out


def float16_biases(model):
    """A copy of the browser's network with each bias stored like its layer's weights (float16 but in a first layer)."""
    out = stored_model(model, "float32")
    data = field_data(out)
    with torch.no_grad():
        for name, t in data.tensors.items():
            if name.endswith("bias") and name[: -len("bias")] + "weight" not in data.exact:
                t.copy_(t.to(torch.float16).to(t.dtype))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--budgets", default="1k,4k,16k")
    ap.add_argument("--families", default=",".join(pp.FAMILIES))
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--frame", type=int, default=256, help="side of the frame-time render")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--shots", type=Path, default=None, help="folder for viewer-desktop.png and viewer-phone.png")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "viewer.md", help="page whose numbers block to fill")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    img = pp.load_image(a.image, size=a.size)
    h, w = img.shape[:2]
    budgets = [pp.parse_budget(b) for b in a.budgets.split(",")]
    fits = []
    for family in a.families.split(","):
        fits += pp.fit_ladder(img, budgets, family, steps=a.steps, seed=0, progress=False)
    views = {
        "fitted": (w, h, None),
        "corner-4x": (w, h, {"x": w / 8, "y": h / 8, "zoom": 4.0}),
        "half": (w // 2, h // 2, None),
    }
    result: dict = {"meta": run_meta(), "setup": {**vars(a), "json": None, "shots": None, "doc": None}}
    result["setup"]["shape"] = list(img.shape)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        result["ladder_size"] = ladder_sizes(tmp)
        site = pp.export_web(fits, tmp / "site", image=img, title=f"pixparam viewer · {a.image} {h}×{w}")
        with serve(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{url}/index.html")
            page.evaluate("document.querySelector('pixparam-viewer').ready.then(() => true)")

            def browser_render(i, width, height, view, floats=False):
                fn = "renderFloats" if floats else "renderPixels"
                got = page.evaluate(
                    f"async ([i, w, h, v]) => Array.from(await document.querySelector('pixparam-viewer')"
                    f".{fn}(w, h, v || {{}}, {{model: i}}))",
                    [i, width, height, view],
                )
                arr = np.asarray(got, dtype=np.float32).reshape(height, width, 4)
                return arr if floats else arr / 255.0

            models = []
            for i, fit in enumerate(fits):
                half = stored_model(fit.model)
                all_half = float16_biases(half)
                row = {"family": fit.family, "n_params": fit.n_params, "psnr": fit.psnr, "views": {}}
                for name, (vw, vh, v) in views.items():
                    exact = render_view(fit, vw, vh, v)
                    rounded = render_view(fit, vw, vh, v, model=half)
                    f = browser_render(i, vw, vh, v, floats=True)
                    b = browser_render(i, vw, vh, v)
                    row["views"][name] = {
                        "float_vs_float16_x255": float(np.abs(f - rounded).max() * 255),
                        "float_vs_float32_x255": float(np.abs(f - exact).max() * 255),
                        "pixels_vs_float16_x255": float(np.abs(b - rounded).max() * 255),
                        "pixels_vs_float32_x255": float(np.abs(b - exact).max() * 255),
                        "float16_biases_pytorch_vs_float32_x255": float(
                            np.abs(to_rgba8(render_view(fit, vw, vh, v, model=all_half)) / 255.0 - exact).max() * 255
                        ),
                    }
                times = []
                for _ in range(3):
                    browser_render(i, a.frame, a.frame, None)
                    times.append(page.evaluate("document.querySelector('pixparam-viewer').renderMs"))
                row["frame_ms"] = statistics.median(times)
                models.append(row)
                print(
                    fit.caption(),
                    {k: round(v["pixels_vs_float32_x255"], 2) for k, v in row["views"].items()},
                    f"{row['frame_ms']:.0f} ms",
                    flush=True,
                )
            result["models"] = models
            if a.shots is not None:
                same = [i for i, f in enumerate(fits) if f.family == "siren"] or list(range(len(fits)))
                shown = same[len(same) // 2]  # the middle rung of the SIREN ladder
                page.evaluate(
                    "async () => { const v = document.querySelector('pixparam-viewer'); "
                    f"await v.select({shown}); "
                    f"v.view = {{x: {0.44 * w}, y: {0.3 * h}, zoom: 2.5}}; v.split = 0.5; v.requestDraw(); }}"
                )
                page.wait_for_timeout(500)
                page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                page.wait_for_function("document.querySelector('pixparam-viewer').frameMs !== null")
                page.wait_for_timeout(3000)
                page.screenshot(path=str(a.shots / "viewer-desktop.png"))
                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                phone.goto(f"{url}/index.html")
                phone.evaluate("document.querySelector('pixparam-viewer').ready.then(() => true)")
                phone.wait_for_function("document.querySelector('pixparam-viewer').frameMs !== null")
                phone.wait_for_timeout(3000)
                phone.screenshot(path=str(a.shots / "viewer-phone.png"))
            browser.close()
        result["console_errors"] = errors
    if a.json is not None:
        write_bytes_atomic(a.json, (json.dumps(result, indent=1) + "\n").encode())
    if a.doc is not None and a.doc.exists():
        fill_doc(a.doc, result)
    print(json.dumps(result["ladder_size"], indent=1))
    if errors:
        sys.exit(f"console errors: {errors}")


def fill_doc(doc: Path, result: dict) -> None:
    """Write the measured table between the page's ``<!-- numbers -->`` markers."""
    lines = [
        f"Measured by `{result['meta']['command']}` ({result['meta']['date'][:10]}, "
        f"{result['meta']['machine']}); 8-bit pixels, error in 1/255 (max over the pixels and channels). "
        "*float, same weights*: the browser's floats before 8-bit rounding against PyTorch on the float16 "
        "export's weights (max over the three views); *float16 biases too*: PyTorch's 8-bit render with the "
        "biases rounded as well, against the float32 net (max over the views), what the export would give "
        "without keeping them float32.",
        "",
        "| model | PSNR | float, same weights | vs float16 net: fitted · 4× corner · half "
        "| vs float32 net: fitted · 4× corner · half | float16 biases too | frame (SwiftShader) |",
        "|---|---|---|---|---|---|---|",
    ]
    side = result["setup"]["frame"]
    for m in result["models"]:
        v = m["views"]
        f16 = " · ".join(f"{v[k]['pixels_vs_float16_x255']:.2f}" for k in ("fitted", "corner-4x", "half"))
        f32 = " · ".join(f"{v[k]['pixels_vs_float32_x255']:.2f}" for k in ("fitted", "corner-4x", "half"))
        exact = max(x["float_vs_float16_x255"] for x in v.values())
        biases = max(x["float16_biases_pytorch_vs_float32_x255"] for x in v.values())
        lines.append(
            f"| {m['family']} {pp.format_count(m['n_params'])} | {m['psnr']:.1f} dB | {exact:.3f} | {f16} | {f32} "
            f"| {biases:.2f} | {m['frame_ms']:.0f} ms at {side}×{side} |"
        )
    lines += [
        "",
        "| 5-rung ladder (1k–256k) | float16 weights | export | ratio | bound (1.2× + 40 KB) |",
        "|---|---|---|---|---|",
    ]
    for family, s in result["ladder_size"].items():
        lines.append(
            f"| {family} | {s['float16_bytes'] / 1e3:.0f} KB | {s['export_bytes'] / 1e3:.0f} KB | "
            f"{s['ratio']:.3f} | {s['bound_bytes'] / 1e3:.0f} KB |"
        )
    text = doc.read_text()
    block = "<!-- numbers -->\n" + "\n".join(lines) + "\n<!-- /numbers -->"
    doc.write_text(re.sub(r"<!-- numbers -->.*?<!-- /numbers -->", lambda _: block, text, flags=re.S))


if __name__ == "__main__":
    main()
