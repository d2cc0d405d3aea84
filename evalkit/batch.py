"""Many departments: parallel worker processes, resumable, with a county index.

papermill is not thread-safe and ``cwd`` is process-wide, so each department runs in a
worker *process*; kernels use the IPC transport (no port collisions). Worker processes
live for the whole batch: imports are paid once per worker, and each worker keeps one
kernel, cleaned between notebooks (:mod:`evalkit.engine`). Every future's
result is collected, so no failure vanishes. A department whose cache key matches its
latest successful run is skipped unless ``force`` (decided in the parent: a re-run after
one correction starts workers for the changed departments only). The others are evaluated
largest workbook first, so that a large department does not run alone at the end.
With ``pdf_memory_mb`` the kernels lay out their PDFs only while the estimated memory of
all layouts under way fits that budget (:mod:`evalkit.memgate`): a lower peak for a longer
batch.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import archive, memgate
from .errors import EvalkitError, InputError
from .params import RunParams, load_params

STATUS_LABELS = {
    "ok": "完成",
    "failed": "失败",
    "skipped": "跳过（结果未变）",
    "invalid": "输入有误",
}


@dataclass
class DeptOutcome:
    source: str  # the params file or workbook
    dept_id: str | None
    year: int | None
    status: str  # ok | failed | skipped | invalid
    run_dir: str | None = None
    message: str | None = None


@dataclass
class BatchResult:
    outcomes: list[DeptOutcome] = field(default_factory=list)
    index: Path | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not any(o.status in ("failed", "invalid") for o in self.outcomes)

    def summary(self) -> str:
        head = "，".join(
            f"{STATUS_LABELS[s]} {self.count(s)} 个" for s in STATUS_LABELS if self.count(s)
        )
        lines = [f"共 {len(self.outcomes)} 个部门：{head or '无'}"]
        for o in self.outcomes:
            if o.status in ("failed", "invalid"):
                lines.append(f"  - {o.dept_id or o.source}：{STATUS_LABELS[o.status]}：{o.message}")
        return "\n".join(lines)


def discover(sources: Iterable[str | Path]) -> list[Path]:
    """Params files from files and folders (``*.yaml``/``*.yml`` in a folder, sorted)."""
    found: list[Path] = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found += sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        else:
            found.append(p)
    return list(dict.fromkeys(found))


def _is_current(params: RunParams, outputs: Path, notebooks: Path | None) -> Path | None:
    from .runner import cache_key, stage_notebooks

    latest = archive.latest_run(outputs / str(params.year) / params.dept_id)
    if latest is None:
        return None
    manifest = archive.read_json(latest / archive.MANIFEST)
    if manifest.get("status") == "ok" and manifest.get("cache_key") == cache_key(
        params, stage_notebooks(notebooks)
    ):
        return latest
    return None


def _run_one(
    source: str, outputs: str, notebooks: str | None, warm_kernel: bool = True
) -> DeptOutcome:
    """Worker: evaluate one department (runs in a worker process that outlives it).

    Whether the department is current was decided by the parent (:func:`_triage`). The
    worker keeps its imports and, with ``warm_kernel``, one kernel for all the
    departments it evaluates (:mod:`evalkit.engine`).
    """
    from .runner import run_department

    try:
        params = _load_source(source)
    except EvalkitError as exc:
        return DeptOutcome(source, None, None, "invalid", None, str(exc))
    nb_dir = Path(notebooks) if notebooks else None
    try:
        archive.remove_stale_tmp(Path(outputs) / str(params.year) / params.dept_id)
        result = run_department(
            params, outputs=Path(outputs), notebooks=nb_dir, warm_kernel=warm_kernel
        )
    except InputError as exc:
        return DeptOutcome(source, params.dept_id, params.year, "invalid", None, str(exc))
    except EvalkitError as exc:
        return DeptOutcome(source, params.dept_id, params.year, "failed", None, str(exc))
    except Exception as exc:  # never let one department take the batch down
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return DeptOutcome(source, params.dept_id, params.year, "failed", None, tb)
    return DeptOutcome(
        source, params.dept_id, params.year, result.status, str(result.run_dir), result.error
    )


def _load_source(source: str) -> RunParams:
    """A department's run parameters from its params file or from its workbook."""
    if source.endswith((".yaml", ".yml")):
        return load_params(source)
    return _params_from_workbook(source)


