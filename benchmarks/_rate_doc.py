"""``docs/rate_distortion.md`` from the records of ``benchmarks/rate_distortion.py``: tables, verdicts, the sweeps.

Every sentence with a number is computed here from the records, so the doc can
be regenerated (``--doc --from-json ...``) and a test checks it is.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pixparam as pp

ROOT = Path(__file__).resolve().parents[1]

#: Published Kodak results at 0.3 bpp, as issue #16 quotes them (other images: no like-for-like comparison).
KODAK = [
    {"label": "COIN (16-bit SIREN)", "bpp": 0.3, "psnr": 26.4, "source": "Dupont et al. 2021"},
    {"label": "Strümpler et al. (8-bit QAT)", "bpp": 0.3, "psnr": 28.4, "source": "Strümpler et al. 2022"},
    {"label": "C3 / Cool-chic", "bpp": 0.3, "psnr": 32.0, "source": "Kim et al. 2024 (≈, matching VTM)"},
    {"label": "JPEG", "bpp": 0.3, "psnr": 26.0, "source": "as quoted with COIN (≈)"},
]
#: The table's bit rates.
TABLE_BPP = (0.1, 0.2, 0.3, 0.5, 1.0)
#: Codec series in the tables, with their names.
CODEC_NAMES = {
    "jpeg": "JPEG",
    "webp": "WebP",
    "avif": "AVIF",
    "pixels/png": "pixels (PNG)",
    "pixels/raw": "pixels (raw 8-bit)",
}


def has_file(r: dict | None) -> bool:
    """Whether a record holds a file (no file fits: its PSNR is None, or NaN once read back)."""
    return r is not None and r.get("psnr") is not None and not math.isnan(r["psnr"])


def db(r: dict | None) -> str:
    """A record's PSNR, "no file fits", or "–" where nothing was measured."""
    return "–" if r is None else f"{r['psnr']:.2f}" if has_file(r) else "no file fits"


def packed(records: list[dict], image: str, family: str | None = None) -> list[dict]:
    """The packed (below 32-bit) network records of ``image``, of one family or all."""
    return [
        r
        for r in records
        if r["image"] == image and r["kind"] == "network" and r["bits"] < 32 and family in (None, r["family"])
    ]


def best_at(rows: list[dict], bpp: float) -> dict | None:
    """The best record among ``rows`` whose file is at most ``bpp``."""
    fits = [r for r in rows if has_file(r) and r["bpp"] <= bpp * 1.0001]
    return max(fits, key=lambda r: r["psnr"], default=None)


def codec_at(records: list[dict], image: str, series: str, bpp: float) -> dict | None:
    px = pixels_of(records, image)
    n = round(bpp * px / 8)
    for r in records:
        if r["image"] == image and r["series"] == series and r.get("budget_bytes") == n:
            return r
    return None


def pixels_of(records: list[dict], image: str) -> int:
    return next(r["pixels"] for r in records if r["image"] == image)


def describe(net: dict) -> str:
    """``'hashgrid 4k, 6-bit, 0.281 bpp'``."""
    return f"{net['family']} {pp.format_count(net['budget'])}, {net['bits']}-bit, {net['bpp']:.3f} bpp"


def shown(paths: str) -> str:
    """Comma-separated paths, each relative to the repository when it is inside it."""
    out = [Path(p) for p in paths.split(", ")]
    return ", ".join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in out)


def image_section(records: list[dict], image: str, figure: str) -> list[str]:
    """One image: every family's best packed file and every codec at each rate, the figure, who wins."""
    families = list(dict.fromkeys(r["family"] for r in packed(records, image)))
    head = "| at most | " + " | ".join(f"{b} bpp" for b in TABLE_BPP) + " |"
    lines = [f"## {image}", "", "PSNR in dB of the best file within each rate.", "", head]
    lines.append("|---|" + "---:|" * len(TABLE_BPP))
    for fam in families:
        rows = packed(records, image, fam)
        cells = [db(best_at(rows, b)) if best_at(rows, b) else "no file fits" for b in TABLE_BPP]  # every file measured
        lines.append(f"| {fam}, packed | " + " | ".join(cells) + " |")
    for series, name in CODEC_NAMES.items():
        cells = [db(codec_at(records, image, series, b)) for b in TABLE_BPP]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"![rate-distortion, {image}]({figure})", ""]
    for bpp in TABLE_BPP:
        lines.append(f"- {bpp} bpp: " + verdict(records, image, bpp) + ".")
    return [*lines, ""]


