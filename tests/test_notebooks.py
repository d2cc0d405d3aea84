"""Regression tests of the stage notebooks (pytest-notebook).

The references in ``tests/notebooks/<dept>/`` are the stage notebooks executed with each
seed department's parameters. Each test re-executes one reference and diffs all its
outputs (timings, papermill metadata and images ignored). After an intended change,
regenerate them with ``.venv/bin/python -m evalkit.nbref`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from pytest_notebook.nb_regression import NBRegressionFixture

from evalkit import stages
from evalkit.nbref import DIFF_IGNORE, DIFF_REPLACE, SEEDS, parameters_for, reference_dir
from evalkit.runner import stage_notebooks

REF = reference_dir(ROOT)
CASES = [(p.parent.name, p.name) for p in sorted(REF.glob("*/*.ipynb"))]


def _code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]


def test_there_is_a_reference_for_every_stage_and_seed() -> None:
    expected = {
        (parameters_for(s, ROOT)["dept_id"], nb.name)
        for s in SEEDS
        for nb in stage_notebooks(ROOT / "notebooks")
    }
    assert set(CASES) == expected


@pytest.mark.parametrize(("dept", "name"), CASES)
def test_reference_matches_current_notebook_source(dept: str, name: str) -> None:
    ref = nbformat.read(REF / dept / name, as_version=4)
    src = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert _code_sources(ref) == _code_sources(src), "references are stale: python -m evalkit.nbref"


def test_notebooks_match_their_builder(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("nbbuild", ROOT / "notebooks" / "_build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_text(encoding="utf-8") == (ROOT / "notebooks" / path.name).read_text(
            encoding="utf-8"
        ), path.name


@pytest.fixture(scope="module", autouse=True)
def _earlier_stages_written() -> None:
    """Stage 06 collects the files stages 01–05 wrote; write them so any test can run alone."""
    for seed in SEEDS:
        params = parameters_for(seed, ROOT)
        dept, pol = stages.open_department(ROOT / str(params["workbook"]))
        out = stages.output_dir(None, str(params["dept_id"]))
        for stage in ("01", "02", "03", "04", "05"):
            stages.save_stage(out, stage, stages.run_stage(dept, pol, stage))


@pytest.mark.parametrize(("dept", "name"), CASES)
def test_stage_outputs_unchanged(dept: str, name: str) -> None:
    fixture = NBRegressionFixture(
        exec_timeout=300,
        diff_ignore=DIFF_IGNORE,
        diff_replace=DIFF_REPLACE,
        exec_cwd=str(REF / dept),
    )
    fixture.diff_use_color = False
    fixture.check(str(REF / dept / name))
