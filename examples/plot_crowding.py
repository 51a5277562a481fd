"""
Crowding: K images in one budget
================================

Sixteen tiles of a sample, in groups of K: one SIREN of 1k parameters per
group memorises its K tiles at once (the tile index enters as a learned
embedding, counted in the budget), beside pixels that split the same 1k
values over the K tiles.
"""

import sys
from pathlib import Path

from pixparam import experiments as ex
from pixparam.figures import save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("crowding.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 500

images = ex.tiles("astronaut", 16, size=24)
result = ex.crowding(images, "1k", "siren", ks=(1, 2, 4, 8, 16), steps=steps, device="cpu")
for k in result.meta["ks"]:
    net = [r["psnr"] for r in result.select(method="network", k=k)]
    pix = [r["psnr"] for r in result.select(method="pixels", k=k)]
    print(f"K={k:2d}: network {sum(net) / len(net):5.2f} dB · pixels {sum(pix) / len(pix):5.2f} dB per tile")
print(f"wrote {save_figure(ex.plot_crowding(result), out)}")
