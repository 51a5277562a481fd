"""Where a training step's time goes: ``torch.profiler``'s top operators for ``pp.fit`` at one setting.

Profiles ``--steps`` steps of ``pp.fit`` (after the same number untimed) and
records the operators with the most self time (CPU, or CUDA kernels on a GPU),
with their share of the total.

    python benchmarks/profile_step.py --family siren --size 128 --budget 16k \
        --json benchmarks/results/profile_siren_cpu.json
    python benchmarks/profile_step.py --family hashgrid --size 128 --budget 16k \
        --json benchmarks/results/profile_hashgrid_cpu.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _meta import run_meta  # benchmarks/ is on sys.path when a script runs
from torch.profiler import ProfilerActivity, profile

import pixparam as pp
from pixparam._io import write_json_atomic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default="coffee")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--budget", default="16k")
    ap.add_argument("--family", default="siren")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()

    device = pp.resolve_device(a.device)
    img = pp.load_image(a.image, size=a.size)
    kw = dict(steps=a.steps, device=str(device), progress=False)
    pp.fit(img, a.budget, a.family, **kw)  # warm-up
    cuda = device.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    with profile(activities=activities) as prof:
        f = pp.fit(img, a.budget, a.family, **kw)
    events = prof.key_averages()
    attr = "self_device_time_total" if cuda else "self_cpu_time_total"
    total = sum(getattr(e, attr) for e in events)
    top = sorted(events, key=lambda e: getattr(e, attr), reverse=True)[: a.top]
    rows = [{"op": e.key, "calls": e.count, "share": getattr(e, attr) / total} for e in top]
    for r in rows:
        print(f"{100 * r['share']:5.1f} %  {r['op']}  ({r['calls']} calls)")
    if a.json:
        meta = run_meta(device=str(device), image=a.image, size=a.size, budget=a.budget, family=a.family)
        write_json_atomic(a.json, {"meta": {**meta, "arch": f.arch.describe(), "steps": a.steps}, "rows": rows})


if __name__ == "__main__":
    main()
