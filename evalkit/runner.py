"""Running the stage notebooks for one department: the one orchestration function.

``run_department(params)`` archives the inputs, executes every stage notebook with
papermill (IPC transport; by default through evalkit's warm-kernel engine, which reuses
one kernel per process and cleans it between notebooks — ``warm_kernel=False`` gives
every notebook a fresh kernel, as ``evalkit verify`` does), writes an HTML copy of each
executed notebook, the findings and ``manifest.json``, then publishes the run folder
atomically. A failing stage leaves its partly executed notebook and the error (stage,
cell, exception) in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archive
from .errors import RunError
from .params import RunParams
from .policy import default_policy_path

STAGE_GLOB = "[0-9][0-9]_*.ipynb"
FINDINGS_JSON = "findings.json"
FINDINGS_CSV = "findings.csv"


def notebooks_dir() -> Path:
    """The stage notebooks shipped in the project's ``notebooks/`` folder."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    if not here.is_dir():  # pragma: no cover - installed without the project tree
        raise RunError(f"找不到阶段笔记本目录：{here}")
    return here


def stage_notebooks(folder: Path | None = None) -> list[Path]:
    nbs = sorted((folder or notebooks_dir()).glob(STAGE_GLOB))
    if not nbs:
        raise RunError(f"目录“{folder or notebooks_dir()}”中没有阶段笔记本（{STAGE_GLOB}）")
    return nbs