def _triage(
    source: str, outputs: Path, notebooks: Path | None, force: bool
) -> tuple[DeptOutcome | None, int]:
    """In the parent: the ``skipped`` outcome of a department whose latest run is current
    (else None), and the size of its workbook in bytes (the order of evaluation).

    Anything that goes wrong here (unreadable params, missing workbook) is left to the
    worker, which reports it as that department's outcome.
    """
    try:
        params = _load_source(source)
        size = Path(params.workbook).stat().st_size
        current = None if force else _is_current(params, outputs, notebooks)
    except Exception:
        return None, 0
    if current is None:
        return None, size
    message = "输入、笔记本、政策口径与版本均未变化"
    return DeptOutcome(source, params.dept_id, params.year, "skipped", str(current), message), size


def _params_from_workbook(source: str) -> RunParams:
    from .params import params_for_workbook

    return params_for_workbook(source)


def run_batch(
    sources: Sequence[str | Path],
    *,
    outputs: Path,
    jobs: int = 2,
    force: bool = False,
    notebooks: Path | None = None,
    progress: bool = True,
    on_outcome: Callable[[DeptOutcome], None] | None = None,
    warm_kernel: bool = True,
    pdf_memory_mb: float | None = None,
) -> BatchResult:
    """Evaluate every department; the summary and the county index come at the end.

    ``warm_kernel=False`` gives every notebook a fresh kernel (slower; what
    ``evalkit verify`` does to re-check a run). ``pdf_memory_mb`` caps the estimated
    memory of the PDF layouts running at once across all workers (a layout larger than
    the cap runs alone); None: no cap.
    """
    if pdf_memory_mb is not None and pdf_memory_mb <= 0:
        raise InputError("--pdf-memory 必须为正数（MB）")
    files = discover(sources)
    result = BatchResult()
    if not files:
        return result
    bar = _progress(len(files), progress)

    def collect(outcome: DeptOutcome) -> None:
        result.outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
        bar(outcome)

    # What is current is skipped here, without starting a worker; the rest is evaluated
    # largest workbook first, so that no large department is left running alone at the end.
    todo: list[tuple[int, Path]] = []
    for f in files:
        skipped, size = _triage(str(f), outputs, notebooks, force)
        if skipped is not None:
            collect(skipped)
        else:
            todo.append((size, f))
    todo.sort(key=lambda t: -t[0])
    gate_dir = tempfile.mkdtemp(prefix="evalkit-pdfgate-") if todo and pdf_memory_mb else None
    env = {}
    if gate_dir and pdf_memory_mb:
        env[memgate.ENV_VAR] = f"{pdf_memory_mb:g}:{Path(gate_dir) / 'ledger'}"
    try:
        if todo:
            _evaluate(todo, collect, outputs, notebooks, jobs, warm_kernel, env)
    finally:
        if gate_dir:
            shutil.rmtree(gate_dir, ignore_errors=True)
    result.outcomes.sort(key=lambda o: o.source)
    years = {o.year for o in result.outcomes if o.year is not None}
    for year in sorted(years):
        result.index = write_index(outputs / str(year))
    return result


def _init_worker(env: dict[str, str]) -> None:
    """In each worker, before its kernel starts: the environment its kernels inherit."""
    os.environ.update(env)


