"""
Capacity curve: quality against number of values
================================================

PSNR and SSIM of three network families, pixels and JPEG as the number of
stored values grows, with a fitted law per series and a cross where a family
overtakes pixels. The measured records are saved as JSON beside the figure.
"""

import sys
from pathlib import Path

import pixparam as pp

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("capacity_curve.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 600

img = pp.load_image("astronaut", size=64)  # 64×64×3 = 12,288 values
budgets = ["1k", "2k", "4k", "8k"]
records = pp.capacity_table(img, budgets, ["siren", "fourier", "hashgrid"], steps=steps, seed=0)

for family, c in pp.crossovers(records).items():
    where = pp.format_count(c["n"]) if c["n"] is not None else "-"
    print(f"{family}: {c['status']} pixels at equal values (fitted N* {where})")

fig = pp.plot_capacity(records, title=f"astronaut, 64×64 px · {steps} steps per fit")
print(f"wrote {pp.save_figure(fig, out, dpi=130)}")
print(f"wrote {pp.save_table(records, out.with_suffix('.json'), image='astronaut', size=64, steps=steps)}")
