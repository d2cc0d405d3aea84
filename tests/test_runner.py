"""One department run: archived inputs, executed notebooks, manifest, failures recorded."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import NINGXIAN, ROOT, write_notebook

from evalkit import archive
from evalkit.errors import ParamsError
from evalkit.params import load_params, params_from_dict
from evalkit.records import write_workbook
from evalkit.runner import run_department
from evalkit.testing import clean_records


def _params(tmp_path: Path, **over: object) -> Path:
    wb = write_workbook(tmp_path / "dept.xlsx", clean_records())
    data = {"workbook": str(wb), "dept_id": "test-dept", "year": 2024, **over}
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def test_params_validation_lists_every_problem(tmp_path: Path) -> None:
    with pytest.raises(ParamsError) as info:
        params_from_dict({"dept_id": "../x", "year": "2024", "extra": 1}, base=tmp_path)
    msg = str(info.value)
    assert "未知参数：extra" in msg and "缺少必填参数“workbook”" in msg
    assert "应为整数" in msg and "只能包含字母" in msg


def test_params_files_resolve_relative_to_the_project(tmp_path: Path) -> None:
    p = load_params(ROOT / "params" / "ningxian-gxj-2024.yaml")
    assert p.workbook == NINGXIAN and p.dept_id == "ningxian-gxj" and p.policy is None


def test_params_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("workbook: !!python/object/apply:os.system ['echo x']\n", encoding="utf-8")
    with pytest.raises(ParamsError):
        load_params(path)


def test_a_run_archives_everything_and_never_overwrites(
    tmp_path: Path, mini_notebooks: Path
) -> None:
    params = load_params(_params(tmp_path))
    out = tmp_path / "outputs"
    first = run_department(params, outputs=out, notebooks=mini_notebooks)
    assert first.ok, first.error
    run = first.run_dir
    assert run.parent == out / "2024" / "test-dept"
    for rel in ("inputs/workbook.xlsx", "inputs/policy.yaml", "inputs/params.yaml", "inputs/notebooks/01_记录参数.ipynb",
                "01_记录参数.ipynb", "02_汇总.ipynb", "html/01_记录参数.html", "findings.json", "findings.csv",
                "summary.json", "manifest.json"):  # fmt: skip
        assert (run / rel).is_file(), rel
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["inputs"]["inputs/workbook.xlsx"] == archive.sha256_file(
        params.workbook
    )
    assert set(m["versions"]) >= {"evalkit", "papermill", "nbconvert", "pandas", "python"}
    assert [s["stage"] for s in m["stages"]] == ["01_记录参数", "02_汇总"]
    assert all(s["duration_s"] >= 0 and s["started"] and s["ended"] for s in m["stages"])
    # parameters are injected readable, and point at the archived copies
    nb = nbformat.read(run / "01_记录参数.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "dept_id = 'test-dept'" in injected.source and "\\u" not in injected.source
    assert (
        json.loads((run / "stages" / "01.json").read_text(encoding="utf-8"))["workbook"]
        == "inputs/workbook.xlsx"
    )
    assert archive.read_json(run.parent / "latest.json")["run_id"] == first.run_id
    # offline HTML copy with code
    html = (run / "html" / "01_记录参数.html").read_text(encoding="utf-8")
    assert "stages/01.json" in html and "cdnjs" not in html and '<script src="http' not in html
    second = run_department(params, outputs=out, notebooks=mini_notebooks)
    assert second.run_dir != run and run.is_dir()
    assert archive.read_json(run.parent / "latest.json")["run_id"] == second.run_id


def test_a_failing_stage_is_recorded_with_stage_and_cell(
    tmp_path: Path, mini_notebooks: Path
) -> None:
    write_notebook(mini_notebooks / "02_汇总.ipynb", "x = 1", "raise ValueError('故意失败')")
    params = load_params(_params(tmp_path))
    out = tmp_path / "outputs"
    result = run_department(params, outputs=out, notebooks=mini_notebooks)
    assert not result.ok
    assert (
        "02_汇总" in (result.error or "")
        and "第4个单元格" in (result.error or "")
        and "故意失败" in (result.error or "")
    )
    m = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert (
        m["status"] == "failed" and m["error"]["ename"] == "ValueError" and m["error"]["cell"] == 4
    )
    assert (result.run_dir / "02_汇总.ipynb").is_file()  # the partly executed notebook is kept
    assert not (result.run_dir.parent / "latest.json").exists()  # a failed run is never "latest"
    assert not any(p.name.startswith(".tmp-") for p in result.run_dir.parent.iterdir())


def test_injected_strings_never_execute(tmp_path: Path, mini_notebooks: Path) -> None:
    from evalkit.pmext import ReadablePythonTranslator

    evil = "x'); import os; os.system('touch PWNED'); ('"
    code = ReadablePythonTranslator.translate_str(evil)
    ns: dict[str, object] = {}
    exec(f"v = {code}", ns)  # the literal evaluates to the same string, nothing else
    assert ns["v"] == evil
    assert ReadablePythonTranslator.translate_str("宁县\n工信局") == "'宁县\\n工信局'"


def test_invalid_workbook_fails_before_anything_is_archived(
    tmp_path: Path, mini_notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evalkit.cli import main
    from evalkit.errors import WorkbookError

    records = clean_records()
    records["项目清单"][0]["全年执行数"] = "abc"
    wb = write_workbook(tmp_path / "bad.xlsx", records)
    params = params_from_dict(
        {"workbook": str(wb), "dept_id": "test-dept", "year": 2024}, base=tmp_path
    )
    out = tmp_path / "outputs"
    with pytest.raises(WorkbookError):
        run_department(params, outputs=out, notebooks=mini_notebooks)
    assert not out.exists()
    assert main(["run", str(wb), "--outputs", str(out)]) == 2
    assert "第2行" in capsys.readouterr().err and not out.exists()


def test_params_must_match_the_workbook(tmp_path: Path, mini_notebooks: Path) -> None:
    params = load_params(_params(tmp_path, dept_id="other-dept"))
    with pytest.raises(ParamsError, match="参数与底稿不一致"):
        run_department(params, outputs=tmp_path / "o", notebooks=mini_notebooks)
    assert not (tmp_path / "o").exists()
