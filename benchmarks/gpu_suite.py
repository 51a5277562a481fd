"""Every GPU measurement and the ``full`` gallery build in one call, each step timed, its results kept as it goes.

    python benchmarks/gpu_suite.py OUT_DIR            # on the GPU: about 8 minutes (--deadline)
    python benchmarks/gpu_suite.py OUT_DIR --smoke    # the same steps at tiny sizes, on any device
    bash benchmarks/gpu_suite.sh                      # on a bare device machine: install, run, pack $OUT

Steps, in order (:data:`STEPS`): ``env`` (torch, CUDA, GPU, memory, driver,
missing packages); ``peak`` (measured dense matmul peak at fp32, tf32 and
bf16); ``tcnn`` (tiny-cuda-nn's image-learning setting,
``bench_tcnn_setting.measure``); ``siren`` (the ``full`` profile's largest
SIREN rung: achieved FLOP/s against the peak at its precision); ``ladder``
(``fit_ladder`` sequential, batched, and batched with ``torch.compile``, per
family, through ``bench_ladder.timed_ladder``); ``memory`` (a 4096² render
and a 1024² full-batch fit of every family, ``bench_memory.measure_case``);
``gallery`` (the ``full`` profile built end to end into ``OUT_DIR/gallery``,
in a child process).

Each step runs under its own wall-clock budget (``--budget STEP=SECONDS``)
and the suite under a global deadline (``--deadline``): a step that would
start too late is skipped and says so, a step that overruns is stopped, a
step that raises has its error recorded, and the suite goes on either way.
``OUT_DIR/gpu_suite.json`` (``meta`` and one entry per step: ``status`` ok,
error, timeout or skipped, ``seconds``, ``result``, ``error``) is rewritten
atomically after every step. ``--fail-step STEP`` makes that step raise at
its start, and ``--stall-step STEP`` makes it wait until its alarm stops it,
to check that the others still run. The exit status is 1 when any step
failed or timed out.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from _flops import matmul_peak
from _meta import run_meta  # benchmarks/ is on sys.path when a script runs
from _suite_steps import STEP_FUNCTIONS

import pixparam as pp
from pixparam._io import write_json_atomic

STEPS = ("env", "peak", "tcnn", "siren", "ladder", "memory", "gallery")
PRECISIONS = ("fp32", "tf32", "bf16")
#: Seconds each step may take on the GPU (the gallery: whatever the deadline leaves).
BUDGETS = {"env": 15, "peak": 25, "tcnn": 80, "siren": 30, "ladder": 120, "memory": 50, "gallery": None}
SMOKE_BUDGETS = {"env": 20, "peak": 20, "tcnn": 30, "siren": 20, "ladder": 40, "memory": 40, "gallery": None}
GRACE_S = 10  # past a step's budget (at most half of it) before it is stopped; its own checks should end it first


@dataclass(frozen=True)
class Scale:
    """The sizes of every step: :data:`GPU` for the real run, :data:`SMOKE` to prove the code on a CPU."""

    peak_n: int
    tcnn_size: int
    tcnn_batch_log2: int
    tcnn_steps: int
    tcnn_warmup: int
    tcnn_variants: tuple[tuple[str, bool], ...]  # (precision, compiled)
    siren_size: int | None  # None: the full profile's size
    siren_budget: int | None  # None: the full profile's largest budget
    siren_steps: int
    ladder_size: int
    ladder_budgets: tuple[str, ...]
    ladder_steps: int
    render_size: int
    fit_size: int
    memory_budgets: tuple[str, ...]
    memory_steps: int
    gallery: str  # "full" or "smoke"
    precisions: tuple[str, ...] = PRECISIONS
    ladder_variants: tuple[str, ...] = ("sequential", "batched", "batched+compile")
    compile_families: tuple[str, ...] = ("siren", "hashgrid")  # the ladder target: SIREN and hash grid


GPU = Scale(
    peak_n=8192,
    tcnn_size=512,
    tcnn_batch_log2=18,
    tcnn_steps=1000,
    tcnn_warmup=20,
    tcnn_variants=(("fp32", False), ("tf32", False), ("bf16", False), ("bf16", True), ("tf32", True)),
    siren_size=None,
    siren_budget=None,
    siren_steps=300,
    ladder_size=512,
    ladder_budgets=("1k", "4k", "16k", "64k", "128k", "256k"),
    ladder_steps=300,  # enough to time a step; every family gets its turn within the budget
    render_size=4096,
    fit_size=1024,
    memory_budgets=("64k", "1M"),
    memory_steps=3,
    gallery="full",
)
SMOKE = Scale(
    peak_n=256,
    tcnn_size=32,
    tcnn_batch_log2=10,
    tcnn_steps=4,
    tcnn_warmup=1,
    tcnn_variants=(("fp32", False), ("bf16", False)),
    siren_size=32,
    siren_budget=2000,
    siren_steps=12,
    ladder_size=16,
    ladder_budgets=("300", "600"),
    ladder_steps=4,
    render_size=64,
    fit_size=32,
    memory_budgets=("1k",),
    memory_steps=2,
    gallery="smoke",
    ladder_variants=("sequential", "batched"),  # torch.compile costs a CPU minutes; the GPU run times it
)


class StepTimeout(BaseException):
    """A step ran past its budget (raised by the alarm; a BaseException, so no ``except Exception`` swallows it)."""


@dataclass
class Suite:
    """The run: where it writes, its scale and device, the clock, and every step's record so far."""

    out: Path
    scale: Scale
    device: torch.device
    deadline_s: float
    budgets: dict[str, float | None]
    fail_step: str | None = None
    stall_step: str | None = None
    t0: float = field(default_factory=time.perf_counter)
    step_end: float = 0.0
    record: dict[str, Any] = field(default_factory=dict)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def left(self) -> float:
        """Seconds left to the current step (its budget, or the global deadline, whichever comes first)."""
        return self.step_end - time.perf_counter()

    def peak(self, precision: str) -> float:
        """The ``peak`` step's matmul FLOP/s at ``precision``, measured now if that step did not run."""
        found = self.record["steps"].get("peak", {}).get("result", {}).get("flops", {})
        if precision not in found:
            found[precision] = matmul_peak(self.device, precision, n=self.scale.peak_n)
        return found[precision]

    def write(self) -> None:
        self.record["seconds"] = self.elapsed()
        write_json_atomic(self.out / "gpu_suite.json", self.record)

    def run(self, names: list[str]) -> dict[str, Any]:
        """Run ``names`` in :data:`STEPS` order, each under its budget; write the JSON after each."""
        self.record = {
            "meta": run_meta(
                device=str(self.device),
                smoke=self.scale.gallery == "smoke",
                deadline_s=self.deadline_s,
                budgets_s=self.budgets,
                scale=asdict(self.scale),
            ),
            "steps": {n: {"status": "pending"} for n in names},
            "finished": False,
        }
        self.write()
        for name in names:
            self.run_step(name)
            self.write()
        self.record["finished"] = True
        self.write()
        return self.record

    def run_step(self, name: str) -> None:
        left = self.deadline_s - self.elapsed()
        budget = self.budgets[name]
        entry: dict[str, Any] = {"status": "pending", "budget_s": budget, "result": {}}
        self.record["steps"][name] = entry
        if left <= 1 or (budget is not None and budget > left):
            entry.update(status="skipped", reason=f"would overrun the deadline: needs {budget} s, {left:.0f} s left")
            print(f"[{self.elapsed():6.1f} s] {name}: skipped ({entry['reason']})", flush=True)
            return
        allowed = left if budget is None else budget
        hard = allowed + min(GRACE_S, allowed / 2)
        self.step_end = time.perf_counter() + allowed
        print(f"[{self.elapsed():6.1f} s] {name}: start (up to {allowed:.0f} s)", flush=True)
        t = time.perf_counter()
        try:
            with alarm(hard):
                if name == self.fail_step:
                    raise RuntimeError(f"--fail-step {name}: a deliberate failure")
                if name == self.stall_step:
                    time.sleep(hard + 60)  # until the alarm stops it
                STEP_FUNCTIONS[name](self, entry["result"])
            entry["status"] = "ok"
        except StepTimeout:
            entry.update(status="timeout", error=f"stopped after {hard:.1f} s")
        except Exception as exc:  # one step's failure must not lose the others' results
            entry.update(status="error", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
        finally:
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        entry["seconds"] = time.perf_counter() - t
        line = entry["status"] + (f" ({entry['error']})" if "error" in entry else "")
        print(f"[{self.elapsed():6.1f} s] {name}: {line} in {entry['seconds']:.1f} s", flush=True)


class alarm:
    """Raise :class:`StepTimeout` in the main thread after ``seconds`` (where SIGALRM exists)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = hasattr(signal, "setitimer")

    def __enter__(self) -> None:
        if self.armed:
            self.before = signal.signal(signal.SIGALRM, self.ring)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def ring(self, signum: int, frame: Any) -> None:
        raise StepTimeout

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.before)


def parse_budgets(items: list[str], smoke: bool) -> dict[str, float | None]:
    budgets: dict[str, float | None] = dict(SMOKE_BUDGETS if smoke else BUDGETS)
    for item in items:
        name, _, value = item.partition("=")
        if name not in STEPS or not re.fullmatch(r"\d+(\.\d*)?", value):
            raise SystemExit(f"gpu_suite.py: --budget {item!r}: give STEP=SECONDS with STEP one of {', '.join(STEPS)}")
        budgets[name] = float(value)
    return budgets


def warm_imports() -> None:
    """Import what the steps import lazily, before any alarm is armed.

    A step stopped by :class:`alarm` in the middle of an import leaves that
    module half-initialised in ``sys.modules``, and every later step that
    imports it fails; importing first keeps a timeout to its own step.
    """
    import matplotlib.figure  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import skimage.metrics
    import skimage.transform  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for gpu_suite.json and gallery/ (created)")
    ap.add_argument("--smoke", action="store_true", help="every step at tiny sizes (about a minute on one CPU core)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--deadline", type=float, default=480.0, help="seconds for the whole suite (default 480)")
    ap.add_argument("--only", action="append", choices=STEPS, help="run only this step (repeatable)")
    ap.add_argument("--skip", action="append", choices=STEPS, default=[], help="leave this step out (repeatable)")
    ap.add_argument("--budget", action="append", default=[], metavar="STEP=SECONDS", help="a step's own budget")
    ap.add_argument("--fail-step", choices=STEPS, help="make this step raise at its start (tests the recovery)")
    ap.add_argument("--stall-step", choices=STEPS, help="make this step wait for its alarm (tests the timeout)")
    a = ap.parse_args(argv)
    if a.out.exists() and not a.out.is_dir():
        ap.error(f"OUT_DIR {str(a.out)!r} is a file; pass a folder")
    budgets = parse_budgets(a.budget, a.smoke)
    try:
        device = pp.resolve_device(a.device)
    except pp.DeviceError as exc:
        ap.error(str(exc))
    names = [n for n in STEPS if (a.only is None or n in a.only) and n not in a.skip]
    warm_imports()
    a.out.mkdir(parents=True, exist_ok=True)
    suite = Suite(a.out, SMOKE if a.smoke else GPU, device, a.deadline, budgets, a.fail_step, a.stall_step)
    record = suite.run(names)
    print(f"\n{'step':<8} {'status':<8} {'seconds':>8}  note")
    for name, e in record["steps"].items():
        note = e.get("error") or e.get("reason") or ""
        print(f"{name:<8} {e['status']:<8} {e.get('seconds', 0):8.1f}  {note[:100]}")
    print(f"wrote {a.out / 'gpu_suite.json'} in {record['seconds']:.0f} s")
    return 0 if all(e["status"] in ("ok", "skipped") for e in record["steps"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
