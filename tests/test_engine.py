"""The warm-kernel papermill engine: one kernel per process, clean between notebooks."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
import pytest
from conftest import write_notebook
from papermill.exceptions import PapermillExecutionError

from evalkit import engine
from evalkit.pmext import IPCKernelManager


@pytest.fixture(autouse=True)
def _no_kernel_left() -> Iterator[None]:
    engine.shutdown_kernels()
    yield
    engine.shutdown_kernels()


def _run(nb: Path, out: Path, cwd: Path, **params: Any) -> Any:
    engine.register_engine()
    return pm.execute_notebook(
        str(nb),
        str(out),
        parameters=params,
        cwd=str(cwd),
        kernel_name="python3",
        progress_bar=False,
        engine_name=engine.ENGINE_NAME,
        request_save_on_cell_execute=False,
        kernel_manager_class=IPCKernelManager,
        execution_timeout=60,
        **{engine.PARTIAL_PATH: str(out)},
    )


def _texts(nb: Any) -> list[str]:
    return [
        "".join(o.get("text", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ]


def _pid(nb: Any) -> str:
    text = next(t for t in _texts(nb) if t.startswith("pid="))
    return text.split()[0]


def test_second_notebook_reuses_the_kernel_with_a_clean_namespace(tmp_path: Path) -> None:
    a = write_notebook(
        tmp_path / "a.ipynb",
        "import os\nprint(f'pid={os.getpid()}')",
        "secret = 42\nimport warnings\nwarnings.warn('只提醒一次？')",
        "print(os.getcwd())",
    )
    b = write_notebook(
        tmp_path / "b.ipynb",
        "import os\nprint(f'pid={os.getpid()}')",
        "print('secret' in globals(), 'a_name' in dir())",
        "import warnings\nwarnings.warn('只提醒一次？')",
        "print(os.getcwd())",
        "print(len(In), _i2 if '_i2' in dir() else '')",
    )
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    nb_a = _run(a, tmp_path / "a.out.ipynb", tmp_path / "one")
    nb_b = _run(b, tmp_path / "b.out.ipynb", tmp_path / "two")
    assert _pid(nb_a) == _pid(nb_b)  # same kernel process
    assert engine.warm_kernels() == 1
    counts = [c.execution_count for c in nb_b.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # numbered as in a fresh kernel
    texts = _texts(nb_b)
    assert any(t.startswith("False False") for t in texts)  # nothing of notebook a is visible
    assert any("只提醒一次" in t for t in texts)  # the warning shows again
    assert any(t.strip().startswith(str(tmp_path / "two")) for t in texts)  # papermill's cwd
    assert any(re.match(r"\d+ ", t) for t in texts)  # In/Out history restarted with the session
    assert sum("只提醒一次" in t for t in _texts(nb_a)) == 1


def test_a_notebook_that_fails_never_leaves_its_kernel_for_the_next(tmp_path: Path) -> None:
    bad = write_notebook(tmp_path / "bad.ipynb", "import os\nprint(f'pid={os.getpid()}')", "1/0")
    good = write_notebook(tmp_path / "good.ipynb", "import os\nprint(f'pid={os.getpid()}')")
    with pytest.raises(PapermillExecutionError):
        _run(bad, tmp_path / "bad.out.ipynb", tmp_path)
    assert engine.warm_kernels() == 0
    first = _pid(nbformat.read(tmp_path / "bad.out.ipynb", as_version=4))
    second = _pid(_run(good, tmp_path / "good.out.ipynb", tmp_path))
    assert first != second


def test_a_killed_kernel_is_replaced_and_its_partial_notebook_kept(tmp_path: Path) -> None:
    kill = write_notebook(
        tmp_path / "kill.ipynb",
        "print('已执行')",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    )
    after = write_notebook(tmp_path / "after.ipynb", "print('新内核')")
    with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError
        _run(kill, tmp_path / "kill.out.ipynb", tmp_path)
    partial = nbformat.read(tmp_path / "kill.out.ipynb", as_version=4)
    assert any("已执行" in t for t in _texts(partial))
    assert engine.warm_kernels() == 0
    assert any("新内核" in t for t in _texts(_run(after, tmp_path / "after.out.ipynb", tmp_path)))


def test_a_kernel_that_dies_between_notebooks_is_replaced(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "a.ipynb", "import os\nprint(f'pid={os.getpid()}')")
    first = _pid(_run(nb, tmp_path / "1.ipynb", tmp_path))
    os.kill(int(first.removeprefix("pid=")), 9)
    second = _pid(_run(nb, tmp_path / "2.ipynb", tmp_path))
    assert first != second and engine.warm_kernels() == 1


def test_shutdown_stops_the_kernel_process(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "a.ipynb", "import os\nprint(f'pid={os.getpid()}')")
    pid = int(_pid(_run(nb, tmp_path / "1.ipynb", tmp_path)).removeprefix("pid="))
    engine.shutdown_kernels()
    assert engine.warm_kernels() == 0
    import psutil

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
