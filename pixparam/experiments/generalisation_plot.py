"""Figures of the generalisation experiment: PSNR against budget, and the held-out predictions.

:func:`plot_generalisation` draws held-out and train PSNR against parameters,
one panel pair per family, with the train axis capped (points above the cap
are drawn at it with an up-arrow), the noise level and the linear
interpolation baseline. :func:`plot_generalisation_predictions` shows what the
networks predict at the pixels they never saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..budget import format_count
from ..errors import ConfigError
from ..metrics import format_db
from ._records import ExperimentResult

__all__ = ["TRAIN_CAP_DB", "plot_generalisation", "plot_generalisation_predictions", "shown_budgets"]

#: Top of the train-PSNR axis, in dB: a network that memorises its training pixels reaches 100+ dB.
TRAIN_CAP_DB = 50.0
#: Panels per row of :func:`plot_generalisation` before it wraps to another row of families.
_PER_ROW = 4


def plot_generalisation(result: ExperimentResult, *, train_cap: float = TRAIN_CAP_DB) -> Figure:
    """Held-out PSNR (upper panel) and train PSNR (lower panel) against parameters, per family.

    Points are means over seeds with ±1 standard deviation error bars; shade
    marks the number of steps. The dotted vertical line is the interpolation
    threshold (parameters = training values). On the held-out panels the grey
    dashed line and band are the linear interpolation of the training pixels
    (mean ± 1 std over seeds). On the train panels the axis stops at
    ``train_cap``: a mean above it is drawn at the cap as an up-arrow; the
    dash-dot line is the noise level (the PSNR of the noisy training targets
    against the clean pixels; a network above it fits the noise).
    Families wrap four to a row.

    Parameters
    ----------
    result : ExperimentResult
        What :func:`generalisation` returned (or :func:`load_result` read).
    train_cap : float
        Top of the train-PSNR axis, in dB.

    Returns
    -------
    matplotlib.figure.Figure
        ``2 × ceil(F / 4)`` rows of axes (held-out, then train), one column per family (at most four).
    """
    from matplotlib.lines import Line2D

    from ..figures.style import color_for, style
    from ._plot import COLORS, log_axis, summarise

    if not train_cap > 0:
        raise ConfigError(f"train_cap={train_cap!r}; pass the top of the train-PSNR axis in dB, e.g. 50")
    meta = result.meta
    families = meta["families"]
    n_seeds = len(meta["seeds"])
    cols = min(_PER_ROW, len(families))
    blocks = math.ceil(len(families) / cols)
    ref = np.array([r["test_psnr"] for r in result.select(method="interpolation")], dtype=float)
    noise_db = meta.get("noise_psnr", math.inf)
    steps_list = meta["steps"]
    shades = [1.0 if len(steps_list) == 1 else 0.4 + 0.6 * j / (len(steps_list) - 1) for j in range(len(steps_list))]
    with style():
        fig = Figure(figsize=(7.2, 0.6 + 3.6 * blocks), layout="constrained")
        grid = fig.subplots(2 * blocks, cols, squeeze=False, sharex=True)
        for i in range(len(families), blocks * cols):  # the last row's empty cells
            grid[2 * (i // cols), i % cols].set_visible(False)
            grid[2 * (i // cols) + 1, i % cols].set_visible(False)
        capped_any = False
        for i, family in enumerate(families):
            top, bottom = grid[2 * (i // cols), i % cols], grid[2 * (i // cols) + 1, i % cols]
            for shade, n_steps in zip(shades, steps_list):
                recs = result.select(method="network", family=family, steps=n_steps)
                x, mean, std, _, _ = summarise(recs, "n_params", "test_psnr")
                kw = {"color": color_for(family), "alpha": shade, "marker": "o", "capsize": 2, "zorder": 3}
                top.errorbar(x, mean, yerr=std, **kw)
                x, mean, std, _, _ = summarise(recs, "n_params", "train_psnr")
                capped_any |= _capped_errorbar(bottom, x, mean, std, train_cap, **kw)
            if ref.size:
                m, sd = float(ref.mean()), float(ref.std(ddof=1)) if ref.size > 1 else 0.0
                top.axhline(m, color=COLORS["interpolation"], linestyle="--", lw=1)
                top.axhspan(m - sd, m + sd, color=COLORS["interpolation"], alpha=0.2, linewidth=0)
            if math.isfinite(noise_db):
                bottom.axhline(noise_db, color="0.35", linestyle="-.", lw=1)
                bottom.annotate(
                    "noise level",
                    (0.02, noise_db),
                    xycoords=("axes fraction", "data"),
                    xytext=(0, 2),
                    textcoords="offset points",
                    fontsize=6.5,
                    color="0.35",
                )
            bottom.set_ylim(top=train_cap)
            bottom.annotate(
                f"axis capped at {train_cap:g} dB",
                (0.02, 1.0),
                xycoords="axes fraction",
                va="top",
                fontsize=6.5,
                color="0.35",
            )
            for ax in (top, bottom):
                ax.axvline(meta["threshold"], color="k", linestyle=":", lw=1)
                log_axis(ax, "x")
                ax.grid(alpha=0.3)
            top.set_title(family)
            if i % cols == 0:
                top.set_ylabel("held-out PSNR (dB)")
                bottom.set_ylabel("train PSNR (dB)")
            if i + cols >= len(families):
                bottom.set_xlabel("parameters")
        handles = [
            Line2D([], [], color="k", alpha=shade, marker="o", label=f"{n} steps, ±1 std over {n_seeds} seeds")
            for shade, n in zip(shades, steps_list)
        ]
        if ref.size:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=COLORS["interpolation"],
                    linestyle="--",
                    label=f"linear interpolation of train pixels ({format_db(float(ref.mean()))})",
                )
            )
        if math.isfinite(noise_db):
            handles.append(Line2D([], [], color="0.35", linestyle="-.", label=f"noise level ({format_db(noise_db)})"))
        if capped_any:
            handles.append(Line2D([], [], color="k", marker="^", linestyle="none", label=f"above {train_cap:g} dB"))
        handles.append(
            Line2D([], [], color="k", linestyle=":", label=f"threshold: {meta['threshold']:,} train values = params")
        )
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        h, w, c = meta["image_shape"]
        fig.suptitle(
            f"{h}×{w}×{c} image · {meta['train_fraction']:.0%} of pixels train"
            + (f" · noise σ = {meta['noise']:g}" if meta["noise"] else "")
            + " · held-out PSNR scores only the pixels not trained on"
        )
    return fig


def _capped_errorbar(ax: Axes, x: np.ndarray, mean: np.ndarray, std: np.ndarray, cap: float, **kw: object) -> bool:
    """Error bars below ``cap``; means above it drawn at the cap as up-arrows. Whether any was capped."""
    over = mean > cap
    shown = np.minimum(mean, cap)
    ax.plot(x, shown, color=kw["color"], alpha=kw["alpha"], zorder=2)
    ok = ~over
    ax.errorbar(x[ok], mean[ok], yerr=std[ok], linestyle="none", **kw)  # type: ignore[arg-type]
    if over.any():
        ax.plot(
            x[over],
            shown[over],
            marker="^",
            ms=6,
            linestyle="none",
            color=kw["color"],
            alpha=kw["alpha"],
            clip_on=False,
            zorder=4,
        )
    return bool(over.any())


def shown_budgets(budgets: Sequence[int], n: int = 4) -> list[int]:
    """``n`` budgets spread over ``budgets`` in log scale (all of them when there are ``n`` or fewer).

    Parameters
    ----------
    budgets : sequence of int
        The experiment's budgets.
    n : int
        How many to show.

    Returns
    -------
    list of int
        Ascending, always including the smallest and the largest.

    Examples
    --------
    >>> shown_budgets([100, 200, 400, 800, 1600, 3200, 6400], 3)
    [100, 800, 6400]
    """
    bs = sorted(set(budgets))
    if len(bs) <= n:
        return bs
    picks = np.round(np.linspace(0, len(bs) - 1, n)).astype(int)
    return [bs[i] for i in sorted(set(picks))]


def plot_generalisation_predictions(
    result: ExperimentResult,
    *,
    budgets: Sequence[int] | None = None,
    families: Sequence[str] | None = None,
    seed: int | None = None,
    steps: int | None = None,
) -> Figure:
    """What each family predicts at every pixel, beside the original, the training pixels and interpolation.

    The first row holds the clean image, the training targets (held-out
    pixels black) and the linear interpolation of the training pixels; each
    further row is a family at a few budgets. Captions give parameters and
    the held-out PSNR, which scores only the pixels not trained on.

    Parameters
    ----------
    result : ExperimentResult
        From :func:`generalisation` (it must hold ``images``, i.e. not loaded from JSON).
    budgets : sequence of int, optional
        Budgets to show (default :func:`shown_budgets` of the experiment's, four).
    families : sequence of str, optional
        Families to show (default every family of the result).
    seed : int, optional
        Which seed's split and fits (default the first).
    steps : int, optional
        Which training length (default the longest).

    Returns
    -------
    matplotlib.figure.Figure
        ``1 + F`` rows and ``max(3, B)`` columns of image axes.

    Raises
    ------
    ConfigError
        The result holds no images, or a budget, family, seed or step count it did not run.
    """
    from ..figures import draw_image
    from ..figures.style import style

    meta = result.meta
    if not result.images:
        raise ConfigError("this result has no predictions (it was loaded from JSON); rerun generalisation() to plot it")
    seed = meta["seeds"][0] if seed is None else seed
    steps = max(meta["steps"]) if steps is None else steps
    families = list(meta["families"] if families is None else families)
    budgets = shown_budgets(meta["budgets"]) if budgets is None else list(budgets)
    for what, given, known in (
        ("seed", [seed], meta["seeds"]),
        ("steps", [steps], meta["steps"]),
        ("family", families, meta["families"]),
        ("budget", budgets, meta["budgets"]),
    ):
        bad = [v for v in given if v not in known]
        if bad:
            raise ConfigError(f"{what} {bad[0]!r} is not in this result; choose from {list(known)}")
    image = meta.get("image_shape")
    cols = max(3, len(budgets))
    with style():
        fig = Figure(figsize=(7.2, 7.2 / cols * (1 + len(families)) + 0.5), layout="constrained")
        grid = fig.subplots(1 + len(families), cols, squeeze=False)
        for ax in grid.flat:
            ax.set_axis_off()
        (interp,) = result.select(method="interpolation", seed=seed)
        mask = result.images[f"mask/{seed}"]
        clean = result.images["clean"]
        row0 = [
            (clean, f"original {image[0]}×{image[1]} px"),
            (
                _masked(result.images[f"targets/{seed}"], mask),
                f"training pixels ({meta['train_fraction']:.0%}),\nheld out in purple",
            ),
            (
                result.images[f"interpolation/{seed}"],
                f"linear interpolation\nheld-out {format_db(interp['test_psnr'])}",
            ),
        ]
        for col, (img, caption) in enumerate(row0):
            grid[0, col].set_axis_on()
            draw_image(grid[0, col], img, caption=caption)
        for row, family in enumerate(families, start=1):
            for col, budget in enumerate(budgets):
                key = f"{family}/{budget}/{steps}/{seed}"
                recs = result.select(method="network", family=family, budget=budget, steps=steps, seed=seed)
                if key not in result.images or not recs:  # a budget too small for this family: skipped
                    continue
                ax = grid[row, col]
                ax.set_axis_on()
                caption = f"{format_count(recs[0]['n_params'])} params\nheld-out {format_db(recs[0]['test_psnr'])}"
                draw_image(ax, result.images[key], caption=caption)
                if not ax.get_ylabel() and not any(a.get_ylabel() for a in grid[row, :col]):
                    ax.set_ylabel(family)
        fig.suptitle(f"seed {seed} · {steps} steps · each network's prediction at every pixel")
    return fig


#: The colour of held-out pixels in the training-pixels panel (Okabe–Ito reddish purple).
_HELD_OUT = np.array([0.8, 0.475, 0.655], dtype=np.float32)


def _masked(targets: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The training targets in RGB, held-out pixels painted :data:`_HELD_OUT`."""
    rgb = np.repeat(targets, 3, axis=2) if targets.shape[2] == 1 else targets[..., :3]
    return np.where(mask > 0, rgb, _HELD_OUT).astype(np.float32)