def _evaluate(
    todo: list[tuple[int, Path]],
    collect: Callable[[DeptOutcome], None],
    outputs: Path,
    notebooks: Path | None,
    jobs: int,
    warm_kernel: bool,
    env: dict[str, str],
) -> None:
    """Run the departments of ``todo`` in worker processes, in order, collecting each."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=ctx, initializer=_init_worker, initargs=(env,)
    ) as pool:
        futures: dict[Future[DeptOutcome], Path] = {
            pool.submit(
                _run_one,
                str(f),
                str(outputs),
                str(notebooks) if notebooks else None,
                warm_kernel,
            ): f
            for _, f in todo
        }
        for fut in as_completed(futures):
            try:
                outcome = fut.result()
            except Exception as exc:  # a worker process died (killed, out of memory...)
                outcome = DeptOutcome(
                    str(futures[fut]), None, None, "failed", None, f"工作进程异常退出：{exc}"
                )
            collect(outcome)


def _progress(total: int, enabled: bool) -> Callable[[DeptOutcome], None]:
    if not enabled:
        return lambda outcome: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc="评估部门", unit="个", file=sys.stderr, dynamic_ncols=True)

    def step(outcome: DeptOutcome) -> None:
        bar.set_postfix_str(
            f"{outcome.dept_id or Path(outcome.source).name}：{STATUS_LABELS[outcome.status]}"
        )
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return step


# ----------------------------------------------------------------------------------------
# county index
# ----------------------------------------------------------------------------------------
def county_rows(year_dir: Path) -> list[dict[str, Any]]:
    """One row per department folder: its latest run (or latest attempt) and its figures."""
    rows = []
    if not year_dir.is_dir():
        return rows
    for dept_dir in sorted(p for p in year_dir.iterdir() if p.is_dir()):
        runs = archive.finished_runs(dept_dir)
        if not runs:
            continue
        latest_ok = archive.latest_run(dept_dir)
        last = runs[-1]
        shown = latest_ok or last
        manifest = archive.read_json(shown / archive.MANIFEST)
        row: dict[str, Any] = {
            "dept_id": dept_dir.name,
            "run": shown.relative_to(year_dir).as_posix(),
            "status": manifest.get("status"),
            "last_attempt_failed": last != shown
            and archive.read_json(last / archive.MANIFEST).get("status") == "failed",
            "error": manifest.get("error"),
            "summary": {},
        }
        summary_path = shown / "summary.json"
        if summary_path.is_file():
            row["summary"] = archive.read_json(summary_path)
        rows.append(row)
    return rows


def write_index(year_dir: Path) -> Path:
    """``outputs/<year>/index.html``: every department, status, counts, totals, links."""
    rows = county_rows(year_dir)
    year = year_dir.name
    body = []
    for r in rows:
        s = r["summary"]
        name = html.escape(str(s.get("name") or r["dept_id"]))
        link = quote(r["run"])
        status = "完成" if r["status"] == "ok" else "失败"
        if r["last_attempt_failed"]:
            status += "（最近一次重跑失败）"
        sev = s.get("by_severity", {})
        dims = s.get("by_dimension", {})
        dims_text = "、".join(f"{html.escape(k)} {v}" for k, v in dims.items() if v)
        totals = s.get("totals", [])
        totals_text = "<br>".join(
            f"{html.escape(str(t.get('subject')))}：{t.get('published')} / {t.get('recomputed')}"
            for t in totals
        )
        links = [f'<a href="{link}/report.html">报告</a>'] if s.get("report") else []
        links += [
            f'<a href="{link}/html/{quote(h)}">{html.escape(h.split("_", 1)[-1].removesuffix(".html"))}</a>'
            for h in s.get("audit_html", [])
        ]
        links.append(f'<a href="{link}/findings.csv">问题清单</a>' if r["status"] == "ok" else "")
        err = r.get("error") or {}
        err_text = (
            html.escape(f"{err.get('stage', '')} {err.get('ename', '')}: {err.get('evalue', '')}")
            if err
            else ""
        )
        body.append(
            f"<tr><td>{name}<br><small>{html.escape(r['dept_id'])}</small></td><td>{status}<br><small>{err_text}</small></td>"
            f"<td>{sev.get('error', 0)}</td><td>{sev.get('warning', 0)}</td><td>{sev.get('notice', 0)}</td>"
            f"<td><small>{dims_text}</small></td><td><small>{totals_text}</small></td><td>{' '.join(x for x in links if x)}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(year)}年度部门绩效目标管理评估汇总</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; }}
th {{ background: #eef3fa; }}
</style></head><body>
<h1>{html.escape(year)}年度部门绩效目标管理评估汇总</h1>
<p>共 {len(rows)} 个部门。总分一栏为“公布 / 按规则重算”。</p>
<table><thead><tr><th>部门</th><th>状态</th><th>错误</th><th>警告</th><th>提示</th><th>按维度</th><th>自评总分</th><th>链接</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
    out = year_dir / "index.html"
    year_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
