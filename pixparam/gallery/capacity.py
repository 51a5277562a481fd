"""The gallery's capacity section: every family as a real packed file beside codecs and pixels at equal bytes.

Networks are fine-tuned at 8 bits (:func:`pixparam.edit.qat`) and packed
(:func:`pixparam.pack`); each file's size on disk is its rate. At each budget
the caption says who wins at the best network file's bytes: the network,
JPEG, WebP, AVIF, PNG pixels or raw 8-bit pixels. Crossovers at equal values
(float parameters against area-averaged pixels) come from the same records.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import format_count
from ..metrics import format_db
from ..pixels import pixelate
from ..store import Store, state_digest
from .wording import close_margin, lead

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "PACKED_BITS",
    "build_capacity",
    "build_hero",
    "crossing",
    "equal_bytes_at",
    "packed_folder",
    "packed_records",
    "qat_steps",
]

#: The bit depth every network is packed at for the equal-bytes comparison.
PACKED_BITS = 8
_RIVALS = {"jpeg": "JPEG", "webp": "WebP", "avif": "AVIF", "pixels/png": "PNG pixels", "pixels/raw": "raw 8-bit pixels"}


def equal_bytes_at(records: list[dict[str, Any]], image: Any, budget: int, bits: int = PACKED_BITS) -> dict[str, Any]:
    """At one budget: the best packed network's file and every rival in no more bytes.

    Parameters
    ----------
    records : list of dict
        From :func:`pixparam.capacity_table` with ``packed_bits=(bits,)``.
    image : (H, W, C) ndarray
        The image the records measure (for the raw-pixel rival).
    budget : int
        A budget of the records.
    bits : int
        The packed bit depth.

    Returns
    -------
    dict
        ``family``, ``n_bytes``, ``psnr`` of the best file, and ``rivals``:
        ``{name: psnr or None}`` (None: no file fits), with ``winner`` the
        name with the highest PSNR (``"network"`` for the packed file) and
        ``lead_db`` its lead over the runner-up (:func:`~.wording.lead`).
    """
    nets = [r for r in records if r["kind"] == "packed" and r["budget"] == budget and r.get("bits") == bits]
    best = max(nets, key=lambda r: r["psnr"])
    family, n = best["series"].split("/")[0], best["n_bytes"]
    rivals: dict[str, float | None] = {}
    for key in ("jpeg", "webp", "avif", "pixels/png"):
        series = f"{key}/packed{bits}" if key != "pixels/png" else f"pixels/png-packed{bits}"
        mine = (r for r in records if r["series"] == series and r.get("family") == family)
        rec = next((r for r in mine if r.get("target_bytes") == n), None)
        if rec is not None:
            rivals[key] = None if rec.get("no_file") else rec["psnr"]
    raw = pixelate(image, n, match="bits", param_bits=8) if n >= image.shape[2] else None
    rivals["pixels/raw"] = None if raw is None else raw.psnr
    scores = {"network": best["psnr"], **{k: v for k, v in rivals.items() if v is not None}}
    winner = max(scores, key=lambda k: scores[k])
    return {
        "family": family,
        "n_bytes": n,
        "psnr": best["psnr"],
        "rivals": rivals,
        "winner": winner,
        "lead_db": lead(scores, winner),
    }


def _sentence(budget: int, e: dict[str, Any]) -> str:
    said = [f"{_RIVALS[k]} {format_db(v)}" if v is not None else f"{_RIVALS[k]}: no file fits" for k, v in
            e["rivals"].items()]  # fmt: skip
    who = "the network" if e["winner"] == "network" else _RIVALS[e["winner"]]
    wins = "win" if who.endswith("pixels") else "wins"
    best = e["psnr"] if e["winner"] == "network" else e["rivals"][e["winner"]]
    return (
        f"at {format_count(budget)} parameters the best {PACKED_BITS}-bit file is {e['family']}'s "
        f"({e['n_bytes']:,} B, {format_db(e['psnr'])}), and in as many bytes "
        + ", ".join(said)
        + f": {who} {wins}"
        + close_margin(best, e["lead_db"])
    )


def crossing(family: str, c: dict[str, Any]) -> str:
    """One clause for a :func:`pixparam.capacity.crossovers` entry.

    Parameters
    ----------
    family : str
    c : dict
        The family's entry: ``status`` and ``n``.

    Returns
    -------
    str
    """
    status = c["status"]
    if status == "overtakes":
        return f"{family} overtakes pixels at about {format_count(c['n'])} values"
    if status == "falls behind":
        return f"{family} falls behind pixels above about {format_count(c['n'])} values"
    if status == "ahead throughout":
        return f"{family} is ahead at every budget"
    if status == "never in range":
        return f"{family} stays below pixels"
    return f"{family}: no law fitted (too few unsaturated points on one of the two curves)"


#: The fit cache's subfolder that keeps :func:`packed_records`' records between builds.
PACKED_RECORDS = "packed-records"


def packed_records(ctx: Context) -> list[dict[str, Any]]:
    """The first image's :func:`pixparam.capacity_table` with every network packed, computed once per cache.

    Packing fine-tunes every ladder fit (quantisation-aware) and searches
    every codec: on the ``standard`` profile's CPU build, half an hour. The
    records are kept in the fit cache (``packed-records/``), keyed by the
    image, the fits' weights and the packing settings, and reused while
    the packed files they name are there unchanged, so a rerun of the hero or the
    capacity section fine-tunes nothing; the seconds the packing took are
    kept with them and count towards the section's cost from an empty cache.

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    list of dict
    """
    from ..capacity import capacity_table

    if "capacity" not in ctx.memo:
        p = ctx.profile
        name = p.images[0]
        img = ctx.image(name)
        fits = [ctx.ladder_fit(name, f, b) for b in p.budgets for f in p.families]
        settings = {
            "budgets": list(p.budgets), "families": list(p.families), "bits": PACKED_BITS,
            "qat_steps": qat_steps(ctx), "fits": [state_digest(f.model) for f in fits],
        }  # fmt: skip
        store, key = Store(ctx.cache.root), Store.unit_key("packed-records", settings, [img])
        found = store.get_records(PACKED_RECORDS, key)
        folder = packed_folder(ctx)
        if found is not None and str(found[1].get("files", "")) == _files_digest(folder, found[0]):
            ctx.memo["capacity"] = found[0]
            ctx.reused(float(found[1]["seconds"]), fits=0)  # written with the digest: always there
        else:
            start = time.perf_counter()
            ctx.memo["capacity"] = capacity_table(
                img, list(p.budgets), list(p.families), fits=fits,
                packed_bits=(PACKED_BITS,), qat_steps=qat_steps(ctx), keep_packed=folder,
            )  # fmt: skip
            seconds = np.array(time.perf_counter() - start)  # what a reuse saves, for the cost from an empty cache
            files = np.array(_files_digest(folder, ctx.memo["capacity"]))
            store.put_records(PACKED_RECORDS, key, ctx.memo["capacity"], {"seconds": seconds, "files": files})
    return ctx.memo["capacity"]


def _files_digest(folder: Path, records: list[dict[str, Any]]) -> str:
    """SHA-256 of the packed files the records name, in their order; ``'missing'`` if one is gone."""
    h = hashlib.sha256()
    for r in records:
        if "file" in r:
            path = folder / r["file"]
            if not path.is_file():
                return "missing"
            h.update(r["file"].encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def packed_folder(ctx: Context) -> Path:
    """Where this build keeps the first image's packed files (in the fit cache, beside the fits).

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    Path
    """
    return Path(ctx.cache.root) / "packed" / Path(ctx.profile.images[0]).stem


def qat_steps(ctx: Context) -> int:
    """Quantisation-aware fine-tuning steps before packing: the profile's healing steps, at most 300.

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    int
    """
    return max(1, min(ctx.profile.heal_steps, 300))


def _hero_column(
    ctx: Context, img: Any, budget: int, family: str, records: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One budget of the hero figure: the packed network (the capacity table's file), PNG pixels and JPEG in its
    file's bytes."""
    from ..codecs import at_most, png_pixels_at_most
    from ..store.packed import unpack

    rec = next(r for r in records if r["series"] == f"{family}/packed{PACKED_BITS}" and r["budget"] == budget)
    path = packed_folder(ctx) / rec["file"]
    n = path.stat().st_size
    net = unpack(path, device="cpu")
    net.image = img
    found = png_pixels_at_most(img, n)
    jpeg = at_most(img, n, "jpeg") if img.shape[2] in (1, 3) else None
    cell = {
        "family": family,
        "n_bytes": n,
        "network": net.psnr,
        "pixels": None if found is None else found[0].psnr,
        "jpeg": None if jpeg is None else jpeg.psnr,
        "no_file": [k for k, v in (("pixels", found), ("jpeg", jpeg)) if v is None],  # None above: no file, or inf
    }
    # the best family differs by budget: the row says "best network", each picture names its family
    rows: list[tuple[str, Any, str]] = [("best network, packed", net.render(), f"{family} · {format_db(net.psnr)}")]
    if found is None:
        rows.append(("pixels (PNG)", None, "no file fits"))
    else:
        rows.append(("pixels (PNG)", found[0].render(mode="bicubic"), f"{found[1]:,} B · {format_db(found[0].psnr)}"))
    if jpeg is None:
        rows.append(("JPEG", None, "no file fits"))
    else:
        rows.append(("JPEG", jpeg.decoded, f"{jpeg.n_bytes:,} B · {format_db(jpeg.psnr)}"))
    return cell, {"budget": budget, "n_bytes": n, "rows": rows}


