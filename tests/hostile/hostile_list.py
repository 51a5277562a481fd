"""The cases of issue #13 (see :mod:`hostile_cases` for what a case is and how it is judged).

``named=True``: the issue's text names the case; ``new=True``: found while
fixing it. The rest stand for the issue's categories where its text gives
no example. One case per entry, formatted by hand to keep the table legible.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from hostile_cases import DARK16, LIMIT, Case, Outcome

#: Steps of the cases that must fail before training: 100000, so training at all would time out.
#: benchmarks/hostile_table.py sets PIXPARAM_HOSTILE_STEPS=3 so that an old checkout's late failures show.
STEPS = os.environ.get("PIXPARAM_HOSTILE_STEPS", "100000")

FIT = ["fit", "photo.png", "--budget", "300", "--family", "relu", "--size", "16", "--steps", STEPS, "-q"]
QUICK_FIT = [*FIT[:-2], "2", "-q"]
LADDER = ["photo.png", "--budgets", "300", "--families", "relu", "--size", "16", "--steps", STEPS, "-q"]
QUICK_LADDER = [*LADDER[:-2], "2"]
EXPERIMENT = ["experiment", "scaling", "--image", "photo.png", "--size", "16", "--budgets", "300", "--families",
              "relu", "--steps", STEPS, "-q"]  # fmt: skip
HEAL = ["edit", "m.safetensors", "--image", "photo.png", "--size", "16"]  # then options, then "heal", "--steps"


def heal(*options: str) -> list[str]:
    """``edit m.safetensors --image photo.png --size 16 OPTIONS heal --steps STEPS``: the edit's options before
    the operator, where every version took them (the README's order, after it, is a case of its own)."""
    return [*HEAL, *options, "heal", "--steps", STEPS]


MEM = {"PIXPARAM_MEMORY_LIMIT": LIMIT}


def _pp() -> Any:
    import pixparam as pp

    return pp


def _img(d: Path) -> np.ndarray:
    return _pp().load_image(d / "photo.png", size=16)


def _fit(d: Path) -> Any:
    return _pp().load(d / "m.safetensors", device="cpu")


def _exists(*names: str) -> Callable[[Path, Outcome], None]:
    def check(d: Path, o: Outcome) -> None:
        for n in names:
            assert (d / n).is_file(), f"{n} was not written"

    return check


def _values(expect: np.ndarray) -> Callable[[Path, Outcome], None]:
    def check(d: Path, o: Outcome) -> None:
        got = np.asarray(o.value)
        assert got.shape == expect.shape, (got.shape, expect.shape)
        np.testing.assert_allclose(got, expect, atol=1e-7)

    return check


def _progress(present: bool) -> Callable[[Path, Outcome], None]:
    def check(d: Path, o: Outcome) -> None:
        lines = [ln for ln in o.err.splitlines() if ln.startswith("pixparam: fits ")]
        assert bool(lines) == present, o.err
        if present:
            assert lines[0].startswith("pixparam: fits 0/1") and lines[-1].startswith("pixparam: fits 1/1"), lines

    return check


def _film(d: Path, path: str | None, steps: int = int(STEPS)) -> Any:
    return _pp().training_film(_img(d), None if path is None else d / path, budget=300, family="relu", steps=steps)


def _save_figure(d: Path, name: str, **kw: Any) -> Any:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 2))
    try:
        return _pp().save_figure(fig, d / name, **kw)
    finally:
        plt.close(fig)


def _array_100k(d: Path) -> Any:
    return _pp().load_image(np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (100_000, 100_000, 3)))


_U16 = DARK16.astype(np.float32) / 65535
_A16 = np.full((8, 10, 1), np.float32(40000 / 65535))
_RED, _BLUE = np.tile(np.float32([1, 0, 0]), (10, 12, 1)), np.tile(np.float32([0, 0, 1]), (10, 12, 1))