@dataclass
class RunResult:
    run_dir: Path
    run_id: str
    dept_id: str
    year: int
    status: str  # "ok" | "failed"
    manifest: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def cache_key(params: RunParams, notebooks: list[Path]) -> str:
    """What a finished run depends on: inputs, notebooks, policy, parameters, versions."""
    policy = params.policy or default_policy_path()
    parts = {
        "workbook": archive.sha256_file(params.workbook),
        "policy": archive.sha256_file(policy),
        "notebooks": {nb.name: archive.sha256_file(nb) for nb in notebooks},
        "params": {"dept_id": params.dept_id, "year": params.year},
        "versions": archive.package_versions(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def run_department(
    params: RunParams,
    *,
    outputs: Path,
    notebooks: Path | None = None,
    run_id: str | None = None,
    execution_timeout: int = 600,
    export_html: bool = True,
    warm_kernel: bool = True,
) -> RunResult:
    """Evaluate one department into a new run folder under ``outputs/<year>/<dept_id>/``."""
    from .pmext import register_translator

    register_translator()
    nbs = stage_notebooks(notebooks)
    validate_inputs(params)  # bad input never reaches the archive
    dept_dir = outputs / str(params.year) / params.dept_id
    dept_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_id or archive.new_run_id()
    tmp = dept_dir / f"{archive.TMP_PREFIX}{run_id}"
    tmp.mkdir()
    inputs = _archive_inputs(params, nbs, tmp)
    manifest: dict[str, Any] = {
        "schema": "evalkit.run/1",
        "run_id": run_id,
        "dept_id": params.dept_id,
        "year": params.year,
        "status": "running",
        "started": archive.now_iso(),
        "parameters": inputs["parameters"],
        "cache_key": cache_key(params, nbs),
        "versions": archive.package_versions(),
        "inputs": archive.hash_tree(tmp, (tmp / "inputs").rglob("*")),
        "stages": [],
    }
    error = execute_stages(
        tmp,
        [tmp / "inputs" / "notebooks" / nb.name for nb in nbs],
        inputs["parameters"],
        manifest,
        execution_timeout,
        warm_kernel=warm_kernel,
    )
    if export_html:
        _export_html(tmp, manifest)
    if not error:
        write_summary(tmp, manifest)
    manifest["status"] = "failed" if error else "ok"
    manifest["error"] = error
    manifest["ended"] = archive.now_iso()
    manifest["outputs"] = archive.hash_tree(
        tmp,
        [
            p
            for p in tmp.rglob("*")
            if p.is_file()
            and not p.relative_to(tmp).as_posix().startswith("inputs/")
            and p.name != archive.MANIFEST
        ],
    )
    archive.write_json_atomic(tmp / archive.MANIFEST, manifest)
    final = archive.publish(tmp, dept_dir / run_id)
    if not error:
        archive.mark_latest(dept_dir, run_id)
    message = None
    if error:
        message = (
            f"部门“{params.dept_id}”阶段“{error['stage']}”"
            + (f"第{error['cell']}个单元格" if error.get("cell") is not None else "")
            + f"失败：{error['ename']}: {error['evalue']}"
        )
    return RunResult(
        final, run_id, params.dept_id, params.year, manifest["status"], manifest, message
    )


def validate_inputs(params: RunParams) -> None:
    """Validate the workbook and the policy once before a run; raise InputError if unusable.

    The workbook is validated as the notebooks will load it, without building its
    DataFrames: the process driving papermill never imports pandas (about 50 MB in each
    batch worker); the kernels do.
    """
    from .errors import ParamsError
    from .policy import load_policy
    from .schema import dept_identity
    from .workbook import validate_workbook

    load_policy(params.policy)
    dept_id, year = dept_identity(validate_workbook(params.workbook))
    if dept_id != params.dept_id or year != params.year:
        raise ParamsError(
            f"参数与底稿不一致：参数为 {params.dept_id}（{params.year}年度），"
            f"底稿“{params.workbook.name}”为 {dept_id}（{year}年度）"
        )


def _archive_inputs(params: RunParams, nbs: list[Path], tmp: Path) -> dict[str, Any]:
    inputs = tmp / "inputs"
    (inputs / "notebooks").mkdir(parents=True)
    if not params.workbook.is_file():
        raise RunError(f"底稿不存在：{params.workbook}")
    wb_name = "workbook.xlsx"
    shutil.copy2(params.workbook, inputs / wb_name)
    shutil.copy2(params.policy or default_policy_path(), inputs / "policy.yaml")
    for nb in nbs:
        shutil.copy2(nb, inputs / "notebooks" / nb.name)
    parameters = {
        "workbook": f"inputs/{wb_name}",
        "dept_id": params.dept_id,
        "year": params.year,
        "policy": "inputs/policy.yaml",
        "run_dir": ".",
    }
    import yaml

    (inputs / "params.yaml").write_text(
        yaml.safe_dump(
            {k: v for k, v in parameters.items() if k != "run_dir"},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    source = {
        "workbook": str(params.workbook),
        "policy": str(params.policy) if params.policy else "默认口径",
        "params_file": str(params.source) if params.source else None,
    }
    (inputs / "source.json").write_text(
        json.dumps(source, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return {"parameters": parameters}


def execute_stages(
    run_dir: Path,
    notebooks: list[Path],
    parameters: dict[str, Any],
    manifest: dict[str, Any],
    execution_timeout: int = 600,
    *,
    warm_kernel: bool = False,
) -> dict[str, Any] | None:
    """Execute each stage notebook in ``run_dir``; stop at the first failure and return it.

    ``warm_kernel`` runs the notebooks through :mod:`evalkit.engine` (one kernel per
    process, cleaned between notebooks); otherwise every notebook gets a fresh kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .engine import ENGINE_NAME, PARTIAL_PATH, notebooks_before_last, register_engine
    from .pmext import IPCKernelManager

    register_engine()
    manifest["kernel"] = "warm" if warm_kernel else "fresh"

    for nb in notebooks:
        stage = nb.stem
        out = run_dir / nb.name
        record: dict[str, Any] = {"stage": stage, "notebook": nb.name, "started": archive.now_iso()}
        t0 = time.perf_counter()
        try:
            pm.execute_notebook(
                str(nb),
                str(out),
                parameters=parameters,
                cwd=str(run_dir),
                kernel_name="python3",
                language="python",
                progress_bar=False,
                log_output=False,
                execution_timeout=execution_timeout,
                kernel_manager_class=IPCKernelManager,
                **(
                    {
                        "engine_name": ENGINE_NAME,
                        "request_save_on_cell_execute": False,
                        PARTIAL_PATH: str(out),
                    }
                    if warm_kernel
                    else {}
                ),
            )
            record["status"] = "ok"
        except PapermillExecutionError as exc:
            record["status"] = "failed"
            record["error"] = {
                "stage": stage,
                "cell": exc.exec_count,
                "ename": exc.ename,
                "evalue": exc.evalue,
            }
        except Exception as exc:  # kernel died, timeout, unreadable notebook...
            record["status"] = "failed"
            record["error"] = {
                "stage": stage,
                "cell": None,
                "ename": type(exc).__name__,
                "evalue": str(exc)[:2000],
            }
        record["ended"] = archive.now_iso()
        record["duration_s"] = round(time.perf_counter() - t0, 3)
        if warm_kernel:  # 0: a new kernel; n: the kernel had run n notebooks before
            record["kernel_notebooks_before"] = notebooks_before_last()
        manifest["stages"].append(record)
        if record["status"] != "ok":
            return dict(record["error"])
    return None


def _export_html(run_dir: Path, manifest: dict[str, Any]) -> None:
    from .htmlexport import notebook_to_html

    html_dir = run_dir / "html"
    html_dir.mkdir(exist_ok=True)
    for rec in manifest["stages"]:
        nb = run_dir / rec["notebook"]
        if nb.is_file():
            (html_dir / f"{nb.stem}.html").write_text(notebook_to_html(nb), encoding="utf-8")


def write_summary(run_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """``summary.json``: the figures the county index shows for this run."""
    from .findings import DIMENSIONS, SEVERITIES

    findings = (
        archive.read_json(run_dir / FINDINGS_JSON)
        if (run_dir / FINDINGS_JSON).is_file()
        else {"findings": []}
    )
    items = findings.get("findings", [])
    totals: list[dict[str, Any]] = []
    stage5 = run_dir / "stages" / "05.json"
    if stage5.is_file():
        totals = archive.read_json(stage5).get("extra", {}).get("totals", [])
    summary = {
        "name": findings.get("department", {}).get("name"),
        "dept_id": manifest["dept_id"],
        "year": manifest["year"],
        "run_id": manifest["run_id"],
        "count": len(items),
        "by_severity": {s: sum(f["severity"] == s for f in items) for s in SEVERITIES},
        "by_dimension": {d: sum(f["dimension"] == d for f in items) for d in DIMENSIONS},
        "totals": totals,
        "report": (run_dir / "report.html").is_file(),
        "audit_html": sorted(p.name for p in (run_dir / "html").glob("*.html"))
        if (run_dir / "html").is_dir()
        else [],
    }
    archive.write_json_atomic(run_dir / "summary.json", summary)
    return summary