def build_hero(ctx: Context) -> dict[str, Any]:
    """The front figure: at each budget, the best packed network beside PNG pixels and JPEG in as many bytes.

    Parameters
    ----------
    ctx : Context

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers``.
    """
    from ..figures.bytes import plot_hero

    p = ctx.profile
    name = p.images[0]
    img = ctx.image(name)
    records = packed_records(ctx)
    columns, numbers = [], {}
    for b in p.budgets:
        family = equal_bytes_at(records, img, b)["family"]
        numbers[str(b)], column = _hero_column(ctx, img, b, family, records)
        columns.append(column)
    h, w, _ = img.shape
    fig = plot_hero(img, columns, title=f"{name}, {h}×{w} px: a network, pixels and JPEG in the same bytes")
    wins, margins = {}, {}
    for b, cell in numbers.items():
        scores = {k: cell[k] for k in ("network", "pixels", "jpeg") if k not in cell["no_file"]}
        wins[b] = max(scores, key=lambda k: scores[k])
        cell["lead_db"] = lead(scores, wins[b])
        margins[b] = close_margin(scores[wins[b]], cell["lead_db"])
    who = {"network": "the network wins", "pixels": "the pixels win", "jpeg": "JPEG wins"}

    def said(b: str, c: dict[str, Any]) -> str:
        pix = format_db(c["pixels"]) if c["pixels"] is not None else "no file"
        jpg = format_db(c["jpeg"]) if c["jpeg"] is not None else "no file"
        return (
            f"at {format_count(int(b))} parameters ({c['n_bytes']:,} B) {c['family']} {format_db(c['network'])}, "
            f"pixels {pix}, JPEG {jpg}: {who[wins[b]]}{margins[b]}"
        )

    n_net = sum(v == "network" for v in wins.values())
    caption = (
        f"One image, {len(p.budgets)} budgets, three ways to spend the same bytes: the best network of that "
        f"budget, quantised to {PACKED_BITS} bits and entropy-coded into a file, the image downsampled to the "
        "largest PNG that fits, and the best JPEG that fits (quality 1–100). On "
        f"{name}, " + "; ".join(said(b, c) for b, c in numbers.items()) + f". The network wins at {n_net} of "
        f"{len(wins)} budgets."
    )
    alt = f"{name}: at equal bytes the network wins at {n_net} of {len(wins)} budgets; see the caption for each"
    figure = ctx.save(fig, "hero", alt=alt)
    return {"caption": caption, "figures": [figure], "numbers": {"budgets": numbers, "winner": wins}}


