"""Shared fixtures: seed paths, tiny stage notebooks for runner mechanics."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"

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
