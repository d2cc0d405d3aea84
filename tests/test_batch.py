"""Batch runs: parallel, isolated failures, resumable by cache key, survives kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import write_notebook

from evalkit import archive, batch, memgate, pmext, procs
from evalkit.batch import DeptOutcome, run_batch
from evalkit.errors import InputError
from evalkit.records import write_workbook
from evalkit.testing import clean_records


def _dept(tmp_path: Path, dept_id: str) -> Path:
    records = clean_records()
    records["部门信息"]["部门编码"] = dept_id
    records["部门信息"]["部门名称"] = f"测试部门{dept_id}"
    wb = write_workbook(tmp_path / "data" / f"{dept_id}.xlsx", records)
    params = tmp_path / "params" / f"{dept_id}.yaml"
    params.parent.mkdir(exist_ok=True)
    params.write_text(
        json.dumps({"workbook": str(wb), "dept_id": dept_id, "year": 2024}), encoding="utf-8"
    )
    return params


def test_batch_runs_in_parallel_then_skips_then_reruns_what_changed(
    tmp_path: Path, mini_notebooks: Path
) -> None:
    for d in ("dept-a", "dept-b", "dept-c"):
        _dept(tmp_path, d)
    out = tmp_path / "outputs"
    first = run_batch(
        [tmp_path / "params"], outputs=out, jobs=2, notebooks=mini_notebooks, progress=False
    )
    assert [o.status for o in first.outcomes] == ["ok", "ok", "ok"], first.summary()
    index = (out / "2024" / "index.html").read_text(encoding="utf-8")
    assert all(f"测试部门dept-{x}" in index for x in "abc") and "findings.csv" in index
    again = run_batch(
        [tmp_path / "params"], outputs=out, jobs=2, notebooks=mini_notebooks, progress=False
    )
    assert [o.status for o in again.outcomes] == ["skipped"] * 3
    # a changed workbook re-runs that department only
    records = clean_records()
    records["部门信息"]["部门编码"] = "dept-b"
    records["项目清单"][0]["全年执行数"] = 190000
    write_workbook(tmp_path / "data" / "dept-b.xlsx", records)
    third = run_batch(
        [tmp_path / "params"], outputs=out, jobs=2, notebooks=mini_notebooks, progress=False
    )
    assert [o.status for o in third.outcomes] == ["skipped", "ok", "skipped"]
    # a changed notebook re-runs everything; --force too
    nb = mini_notebooks / "01_记录参数.ipynb"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("exist_ok=True", "exist_ok=True "), encoding="utf-8"
    )
    fourth = run_batch(
        [tmp_path / "params"], outputs=out, jobs=2, notebooks=mini_notebooks, progress=False
    )
    assert [o.status for o in fourth.outcomes] == ["ok"] * 3
    forced = run_batch(
        [tmp_path / "params"],
        outputs=out,
        jobs=2,
        notebooks=mini_notebooks,
        force=True,
        progress=False,
    )
    assert [o.status for o in forced.outcomes] == ["ok"] * 3
    assert len(archive.finished_runs(out / "2024" / "dept-b")) == 4  # nothing overwritten


def test_one_failure_never_stops_the_others(tmp_path: Path, mini_notebooks: Path) -> None:
    _dept(tmp_path, "good")
    bad_records = clean_records()
    bad_records["部门信息"]["部门编码"] = "broken"
    bad_records["项目清单"][0]["全年执行数"] = "abc"
    wb = write_workbook(tmp_path / "data" / "broken.xlsx", bad_records)
    (tmp_path / "params" / "broken.yaml").write_text(
        json.dumps({"workbook": str(wb), "dept_id": "broken", "year": 2024}), encoding="utf-8"
    )
    (tmp_path / "params" / "nonsense.yaml").write_text("dept_id: [unclosed", encoding="utf-8")
    result = run_batch(
        [tmp_path / "params"],
        outputs=tmp_path / "out",
        jobs=2,
        notebooks=mini_notebooks,
        progress=False,
    )
    by_source = {Path(o.source).stem: o for o in result.outcomes}
    assert by_source["good"].status == "ok"
    assert by_source["broken"].status == "invalid" and "全年执行数" in (
        by_source["broken"].message or ""
    )
    assert not (tmp_path / "out" / "2024" / "broken").exists()  # nothing archived for bad input
    assert by_source["nonsense"].status == "invalid" and "YAML" in (
        by_source["nonsense"].message or ""
    )
    assert not result.ok
    assert "输入有误 2 个" in result.summary()


def test_kill_9_mid_batch_then_resume(tmp_path: Path) -> None:
    nbs = tmp_path / "slow"
    nbs.mkdir()
    write_notebook(nbs / "01_慢.ipynb", "import time\ntime.sleep(2)")
    write_notebook(
        nbs / "02_写出.ipynb",
        "from evalkit import stages\nfrom evalkit.workbook import load_workbook\n"
        "from pathlib import Path\ndept = load_workbook(workbook)\nstages.finalize(Path('.'), dept, stages.check(dept))",
    )
    for d in ("k1", "k2", "k3", "k4"):
        _dept(tmp_path, d)
    out = tmp_path / "outputs"
    code = (
        "from pathlib import Path\nfrom evalkit.batch import run_batch\n"
        f"run_batch([Path({str(tmp_path / 'params')!r})], outputs=Path({str(out)!r}), jobs=1, "
        f"notebooks=Path({str(nbs)!r}), progress=False)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if (out / "2024" / "k1" / archive.LATEST).is_file():
                break
            time.sleep(0.2)
        time.sleep(1.0)  # the next department is now half-way
    finally:
        killed = _socket_folders(_group(proc.pid))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = {d.name for d in (out / "2024").iterdir() if archive.latest_run(d)}
    assert "k1" in finished and finished != {"k1", "k2", "k3", "k4"}
    # nothing half-written is presented as finished
    for dept_dir in (out / "2024").iterdir():
        if not dept_dir.is_dir():
            continue
        for run in archive.finished_runs(dept_dir):
            manifest = archive.read_json(run / archive.MANIFEST)
            assert manifest["status"] in ("ok", "failed") and (run / "findings.json").is_file()
    resumed = run_batch([tmp_path / "params"], outputs=out, jobs=2, notebooks=nbs, progress=False)
    statuses = {Path(o.source).stem: o.status for o in resumed.outcomes}
    assert statuses["k1"] == "skipped" and all(s in ("ok", "skipped") for s in statuses.values())
    assert all(archive.latest_run(out / "2024" / d) for d in ("k1", "k2", "k3", "k4"))
    assert not any(
        p.name.startswith(archive.TMP_PREFIX)
        for d in (out / "2024").iterdir()
        if d.is_dir()
        for p in d.iterdir()
    )
    # the killed worker's kernel socket folder was removed by the resumed batch
    assert killed, "the killed batch had no socket folder named with its worker's id"
    assert not any(folder.exists() for folder in killed)


def _socket_folders(pids: set[str]) -> list[Path]:
    """The kernel socket folders of these processes."""
    return [
        p
        for p in Path(tempfile.gettempdir()).glob(f"{pmext.SOCKET_DIR_PREFIX}*")
        if str(pmext.socket_dir_owner(p.name)) in pids
    ]


def _group(pgid: int) -> set[str]:
    """The ids of the processes in process group ``pgid`` (Linux ``/proc``)."""
    return {
        proc.name
        for proc in Path("/proc").glob("[0-9]*")
        if procs._stat_field(int(proc.name), 2) == str(pgid)  # field 2: the group
    }


class _RecordingPool:
    """Stands in for the process pool: records what is submitted, in order."""

    submitted: ClassVar[list[str]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        type(self).submitted = []

    def __enter__(self) -> _RecordingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: object, source: str, *args: object) -> Future[DeptOutcome]:
        type(self).submitted.append(Path(source).stem)
        fut: Future[DeptOutcome] = Future()
        fut.set_result(DeptOutcome(source, Path(source).stem, 2024, "ok", None, None))
        return fut


def test_batch_evaluates_the_largest_workbooks_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = tmp_path / "params"
    params.mkdir()
    for name, size in (("small", 10), ("large", 3000), ("medium", 500)):
        book = tmp_path / f"{name}.xlsx"
        book.write_bytes(b"x" * size)
        (params / f"{name}.yaml").write_text(
            json.dumps({"workbook": str(book), "dept_id": name, "year": 2024}), encoding="utf-8"
        )
    (params / "broken.yaml").write_text("workbook: [", encoding="utf-8")  # left to the worker
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _RecordingPool)
    monkeypatch.setattr(batch, "write_index", lambda year_dir: None)
    result = run_batch([params], outputs=tmp_path / "out", jobs=2, progress=False)
    assert _RecordingPool.submitted == ["large", "medium", "small", "broken"]
    assert [Path(o.source).stem for o in result.outcomes] == ["broken", "large", "medium", "small"]


class _EnvRecordingPool(_RecordingPool):
    """Also records the environment the workers (and so their kernels) would get."""

    env: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: object, initializer: Any = None, initargs: Any = (), **kw: Any):
        super().__init__()
        type(self).env = dict(initargs[0]) if initargs else {}
        gate = type(self).env.get(memgate.ENV_VAR, "")
        if gate:  # the ledger's folder exists while the workers run
            assert Path(gate.split(":", 1)[1]).parent.is_dir()


@pytest.mark.parametrize("budget", [None, 800.0])
def test_batch_hands_the_pdf_memory_budget_to_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: float | None
) -> None:
    params = tmp_path / "params"
    params.mkdir()
    book = tmp_path / "a.xlsx"
    book.write_bytes(b"x")
    (params / "a.yaml").write_text(
        json.dumps({"workbook": str(book), "dept_id": "a", "year": 2024}), encoding="utf-8"
    )
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _EnvRecordingPool)
    monkeypatch.setattr(batch, "write_index", lambda year_dir: None)
    run_batch([params], outputs=tmp_path / "out", progress=False, pdf_memory_mb=budget)
    gate = _EnvRecordingPool.env.get(memgate.ENV_VAR)
    if budget is None:
        assert gate is None
        return
    assert gate is not None and gate.startswith("800:")
    assert not Path(gate.split(":", 1)[1]).parent.exists()  # removed after the batch

    monkeypatch.delenv(memgate.ENV_VAR, raising=False)
    batch._init_worker(_EnvRecordingPool.env)
    found = memgate.from_environment()
    assert found is not None and found.budget_mb == 800.0
    monkeypatch.delenv(memgate.ENV_VAR)


def test_batch_refuses_a_non_positive_pdf_memory_budget(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--pdf-memory"):
        run_batch([tmp_path], outputs=tmp_path / "out", progress=False, pdf_memory_mb=0)


def test_batch_with_nothing_to_do_starts_no_worker(
    tmp_path: Path, mini_notebooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for d in ("dept-a", "dept-b"):
        _dept(tmp_path, d)
    out = tmp_path / "outputs"
    first = run_batch(
        [tmp_path / "params"], outputs=out, jobs=2, notebooks=mini_notebooks, progress=False
    )
    assert [o.status for o in first.outcomes] == ["ok", "ok"], first.summary()

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started for current departments")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    seen: list[str] = []
    again = run_batch(
        [tmp_path / "params"],
        outputs=out,
        jobs=2,
        notebooks=mini_notebooks,
        progress=False,
        on_outcome=lambda o: seen.append(o.status),
    )
    assert [o.status for o in again.outcomes] == seen == ["skipped", "skipped"]
    assert all(o.run_dir and Path(o.run_dir).is_dir() for o in again.outcomes)
    assert (out / "2024" / "index.html").is_file()
