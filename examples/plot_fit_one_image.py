"""
Fit one network and its pixel counterpart
=========================================

A 4k-parameter SIREN memorises a 64-px sample image; beside it stands the
same image stored in at most 4k pixel values. The script saves the network,
loads it back, renders it at four times the resolution, and writes a figure.
"""

import sys
from pathlib import Path

import pixparam as pp
from pixparam.figures import plot_strip, save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fit_one_image.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000

img = pp.load_image("astronaut", size=64)
fit = pp.fit(img, "4k", "siren", steps=steps, device="auto")
pix = pp.pixelate(img, fit.n_params)

ckpt = fit.save(out.with_suffix(".safetensors"))
again = pp.load(ckpt)
print(f"{fit.arch.describe()}: PSNR {fit.psnr:.2f} dB in {fit.seconds:.1f} s")
print(f"pixels {pix.caption()}: PSNR {pix.psnr:.2f} dB")

fig = plot_strip(
    img,
    {
        "network": [
            (fit.render(), f"{pp.format_count(fit.n_params)} params\n{fit.psnr:.1f} dB"),
            (again.render(size=256), "loaded, rendered\nat 256 px"),
        ],
        "pixels": [
            (pix.render(mode="nearest"), f"{pp.format_count(pix.n_values)} values\n{pix.shape[0]}×{pix.shape[1]} px"),
            (pix.render(mode="bicubic", size=256), f"bicubic to 256 px\n{pix.psnr:.1f} dB at 64 px"),
        ],
    },
    column_titles=["fitted size", "upsampled"],
)
print(f"wrote {save_figure(fig, out)}")
