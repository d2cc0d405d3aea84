"""A synthetic county evaluated three ways, side by side: plain papermill, evalkit batch, floor.

Run on demand, never from the test suite::

    .venv/bin/python benchmarks/batch.py                          # 30 departments, all three ways
    .venv/bin/python benchmarks/batch.py --departments 10 --baseline 3 --sizes 10 100

One run writes a reproducible synthetic county (:func:`evalkit.synth.synth_county`:
5–60 projects per department, 15 % injected faults, real ``.xlsx`` and params files) to
a work folder and evaluates the same departments

(a) **baseline** — the plain way: ``papermill`` CLI per stage notebook, then
    ``jupyter nbconvert --to html`` per executed notebook, department after department
    (stage 06 writes the report HTML and PDF, as in every way of running evalkit);
(b) **evalkit** — ``evalkit batch --jobs J --force``: every stage notebook, the audit
    HTML copies, findings, report HTML and PDF, manifests and the county index;
(c) **floor** — ``load_workbook`` + ``check`` in this process (the computation alone);

then re-runs (b) the way a consultant does after a correction, without ``--force``: once
with nothing changed (every department skipped on its cache key) and once after one
department's workbook was corrected (one 自评指标 得分 changed, so only that department is
evaluated again); then times one department's evaluation (load, check) at ``--sizes`` projects. Wall times
are per department (the baseline may run on an evenly spread sample, ``--baseline K``,
to keep the run short; it is then reported per department of the sample). Peak memory is
sampled every 0.1 s over the process tree (evalkit, its workers, their kernels and the
kernels' PDF layout children) as two sums, RSS and PSS; the PSS peak is also shown divided
by role (command, workers, kernels, PDF layouts). Figures go to ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from _bench import cpu_model

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Measured:
    wall: float
    peak_mb: float  # largest RSS sum over the process tree
    peak_pss_mb: float = 0.0  # largest PSS sum (shared pages counted once)
    # role -> (processes, PSS MB) at the moment of the PSS peak
    at_peak: dict[str, tuple[int, float]] = field(default_factory=dict)


class TreeMemory:
    """Samples the memory of a process and all its descendants.

    Two sums: resident memory (RSS, what ``top`` shows per process: pages shared between
    processes — libraries, a forked child's inherited heap — count once per process) and
    proportional set size (PSS: each shared page divided among the processes sharing it,
    so the sum is the memory the tree really occupies).
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self.at_peak: dict[str, tuple[int, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            rss = pss = 0
            roles: dict[str, tuple[int, float]] = {}
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            kernels = {proc.pid for proc in procs if _is_kernel(proc)}
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    rss += proc.memory_info().rss
                with contextlib.suppress(psutil.Error, AttributeError):
                    role = _role(proc, root.pid, kernels)
                    one = proc.memory_full_info().pss
                    pss += one
                    count, total = roles.get(role, (0, 0.0))
                    roles[role] = (count + 1, total + one / 2**20)
            self.peak = max(self.peak, rss)
            if pss > self.peak_pss:
                self.peak_pss = pss
                self.at_peak = roles
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    @property
    def peak_pss_mb(self) -> float:
        return self.peak_pss / 2**20


def _is_kernel(proc: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return any("ipykernel" in part for part in proc.cmdline())
    return False


def _role(proc: psutil.Process, root: int, kernels: set[int]) -> str:
    """What a process of the tree is: the command itself, a worker, a kernel, a PDF layout."""
    if proc.pid == root:
        return "主进程"
    if proc.pid in kernels:
        # a kernel forks its PDF layout: the child has the kernel's command line
        return "PDF 排版子进程" if proc.ppid() in kernels else "内核"
    return "工作进程及其他"


def breakdown(m: Measured) -> str:
    """The PSS peak divided by role, e.g. ``主进程 1 个共 70 MB；内核 2 个共 360 MB``."""
    if not m.at_peak:
        return "—"
    return "；".join(
        f"{role} {count} 个共 {total:.0f} MB" for role, (count, total) in sorted(m.at_peak.items())
    )


def run_measured(cmd: Sequence[str], *, cwd: Path | None = None, quiet: bool = True) -> Measured:
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE,
        text=True,
    )
    with TreeMemory(proc.pid) as mem:
        _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"命令失败（退出码 {proc.returncode}）：{' '.join(cmd)}\n{err[-2000:]}")
    return Measured(time.perf_counter() - start, mem.peak_mb, mem.peak_pss_mb, mem.at_peak)


def stage_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def baseline_department(params: Path, out: Path) -> Measured:
    """(a) for one department: papermill CLI per stage, nbconvert CLI per executed notebook."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    peak = peak_pss = 0.0
    executed = []
    for nb in stage_notebooks():
        target = out / nb.name
        m = run_measured(
            [
                str(BIN / "papermill"),
                str(nb),
                str(target),
                "-f",
                str(params),
                "-p",
                "run_dir",
                ".",
                "--cwd",
                str(out),
                "-k",
                "python3",
                "--no-progress-bar",
            ]
        )
        peak, peak_pss = max(peak, m.peak_mb), max(peak_pss, m.peak_pss_mb)
        executed.append(target)
    for nb in executed:
        m = run_measured([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(nb)])
        peak, peak_pss = max(peak, m.peak_mb), max(peak_pss, m.peak_pss_mb)
    for name in ("report.html", "report.pdf"):
        if not (out / name).is_file():
            raise SystemExit(f"基线没有生成 {name}：{out}")
    return Measured(time.perf_counter() - start, peak, peak_pss)


def yaml_load(path: Path) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def floor(params_files: Sequence[Path]) -> tuple[list[float], list[float], float]:
    """(c): load + check in this process, per department."""
    from evalkit.check import check
    from evalkit.policy import load_policy
    from evalkit.workbook import load_workbook

    policy = load_policy(None)
    loads, checks = [], []
    tracemalloc_peak = 0.0
    for p in params_files:
        workbook = yaml_load(p)["workbook"]
        t0 = time.perf_counter()
        dept = load_workbook(workbook)
        t1 = time.perf_counter()
        check(dept, policy=policy)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        checks.append(t2 - t1)
    tracemalloc_peak = psutil.Process().memory_info().rss / 2**20
    return loads, checks, tracemalloc_peak


def scaling(sizes: Sequence[int], work: Path, repeat: int) -> list[tuple[int, int, float, float]]:
    from evalkit.check import check
    from evalkit.policy import load_policy
    from evalkit.records import write_workbook
    from evalkit.synth import synth_department
    from evalkit.workbook import load_workbook

    policy = load_policy(None)
    rows = []
    for n in sizes:
        records = synth_department(seed=0, n_projects=n)
        path = write_workbook(work / f"scale-{n}.xlsx", records)
        loads, checks = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            dept = load_workbook(path)
            t1 = time.perf_counter()
            check(dept, policy=policy)  # a newly loaded department: nothing cached
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            checks.append(t2 - t1)
        rows.append((n, n, statistics.median(loads), statistics.median(checks)))
    return rows


def correct_one(workbook: Path) -> None:
    """Simulate a corrected workbook: the first 得分 of 《自评指标》 goes down by one point."""
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["自评指标"]
    header = [c.value for c in ws[1]]
    col = header.index("得分") + 1
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=col)
        if isinstance(cell.value, int | float) and cell.value >= 1:
            cell.value = cell.value - 1
            break
    else:
        raise SystemExit(f"{workbook}：《自评指标》没有可修改的得分")
    wb.save(workbook)


def machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {mem:.0f} GB; Linux {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def spread(items: Sequence[Path], k: int) -> list[Path]:
    """``k`` items evenly spread over ``items`` (all of them when k >= len)."""
    if k >= len(items):
        return list(items)
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="合成县的三种评估方式对照：papermill 命令逐个执行、evalkit batch、进程内检查"
    )
    parser.add_argument("--departments", type=int, default=30, help="部门数（默认 30）")
    parser.add_argument("--seed", type=int, default=0, help="合成县的随机种子")
    parser.add_argument("--jobs", type=int, default=2, help="evalkit batch 的并行进程数")
    parser.add_argument(
        "--baseline",
        type=int,
        default=None,
        help="基线只跑均匀抽取的 K 个部门（默认全部）；0 表示不跑基线",
    )
    parser.add_argument(
        "--pdf-memory",
        type=float,
        default=None,
        metavar="MB",
        help="传给 evalkit batch 的 --pdf-memory（同时排版的估计内存上限）；默认不限",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[10, 100, 1000],
        help="单个部门规模测试的项目数档位（不给值则不测）",
    )
    parser.add_argument("--repeat", type=int, default=3, help="规模测试每档重复次数（取中位数）")
    parser.add_argument("--workdir", type=Path, default=None, help="工作目录（默认临时目录）")
    args = parser.parse_args(argv)

    from evalkit.synth import synth_county

    work = args.workdir or Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"机器：{machine()}")
    print(f"工作目录：{work}")
    t0 = time.perf_counter()
    params = synth_county(work / "county", n=args.departments, seed=args.seed)
    print(f"合成 {len(params)} 个部门：{time.perf_counter() - t0:.1f} 秒")
    n = len(params)

    # (c) floor first: it also warms the file cache for everyone
    loads, checks, floor_rss = floor(params)
    floor_dept = statistics.mean(a + b for a, b in zip(loads, checks, strict=True))

    # (b) evalkit batch
    b_cmd = [
        str(BIN / "evalkit"),
        "batch",
        str(work / "county" / "params"),
        "--jobs",
        str(args.jobs),
        "--force",
        "--outputs",
        str(work / "out-b"),
    ]
    if args.pdf_memory:
        b_cmd += ["--pdf-memory", f"{args.pdf_memory:g}"]
    print(f"(b) 命令：{' '.join(b_cmd[1:])}")
    b = run_measured(b_cmd)
    b_dept = b.wall / n
    index = work / "out-b" / "2024" / "index.html"
    if not index.is_file():
        raise SystemExit("evalkit batch 没有生成县级索引")
    pdfs = list((work / "out-b").glob("2024/*/*/report.pdf"))
    if len(pdfs) != n:
        raise SystemExit(f"evalkit batch 只生成了 {len(pdfs)}/{n} 份 PDF")

    # (b) again, as after a correction: nothing changed, then one department corrected
    batch_again = [str(a) for a in b_cmd if a != "--force"]
    unchanged = run_measured(batch_again)
    corrected_params = params[len(params) // 2]
    corrected_book = Path(yaml_load(corrected_params)["workbook"])
    correct_one(corrected_book)
    corrected = run_measured(batch_again)

    # (a) baseline on an evenly spread sample
    k = n if args.baseline is None else args.baseline
    a_times: list[float] = []
    a_peak = a_peak_pss = 0.0
    for p in spread(params, k) if k else []:
        m = baseline_department(p, work / "out-a" / p.stem)
        a_times.append(m.wall)
        a_peak, a_peak_pss = max(a_peak, m.peak_mb), max(a_peak_pss, m.peak_pss_mb)
        print(f"  基线 {p.stem}：{m.wall:.1f} 秒")

    budget = f" --pdf-memory {args.pdf_memory:g}" if args.pdf_memory else ""
    print()
    print(
        "| 方式 | 部门数 | 每部门墙钟 s | 相对 (b) | 峰值内存 MB（RSS 合计） | 峰值内存 MB（PSS 合计） |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    if a_times:
        a_dept = statistics.mean(a_times)
        print(
            f"| (a) papermill + nbconvert 命令，逐个执行 | {len(a_times)} | {a_dept:.2f} "
            f"| {a_dept / b_dept:.1f}× | {a_peak:.0f} | {a_peak_pss:.0f} |"
        )
    print(
        f"| (b) evalkit batch --jobs {args.jobs}{budget}（全部产出，含 PDF） | {n} | {b_dept:.2f} "
        f"| 1.0× | {b.peak_mb:.0f} | {b.peak_pss_mb:.0f} |"
    )
    print(
        f"| (c) 进程内 load_workbook + check | {n} | {floor_dept:.3f} "
        f"| {floor_dept / b_dept:.3f}× | {floor_rss:.0f} | — |"
    )
    print()
    print(
        f"(b) 总墙钟 {b.wall:.1f} 秒；(c) 载入中位数 {statistics.median(loads):.3f} 秒、"
        f"检查中位数 {statistics.median(checks):.3f} 秒"
    )
    print(
        f"(b) 再次运行、无改动（全部按缓存键跳过）：{unchanged.wall:.1f} 秒，"
        f"峰值 {unchanged.peak_mb:.0f} MB；一个部门（{corrected_params.stem}）更正底稿后再次运行："
        f"{corrected.wall:.1f} 秒，峰值 {corrected.peak_mb:.0f} MB（PSS {corrected.peak_pss_mb:.0f}）"
    )
    print(f"(b) PSS 峰值时的构成：{breakdown(b)}")
    if a_times:
        print(
            f"(a) ÷ (b) = {statistics.mean(a_times) / b_dept:.1f}（目标 ≥ 10）；"
            f"(b) 每部门 {b_dept:.2f} 秒（目标 ≤ 2）"
        )

    if args.sizes:
        print()
        print("| 项目数 | 载入 s | 检查 s | 检查 µs/项目 | 比值¹ |")
        print("|---:|---:|---:|---:|---:|")
        prev: tuple[int, float] | None = None
        for size, _, load_s, check_s in scaling(args.sizes, work, args.repeat):
            ratio = ""
            if prev is not None:
                ratio = f"{(check_s / prev[1]) / (size / prev[0]):.2f}"
            print(
                f"| {size:,} | {load_s:.3f} | {check_s:.3f} | {check_s / size * 1e6:,.0f} | {ratio} |"
            )
            prev = (size, check_s)
        print("¹ (检查时间 ÷ 上一档) ÷ (项目数 ÷ 上一档)：1.00 为线性增长")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
