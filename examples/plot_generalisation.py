"""
Memorisation against generalisation
===================================

Networks of growing size see half the pixels of a 24-px sample and predict
the other half. Train and held-out PSNR over three seeds, against the
interpolation threshold (parameters = training values).
"""

import sys
from pathlib import Path

import pixparam as pp
from pixparam import experiments as ex
from pixparam.figures import save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("generalisation.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 300

img = pp.load_image("camera", size=24)
result = ex.generalisation(img, [60, 150, 300, 600, 1500, 3000], "siren", steps=steps, seeds=3, device="cpu")
print(f"threshold: {result.meta['threshold']} training values")
print(f"wrote {save_figure(ex.plot_generalisation(result), out)}")
