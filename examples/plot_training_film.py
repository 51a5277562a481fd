"""
Training films: every family learning one image, in step
========================================================

Three 4k-parameter networks (the trained pixel grid, SIREN and a hash grid)
learn a 64-px image, each filmed at the same 40 steps, log-spaced from step 0
(the untrained network; the grid starts as the pixel counterpart). The
frames play side by side with the original (GIF; MP4 too when PyAV is
installed), and the PSNR of every frame is drawn against step on a log axis,
with the pixel counterpart as a dashed line.
"""

import sys
from pathlib import Path

import pixparam as pp
from pixparam.figures import family_films, plot_film_psnr, write_synced_film
from pixparam.figures.film_video import video_available

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("training_film.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 600

img = pp.load_image("astronaut", size=64)
films = family_films(img, "4k", ["grid", "siren", "hashgrid"], steps=steps)
for name, film in films.items():
    print(f"{name}: {len(film)} frames at steps {film.steps[:6]}... final PSNR {film.psnr[-1]:.2f} dB")
print(f"wrote {write_synced_film(img, films, out.with_suffix('.gif'), title='4k parameters')}")
if video_available():
    print(f"wrote {write_synced_film(img, films, out.with_suffix('.mp4'), title='4k parameters')}")

pix = pp.pixelate(img, "4k")
fig = plot_film_psnr(films, pixels=pix.psnr, pixels_label=f"pixels {pix.shape[0]}×{pix.shape[1]}")
print(f"wrote {pp.save_figure(fig, out, dpi=130)}")
