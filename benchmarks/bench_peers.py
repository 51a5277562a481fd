"""pixparam's SIREN fit at default settings against two peer SIREN implementations, side by side.

For every image, size and budget, in one process and on one device: one
``pp.fit(img, budget, "siren")`` at default settings (nothing tuned), then two
peers at the same depth and the largest uniform width whose parameter count
is at most the budget:

* ``siren-pytorch``: ``siren_pytorch.SirenNet`` (w0_initial = 30, hidden
  w0 = 1, its own initialisation), output in ``[-1, 1]``;
* ``coin``: a plain PyTorch SIREN as in COIN / the SIREN paper, written here
  (``nn.Linear`` layers, ``sin(30·x)``, first layer U(±1/fan_in), others
  U(±sqrt(6/fan_in)/30), PyTorch's default biases, linear output in ``[-1, 1]``).

Each peer trains full-batch Adam (constant learning rate, MSE on ``2·img - 1``)
for ``--steps`` steps at every ``--lrs`` rate; the best rate is the one with
the highest PSNR, a peer's PSNR being the best whole-image training-loss PSNR
seen during its run (unclipped output, like pixparam's history) and its time
the wall time of that training loop (model build excluded). The better peer
sets the bar; pixparam's time to reach it is the first logged history point
(every ``steps // 100`` steps) whose PSNR is at least the bar, and the ratio
is that time over the peer's loop time (target: at most 1/3).

Images default to samples that were not used to tune pixparam's defaults
(those were astronaut and camera).

    python benchmarks/bench_peers.py --sizes 64 \
        --json benchmarks/results/bench_peers_cpu_64px.json --md docs/bench_peers_cpu_64px.md
    python benchmarks/bench_peers.py --device cuda --sizes 64 128 \
        --json benchmarks/results/bench_peers_cuda.json --md docs/bench_peers_cuda.md
    # smoke test
    OMP_NUM_THREADS=1 python benchmarks/bench_peers.py --images coffee --sizes 32 --budgets 1k --steps 100
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from _flops import sync
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs
from torch import nn

import pixparam as pp
from pixparam._io import write_bytes_atomic, write_json_atomic
from pixparam.coords import grid

OMEGA0 = 30.0
TARGET_RATIO = 1 / 3


class CoinSiren(nn.Module):
    """The SIREN of Sitzmann et al. / COIN: ``depth`` sine layers of ``width``, then a linear output."""

    def __init__(self, depth: int, width: int, channels: int, omega0: float = OMEGA0) -> None:
        super().__init__()
        self.omega0 = omega0
        dims = [2] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(dims))
        self.out = nn.Linear(width, channels)
        with torch.no_grad():
            for i, layer in enumerate([*self.hidden, self.out]):
                fan_in = layer.in_features
                bound = 1.0 / fan_in if i == 0 else math.sqrt(6.0 / fan_in) / omega0
                layer.weight.uniform_(-bound, bound)  # biases keep nn.Linear's U(±1/sqrt(fan_in))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = torch.sin(self.omega0 * layer(x))
        return self.out(x)


def _siren_pytorch(depth: int, width: int, channels: int) -> nn.Module:
    from siren_pytorch import SirenNet  # here, so report.py can reuse this module's tables without the peer installed

    return SirenNet(dim_in=2, dim_hidden=width, dim_out=channels, num_layers=depth, w0_initial=OMEGA0)


PEERS: dict[str, Callable[[int, int, int], nn.Module]] = {
    "siren-pytorch": _siren_pytorch,
    "coin": CoinSiren,
}


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def widest(make: Callable[[int, int, int], nn.Module], depth: int, channels: int, budget: int) -> tuple[int, int]:
    """The largest uniform width whose instantiated module has at most ``budget`` parameters, and its count."""
    with torch.random.fork_rng(devices=[]):  # instantiating draws initial weights; keep the global RNG untouched
        count = n_params(make(depth, 1, channels))
        if count > budget:
            raise SystemExit(f"budget {budget} is below the smallest depth-{depth} network ({count} parameters)")
        width = 1
        while (nxt := n_params(make(depth, width + 1, channels))) <= budget:
            width, count = width + 1, nxt
    return width, count


def _psnr01(mse_pm1: float) -> float | None:
    """PSNR in dB of an MSE measured in ``[-1, 1]`` units (``/ 4`` gives ``[0, 1]`` units)."""
    if not math.isfinite(mse_pm1):
        return None
    return math.inf if mse_pm1 <= 0 else -10 * math.log10(mse_pm1 / 4)


def train_peer(
    make: Callable[[int, int, int], nn.Module],
    depth: int,
    width: int,
    channels: int,
    coords: torch.Tensor,
    target: torch.Tensor,
    lr: float,
    steps: int,
) -> dict[str, Any]:
    """Full-batch Adam at a constant ``lr``; the best training-loss PSNR and the loop's wall time."""
    device = coords.device
    torch.manual_seed(0)
    model = make(depth, width, channels).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    best = torch.full((), math.inf, device=device)
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = F.mse_loss(model(coords), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        best = torch.fmin(best, loss.detach())  # fmin: a NaN loss does not erase the best seen
    sync(device)
    seconds = time.perf_counter() - t0
    return {"lr": lr, "psnr": _psnr01(float(best)), "seconds": seconds, "per_step_s": seconds / steps}


def time_to_reach(history: pp.History, psnr: float | None) -> tuple[float | None, int | None]:
    """Seconds and step of the first history point at ``psnr`` dB or better (``None`` if never)."""
    if psnr is None:
        return None, None
    for step, p, s in zip(history.step, history.psnr, history.seconds):
        if p >= psnr:
            return s, step
    return None, None


def bench_one(
    name: str, img: Any, budget: int, size: int, lrs: list[float], steps: int, device: torch.device
) -> dict[str, Any]:
    h, w, c = img.shape
    f = pp.fit(img, budget, "siren", device=device, seed=0, progress=False)
    arch = pp.plan(budget, "siren", c, resolution=max(h, w))
    depth = len(arch.widths)
    coords = grid(h, w, device=device)
    target = (2 * torch.from_numpy(img.reshape(-1, c)) - 1).to(device)
    peers = {}
    for peer, make in PEERS.items():
        width, count = widest(make, depth, c, budget)
        runs = [train_peer(make, depth, width, c, coords, target, lr, steps) for lr in lrs]
        best = max(runs, key=lambda r: -math.inf if r["psnr"] is None else r["psnr"])
        peers[peer] = {
            "depth": depth,
            "width": width,
            "params": count,
            "best_lr": best["lr"],
            "best_lr_at_edge": len(lrs) > 1 and best["lr"] in (min(lrs), max(lrs)),  # the grid may not hold its best
            "runs": runs,
        }
        print(
            f"  {peer:>13} {depth}×{width} ({count} params): "
            + ", ".join(f"lr {r['lr']:g} → {_fmt_db(r['psnr'])} in {r['seconds']:.2f} s" for r in runs),
            flush=True,
        )

    def best_run(peer: str) -> dict[str, Any]:
        return next(r for r in peers[peer]["runs"] if r["lr"] == peers[peer]["best_lr"])

    top = max(peers, key=lambda p: -math.inf if best_run(p)["psnr"] is None else best_run(p)["psnr"])
    bar = best_run(top)
    reach_s, reach_step = time_to_reach(f.history, bar["psnr"])
    ratio = None if reach_s is None else reach_s / bar["seconds"]
    return {
        "image": name,
        "size": size,
        "shape": [h, w, c],
        "budget": budget,
        "pixparam": {
            "arch": f.arch.describe(),
            "params": f.n_params,
            "steps": f.config["steps"],
            "lr": f.config["lr"],
            "log_every": f.config["log_every"],
            "psnr": f.psnr,  # clipped render of the best weights
            "history_final_psnr": f.history.psnr[-1],  # unclipped, as compared with the peers
            "seconds": f.seconds,
            "per_step_s": f.seconds / f.config["steps"],
            "seconds_to_reach": reach_s,
            "steps_to_reach": reach_step,
        },
        "peers": peers,
        "best_peer": top,
        "best_lr": bar["lr"],
        "peer_params": peers[top]["params"],
        "peer_steps": steps,
        "peer_psnr": bar["psnr"],
        "peer_seconds": bar["seconds"],
        "peer_per_step_s": bar["per_step_s"],
        "ratio": ratio,
        "met": ratio is not None and ratio <= TARGET_RATIO,
    }


def _fmt_db(v: float | None) -> str:
    return "–" if v is None else "lossless" if v == math.inf else f"{v:.2f} dB"


def render_table(rows: list[dict[str, Any]], steps: int) -> str:
    pp_steps = rows[0]["pixparam"]["steps"] if rows else "default"
    header = [
        "image",
        "px",
        "budget",
        "pixparam params",
        "peer params",
        "best peer (lr)",
        f"peer PSNR @{steps}",
        "peer s",
        "pixparam s to reach",
        "pixparam steps to reach",
        "ratio",
        f"pixparam PSNR @{pp_steps}",
        "s/step peer / pixparam",
    ]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * 3 + "---|" + "---:|" * 7]
    for r in rows:
        h, w, _ = r["shape"]
        p = r["pixparam"]
        reached = p["seconds_to_reach"] is not None
        cells = [
            r["image"],
            f"{w}×{h}",
            pp.format_count(r["budget"]),
            f"{p['params']:,}",
            f"{r['peer_params']:,}",
            f"{r['best_peer']} ({r['best_lr']:g})",
            _fmt_db(r["peer_psnr"]),
            f"{r['peer_seconds']:.2f}",
            f"{p['seconds_to_reach']:.2f}" if reached else "not reached",
            str(p["steps_to_reach"]) if reached else "–",
            f"{r['ratio']:.2f}" + (" ✓" if r["met"] else "") if reached else "–",
            _fmt_db(p["psnr"]),
            f"{1e3 * r['peer_per_step_s']:.2f} ms / {1e3 * p['per_step_s']:.2f} ms",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    met = sum(r["met"] for r in rows)
    lines += ["", f"target ≤ 1/3 met at {met} of {len(rows)} rows"]
    return "\n".join(lines)


def render_markdown(meta: dict[str, Any], rows: list[dict[str, Any]], steps: int) -> str:
    return "\n".join(
        [
            "# pixparam vs peer SIREN implementations at equal parameter budget",
            "",
            f"Generated by `{meta['command']}` on {meta['date']} (pixparam {meta['pixparam']}, "
            f"torch {meta['torch']}, device: {meta['device']}, {meta['threads']} CPU threads). Do not edit by hand.",
            "",
            f"Peers (siren-pytorch's `SirenNet`, and a plain COIN-style SIREN) train full-batch Adam for {steps} "
            f"steps at each learning rate in {', '.join(f'{lr:g}' for lr in meta['lrs'])}; the best rate is kept. "
            "Peer PSNR is the best whole-image training-loss PSNR seen in that run, peer seconds its training "
            "loop's wall time. pixparam runs `pp.fit(img, budget, 'siren')` at default settings; *s to reach* is "
            "the first logged point of its training curve (unclipped output, as for the peers) at the peer's "
            "PSNR or better, and *ratio* that time over the peer's (target ≤ 1/3). Its final PSNR is that of the "
            "clipped render. Peers have the same depth as pixparam's plan and the widest uniform width within "
            "the budget.",
            "",
            render_table(rows, steps),
            "",
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", nargs="+", default=["coffee", "chelsea", "rocket"])
    ap.add_argument("--sizes", "--size", nargs="+", type=int, default=[64], help="longest side(s) in pixels")
    ap.add_argument("--budgets", nargs="+", default=["1k", "4k", "16k", "64k"])
    ap.add_argument("--steps", type=int, default=1000, help="training steps of each peer run")
    ap.add_argument("--lrs", nargs="+", type=float, default=[1e-4, 5e-4, 1e-3], help="peer learning rates")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--md", type=Path, default=None, help="also write the table as Markdown here")
    a = ap.parse_args()
    unknown = [n for n in a.images if n not in pp.SAMPLES]
    if unknown:
        raise SystemExit(f"not built-in samples: {', '.join(unknown)}; choose from {', '.join(pp.SAMPLES)}")
    device = pp.resolve_device(a.device)
    budgets = [pp.parse_budget(b) for b in a.budgets]
    meta = run_meta(
        device=str(device),  # the GPU's name is in run_meta's "machine"
        peer_steps=a.steps,
        lrs=a.lrs,
        peers=list(PEERS),
    )

    def save(rows: list[dict[str, Any]]) -> None:
        if a.json is not None:
            a.json.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(a.json, {"meta": meta, "rows": rows})

    # Warm up (CUDA context, cuBLAS handles, first-call allocations) so the first measured fit pays for none of it.
    warm = pp.load_image(a.images[0], size=16)
    pp.fit(warm, budgets[0], "siren", steps=5, device=device, progress=False)
    xy = grid(16, 16, device=device)
    for make in PEERS.values():
        train_peer(make, 2, 8, warm.shape[2], xy, torch.zeros(256, warm.shape[2], device=device), 1e-4, 5)

    rows: list[dict[str, Any]] = []
    for name in a.images:
        for size in a.sizes:
            img = pp.load_image(name, size=size)
            for budget in budgets:
                print(f"{name} {img.shape[1]}×{img.shape[0]} at {pp.format_count(budget)}", flush=True)
                rows.append(bench_one(name, img, budget, size, a.lrs, a.steps, device))
                save(rows)
    table = render_table(rows, a.steps)
    print("\n" + table)
    save(rows)
    if a.json is not None:
        print(f"wrote {a.json}")
    if a.md is not None:
        a.md.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(a.md, render_markdown(meta, rows, a.steps).encode())
        print(f"wrote {a.md}")


if __name__ == "__main__":
    main()
