"""Would other SIREN defaults reach a peer's quality in fewer steps? Steps-to-reach under lr and depth changes.

On the images the defaults were tuned on (astronaut, camera): the bar is
the best PSNR of pixparam's own loop run as a COIN-style peer (constant
lr 1e-3, no warm-up or decay, 1000 steps, default architecture); then
pixparam's default schedule (2000 steps) at each depth and each multiple of
the default learning rate, and the step and second at which each first
reaches the bar, as a fraction of the peer's 1000 steps (both sides run the
same loop, so steps compare what wall time would). Used to check the registry defaults (``FamilySpec.defaults``) and
``plan`` before blaming per-step speed for ``bench_peers.py``'s ratios.

    python benchmarks/reach_sweep.py --json benchmarks/results/reach_sweep_64px.json
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs
from bench_peers import time_to_reach

import pixparam as pp
from pixparam._io import write_json_atomic

PEER_STEPS = 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["astronaut", "camera"])
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--budgets", nargs="+", default=["4k", "16k"])
    ap.add_argument("--depths", nargs="+", type=int, default=[2, 3, 4])
    ap.add_argument("--lr-factors", nargs="+", type=float, default=[1 / 3, 1, 3])
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    base = pp.fields.spec_for("siren").defaults
    rows: list[dict[str, Any]] = []
    for name in a.images:
        img = pp.load_image(name, size=a.size)
        for budget in a.budgets:
            # constant lr (no warm-up, no decay): the peer's loop
            peer = pp.fit(
                img, budget, "siren", steps=PEER_STEPS, lr=1e-3, log_every=10, final_lr=1.0, warmup=0.0, progress=False
            )
            bar = max(peer.history.psnr)
            print(f"{name} {budget}: bar {bar:.2f} dB ({peer.arch.describe()}, constant lr 1e-3, 1000 steps)")
            for depth in a.depths:
                arch = pp.plan(budget, "siren", img.shape[2], resolution=max(img.shape[:2]), depth=depth)
                for factor in a.lr_factors:
                    f = pp.fit(img, arch, lr=base.lr_for(arch) * factor, log_every=10, progress=False)
                    seconds, step = time_to_reach(f.history, bar)
                    rows.append(
                        {
                            "image": name,
                            "budget": budget,
                            "bar_psnr": bar,
                            "peer_seconds": peer.seconds,
                            "depth": depth,
                            "widths": list(arch.widths),
                            "lr_factor": factor,
                            "steps_to_reach": step,
                            "seconds_to_reach": seconds,
                            # the same loop on both sides: compare steps, which no other process can disturb
                            "ratio": None if step is None else step / PEER_STEPS,
                            "final_psnr": f.psnr,
                        }
                    )
                    where = "not reached" if step is None else f"step {step} ({step / PEER_STEPS:.2f} of the peer's)"
                    print(f"  depth {depth} lr×{factor:.2g}: {where}; {f.psnr:.2f} dB at 2000")
    if a.json:
        write_json_atomic(a.json, {"meta": run_meta(size=a.size), "rows": rows})


if __name__ == "__main__":
    main()
