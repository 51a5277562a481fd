"""``pixparam experiment``: crowding, memorisation vs generalisation, scaling laws."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import ConfigError
from . import _args as argtypes
from ._outputs import cache_folder, figure_output, file_output, no_overwrite


def add_parser(sub: Any) -> None:
    """Add ``experiment``."""
    x = sub.add_parser(
        "experiment",
        help="run an experiment: crowding, generalisation or scaling",
        description="Run one experiment on a sample or image file; write its figure and records. "
        "Finished fits are cached in --cache, so a rerun (or a resumed one) trains only what is missing.",
    )
    x.add_argument("name", choices=("crowding", "generalisation", "scaling"))
    x.add_argument(
        "--image",
        default=None,
        help="sample name or image file (default astronaut); crowding: cut this one image into K tiles instead",
    )
    x.add_argument(
        "--images",
        type=argtypes.names,
        default=None,
        help="crowding: the K different images, comma-separated (default: max(--ks) samples not used for tuning)",
    )
    x.add_argument("--size", type=int, default=32, help="longest side; crowding: side of each image (default 32)")
    x.add_argument("--budgets", type=argtypes.budgets, default=None, help="comma-separated (default per experiment)")
    x.add_argument("--families", type=argtypes.families, default=["siren", "hashgrid"], help="comma-separated")
    x.add_argument(
        "--steps",
        type=argtypes.positive_ints,
        default=None,
        help="comma-separated step counts (default per experiment)",
    )
    x.add_argument("--seeds", type=int, default=None, help="number of seeds (default 1; generalisation 3)")
    x.add_argument("--ks", type=argtypes.positive_ints, default=[1, 2, 4, 8], help="crowding: images per network")
    x.add_argument("--train-fraction", type=float, default=0.5, help="generalisation: fraction of pixels to train on")
    x.add_argument("--noise", type=float, default=0.0, help="generalisation: noise std added to training values")
    x.add_argument("--cache", type=Path, default=None, help="cache folder for finished fits")
    x.add_argument("--device", default="auto")
    x.add_argument("-o", "--output", type=Path, default=None, help="figure path (.png, .svg, .pdf)")
    x.add_argument("--json", type=Path, default=None, help="write the result (records and tables) as JSON")
    x.add_argument("--csv", type=Path, default=None, help="write the records as CSV")
    x.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    x.set_defaults(run=cmd_experiment)


def cmd_experiment(a: argparse.Namespace) -> None:
    import datetime

    import torch

    from .. import experiments as ex
    from ..devices import resolve_device
    from ..figures import save_figure
    from ..images import load_image

    figure_output(a.output)
    file_output(a.json)
    file_output(a.csv)
    cache_folder(a.cache)
    inputs = {"the input image": a.image, **{f"input image {i}": im for i, im in enumerate(a.images or [], 1)}}
    no_overwrite({"-o": a.output, "--json": a.json, "--csv": a.csv}, {k: v for k, v in inputs.items() if v})
    common = {"device": a.device, "cache": a.cache, "progress": not a.quiet}
    if a.seeds is not None:
        common["seeds"] = a.seeds
    if a.name == "crowding":
        if a.steps is not None and len(a.steps) > 1:
            raise ConfigError(f"crowding trains every network for one step count; got --steps {a.steps}, pass one")
        if a.image is not None and a.images is not None:
            raise ConfigError("crowding takes --images (K different images) or --image (K tiles of one), not both")
        if a.image is not None:
            images = ex.tiles(a.image, max(a.ks), size=a.size)
        else:
            from ..gallery.experiments import crowd_images

            if a.images is not None and len(a.images) < max(a.ks):
                raise ConfigError(
                    f"--ks up to {max(a.ks)} needs {max(a.ks)} different images, and --images lists "
                    f"{len(a.images)}; list more or lower --ks"
                )
            a.images = crowd_images({"ks": a.ks, "images": a.images})
            images = ex.square_crops(a.images, a.size)
        result = ex.crowding(images, a.budgets or [1000], a.families, ks=a.ks, steps=(a.steps or [500])[-1], **common)
        plot = ex.plot_crowding
    elif a.name == "generalisation":
        result = ex.generalisation(
            load_image(a.image or "astronaut", size=a.size),
            a.budgets or [100, 300, 1000, 3000, 10000],
            a.families,
            train_fraction=a.train_fraction,
            noise=a.noise,
            steps=a.steps or [500],
            **common,
        )
        plot = ex.plot_generalisation
    else:
        result = ex.scaling(
            load_image(a.image or "astronaut", size=a.size),
            a.budgets or [300, 1000, 3000, 10000],
            a.families,
            steps=a.steps or [100, 300, 1000],
            **common,
        )
        plot = ex.plot_scaling
    result.meta.update(
        command="pixparam " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["experiment"] else None,
        image=a.image if a.name != "crowding" or a.image else None,
        images=a.images if a.name == "crowding" else None,
        date=datetime.date.today().isoformat(),
        pixparam=__version__,
        torch=torch.__version__,
        device=str(resolve_device(a.device)),
        cpu_threads=torch.get_num_threads(),
    )
    print(ex.summary(result))
    print(f"{result.meta['trained']} fits trained, {result.meta['cached']} reused from the cache")
    if a.output is not None:
        print(f"wrote {save_figure(plot(result), a.output)}")
    if a.json is not None:
        print(f"wrote {result.save_json(a.json)}")
    if a.csv is not None:
        print(f"wrote {result.save_csv(a.csv)}")