# fmt: off
CASES: list[Case] = [
    # ---- data loss: an output that is, or resolves to, an input is refused before any work
    Case("fit -o the input photo", "data loss",
         ["fit", "photo.jpg", "--budget", "1k", "--steps", STEPS, "-o", "photo.jpg"],
         error="OutputError", says=("photo.jpg", "safetensors"), named=True),
    Case("fit --render the input photo", "data loss",
         ["fit", "photo.jpg", "--budget", "1k", "--steps", STEPS, "-o", "x.safetensors", "--render", "photo.jpg"],
         error="OutputError", says=("photo.jpg", "another"), named=True),
    Case("--render spelled another way (folder/../photo.jpg)", "data loss",
         ["fit", "photo.jpg", "--budget", "1k", "--steps", STEPS, "--render", "folder/../photo.jpg"],
         error="OutputError", says=("photo.jpg",), new=True),
    Case("--render a symlink to the input", "data loss",
         ["fit", "photo.jpg", "--budget", "1k", "--steps", STEPS, "--render", "link.jpg"],
         error="OutputError", says=("link.jpg", "photo.jpg"), new=True),
    Case("--render a hard link to the input", "data loss",
         ["fit", "photo.jpg", "--budget", "1k", "--steps", STEPS, "--render", "hard.jpg"],
         error="OutputError", says=("hard.jpg",), new=True),
    Case("input through a symlink, --render its file", "data loss",
         ["fit", "link.jpg", "--budget", "1k", "--steps", STEPS, "--render", "photo.jpg"],
         error="OutputError", says=("photo.jpg",), new=True),
    Case("edit -o the input checkpoint", "data loss",
         ["edit", "m.safetensors", "-o", "m.safetensors", "prune", "0.5"],
         error="OutputError", says=("m.safetensors", "another"), new=True),
    Case("blend -o the other checkpoint", "data loss",
         ["edit", "m.safetensors", "-o", "other.safetensors", "blend", "other.safetensors", "0.5"],
         error="OutputError", says=("other.safetensors",), new=True),
    Case("heal --render its --image", "data loss", heal("--render", "photo.png"),
         error="OutputError", says=("photo.png",), new=True),
    Case("render -o the checkpoint", "data loss", ["render", "m.safetensors", "-o", "m.safetensors"],
         error="PixparamError", says=("m.safetensors", "another"), new=True),
    Case("compare -o its input image", "data loss", ["compare", *LADDER, "-o", "photo.png"],
         error="OutputError", says=("photo.png", "another"), new=True),
    Case("curve --json its input image", "data loss", ["curve", *LADDER, "--json", "photo.png"],
         error="OutputError", says=("photo.png",), new=True),
    Case("curve -o and --json the same file", "data loss", ["curve", *LADDER, "-o", "c.png", "--json", "c.png"],
         error="OutputError", says=("c.png", "own file"), new=True),
    Case("fit -o with an image suffix", "data loss", [*FIT, "-o", "out.png"],
         error="OutputError", says=("out.png", r"\.safetensors"), named=True),
    Case("fit -o without a suffix gets .safetensors, said so", "data loss", [*QUICK_FIT, "-o", "out"],
         error=None, warns=r"writing the checkpoint to 'out\.safetensors'", check=_exists("out.safetensors"),
         named=True),
    Case("an RGBA image --render .jpg", "data loss",
         ["fit", "rgba.png", "--budget", "300", "--steps", STEPS, "--render", "x.jpg"],
         error="ImageError", says=("x.jpg", r"\.png"), named=True),
    # ---- every output validated before the first step
    Case("-o nodir/x", "after training", [*FIT, "-o", "nodir/x.safetensors"],
         error="OutputError", says=("nodir", "create it"), named=True),
    Case("-o a folder", "after training", [*FIT, "-o", "folder"],
         error="OutputError", says=("folder",), named=True),
    Case("-o in an unwritable folder", "after training", [*FIT, "-o", "{ro}/x.safetensors"],
         error="OutputError", says=("x.safetensors", "choose another folder"), named=True),
    Case("--render x.txt", "after training", [*FIT, "--render", "x.txt"],
         error="ImageError", says=("x.txt", r"\.png"), named=True),
    Case("--render nodir/x.png", "after training", [*FIT, "--render", "nodir/x.png"],
         error="OutputError", says=("nodir",), named=True),
    Case("--render in an unwritable folder", "after training", [*FIT, "--render", "{ro}/x.png"],
         error="OutputError", says=("x.png", "choose another folder"), new=True),
    Case("heal -o nodir/x", "after training", heal("-o", "nodir/h.safetensors"),
         error="OutputError", says=("nodir",), new=True),
    Case("heal --render x.txt", "after training", heal("--render", "x.txt"),
         error="ImageError", says=("x.txt",), new=True),
    Case("experiment -o x.txt", "after training", [*EXPERIMENT, "-o", "x.txt"],
         error="OutputError", says=("x.txt",), new=True),
    Case("experiment --json nodir/x.json", "after training", [*EXPERIMENT, "--json", "nodir/x.json"],
         error="OutputError", says=("nodir",), new=True),
    Case("experiment --csv a folder", "after training", [*EXPERIMENT, "--csv", "folder"],
         error="OutputError", says=("folder",), new=True),
    Case("curve --json nodir/x.json", "after training", ["curve", *LADDER, "--json", "nodir/x.json"],
         error="OutputError", says=("nodir",), new=True),
    Case("compare -o nodir/x.png", "after training", ["compare", *LADDER, "-o", "nodir/x.png"],
         error="OutputError", says=("nodir",), new=True),
    Case("demo -o x.txt", "after training", ["demo", "--size", "16", "--steps", STEPS, "-q", "-o", "x.txt"],
         error="OutputError", says=("x.txt",), new=True),
    Case("gallery --out a file", "after training", ["gallery", "--out", "notes.txt", "-q"],
         error="OutputError", says=("notes.txt", "folder"), new=True),
    Case("training_film to nodir/x.gif", "after training", api=lambda d: _film(d, "nodir/x.gif"),
         error="OutputError", says=("nodir",), new=True),
    Case("capacity_table(param_bits=(7,))", "after training",
         api=lambda d: _pp().capacity_table(_img(d), [300], ["relu"], param_bits=(7,), steps=int(STEPS)),
         error="ConfigError", says=("param_bits=7",), new=True),
    # ---- hangs and memory: plans in milliseconds, estimates before allocating
    Case("pp.plan(10**30)", "memory", api=lambda d: _pp().plan(10**30),
         error="BudgetError", says=("largest", "smaller budget"), named=True),
    Case("pp.plan(10**12, 'relu')", "memory", api=lambda d: _pp().plan(10**12, "relu"),
         error="BudgetError", says=("largest",), new=True),
    Case("pp.plan(10**30, 'fourier')", "memory", api=lambda d: _pp().plan(10**30, "fourier"),
         error="BudgetError", says=("largest",), new=True),
    Case("pp.plan(10**30, 'hashgrid')", "memory", api=lambda d: _pp().plan(10**30, "hashgrid"),
         error="BudgetError", says=("budget",), new=True),
    Case("--budget 1000000000000", "memory", [*FIT[:2], "--budget", "1000000000000", *FIT[4:]],
         error="BudgetError", says=("largest", "smaller budget"), named=True),
    Case("--budget 1G beyond the memory limit", "memory", [*FIT[:2], "--budget", "1G", *FIT[4:]],
         error="BudgetError", says=("GB", "limit", "smaller budget"), env=MEM, new=True),
    Case("--size 100000", "memory", [*FIT[:6], "--size", "100000", *FIT[8:]],
         error="ImageError", says=("100000", "limit", "smaller size"), env=MEM, named=True),
    Case("--size 100000x100000", "memory", [*FIT[:6], "--size", "100000x100000", *FIT[8:]],
         error="ImageError", says=("limit",), env=MEM, new=True),
    Case("demo --size 100000", "memory", ["demo", "--size", "100000", "--steps", STEPS, "-q"],
         error="ImageError", says=("limit",), env=MEM, new=True),
    Case("render --size 100000", "memory", ["render", "m.safetensors", "--size", "100000", "-o", "big.png"],
         error="ImageError", says=("100000", "limit", "smaller size"), env=MEM, named=True),
    Case("fit.render(size=100000)", "memory", api=lambda d: _fit(d).render(size=100000),
         error="ImageError", says=("limit",), env=MEM, new=True),
    Case("a PNG header claiming 100000×100000", "memory",
         ["fit", "bomb.png", "--budget", "300", "--steps", STEPS],
         error="ImageError", says=("bomb.png", "decompression bomb"), named=True),
    Case("load_image of that PNG", "memory", api=lambda d: _pp().load_image(d / "bomb.png"),
         error="ImageError", says=("bomb.png",), new=True),
    Case("an 8000² PNG header over the memory limit", "memory", api=lambda d: _pp().load_image(d / "big.png"),
         error="ImageError", says=("big.png", "8000×8000", "limit"), env={"PIXPARAM_MEMORY_LIMIT": "1G"}, new=True),
    Case("a 100000² array (broadcast: no memory)", "memory", api=_array_100k,
         error="ImageError", says=("limit",), env=MEM, new=True),
    Case("info on a checkpoint claiming width 10^9", "memory", ["info", "wide.safetensors"],
         error="CheckpointError", says=("wide.safetensors", "damaged"), named=True),
    Case("render a checkpoint claiming width 10^9", "memory", ["render", "wide.safetensors", "-o", "x.png"],
         error="CheckpointError", says=("wide.safetensors",), named=True),
    Case("width 10^9 with a matching count", "memory", ["info", "wide2.safetensors"],
         error="CheckpointError", says=("wide2.safetensors", "damaged"), new=True),
    Case("info on a checkpoint of a 100000² image", "memory", ["info", "hugeshape.safetensors"],
         error=None, named=True),
    Case("render a checkpoint of a 100000² image", "memory", ["render", "hugeshape.safetensors", "-o", "x.png"],
         error="ImageError", says=("100000", "limit"), env=MEM, named=True),
    Case("compare --dpi 100000", "memory", ["compare", *LADDER, "--dpi", "100000", "-o", "c.png"],
         error="ConfigError", says=("dpi=100000", "2400"), named=True),
    Case("curve --dpi 0", "memory", ["curve", *LADDER, "--dpi", "0", "-o", "c.png"],
         error="ConfigError", says=("dpi=0",), new=True),
    Case("save_figure(dpi=10**5)", "memory", api=lambda d: _save_figure(d, "f.png", dpi=10**5),
         error="ConfigError", says=("dpi",), new=True),
    Case("--depth 1000000", "memory", [*FIT[:2], "--budget", "1G", *FIT[4:], "--depth", "1000000"],
         error="BudgetError", says=("depth=1000000", "64"), new=True),
    Case("--option levels=10000000", "memory", [*FIT[:4], "--family", "hashgrid", *FIT[6:], "--option",
         "levels=10000000"], error="BudgetError", says=("levels=10000000",), new=True),
    # ---- wrong data, silently
    Case("a dark 16-bit RGB PNG", "silent", api=lambda d: _pp().load_image(d / "deep16.png"),
         error=None, check=_values(_U16), named=True),
    Case("a 16-bit RGBA PNG", "silent", api=lambda d: _pp().load_image(d / "deep16a.png"),
         error=None, check=_values(np.concatenate([_U16, _A16], -1)), new=True),
    Case("a 16-bit gray+alpha PNG", "silent", api=lambda d: _pp().load_image(d / "deep16la.png"),
         error=None, check=_values(np.concatenate([_U16[..., :1]] * 3 + [_A16], -1)), new=True),
    Case("an animated GIF", "silent", api=lambda d: _pp().load_image(d / "anim.gif"),
         error=None, warns="3 frames", check=_values(_RED), named=True),
    Case("frame=2 of an animated GIF", "silent", api=lambda d: _pp().load_image(d / "anim.gif", frame=2),
         error=None, check=_values(_BLUE), new=True),
    Case("frame=5 of a 3-frame GIF", "silent", api=lambda d: _pp().load_image(d / "anim.gif", frame=5),
         error="ImageError", says=("frame=5", "3 frame"), new=True),
    Case("edit quantize 33", "silent", ["edit", "m.safetensors", "-o", "q.safetensors", "quantize", "33"],
         error="EditError", says=("bits=33", "32"), named=True),
    Case("edit quantize 1000", "silent", ["edit", "m.safetensors", "-o", "q.safetensors", "quantize", "1000"],
         error="EditError", says=("bits=1000",), named=True),
    Case("pp.edit.quantize(fit, 33)", "silent", api=lambda d: _pp().edit.quantize(_fit(d), 33),
         error="EditError", says=("bits=33",), new=True),
    Case("edit noise inf", "silent", ["edit", "m.safetensors", "-o", "n.safetensors", "noise", "inf"],
         error="EditError", says=("scale=inf", "finite"), named=True),
    Case("edit noise nan", "silent", ["edit", "m.safetensors", "-o", "n.safetensors", "noise", "nan"],
         error="EditError", says=("scale=nan",), new=True),
    Case("pp.edit.noise(fit, inf)", "silent", api=lambda d: _pp().edit.noise(_fit(d), float("inf")),
         error="EditError", says=("scale=inf",), new=True),
    Case("curve --param-bits 7", "silent", ["curve", *LADDER, "--param-bits", "7"],
         error="usage", says=("usage: pixparam curve", "'7'", "32"), named=True),
    Case("curve --param-bits 4k", "silent", ["curve", *LADDER, "--param-bits", "4k"],
         error="usage", says=("'4k'",), named=True),
    Case("pixelate(param_bits=7)", "silent",
         api=lambda d: _pp().pixelate(_img(d), 300, match="bits", param_bits=7),
         error="ConfigError", says=("param_bits=7",), new=True),
    Case("--lr 1e6 warns before training", "silent", [*QUICK_FIT, "--lr", "1e6", "-o", "x.safetensors"],
         error=None, warns=r"lr=1e\+06.*diverge", named=True),
    Case("a budget far above the image's values", "silent",
         [*QUICK_FIT[:2], "--budget", "100k", *QUICK_FIT[4:], "-o", "x.safetensors"],
         error=None, warns="more than the 480 values", named=True),
    Case("training_film(steps=0)", "silent", api=lambda d: _film(d, None, steps=0),
         error="ConfigError", says=("steps=0",), new=True),
    Case("heal(steps=2.5)", "silent", api=lambda d: _pp().edit.heal(_fit(d), _img(d), 2.5),
         error="EditError", says=("steps=2.5",), new=True),
    # ---- types and wording
    Case("fit(steps=0)", "wording", api=lambda d: _pp().fit(_img(d), 300, "relu", steps=0),
         error="ConfigError", says=("steps=0",), named=True),
    Case("fit(lr=0)", "wording", api=lambda d: _pp().fit(_img(d), 300, "relu", lr=0),
         error="ConfigError", says=("lr=0",), named=True),
    Case("fit(seed=-1)", "wording", api=lambda d: _pp().fit(_img(d), 300, "relu", seed=-1),
         error="ConfigError", says=("seed=-1",), named=True),
    Case("fit_ladder(steps=0)", "wording", api=lambda d: _pp().fit_ladder(_img(d), [300], "relu", steps=0),
         error="ConfigError", says=("steps=0",), new=True),
    Case("save() into a missing folder", "wording", api=lambda d: _fit(d).save(d / "nodir" / "x.safetensors"),
         error="OutputError", says=("nodir", "create it"), named=True),
    Case("save_figure to .txt", "wording", api=lambda d: _save_figure(d, "f.txt"),
         error="OutputError", says=("f.txt", "png"), named=True),
    Case("training_film to .avi", "wording", api=lambda d: _film(d, "x.avi"),
         error="OutputError", says=("x.avi", ".gif"), named=True),
    Case("--cache a file", "wording", ["compare", *LADDER, "--cache", "photo.jpg"],
         error="OutputError", says=("photo.jpg", "not a folder"), named=True),
    Case("experiment --cache a file", "wording", [*EXPERIMENT, "--cache", "photo.jpg"],
         error="OutputError", says=("photo.jpg", "not a folder"), new=True),
    Case("gallery --cache a file", "wording", ["gallery", "--out", "g", "--cache", "photo.jpg", "-q"],
         error="OutputError", says=("photo.jpg",), new=True),
    Case("FitCache(a file)", "wording", api=lambda d: _pp().FitCache(d / "photo.jpg"),
         error="OutputError", says=("photo.jpg", "not a folder"), new=True),
    Case("render a checkpoint with NaN weights", "wording", ["render", "nan.safetensors", "-o", "x.png"],
         error="CheckpointError", says=("nan.safetensors", "NaN"), named=True),
    Case("info on a checkpoint with NaN weights", "wording", ["info", "nan.safetensors"],
         error="CheckpointError", says=("nan.safetensors", "NaN"), new=True),
    Case("info: config is a list", "wording", ["info", "cfglist.safetensors"],
         error="CheckpointError", says=("cfglist.safetensors", "config"), new=True),
    Case("info: config without lr", "wording", ["info", "nolr.safetensors"], error=None, new=True),
    Case("info: image_shape [16]", "wording", ["info", "shortshape.safetensors"],
         error="CheckpointError", says=("image_shape",), new=True),
    Case("info: a metric that is a word", "wording", ["info", "metricstr.safetensors"],
         error="CheckpointError", says=("psnr",), new=True),
    Case("info: edits that are a string", "wording", ["info", "editstr.safetensors"],
         error="CheckpointError", says=("edits",), new=True),
    Case("info: 7 channels", "wording", ["info", "channels7.safetensors"],
         error="CheckpointError", says=("channels=7",), new=True),
    Case("info: a 99-bit grid", "wording", ["info", "bits99.safetensors"],
         error="CheckpointError", says=("grids",), new=True),
    Case("pp.load of a JPEG", "wording", api=lambda d: _pp().load(d / "photo.jpg"),
         error="CheckpointError", says=("photo.jpg", "safetensors"), new=True),
    Case("fit a text file", "wording", ["fit", "notes.txt", "--budget", "300", "--steps", STEPS],
         error="ImageError", says=("notes.txt",), new=True),
    Case("fit a folder", "wording", ["fit", "folder", "--budget", "300", "--steps", STEPS],
         error="ImageError", says=("folder",), new=True),
    Case("save_image RGBA as .jpg", "wording",
         api=lambda d: _pp().save_image(_pp().load_image(d / "rgba.png"), d / "x.jpg"),
         error="ImageError", says=("x.jpg", r"\.png"), new=True),
    # ---- the README's commands, and usage errors
    Case("README: edit ... prune 0.8 -o ... --render ...", "readme",
         ["edit", "m.safetensors", "prune", "0.8", "-o", "pruned.safetensors", "--render", "pruned.png"],
         error=None, check=_exists("pruned.safetensors", "pruned.png"), named=True),
    Case("README: edit ... heal --steps ... --image ... --size ... -o ...", "readme",
         ["edit", "m.safetensors", "heal", "--steps", "3", "--image", "photo.png", "--size", "16", "-o",
          "healed.safetensors"], error=None, check=_exists("healed.safetensors"), named=True),
    Case("an edit usage error shows the edit's usage", "readme",
         ["edit", "m.safetensors", "prune", "0.8", "--bogus"],
         error="usage", says=("usage: pixparam edit", "prune", "unrecognized arguments: --bogus"), named=True),
    Case("a fit usage error shows fit's usage", "readme", ["fit", "photo.png", "--budget", "1k", "--bogus"],
         error="usage", says=("usage: pixparam fit", "--bogus"), new=True),
    # ---- quiet failures of use
    Case("fit without -o says nothing is saved", "quiet", QUICK_FIT,
         error=None, warns="no -o given", named=True),
    Case("edit without -o says nothing is saved", "quiet", ["edit", "m.safetensors", "prune", "0.5"],
         error=None, warns="no -o given", named=True),
    Case("compare off a terminal prints progress lines", "quiet", ["compare", *QUICK_LADDER, "-o", "c.png"],
         error=None, check=_progress(True), named=True),
    Case("compare -q prints none", "quiet", ["compare", *QUICK_LADDER, "-q", "-o", "c.png"],
         error=None, check=_progress(False), named=True),
]
# fmt: on

BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"
