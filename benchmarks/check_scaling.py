"""How ``load_workbook`` and ``check`` scale with the number of projects.

Run on demand, never from the test suite::

    .venv/bin/python benchmarks/check_scaling.py                 # sizes 10 100 500 1000
    .venv/bin/python benchmarks/check_scaling.py --sizes 10 100 --repeat 3 --no-cli
    .venv/bin/python benchmarks/check_scaling.py --sizes 1000 --no-cli --profile 30

For each size a synthetic department (:func:`evalkit.synth.synth_department`, seed 0,
15 % faults) is written as a real ``.xlsx`` to a temporary folder. ``load_workbook`` and
the check (``check_findings``, what the command runs: the findings as a list, no DataFrame)
are timed separately (median of ``--repeat`` runs; every check gets a fresh
:class:`~evalkit.model.Department`, so nothing cached by an earlier run is reused), then
once more under ``tracemalloc`` for their peak Python memory. ``evalkit check`` is also
timed end to end as a command (interpreter start, imports, load, check, JSON output), as it
runs by default (``cli s``: the workbook read by child processes while the command imports
the rules, the rules run in two processes) and with ``--jobs 1`` (``1 proc``: all in one
process), alternately, median of at least 5 runs each.
The two seed workbooks are timed the same way. Figures go to ``docs/performance.md``.
``--profile N`` also runs one ``check`` of the largest size under :mod:`cProfile` and prints
its N most expensive functions (relative costs only: profiling slows pure-Python code most).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from _bench import cpu_model, median_time

import evalkit
from evalkit.check import check_findings as check
from evalkit.model import Department, Tables
from evalkit.policy import load_policy
from evalkit.records import write_workbook
from evalkit.synth import synth_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT / "data" / "ningxian-gxj-2024.xlsx", ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx")


def fresh(dept: Department) -> Department:
    """The same department as a new object (no per-object cache carried over): the
    loader's rows, no DataFrame built, as ``load_workbook`` returns it."""
    rows = {k: (dept.tables.columns(k), dept.tables.loaded_rows(k)) for k in dept.tables}
    assert all(r is not None for _, r in rows.values()), "a table was replaced"
    return Department(
        dept.path, dept.sha256, dept.info, dept.info_text, dept.info_rows, Tables(rows=rows)
    )


def peak_mb(func: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024


def cli_times(path: Path, repeat: int) -> tuple[float, float]:
    """Median wall time of ``evalkit check`` as it runs by default (child processes) and
    with ``--jobs 1`` (everything in the command's process), the two run alternately so
    that a slower spell of the machine hits both alike."""
    exe = Path(sys.executable).with_name("evalkit")
    cmd = [str(exe), "check", str(path), "--format", "json", "--output", os.devnull]
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeat):
        for parallel in (True, False):
            extra = [] if parallel else ["--jobs", "1"]
            start = time.perf_counter()
            subprocess.run([*cmd, *extra], check=True, capture_output=True)
            times[parallel].append(time.perf_counter() - start)
    return statistics.median(times[True]), statistics.median(times[False])


def machine() -> str:
    return (
        f"{cpu_model()}; {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; pandas {pd.__version__}; "
        f"openpyxl {openpyxl.__version__}; evalkit {evalkit.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="读取与检查耗时随项目数的变化（合成部门；另计 evalkit check 命令端到端耗时）"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10, 100, 500, 1000], help="项目数档位"
    )
    parser.add_argument("--repeat", type=int, default=5, help="每项计时重复次数（取中位数）")
    parser.add_argument("--seed", type=int, default=0, help="合成部门的随机种子")
    parser.add_argument("--fault-rate", type=float, default=0.15, help="注入错误的比例")
    parser.add_argument("--no-cli", action="store_true", help="不计时 evalkit check 命令")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="对最大档做一次检查的性能剖析，列出最耗时的 N 个函数",
    )
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    load_policy()
    check(load_workbook(SEEDS[0]))  # warm up imports, regex caches and the rule registry

    header = (
        f"{'projects':>8} {'rows':>7} {'findings':>8} | {'load s':>7} {'µs/proj':>8} "
        f"{'peak MB':>7} | {'check s':>7} {'µs/proj':>8} {'ratio':>6} {'peak MB':>7} | "
        f"{'cli s':>6} {'1 proc':>6}"
    )
    print()
    print(header)
    print("-" * len(header))
    previous: tuple[int, float] | None = None
    largest: Department | None = None
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        for n in args.sizes:
            records = synth_department(seed=args.seed, n_projects=n, fault_rate=args.fault_rate)
            path = write_workbook(Path(tmp) / f"synth-{n}.xlsx", records)
            dept = load_workbook(path)
            rows = sum(len(dept.records(k)) for k in dept.tables)
            t_load = median_time(lambda p=path: load_workbook(p), args.repeat)
            m_load = peak_mb(lambda p=path: load_workbook(p))
            t_check = median_time(lambda d=dept: check(fresh(d)), args.repeat)
            m_check = peak_mb(lambda d=dept: check(fresh(d)))
            findings = len(check(fresh(dept)))
            t_cli, t_seq = (
                (float("nan"),) * 2 if args.no_cli else cli_times(path, max(args.repeat, 5))
            )
            ratio = ""
            if previous is not None:
                # time ratio divided by size ratio: 1.0 is exactly linear growth
                ratio = f"{(t_check / previous[1]) / (n / previous[0]):.2f}"
            previous = (n, t_check)
            largest = dept
            print(
                f"{n:>8} {rows:>7} {findings:>8} | {t_load:>7.3f} {t_load / n * 1e6:>8.0f} "
                f"{m_load:>7.1f} | {t_check:>7.3f} {t_check / n * 1e6:>8.0f} {ratio:>6} "
                f"{m_check:>7.1f} | {t_cli:>6.2f} {t_seq:>6.2f}",
                flush=True,
            )
    print()
    print(
        "ratio = (check time / previous check time) ÷ (projects / previous projects); 1.00 is linear"
    )
    print()
    for path in SEEDS:
        dept = load_workbook(path)
        t_check = median_time(lambda d=dept: check(fresh(d)), args.repeat)
        t_load = median_time(lambda p=path: load_workbook(p), args.repeat)
        print(
            f"{path.name}: {len(dept.records('projects'))} projects, load {t_load:.3f} s, "
            f"check {t_check:.3f} s, {len(check(fresh(dept)))} findings"
        )
    if args.profile and largest is not None:
        profiler = cProfile.Profile()
        dept = fresh(largest)
        profiler.runcall(check, dept)
        print(f"\none check of {len(largest.records('projects'))} projects under cProfile:")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(args.profile)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
