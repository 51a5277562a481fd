"""
Crowding: K images in one budget
================================

Eight different sample images (centre squares, none a tuning image), in
groups of K: one SIREN of 1k parameters per group memorises its K images at
once (the image index enters as a learned embedding, counted in the budget),
beside pixels that split the same 1k values over the K images.
"""

import sys
from pathlib import Path

from pixparam import experiments as ex
from pixparam.figures import save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("crowding.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 500

names = ["chelsea", "coffee", "rocket", "moon", "coins", "brick", "retina", "hubble_deep_field"]
images = ex.square_crops(names, 24)
result = ex.crowding(images, "1k", "siren", ks=(1, 2, 4, 8), steps=steps, device="cpu")
for k in result.meta["ks"]:
    net = [r["psnr"] for r in result.select(method="network", k=k)]
    pix = [r["psnr"] for r in result.select(method="pixels", k=k)]
    print(f"K={k:2d}: network {sum(net) / len(net):5.2f} dB · pixels {sum(pix) / len(pix):5.2f} dB per image")
print(f"wrote {save_figure(ex.plot_crowding(result), out)}")
