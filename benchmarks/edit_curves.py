"""PSNR against edit strength, network beside its pixel twin, and along blend paths.

On one sample: a SIREN and a hash grid at one budget, each pruned (magnitude,
then healed), quantised (then healed) and compared with the pixel counterpart
pruned (smallest DCT detail coefficients) and posterised; then the PSNR along
a weight-space blend between two SIRENs fitted from different seeds, without
and with alignment, and between a and a b fitted from a's weights
(``init_from``), with the pixel cross-fade for reference. Writes JSON.

    python benchmarks/edit_curves.py --json benchmarks/results/edit_curves_64px.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

import torch

import pixparam as pp
from pixparam import pixel_edits as pe
from pixparam._io import write_bytes_atomic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="astronaut")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--budget", default="4k")
    ap.add_argument("--families", nargs="+", default=["siren", "hashgrid"])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--heal-steps", type=int, default=300)
    ap.add_argument("--prune", nargs="+", type=float, default=[0, 0.5, 0.8, 0.9, 0.95])
    ap.add_argument("--bits", nargs="+", type=int, default=[32, 16, 8, 6, 4, 3, 2])
    ap.add_argument("--alphas", type=int, default=11, help="points on the blend path (0..1)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/edit_curves_64px.json"))
    args = ap.parse_args()
    t_start = time.perf_counter()
    img = pp.load_image(args.image, size=args.size)
    meta = {
        "command": "python benchmarks/edit_curves.py " + " ".join(sys.argv[1:]),
        "date": dt.date.today().isoformat(),
        "pixparam": pp.__version__,
        "torch": torch.__version__,
        "device": args.device,
        "cpu_threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "image": f"{args.image} {img.shape[0]}x{img.shape[1]}x{img.shape[2]}",
        "notes": "PSNR in dB against the fitted image; pixels: counterpart with the same number of values, "
        "bicubic reconstruction; prune = global magnitude (network) / smallest DCT detail coefficients (pixels); "
        "quantize = per-tensor uniform min-max grid (network) / posterise to 2^bits levels in [0,1] (pixels)",
    }
    out: dict = {"meta": meta, "families": {}, "blend": {}}

    def save() -> None:
        meta["seconds"] = round(time.perf_counter() - t_start, 1)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(args.json, json.dumps(out, indent=1).encode())

    fits = {}
    for family in args.families:
        fit = pp.fit(img, args.budget, family, steps=args.steps, device=args.device, progress=False)
        fits[family] = fit
        pix = pp.pixelate(img, fit.n_params)
        rec: dict = {"arch": fit.arch.describe(), "fit_seconds": round(fit.seconds, 1), "psnr": fit.psnr}
        rec["pixels"] = {"shape": list(pix.shape), "n_values": pix.n_values, "psnr": pix.psnr}
        rows = []
        for amount in args.prune:
            f = pp.edit.prune(fit, amount)
            h = pp.edit.heal(f, img, args.heal_steps) if amount > 0 else f
            p = pe.prune_pixels(pix, amount)
            rows.append(
                {
                    "amount": amount,
                    "n_effective": f.n_effective,
                    "network": f.psnr,
                    "healed": h.psnr,
                    "pixels_kept": p.n_effective,
                    "pixels": p.psnr,
                    "pixels_random": pe.prune_pixels(pix, amount, method="random").psnr,
                }
            )
            print(family, rows[-1], flush=True)
        rec["prune"] = rows
        rows = []
        for bits in args.bits:
            f = pp.edit.quantize(fit, bits)
            h = pp.edit.heal(f, img, args.heal_steps) if bits < 16 else f
            rows.append(
                {
                    "bits": bits,
                    "storage_bits": f.storage_bits,
                    "network": f.psnr,
                    "healed": h.psnr,
                    "pixels": pe.posterize(pix, bits).psnr,
                }
            )
            print(family, rows[-1], flush=True)
        rec["quantize"] = rows
        out["families"][family] = rec
        save()

    a = fits.get("siren") or pp.fit(img, args.budget, "siren", steps=args.steps, device=args.device, progress=False)
    b = pp.fit(img, a.arch, steps=args.steps, seed=1, device=args.device, progress=False)
    shared = pp.fit(img, a.arch, steps=args.steps, seed=1, init_from=a, device=args.device, progress=False)
    aligned = pp.edit.align(a, b)
    pa = pp.pixelate(img, a.n_params)
    pb = pp.pixelate(img[:, ::-1].copy(), a.n_params)
    alphas = [round(i / (args.alphas - 1), 4) for i in range(args.alphas)]
    out["blend"] = {
        "a": {"arch": a.arch.describe(), "seed": 0, "psnr": a.psnr},
        "b": {"seed": 1, "psnr": b.psnr},
        "shared": {"seed": 1, "init_from": "a", "psnr": shared.psnr},
        "align": aligned.edits[-1],
        "pixels_note": "cross-fade of the counterpart of the image and of its mirror image, PSNR against the image",
        "path": [
            {
                "alpha": t,
                "independent": pp.edit.blend(a, b, t, align=False).psnr,
                "aligned": pp.edit.blend(a, aligned, t, align=False).psnr,
                "shared_init": pp.edit.blend(a, shared, t, align=False).psnr,
                "pixels_crossfade_mirror": pe.crossfade(pa, pb, t).psnr,
            }
            for t in alphas
        ],
    }
    for row in out["blend"]["path"]:
        print("blend", row, flush=True)
    save()
    print(f"wrote {args.json} in {meta['seconds']} s")


if __name__ == "__main__":
    main()
