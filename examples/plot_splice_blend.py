"""
Blend and splice two networks
=============================

Two SIRENs fit two *different* images (chelsea and coffee) from one common
random initialisation (the same seed, so identical initial weights); the
first figure blends their weights and, beside them, cross-fades the two
images' pixel counterparts, each judged against both images. The second
blends two fits of one image from two seeds, with and without aligning
their hidden units first (weight matching, sign flips included for SIREN's
odd sine). The script prints the PSNR halfway along each path. Last, a hash
grid fitted to the image gets one quadrant's table entries from a hash grid
fitted (from its weights) to the mirrored image: splicing as pasting.
"""

import sys
from pathlib import Path

from matplotlib.figure import Figure

import pixparam as pp
from pixparam.figures import draw_image, network_blends, pixel_crossfades, plot_blends, save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("splice_blend.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 800
alphas = [0, 0.25, 0.5, 0.75, 1]

img, other = pp.load_image("chelsea", size=48), pp.load_image("coffee", size=48)  # both 32×48 RGB
a = pp.fit(img, "3k", "siren", steps=steps, device="cpu")
b = pp.fit(other, a.arch, steps=steps, device="cpu")  # the same seed: the same initial weights as a
refs = {"chelsea": img, "coffee": other}
pair = [
    network_blends(a, b, alphas, references=refs, label="siren weights, one init"),
    pixel_crossfades(img, other, a.n_params, alphas, references=refs),
]
for row in pair:
    print(f"{row.label}: halfway " + ", ".join(f"{row.at(r, 0.5):.2f} dB against {r}" for r in refs))
print(f"wrote {save_figure(plot_blends(pair, family='siren', title='chelsea ↔ coffee'), out)}")

a2 = pp.fit(img, a.arch, steps=steps, seed=1, device="cpu")
seeds = [
    network_blends(a, a2, alphas, align=mode, references={"chelsea": img}, label=f"two seeds, {mode}")
    for mode in ("none", "permutation+sign")
]
for row in seeds:
    print(f"{row.label}: halfway {row.at('chelsea', 0.5):.2f} dB (ends {a.psnr:.2f}, {a2.psnr:.2f})")
seeds_path = out.with_name(out.stem + "_seeds" + out.suffix)
print(f"wrote {save_figure(plot_blends(seeds, family='siren', title='chelsea: two seeds'), seeds_path)}")

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