def build_capacity(ctx: Context) -> dict[str, Any]:
    """Quality against bytes on disk: packed networks, codecs and pixels; who wins at every budget.

    Parameters
    ----------
    ctx : Context
        The build's context (profile, fits, output folder).

    Returns
    -------
    dict
        ``caption``, ``figures`` and ``numbers`` (the records, the verdict at
        every budget, the crossovers at equal values).
    """
    from ..capacity import crossovers
    from ..figures.bytes import plot_equal_bytes

    p = ctx.profile
    name = p.images[0]
    img = ctx.image(name)
    records = packed_records(ctx)
    steps = qat_steps(ctx)
    h, w, c = img.shape
    fig = plot_equal_bytes(records, bits=PACKED_BITS, title=f"{name}, {h}×{w} px: quality per byte on disk")
    per_budget = {str(b): equal_bytes_at(records, img, b) for b in p.budgets}
    wins = {k: sum(e["winner"] == k for e in per_budget.values()) for k in ("network", *_RIVALS)}
    winners = ", ".join(f"{'networks' if k == 'network' else _RIVALS[k]} at {v}" for k, v in wins.items() if v)
    figure = ctx.save(fig, "capacity", alt=f"{name}: at equal bytes, {winners} of {len(p.budgets)} budgets", svg=True)
    values = crossovers(records, against="pixels/values")
    verdicts = "; ".join(_sentence(b, per_budget[str(b)]) for b in p.budgets)
    caption = (
        f"Every family packed into a real file ({PACKED_BITS}-bit after {steps} steps of quantisation-aware "
        f"fine-tuning, entropy-coded), on {name} at {p.size} px, against JPEG (4:2:0 and 4:4:4), WebP and AVIF "
        "searched over quality 1–100 for the best file in as many bytes, the area-downsampled pixels as a PNG, "
        f"and raw 8-bit pixels (the whole image is {h * w * c:,} B raw). "
        + verdicts[:1].upper()
        + verdicts[1:]
        + ". At equal values instead (float parameters against as many pixel values), "
        + "; ".join(crossing(fam, cr) for fam, cr in values.items())
        + "."
    )
    numbers = {"records": records, "equal_bytes": per_budget, "crossovers": {"pixels/values": values},
               "qat_steps": steps, "raw_bytes": h * w * c}  # fmt: skip
    return {"caption": caption, "figures": [figure], "numbers": numbers}
