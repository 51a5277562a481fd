"""
Build a mini-gallery for your own image
=======================================

The gallery builder works on any image: give a :class:`pixparam.gallery.Profile`
your file (here a built-in sample stands in for it), a few budgets and
families, and it writes the figures, ``results.json``, a ``README.md`` with
measured captions and an interactive ``index.html`` into one folder. Fits are
cached there, so running the script again only redraws.
"""

import shutil
import sys
from pathlib import Path

from pixparam.gallery import Profile, build_gallery

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("mini_gallery.png")
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 800
my_image = "chelsea"  # a path to your own photo works the same way

profile = Profile(
    name="mini",
    images=(my_image,),
    size=48,
    budgets=(1000, 2000, 4000),
    families=("siren", "hashgrid", "relu"),
    steps=steps,
    lens_budget=2000,
)
folder = out.with_name(out.stem + "_gallery")
results = build_gallery(folder, profile, only=["pixels", "lens", "capacity"], device="auto")
for section in results["sections"]:
    print(f"{section['title']}: {section['caption']}\n")
print(f"open {folder / 'index.html'} in a browser; {results['meta']['fits_trained']} fits trained")
print(f"wrote {shutil.copyfile(folder / results['sections'][0]['figures'][0]['png'], out)}")
