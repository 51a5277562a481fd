"""Run issue #13's hostile cases against a pixparam checkout and tabulate how each was answered.

The cases and their judging live in ``tests/hostile`` (the test suite asserts
that every one is answered well). This script runs them against any
checkout, in a child process with its address space capped (so an old
checkout's huge allocations fail instead of swapping) and a timeout per case,
with 3 training steps instead of 100000 so that late failures show as
"checked after training" rather than as hangs::

    python benchmarks/hostile_table.py run --tree /path/to/old/checkout --out before.json
    python benchmarks/hostile_table.py run --out after.json
    python benchmarks/hostile_table.py table before.json after.json

``table`` prints a Markdown table per section (the issue's order) and the
counts of each answer before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "hostile"

_DRIVER = r"""
import json, os, resource, sys, tempfile, warnings
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
tree, cases_dir, master, start = sys.argv[1:5]
sys.path[:0] = [tree, cases_dir]
warnings.simplefilter("ignore")
import hostile_cases as hc
import hostile_list as hl
import pixparam
print(json.dumps({"pixparam": pixparam.__file__}), flush=True)
if not os.path.exists(os.path.join(master, "m.safetensors")):
    hc.make_inputs(Path(master))
for case in hl.CASES[int(start):]:
    d = Path(tempfile.mkdtemp(prefix="hostile-"))
    hc.copy_inputs(Path(master), d / "w")
    try:
        o = hc.run_case(case, d / "w", hang_s=20.0)
        v = hc.verdict(case, o, d / "w")
        line = (str(o.exc) if o.exc is not None else o.err).strip().splitlines()
        rec = {"id": case.id, "verdict": v, "seconds": round(o.seconds, 2), "trained": o.trained,
               "message": (line[-1] if line else "")[:200]}
    except MemoryError:
        rec = {"id": case.id, "verdict": "traceback", "seconds": None, "trained": None, "message": "MemoryError"}
    print(json.dumps(rec), flush=True)
"""


def run(tree: Path, out: Path) -> None:
    """Run every case against ``tree``, restarting the child after a case that kills it."""
    sys.path.insert(0, str(CASES_DIR))
    import hostile_list

    ids = [c.id for c in hostile_list.CASES]
    records: dict[str, dict] = {}
    env = {**os.environ, "PIXPARAM_HOSTILE_STEPS": "3", "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory(prefix="hostile-master-") as master:
        master_dir = Path(master) / "inputs"
        while len(records) < len(ids):
            start = len(records)
            cmd = [sys.executable, "-c", _DRIVER, str(tree), str(CASES_DIR), str(master_dir), str(start)]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=master)
            for line in proc.stdout:  # type: ignore[union-attr]
                if line.startswith("{"):
                    rec = json.loads(line)
                    if "pixparam" in rec:
                        print(f"pixparam from {rec['pixparam']}", flush=True)
                        continue
                    records[rec["id"]] = rec
                    print(f"{rec['verdict']:>24}  {rec['id']}", flush=True)
            proc.wait()
            if len(records) == start:  # the child died on this case
                records[ids[start]] = {"id": ids[start], "verdict": "crashes", "message": f"exit {proc.returncode}"}
    out.write_text(json.dumps([records[i] for i in ids], indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


def table(before: Path, after: Path) -> str:
    """Markdown: per section, each case's answer before and after; then the counts."""
    sys.path.insert(0, str(CASES_DIR))
    import hostile_cases
    import hostile_list

    b = {r["id"]: r for r in json.loads(before.read_text())}
    a = {r["id"]: r for r in json.loads(after.read_text())}
    lines = []
    for key, title in hostile_cases.SECTIONS.items():
        cases = [c for c in hostile_list.CASES if c.section == key]
        lines += [f"### {title} ({len(cases)} cases)", "", "| case | source | before | after |", "|---|---|---|---|"]
        for c in cases:
            source = "issue" if c.named else ("new" if c.new else "category")
            lines.append(f"| {c.id} | {source} | {b.get(c.id, {}).get('verdict', '?')} | "
                         f"{a.get(c.id, {}).get('verdict', '?')} |")  # fmt: skip
        lines.append("")
    for name, recs in (("before", b), ("after", a)):
        counts = Counter(r["verdict"] for r in recs.values())
        lines.append(f"{name}: " + ", ".join(f"{n} {v}" for v, n in counts.most_common()))
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run every case against a checkout")
    r.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose pixparam to import (default this one)")
    r.add_argument("--out", type=Path, required=True, help="JSON of the answers")
    t = sub.add_parser("table", help="Markdown table of two runs")
    t.add_argument("before", type=Path)
    t.add_argument("after", type=Path)
    a = p.parse_args()
    if a.cmd == "run":
        run(a.tree.resolve(), a.out)
    else:
        print(table(a.before, a.after))


if __name__ == "__main__":
    main()
