"""``evalkit check`` of two source trees, run alternately: which one is faster, and by how much.

Run on demand, never from the test suite::

    git worktree add /tmp/base HEAD~1
    .venv/bin/python benchmarks/check_ab.py --base /tmp/base WORKBOOK.xlsx --repeat 30
    .venv/bin/python benchmarks/check_ab.py --base /tmp/base WORKBOOK.xlsx -- --jobs 1

This VM's speed changes by up to half within minutes, so two versions timed one after the
other can differ by more than any change between them. Here each pair of runs runs back
to back, base first in one pair and this tree first in the next, and the ratio of the
medians is printed, for wall time and for CPU time (user + system of the command and its
child processes). Timing a tree against itself gives ratios of 0.94–1.06 at 20 pairs: read
smaller differences as noise. Both trees run with this
interpreter; each runs as its console script would (``cli.run`` where the tree has it,
else ``cli.main``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ENTRY = (
    "import sys; sys.path.insert(0, {root!r}); import evalkit.cli as c; sys.argv[0] = 'evalkit'; "
    "sys.exit(c.run() if hasattr(c, 'run') else c.main())"
)


def timed(root: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``evalkit check`` of the tree at ``root``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _ENTRY.format(root=str(root)), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=root,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description="两份源码树的 evalkit check 成对交替计时，给出中位数之比（-- 之后的参数传给 check）"
    )
    parser.add_argument("workbook", type=Path, help="部门底稿 .xlsx")
    parser.add_argument("--base", type=Path, required=True, help="对照的源码树（如 git worktree）")
    parser.add_argument("--repeat", type=int, default=15, help="成对运行的次数")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])  # what follows -- goes to evalkit check
    command = ["check", str(args.workbook.resolve()), "--format", "json", *argv[cut + 1 :]]
    trees = {"base": args.base.resolve(), "this": ROOT}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    order = list(trees.items())
    for i in range(args.repeat):
        # base first in one pair, this tree first in the next: whatever favours the
        # first (or second) run of a pair favours both trees alike
        for name, root in order if i % 2 == 0 else order[::-1]:
            runs[name].append(timed(root, command))
    print(f"evalkit {' '.join(command)}; {args.repeat} pairs; load {os.getloadavg()[0]:.2f}")
    medians = {}
    for name, values in runs.items():
        walls, cpus = zip(*values, strict=True)
        medians[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"{name:5s} wall median {medians[name][0]:.3f} s (min {min(walls):.3f}), "
            f"CPU median {medians[name][1]:.3f} s (min {min(cpus):.3f})  [{trees[name]}]"
        )
    wall_ratio = medians["this"][0] / medians["base"][0]
    cpu_ratio = medians["this"][1] / medians["base"][1]
    print(f"this ÷ base: wall {wall_ratio:.3f}, CPU {cpu_ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
