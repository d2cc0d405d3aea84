"""Shared fixtures and helpers: seed paths, tiny stage notebooks for runner mechanics,
comparing values and rows by value and type, a zombie process."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"


def same_value(a: Any, b: Any) -> bool:
    """Equal values of the same type (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if a is b:  # NaT, NA
        return True
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def assert_same_records(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The same rows: the same keys in the same order, the same values of the same types."""
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert list(g) == list(e)
        for key in e:
            assert same_value(g[key], e[key]), (key, g[key], e[key])


PARAMS_CELL = 'workbook = "x.xlsx"\ndept_id = "x"\nyear = 2024\npolicy = None\nrun_dir = None'


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [new_code_cell(PARAMS_CELL, metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(s) for s in sources]
    for i, c in enumerate(cells):
        c["id"] = f"c{i}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture
def mini_notebooks(tmp_path: Path) -> Path:
    """Two quick stages: the first records its parameters, the last writes findings."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(
        folder / "01_记录参数.ipynb",
        "import json, pathlib\npathlib.Path('stages').mkdir(exist_ok=True)\n"
        "pathlib.Path('stages/01.json').write_text(json.dumps({'dept_id': dept_id, 'workbook': workbook}, ensure_ascii=False))",
    )
    write_notebook(
        folder / "02_汇总.ipynb",
        "from evalkit import stages\nfrom evalkit.workbook import load_workbook\n"
        "dept = load_workbook(workbook)\nimport pandas as pd\n"
        "stages.finalize(pathlib.Path(run_dir) if False else __import__('pathlib').Path('.'), dept, stages.check(dept))",
    )
    return folder


@pytest.fixture
def zombie_pid() -> Iterator[int]:
    """The id of a child process that has exited and is not yet reaped (a zombie)."""
    from evalkit import procs

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while procs._state(pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert procs._state(pid) == "Z"
        yield pid
    finally:
        os.waitpid(pid, 0)
