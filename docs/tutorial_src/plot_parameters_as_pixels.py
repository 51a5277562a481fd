"""
Tutorial
========

*Parameters as pixels*, in five steps: **fit** a network to an image with
an exact parameter budget, **compare** it with its pixel counterpart,
**edit** it like an image, **save** it, and **publish** the figures. The
page is built by running this file: a 48-pixel image and 300 steps per fit
keep it short on a CPU; ``size=256`` and ``steps=2000`` give the sharp
version.
"""

# %%
# Fit
# ---
# An image is a float32 array of shape ``(H, W, C)`` with values in ``[0, 1]``
# (:func:`~pixparam.load_image` reads files, PIL images, arrays and the
# built-in samples). :func:`~pixparam.fit` plans a network of the family with
# at most the budget's trainable parameters, trains it, and measures it
# against the image.
import tempfile
from pathlib import Path

import pixparam as pp

img = pp.load_image("astronaut", size=48)
print(img.shape, img.dtype)

fit = pp.fit(img, "2k", "siren", steps=300, seed=0, progress=False)
print(fit.arch.describe())
print(f"PSNR {fit.psnr:.2f} dB · SSIM {fit.ssim:.3f}")

# %%
# The *pixel counterpart* is the same image area-downsampled to at most the
# same number of values. Both sides are measured the same way, against the
# image, with the pixels upsampled bicubic:
pix = pp.pixelate(img, fit.n_params)
print(f"pixels {pix.caption()}: PSNR {pix.psnr:.2f} dB")

# %%
# A network is a function of the coordinates, so it renders at any
# resolution; the pixels can only be interpolated.
big = fit.render(size=192)
print(big.shape)

# %%
# Compare
# -------
# :func:`~pixparam.fit_ladder` fits one family at several budgets;
# :func:`~pixparam.compare` puts each fit above the pixels holding the same
# number of values, budget by budget (``smooth=True`` adds the bicubic row).
budgets = ["500", "1k", "2k"]
fits = [
    *pp.fit_ladder(img, budgets, "siren", steps=300, progress=False),
    *pp.fit_ladder(img, budgets, "hashgrid", steps=300, progress=False),
]
fig = pp.compare(img, fits, smooth=True, title="48 px · 300 steps")

# %%
# The same comparison as numbers: :func:`~pixparam.capacity_table` measures
# each family, pixels at equal values, pixels at equal bytes and JPEG at
# equal bytes (reusing the fits given), and :func:`~pixparam.plot_capacity`
# draws quality against the number of stored values.
records = pp.capacity_table(img, budgets, ["siren", "hashgrid"], fits=fits)
fig = pp.plot_capacity(records, title="astronaut, 48 px")

# %%
# Edit
# ----
# Edits take a fit and return a new one, recording what was done in
# ``fit.edits``. Pruning zeroes the smallest weights; healing fine-tunes what
# is left (pruned values stay zero); quantising rounds every tensor to a grid.
pruned = pp.edit.prune(fit, 0.8)
healed = pp.edit.heal(pruned, img, steps=100, progress=False)
print(f"pruned 80%: {pruned.psnr:.2f} dB · healed: {healed.psnr:.2f} dB")
print("edits:", [e["name"] for e in healed.edits])
print(f"float32: {fit.psnr:.2f} dB in {fit.n_params * 4:,} bytes")
for bits in (8, 4):
    q = pp.edit.quantize(fit, bits)
    print(f"{bits} bits: {q.psnr:.2f} dB in {q.storage_bits // 8:,} bytes")

# %%
# Every edit has a pixel twin (:mod:`pixparam.pixel_edits`), so an edit strip
# shows the network row above the same edit on its pixel counterpart.
fig = pp.plot_edit_strip(fit, "prune", [0, 0.5, 0.8, 0.9], image=img)

# %%
# Save
# ----
# A fit is saved as one ``.safetensors`` file: the weights plus JSON metadata
# (family, architecture, image shape, training settings, version), enough to
# rebuild and render it with :func:`~pixparam.load`.
folder = Path(tempfile.mkdtemp())
path = fit.save(folder / "astronaut-2k.safetensors")
again = pp.load(path)
print(f"{path.name}: {path.stat().st_size:,} bytes")
print(again.arch.describe())
print("renders the same:", bool((again.render() == fit.render()).all()))

# %%
# Publish
# -------
# Figures are ordinary matplotlib figures: :func:`~pixparam.save_figure`
# writes PNG, SVG or PDF atomically, and :func:`~pixparam.save_table` writes the
# records behind a capacity curve as JSON, with the crossovers.
print(pp.save_figure(fig, folder / "prune.png", dpi=100).name)
print(pp.save_table(records, folder / "capacity.json").name)

# %%
# For a whole set of figures with measured captions, a ``README.md`` and an
# interactive ``index.html``, the gallery builder takes a profile (images,
# size, budgets, families, steps) and caches every fit, so a second run only
# redraws::
#
#     from pixparam.gallery import Profile, build_gallery
#
#     profile = Profile(name="mine", images=("photo.jpg",), size=128, budgets=(1000, 4000, 16000))
#     build_gallery("my-gallery", profile)
#
# or, from the command line, ``pixparam gallery`` (see the
# :doc:`command-line reference </cli>`). The example
# :doc:`/auto_examples/plot_mini_gallery` runs exactly this on a sample.
