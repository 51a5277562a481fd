"""Scaling laws on images: MSE against parameters and pixels, exchange rate, compute frontier.

For each family, networks are fitted over a grid of budgets ``P`` and step
counts; pixels are the image area-downsampled to ``n`` values. Three views:

- :func:`fit_power_law` fits ``L(P) = E + A·P^-α`` to MSE (in log space) with
  95 % confidence intervals from the covariance, per family (at the most
  steps) and for pixels.
- The *exchange rate*: how many pixel values give the MSE of one network of
  ``P`` parameters, divided by ``P`` (the pixel curve interpolated in log-log).
- Compute ``C = 6·P·steps·samples`` (``samples`` = pixels per step): the
  compute-optimal frontier is the set of runs no cheaper run beats, and its
  ``P`` against ``C`` shows which size is best for a fixed compute.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..budget import format_count, plan
from ..devices import resolve_device
from ..errors import BudgetError
from ..fields import build
from ..images import ImageSource, load_image
from ..metrics import mse, psnr_from_mse
from ..pixels import pixelate
from ..store import Store
from ..training import Points
from ._common import check_families, check_ints, check_seeds, predict, progress_bar, train_points
from ._records import ExperimentResult
from .powerlaw import PowerLaw, fit_power_law

__all__ = ["COLUMNS", "compute_frontier", "exchange_rates", "plot_scaling", "scaling"]

#: Record columns: method ("network"/"pixels"), family ("pixels" for pixels), budget, n_params (parameters or
#: pixel values), steps, seed, samples (pixels per step), compute (6·n_params·steps·samples; 0 for pixels),
#: mse, psnr, seconds.
COLUMNS = ("method", "family", "budget", "n_params", "steps", "seed", "samples", "compute", "mse", "psnr", "seconds")


def scaling(
    image: ImageSource,
    budgets: Sequence[int | str],
    families: str | Sequence[str] | None = None,
    *,
    steps: int | Sequence[int] = (100, 300, 1000),
    seeds: int | Sequence[int] = 1,
    pixel_points: int = 24,
    device: str | torch.device = "auto",
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Fit every (family, budget, steps, seed); measure pixels; derive laws, exchange rates, frontier.

    Parameters
    ----------
    image : path, sample name, PIL image or ndarray
        The image.
    budgets : sequence of int or str
        Parameter budgets (at least 3 distinct for a power-law fit). Budgets below a
        family's smallest network are skipped (listed in ``meta["skipped"]``).
    families : str or sequence of str, optional
        Network families; default every registered family (:data:`pixparam.FAMILIES`).
    steps : int or sequence of int
        Step counts; the grid (budget × steps) gives the compute view, the
        largest count the power laws and exchange rates.
    seeds : int or sequence of int
        Seeds per setting.
    pixel_points : int
        Pixel counterparts at this many log-spaced value counts between the
        smallest budget / 4 and the image's value count.
    device : str or torch.device
        Where to train.
    cache : path, optional
        Cache folder; finished fits are reused.
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    ExperimentResult
        Records with :data:`COLUMNS`; tables ``"laws"`` (one row per family and
        pixels: E, A, α and CIs), ``"exchange"`` (family, n_params, psnr,
        pixel_values, rate) and ``"frontier"`` (family, compute, n_params,
        steps, psnr) plus ``meta["frontier_slope"]`` (d log P / d log C on each
        family's frontier).
    """
    img = load_image(image)
    h, w, c = img.shape
    budgets = check_ints(budgets, "budgets")
    families = check_families(families)
    steps_list = check_ints(steps, "steps")
    seeds = check_seeds(seeds)
    dev = resolve_device(device)
    store = Store(cache)
    records: list[dict] = []
    total = h * w * c
    lo = max(c, min(budgets) // 4)
    for n in sorted({int(v) for v in np.geomspace(lo, total, pixel_points)}):
        pix = pixelate(img, n)
        err = mse(img, pix.reconstruct((h, w)))
        records.append(_record("pixels", "pixels", n, pix.n_values, 0, 0, 0, err, 0.0))
    archs, skipped = {}, []
    for family in families:
        for budget in budgets:
            try:
                archs[family, budget] = plan(budget, family, c, resolution=max(h, w))
            except ValueError as exc:
                skipped.append(f"{family} {budget}: {exc}")
    if not archs:
        raise BudgetError(f"no budget gives a network; {skipped[0]}")
    units = [(f, b, s, seed) for (f, b) in archs for s in steps_list for seed in seeds]
    points = Points.from_image(img, dev)
    with progress_bar(len(units), "scaling", progress) as bar:
        for family, budget, n_steps, seed in units:
            key = store.unit_key("scaling", {"family": family, "budget": budget, "steps": n_steps, "seed": seed}, [img])
            hit = store.get_records("scaling", key)
            if hit is None:
                arch = archs[family, budget]
                model = build(arch, seed=seed, device=dev)
                seconds = train_points(model, points, steps=n_steps, seed=seed, device=dev)
                err = mse(img.reshape(-1, c), predict(model, points.coords))
                row = _record("network", family, budget, arch.n_params, n_steps, seed, h * w, err, seconds)
                hit = ([row], {})
                store.put_records("scaling", key, [row])
            records.extend(hit[0])
            bar.update(1)
    result = ExperimentResult(
        "scaling",
        records,
        COLUMNS,
        meta={
            "budgets": budgets,
            "families": families,
            "steps": steps_list,
            "seeds": seeds,
            "image_shape": [h, w, c],
            "skipped": skipped,
            "trained": store.misses,
            "cached": store.hits,
        },
    )
    _derive(result)
    return result


def _record(
    method: str, family: str, budget: int, n: int, steps: int, seed: int, samples: int, mse: float, seconds: float
) -> dict:
    return {
        "method": method,
        "family": family,
        "budget": budget,
        "n_params": int(n),
        "steps": steps,
        "seed": seed,
        "samples": samples,
        "compute": 6.0 * n * steps * samples,
        "mse": mse,
        "psnr": psnr_from_mse(mse),
        "seconds": seconds,
    }


def _derive(result: ExperimentResult) -> None:
    """Fill ``tables`` (laws, exchange, frontier) and ``meta["frontier_slope"]``."""
    meta = result.meta
    top = max(meta["steps"])
    laws = []
    for family in [*meta["families"], "pixels"]:
        recs = [r for r in result.select(family=family) if family == "pixels" or r["steps"] == top]
        try:
            law = fit_power_law([r["n_params"] for r in recs], [r["mse"] for r in recs])
            laws.append({"family": family, "steps": 0 if family == "pixels" else top, **law.to_dict()})
        except (ValueError, RuntimeError) as exc:
            laws.append({"family": family, "steps": top, "error": str(exc)})
    result.tables["laws"] = laws
    result.tables["exchange"] = exchange_rates(result.records, top)
    frontier = compute_frontier(result.records)
    result.tables["frontier"] = frontier
    slopes = {}
    for family in meta["families"]:
        pts = [(r["compute"], r["n_params"]) for r in frontier if r["family"] == family]
        if len({p for _, p in pts}) >= 2 and len(pts) >= 3:
            slopes[family] = float(np.polyfit(np.log([c for c, _ in pts]), np.log([p for _, p in pts]), 1)[0])
        else:
            slopes[family] = math.nan
    meta["frontier_slope"] = slopes


def exchange_rates(records: Sequence[dict], steps: int) -> list[dict]:
    """Pixel values that match each network's MSE (mean over seeds), per parameter.

    The pixel curve (log values against log MSE, made monotone, lossless
    points left out) is interpolated at each network's MSE. Outside its range
    the result is a bound: ``bound="at least"`` when the network beats every
    downsampled counterpart (only the full image, lossless, is better), with
    ``pixel_values`` the largest lossy count; ``"at most"`` when it is worse
    than the smallest one.

    Parameters
    ----------
    records : sequence of dict
        A scaling result's records (:data:`COLUMNS`).
    steps : int
        The training length whose networks are compared.

    Returns
    -------
    list of dict
        Per (family, n_params): ``psnr``, ``pixel_values``, ``rate``
        (pixel values per parameter) and ``bound``.
    """
    pix = sorted((r["n_params"], r["mse"]) for r in records if r["method"] == "pixels" and r["mse"] > 0)
    n = np.array([p[0] for p in pix], dtype=float)
    mse = np.minimum.accumulate(np.array([p[1] for p in pix], dtype=float))
    out = []
    groups: dict[tuple[str, int], list[float]] = {}
    for r in records:
        if r["method"] == "network" and r["steps"] == steps:
            groups.setdefault((r["family"], r["n_params"]), []).append(r["mse"])
    for (family, p), losses in sorted(groups.items()):
        m = float(np.mean(losses))
        bound = ""
        if n.size < 2:
            values = math.nan
        elif m < mse[-1]:
            values, bound = float(n[-1]), "at least"
        elif m > mse[0]:
            values, bound = float(n[0]), "at most"
        else:
            # np.interp needs increasing x: walk the curve from low to high log MSE
            values = float(np.exp(np.interp(np.log(m), np.log(mse[::-1]), np.log(n[::-1]))))
        row = {"family": family, "n_params": p, "psnr": psnr_from_mse(m), "pixel_values": values, "rate": values / p}
        out.append({**row, "bound": bound})
    return out


def compute_frontier(records: Sequence[dict]) -> list[dict]:
    """Per family, the runs (mean MSE over seeds) that beat every cheaper run: the compute-optimal frontier.

    Parameters
    ----------
    records : sequence of dict
        A scaling result's records (:data:`COLUMNS`).

    Returns
    -------
    list of dict
        ``family``, ``n_params``, ``steps``, ``compute``, ``mse`` and ``psnr``
        per frontier run, by family and then compute.
    """
    groups: dict[tuple[str, int, int], list[dict]] = {}
    for r in records:
        if r["method"] == "network":
            groups.setdefault((r["family"], r["n_params"], r["steps"]), []).append(r)
    runs = [
        dict(family=f, n_params=p, steps=s, compute=rs[0]["compute"], mse=float(np.mean([r["mse"] for r in rs])))
        for (f, p, s), rs in groups.items()
    ]
    out = []
    for family in sorted({r["family"] for r in runs}):
        best = math.inf
        for r in sorted((r for r in runs if r["family"] == family), key=lambda r: (r["compute"], r["mse"])):
            if r["mse"] < best:
                best = r["mse"]
                out.append({**r, "psnr": psnr_from_mse(r["mse"])})
    return out


def plot_scaling(result: ExperimentResult) -> Figure:
    """Three panels: MSE vs size with fitted laws, exchange rate, PSNR vs compute with the frontier.

    Parameters
    ----------
    result : ExperimentResult
        What :func:`scaling` returned (or :func:`load_result` read).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import FuncFormatter

    from ..figures.style import color_for
    from ._plot import COLORS, log_axis

    meta = result.meta
    top = max(meta["steps"])
    fig = Figure(figsize=(7.2, 2.9), layout="constrained")
    ax_law, ax_rate, ax_c = fig.subplots(1, 3)
    laws = {r["family"]: r for r in result.tables.get("laws", []) if "alpha" in r}
    for family in [*meta["families"], "pixels"]:
        recs = [r for r in result.select(family=family) if (family == "pixels" or r["steps"] == top) and r["mse"] > 0]
        if not recs:
            continue
        x = np.array([r["n_params"] for r in recs], dtype=float)
        ax_law.scatter(x, [r["mse"] for r in recs], s=8, color=color_for(family), alpha=0.7)
        label = family
        if family in laws:
            law = PowerLaw(**{k: laws[family][k] for k in PowerLaw.__dataclass_fields__})
            xs = np.geomspace(x.min(), x.max(), 100)
            ax_law.plot(xs, law(xs), color=color_for(family), lw=1)
            label = f"{family} α={law.alpha:.2f} [{law.alpha_lo:.2f}, {law.alpha_hi:.2f}]"
        ax_law.plot([], [], color=color_for(family), marker="o", ms=3, label=label)
    log_axis(ax_law, "x")
    log_axis(ax_law, "y")
    ax_law.set(xlabel="parameters or pixel values", ylabel="MSE")
    ax_law.set_title(f"L = E + A·P^-α ({top} steps)", fontsize=8)
    ax_law.legend(fontsize=6, frameon=False, loc="lower left")
    for family in meta["families"]:
        ex = [r for r in result.tables.get("exchange", []) if r["family"] == family and math.isfinite(r["rate"])]
        exact = [r for r in ex if not r.get("bound")]
        ax_rate.plot(
            [r["n_params"] for r in exact], [r["rate"] for r in exact], marker="o", ms=3, color=color_for(family)
        )
        for r in ex:
            if r.get("bound"):
                marker = "^" if r["bound"] == "at least" else "v"
                ax_rate.plot(r["n_params"], r["rate"], marker=marker, ms=4, mfc="none", color=color_for(family))
    ax_rate.axhline(1.0, color=COLORS["pixels"], lw=0.8, linestyle=":")
    log_axis(ax_rate, "x")
    ax_rate.set_yscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}" if v > 0 and f"{v:.0e}"[0] in "125" else "")
    ax_rate.yaxis.set_major_formatter(plain)
    ax_rate.yaxis.set_minor_formatter(plain)
    ax_rate.set(xlabel="parameters", ylabel="pixel values per parameter")
    ax_rate.set_title("exchange rate at equal MSE (▲ at least)", fontsize=8)
    for family in meta["families"]:
        recs = result.select(method="network", family=family)
        ax_c.scatter([r["compute"] for r in recs], [r["psnr"] for r in recs], s=6, color=color_for(family), alpha=0.35)
        fr = [r for r in result.tables.get("frontier", []) if r["family"] == family]
        ax_c.plot(
            [r["compute"] for r in fr], [r["psnr"] for r in fr], color=color_for(family), lw=1.2, marker="o", ms=3
        )
        if fr:
            last = fr[-1]
            ax_c.annotate(
                f"{format_count(last['n_params'])}·{last['steps']}",
                (last["compute"], last["psnr"]),
                fontsize=6,
                color=color_for(family),
                xytext=(-2, 3),
                textcoords="offset points",
                ha="right",
            )
    log_axis(ax_c, "x")
    ax_c.margins(y=0.12)
    ax_c.set(xlabel="compute C (FLOP)", ylabel="PSNR (dB)")
    ax_c.set_title("frontier, C = 6·P·steps·pixels", fontsize=8)
    for ax in (ax_law, ax_rate, ax_c):
        ax.grid(alpha=0.3)
        ax.tick_params(which="both", labelsize=7)
    return fig
