"""
Prune and quantise a network beside its pixel counterpart
=========================================================

A 4k-parameter SIREN is pruned (smallest weights zeroed) and quantised to
fewer bits; under each network edit stands the same edit on the 4k pixel
values of its counterpart (smallest DCT coefficients dropped; posterised).
Writes the prune strip, and beside it the quantise strip and a PSNR curve.
"""

import sys
from pathlib import Path

import pixparam as pp
from pixparam.figures import plot_edit_curve, plot_edit_strip, save_figure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("prune_quantize.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000

img = pp.load_image("astronaut", size=64)
fit = pp.fit(img, "4k", "siren", steps=steps, device="cpu")

pruned = pp.edit.prune(fit, 0.8)
healed = pp.edit.heal(pruned, img, steps=max(1, steps // 5))
print(f"{fit.caption()}; pruned 80%: {pruned.psnr:.2f} dB; healed: {healed.psnr:.2f} dB")
quantized = pp.edit.quantize(fit, 4)
kib = quantized.storage_bits / 8 / 1024
print(f"4 bits: {quantized.psnr:.2f} dB in {kib:.1f} KiB (float32: {fit.n_params * 4 / 1024:.1f} KiB)")

print(f"wrote {save_figure(plot_edit_strip(fit, 'prune', [0, 0.5, 0.8, 0.9, 0.95]), out)}")
quant_path = out.with_name(out.stem + "_quantize" + out.suffix)
print(f"wrote {save_figure(plot_edit_strip(fit, 'quantize', [32, 8, 6, 4, 3, 2]), quant_path)}")
curve_path = out.with_name(out.stem + "_curve" + out.suffix)
curve = plot_edit_curve(fit, "prune", [0, 0.5, 0.8, 0.9, 0.95], heal_steps=max(1, steps // 5))
print(f"wrote {save_figure(curve, curve_path)}")