def verdict(records: list[dict], image: str, bpp: float) -> str:
    """Who wins at one rate, in words: the best packed network against each codec."""
    net = best_at(packed(records, image), bpp)
    said = ["no network file fits" if net is None else f"best network {describe(net)}, {net['psnr']:.2f} dB"]
    for series, name in CODEC_NAMES.items():
        c = codec_at(records, image, series, bpp)
        if c is None:
            said.append(f"{name} not measured")
        elif not has_file(c):
            said.append(f"{name} has no file")
        elif net is None:
            said.append(f"{name} wins")
        elif net["psnr"] > c["psnr"]:
            said.append(f"beats {name} by {net['psnr'] - c['psnr']:.2f} dB")
        else:
            said.append(f"{name} wins by {c['psnr'] - net['psnr']:.2f} dB")
    return "; ".join(said)


def summary(records: list[dict], images: list[str]) -> list[str]:
    """Across images: the best network's margin over each codec at each rate, and the issue's targets."""
    lines = ["## Across the images", "", "The best packed network minus each codec, in dB (mean over the images "
             "where both have a file; in brackets, the images where the network wins, of those).", ""]  # fmt: skip
    lines += ["| bpp | " + " | ".join(CODEC_NAMES.values()) + " |", "|---|" + "---:|" * len(CODEC_NAMES)]
    margins: dict[tuple[str, float], list[float]] = {}
    for bpp in TABLE_BPP:
        cells = []
        for series in CODEC_NAMES:
            gaps = []
            for image in images:
                net, c = best_at(packed(records, image), bpp), codec_at(records, image, series, bpp)
                if net is not None and has_file(c):
                    gaps.append(net["psnr"] - c["psnr"])
            margins[series, bpp] = gaps
            won = sum(g > 0 for g in gaps)
            cells.append("–" if not gaps else f"{statistics.fmean(gaps):+.2f} ({won} of {len(gaps)})")
        lines.append(f"| {bpp} | " + " | ".join(cells) + " |")
    lines += ["", "Against the issue's targets:", ""]
    for bpp in (0.3, 0.5):
        g = margins["webp", bpp]
        lines.append(f"- beat WebP at {bpp} bpp: {'met' if g and min(g) > 0 else 'missed'} "
                     f"(margins {', '.join(f'{v:+.2f}' for v in g) or 'none'} dB)")  # fmt: skip
    a = [v for bpp in (0.3, 0.5) for v in margins["avif", bpp]]
    lines.append(f"- within 1 dB of AVIF at 0.3 and 0.5 bpp: {'met' if a and min(a) >= -1 else 'missed'} "
                 f"(worst {min(a, default=math.nan):+.2f} dB)")  # fmt: skip
    j = [v for bpp in TABLE_BPP for v in margins["jpeg", bpp]]
    lines.append(f"- beat JPEG wherever JPEG has a file: {'met' if j and min(j) > 0 else 'missed'} "
                 f"({sum(v > 0 for v in j)} of {len(j)} image × rate cells)")  # fmt: skip
    jpegs = {(image, bpp): codec_at(records, image, "jpeg", bpp) for image in images for bpp in TABLE_BPP}
    none = [k for k, r in jpegs.items() if r is not None and not has_file(r)]
    made = [(image, bpp) for image, bpp in none if best_at(packed(records, image), bpp) is not None]
    lines.append(f"- where JPEG has no file, a packed network has one: {len(made)} of {len(none)} image × rate cells")
    return [*lines, ""]


