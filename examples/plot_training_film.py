"""
Training film: a network learning an image
==========================================

A 4k-parameter SIREN recorded every few steps while it learns a 64-px image:
the animation (GIF, PSNR on every frame) is written beside a contact sheet of
six frames with the PSNR curve.
"""

import sys
from pathlib import Path

import pixparam as pp

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("training_film.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 600

img = pp.load_image("astronaut", size=64)
film = pp.training_film(
    img, out.with_suffix(".gif"), budget="4k", family="siren", steps=steps, every=max(1, steps // 30)
)
print(f"{len(film)} frames, final PSNR {film.psnr[-1]:.2f} dB · wrote {film.path}")

fig = pp.plot_film(film, n=6)
print(f"wrote {pp.save_figure(fig, out, dpi=130)}")
