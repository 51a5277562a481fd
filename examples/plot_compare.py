"""
Networks beside pixels, budget by budget
========================================

A SIREN and a hash grid fitted at three budgets, each column beside the
image stored in the same number of pixel values (as blocks, and upsampled
bicubic), with the same crop zoomed in every panel.
"""

import sys
from pathlib import Path

import pixparam as pp

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("compare.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000

img = pp.load_image("astronaut", size=64)
fits = [
    pp.fit(img, b, f, steps=steps, seed=0, progress=False) for f in ("siren", "hashgrid") for b in ("1k", "4k", "8k")
]
for f in fits:
    print(f"{f.arch.describe()}: PSNR {f.psnr:.2f} dB, SSIM {f.ssim:.3f} in {f.seconds:.1f} s")

fig = pp.compare(img, fits, smooth=True, inset=(0.28, 0.3, 0.3, 0.3), title=f"astronaut, 64 px · {steps} steps per fit")
print(f"wrote {pp.save_figure(fig, out, dpi=130)}")