def qat_section(records: list[dict]) -> list[str]:
    """What quantisation-aware packing costs against float32, per family (median and worst over images and budgets)."""
    nets = [r for r in records if r["kind"] == "network"]
    lines = ["## What quantisation-aware packing costs", "",
             "PSNR of the unpacked file minus the float32 fit's, median (worst) over every image and budget; and the "
             "median file size against the float32 file.", "",
             "| family | 8-bit | 6-bit | 4-bit | size at 8 / 6 / 4 bits |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    costs: dict[int, list[float]] = {8: [], 6: []}
    for fam in dict.fromkeys(r["family"] for r in nets):
        cells, sizes = [], []
        for bits in (8, 6, 4):
            d, s = [], []
            for r in (r for r in nets if r["family"] == fam and r["bits"] == bits):
                base = next(b for b in nets if b["family"] == fam and b["bits"] == 32
                            and (b["image"], b["budget"]) == (r["image"], r["budget"]))  # fmt: skip
                d.append(r["psnr"] - base["psnr"])
                s.append(r["bytes"] / base["bytes"])
            costs.setdefault(bits, []).extend(d)
            cells.append("–" if not d else f"{statistics.median(d):+.2f} ({min(d):+.2f})")
            sizes.append("–" if not s else f"{statistics.median(s):.0%}")
        lines.append(f"| {fam} | " + " | ".join(cells) + f" | {' / '.join(sizes)} |")
    lines.append("")
    for bits, bound in ((8, 0.3), (6, 1.0)):
        ok = sum(-c <= bound for c in costs[bits])
        lines.append(f"- Target, QAT costs at most {bound} dB at {bits} bits: met in {ok} of {len(costs[bits])} fits.")
    return [*lines, ""]


#: A rate term pays where it saves at least this share of the bytes ...
RATE_SAVING = 0.02
#: ... for at most this loss of PSNR (dB).
RATE_NOISE_DB = 0.02


def rate_verdict(rows: list[dict]) -> dict[str, Any]:
    """Against plain QAT (λ = 0) at the same learning rate: how often a rate term pays.

    It pays in a case (image, family, bits, lr) when some λ > 0 saves at least :data:`RATE_SAVING` of the
    bytes and loses at most :data:`RATE_NOISE_DB` of PSNR (smaller moves are run-to-run noise). Returns the
    number of cases, those where it pays, and the largest byte saving and PSNR change seen.
    """
    cases = dict.fromkeys((r["image"], r["family"], r["bits"], r["lr_factor"]) for r in rows)
    wins, saved, dpsnr = 0, [], []
    for key in cases:
        group = [r for r in rows if (r["image"], r["family"], r["bits"], r["lr_factor"]) == key]
        plain = next(r for r in group if r["rate"] == 0)
        others = [r for r in group if r["rate"] > 0]
        better = [
            r for r in others
            if r["bytes"] <= (1 - RATE_SAVING) * plain["bytes"] and r["psnr"] >= plain["psnr"] - RATE_NOISE_DB
        ]  # fmt: skip
        wins += bool(better)
        saved += [1 - r["bytes"] / plain["bytes"] for r in others]
        dpsnr += [r["psnr"] - plain["psnr"] for r in others]
    return {
        "cases": len(cases),
        "pays": wins,
        "max_bytes_saved": max(saved, default=0.0),
        "psnr_change_range": [min(dpsnr, default=0.0), max(dpsnr, default=0.0)],
    }


def rate_section(tune: dict | None) -> list[str]:
    """The rate term's sweep on the tuning images, and what it says."""
    if tune is None:
        return []
    rows, meta = tune["tune_rate"], tune["meta"]
    v = rate_verdict(rows)
    lines = ["## A rate term in QAT", "",
             f"`pp.edit.qat(..., rate=λ)` adds λ × the estimated bits per pixel of the packed indices to the loss "
             f"(a Laplace model, as `pp.pack` codes them). Swept on the tuning images only (astronaut, camera; "
             f"{meta['size']} px, {meta['budget']}, {meta['steps']} float steps then {meta['qat_steps']} QAT steps), "
             f"λ ∈ {{{', '.join(f'{x:g}' for x in sorted({r['rate'] for r in rows}))}}} at QAT learning-rate "
             f"factors {', '.join(f'{x:g}' for x in sorted({r['lr_factor'] for r in rows}))}: `{meta['command']}`.",
             "", "| family | bits | λ = 0 | the λ > 0 that saved most bytes |", "|---|---:|---|---|"]  # fmt: skip
    for fam in dict.fromkeys(r["family"] for r in rows):
        for bits in sorted({r["bits"] for r in rows if r["family"] == fam}, reverse=True):
            mine = [r for r in rows if r["family"] == fam and r["bits"] == bits]
            low = min(r["lr_factor"] for r in mine)
            plain = [r for r in mine if r["rate"] == 0 and r["lr_factor"] == low]
            pb, pq = statistics.fmean(r["bytes"] for r in plain), statistics.fmean(r["psnr"] for r in plain)
            settings = sorted({(r["rate"], r["lr_factor"]) for r in mine if r["rate"] > 0})
            means = {
                k: (statistics.fmean(r["bytes"] for r in sel), statistics.fmean(r["psnr"] for r in sel))
                for k in settings
                for sel in [[r for r in mine if (r["rate"], r["lr_factor"]) == k]]
            }
            (lam, lrf), (b, q) = min(means.items(), key=lambda kv: kv[1][0])
            lines.append(f"| {fam} | {bits} | {pb:,.0f} B, {pq:.2f} dB (lr × {low:g}) | λ = {lam:g}, lr × {lrf:g}: "
                         f"{b:,.0f} B ({b / pb - 1:+.1%}), {q - pq:+.2f} dB |")  # fmt: skip
    lo, hi = v["psnr_change_range"]
    lines += ["", f"Means over the two images. A rate term pays in a case when it saves at least {RATE_SAVING:.0%} of "
              f"the bytes for at most {RATE_NOISE_DB} dB of PSNR: it did in {v['pays']} of {v['cases']} image × "
              f"family × bits × learning-rate cases. The largest saving was {v['max_bytes_saved']:.1%} of the "
              f"bytes, and PSNR moved by {lo:+.2f} to {hi:+.2f} dB."]  # fmt: skip
    pays = v["pays"] > v["cases"] / 2
    lines.append("So the rate term pays and QAT's default uses it." if pays else
                 "So it does not pay here, and `rate=0` (plain QAT) stays the default; the option is kept so "
                 "the sweep can be rerun.")  # fmt: skip
    return [*lines, "", *qat_lr_lines(rows)]


def qat_lr_lines(rows: list[dict]) -> list[str]:
    """Plain QAT (λ = 0) at each learning-rate factor of the sweep: which loses least, per family and bits."""
    plain = [r for r in rows if r["rate"] == 0]
    factors = sorted({r["lr_factor"] for r in plain})
    lines = ["The same sweep at λ = 0 is plain QAT at each learning-rate factor: PSNR after QAT, mean over the "
             "two images.", "", "| family | bits | " + " | ".join(f"lr × {f:g}" for f in factors) + " |",
             "|---|---:|" + "---:|" * len(factors)]  # fmt: skip
    wins = dict.fromkeys([*factors, "tie"], 0)
    for fam in dict.fromkeys(r["family"] for r in plain):
        for bits in sorted({r["bits"] for r in plain if r["family"] == fam}, reverse=True):
            means = {f: statistics.fmean(r["psnr"] for r in plain if (r["family"], r["bits"], r["lr_factor"])
                                         == (fam, bits, f)) for f in factors}  # fmt: skip
            top = max(means, key=means.get)
            wins["tie" if max(means.values()) - min(means.values()) < RATE_NOISE_DB else top] += 1
            lines.append(f"| {fam} | {bits} | " + " | ".join(f"{means[f]:.2f}" for f in factors) + " |")
    said = ", ".join(f"lr × {f:g} in {n}" if f != "tie" else f"a tie (within {RATE_NOISE_DB} dB) in {n}"
                     for f, n in wins.items())  # fmt: skip
    best = max(factors, key=wins.get)
    default = pp.edit.QAT_LR_FACTOR
    lines += ["", f"Best: {said} of {sum(wins.values())} family × bits cases; the default is × {default:g}"
              + ("." if best == default else f", and × {best:g} measured better here.")]  # fmt: skip
    return [*lines, ""]


def lr_section(tune: dict | None) -> list[str]:
    """QAT's learning-rate sweep on the tuning images."""
    if tune is None:
        return []
    rows, meta = tune["tune"], tune["meta"]
    factors = sorted({r["lr_factor"] for r in rows})
    lines = ["## QAT's learning rate", "",
             f"PSNR lost to QAT against float32 (mean over astronaut and camera, {meta['size']} px, {meta['budget']}, "
             f"{meta['qat_steps']} QAT steps), at each factor of the family's learning rate: `{meta['command']}`.", "",
             "| family | bits | " + " | ".join(f"× {f:g}" for f in factors) + " |",
             "|---|---:|" + "---:|" * len(factors)]  # fmt: skip
    wins = dict.fromkeys(factors, 0)
    for fam in dict.fromkeys(r["family"] for r in rows):
        for bits in sorted({r["bits"] for r in rows if r["family"] == fam}, reverse=True):
            means = {f: statistics.fmean(r["cost_db"] for r in rows if (r["family"], r["bits"], r["lr_factor"])
                                         == (fam, bits, f)) for f in factors}  # fmt: skip
            wins[min(means, key=means.get)] += 1
            lines.append(f"| {fam} | {bits} | " + " | ".join(f"{means[f]:.2f}" for f in factors) + " |")
    best = max(wins, key=wins.get)
    lines += ["", f"The smallest loss, by family and bit depth: {', '.join(f'× {f:g} in {n}' for f, n in wins.items())}"
              f" of {sum(wins.values())}; the default is × {pp.edit.QAT_LR_FACTOR:g}"
              + ("." if best == pp.edit.QAT_LR_FACTOR else f", and × {best:g} measured better.")]  # fmt: skip
    return [*lines, ""]


def kodak_section(records: list[dict], images: list[str]) -> list[str]:
    lines = ["## Published Kodak points (other images: for orientation only)", "",
             "| system | bpp | PSNR | source | best network here minus it, per image |",
             "|---|---|---|---|---|"]  # fmt: skip
    for r in KODAK:
        gaps = []
        for image in images:
            net = best_at(packed(records, image), r["bpp"])
            gaps.append(f"{image} {net['psnr'] - r['psnr']:+.2f}" if net else f"{image}: none fits")
        lines.append(f"| {r['label']} | {r['bpp']} | {r['psnr']} dB | {r['source']} | {', '.join(gaps)} dB |")
    lines += ["", "The papers give their other rates (0.1, 0.2, 0.5 bpp) as curves in figures, not as numbers; "
              "none are transcribed here, so the gap is reported at 0.3 bpp only.", ""]  # fmt: skip
    return lines


def render(result: dict[str, Any], figures: dict[str, str], tunes: dict[str, dict]) -> str:
    records, meta = result["records"], result["meta"]
    images = list(dict.fromkeys(r["image"] for r in records))
    nets = [r for r in records if r["kind"] == "network"]
    budgets = ", ".join(pp.format_count(b) for b in sorted({r["budget"] for r in nets}))
    bits = ", ".join(str(b) for b in sorted({r["bits"] for r in nets if r["bits"] < 32}, reverse=True))
    lines = [
        "# Equal bytes: packed networks against codecs",
        "",
        f"Generated by `benchmarks/rate_distortion.py` from `{shown(result['path'])}`; do not edit by hand.",
        "",
        f"- Command: `{meta['command']}`",
        f"- Machine: {meta['machine']}; torch {meta['torch']}; {meta['date']}",
        f"- Images ({meta['size']} px, longest side; none used for tuning): {', '.join(images)}",
        f"- Networks: every family at budgets {budgets}, pixparam's defaults at float32 for {meta['steps']} steps, "
        f"then `pp.edit.qat` at {bits} bits ({meta.get('qat_steps', 'default')} steps) and `pp.pack`. A network's "
        "rate is its packed file's size on disk, and its PSNR is measured on the unpacked file.",
        "- Codecs: the best file that fits the bytes (JPEG 4:2:0 and 4:4:4, WebP and AVIF through Pillow, quality "
        "1–100). Pixels: the largest area-downsampled counterpart whose PNG fits, or whose raw 8-bit values fit, "
        "bicubic upsampled.",
        "",
    ]
    lines += summary(records, images)
    for image in images:
        lines += image_section(records, image, figures[image])
    lines += qat_section(records)
    lines += rate_section(tunes.get("tune_rate"))
    lines += lr_section(tunes.get("tune"))
    lines += kodak_section(records, images)
    return "\n".join(lines).rstrip("\n") + "\n"
