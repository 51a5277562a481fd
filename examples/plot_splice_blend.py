"""
Blend and splice two networks
=============================

Two SIRENs fit the same image from different seeds; a third starts from the
first one's weights (``init_from``). The strip blends their weights with
and without aligning hidden units first (weight matching), and between fits
that share a starting point; the script prints the PSNR halfway along each
path. Beside it, a hash grid
fitted to the image gets one quadrant's table entries from a hash grid
fitted (from its weights) to the mirrored image: splicing as pasting.
"""

import sys
from pathlib import Path

from matplotlib.figure import Figure

import pixparam as pp
from pixparam.figures import draw_image, plot_blend_strip, save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("splice_blend.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 800

img = pp.load_image("astronaut", size=48)
a = pp.fit(img, "3k", "siren", steps=steps, device="cpu")
b = pp.fit(img, a.arch, steps=steps, seed=1, device="cpu")
shared = pp.fit(img, a.arch, steps=steps, seed=1, init_from=a, device="cpu")
for name, other in (("independent", b), ("shared init", shared)):
    mid, mid_aligned = pp.edit.blend(a, other, 0.5, align=False), pp.edit.blend(a, other, 0.5)
    print(f"{name}: halfway {mid.psnr:.2f} dB, aligned {mid_aligned.psnr:.2f} dB (ends {a.psnr:.2f}, {other.psnr:.2f})")

print(f"wrote {save_figure(plot_blend_strip(a, b, [0, 0.25, 0.5, 0.75, 1], shared=shared), out)}")

mirror = img[:, ::-1].copy()
g = pp.fit(img, "3k", "hashgrid", steps=steps, device="cpu")
g_mirror = pp.fit(mirror, g.arch, steps=steps, init_from=g, device="cpu")
h, w = img.shape[:2]
spliced = pp.edit.splice(g, g_mirror, region=(0, 0, h // 2, w // 2), align=False)
fig = Figure(figsize=(5.4, 2.2), layout="constrained")
axes = fig.subplots(1, 3)
draw_image(axes[0], g.render(), caption=f"a · {g.psnr:.1f} dB")
draw_image(axes[1], g_mirror.render(), caption="b (mirrored image)")
draw_image(axes[2], spliced.render(), caption=f"a, top-left table from b\n{spliced.edits[-1]['table_entries']} entries")
splice_path = out.with_name(out.stem + "_splice" + out.suffix)
print(f"wrote {save_figure(fig, splice_path)}")
