"""What a reader's browser downloads when it opens a gallery page, before scrolling (issue #19: ≤ 5 MB on first load).

Serves the gallery folder locally, opens ``index.html`` in headless Chromium
at a desktop and a phone viewport, waits until the network is idle, and sums
the bodies of every response (lazy images below the fold are not fetched, as
in a reader's browser). Then it scrolls to the bottom and sums again: the
whole page's weight.

    python benchmarks/page_weight.py gallery --json benchmarks/results/page_weight_gallery.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs

from pixparam._io import write_bytes_atomic
from pixparam.web import HEADLESS_WEBGL_ARGS, serve

#: The issue's bound on the first load.
FIRST_LOAD_BYTES = 5 * 10**6
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def weigh(folder: Path, executable: str | None) -> dict[str, Any]:
    from playwright import sync_api

    out: dict[str, Any] = {}
    with serve(folder) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=list(HEADLESS_WEBGL_ARGS))
        for name, (w, h) in VIEWPORTS.items():
            page = browser.new_page(viewport={"width": w, "height": h})
            sizes: dict[str, int] = {}

            def seen(response: Any, sizes: dict[str, int] = sizes) -> None:
                try:
                    sizes[response.url] = len(response.body())
                except Exception:  # a redirect or an aborted request has no body
                    sizes.setdefault(response.url, 0)

            page.on("response", seen)
            page.goto(f"{url}/index.html", wait_until="networkidle")
            first = sum(sizes.values())
            for y in range(0, page.evaluate("document.body.scrollHeight") + h, h // 2):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(60)
            page.wait_for_load_state("networkidle")
            out[name] = {"first_load_bytes": first, "whole_page_bytes": sum(sizes.values()), "files": len(sizes)}
            page.close()
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (Debian's Chromium by default)")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    result = {"meta": run_meta(folder=str(a.folder)), "bound_bytes": FIRST_LOAD_BYTES, **weigh(a.folder, a.chromium)}
    for name in VIEWPORTS:
        r = result[name]
        ok = "within" if r["first_load_bytes"] <= FIRST_LOAD_BYTES else "over"
        print(f"{name}: first load {r['first_load_bytes'] / 1e6:.2f} MB ({ok} 5 MB), "
              f"whole page {r['whole_page_bytes'] / 1e6:.2f} MB in {r['files']} files")  # fmt: skip
    if a.json is not None:
        write_bytes_atomic(a.json, (json.dumps(result, indent=1) + "\n").encode())


if __name__ == "__main__":
    main()
