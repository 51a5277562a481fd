"""
Scaling laws: parameters against pixels
=======================================

MSE against size for SIREN and pixels with fitted power laws, the exchange
rate between them, and PSNR against training compute with the
compute-optimal frontier over a grid of sizes and step counts.
"""

import sys
from pathlib import Path

import pixparam as pp
from pixparam import experiments as ex
from pixparam.figures import save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("scaling.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 400

img = pp.load_image("astronaut", size=32)
result = ex.scaling(img, [300, 600, 1200, 2400], "siren", steps=[max(1, steps // 4), steps], device="cpu")
for law in result.tables["laws"]:
    print(f"{law['family']}: alpha = {law.get('alpha', float('nan')):.2f}")
print(f"wrote {save_figure(ex.plot_scaling(result), out)}")
