"""Bad input, faults during runs, hostile content: clear errors, nothing lost, nothing executed.

Each case here is listed in docs/reliability.md with what evalkit does.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import write_notebook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit import archive
from evalkit.check import check
from evalkit.cli import main
from evalkit.errors import WorkbookError
from evalkit.params import params_from_dict
from evalkit.records import department_from_records, write_workbook
from evalkit.runner import run_department
from evalkit.testing import P1, clean_records


# ---------------------------------------------------------------------------------------
# 1. a corpus of bad workbooks, generated
# ---------------------------------------------------------------------------------------
def _good(tmp: Path, name: str = "d.xlsx") -> Path:
    return write_workbook(tmp / name, clean_records())


def _edit(path: Path, fn: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _col(ws: Any, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def _records(mutate: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        r = clean_records()
        mutate(r)
        return write_workbook(tmp / "d.xlsx", r)

    return build


def _merged_debris(tmp: Path) -> Path:
    def fn(wb: Any) -> None:
        ws = wb["自评指标"]
        c = _col(ws, "一级指标")
        ws.cell(3, c).value = None  # a merged block leaves only its top-left cell filled
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)

    return _edit(_good(tmp), fn)


def _empty_workbook(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    path = tmp / "empty.xlsx"
    wb.save(path)
    return path


def _formula_without_cache(tmp: Path) -> Path:
    return _edit(
        _good(tmp),
        lambda wb: setattr(
            wb["项目清单"].cell(2, _col(wb["项目清单"], "全年执行数")), "value", "=SUM(1,2)"
        ),
    )


def _macro_inside_xlsx(tmp: Path) -> Path:
    path = _good(tmp)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\x00macro")
    return path


def _real_xlsm(tmp: Path) -> Path:
    path = tmp / "d.xlsm"
    _good(tmp).rename(path)
    return path


def _legacy_xls(tmp: Path) -> Path:
    path = tmp / "d.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    return path


def _password_protected(tmp: Path) -> Path:
    # Excel saves an encrypted .xlsx as an OLE compound file, not a zip
    path = tmp / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"EncryptedPackage".ljust(4096, b"\x00"))
    return path


def _truncated(tmp: Path) -> Path:
    path = _good(tmp)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _zip_bomb(tmp: Path) -> Path:
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    return path


def _fifty_mb(tmp: Path) -> Path:
    path = tmp / "huge.xlsx"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    return path


CORPUS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing_sheet": (
        lambda t: _edit(_good(t), lambda wb: wb.remove(wb["项目清单"])),
        "缺少工作表“项目清单”",
    ),
    "renamed_column": (
        lambda t: _edit(
            _good(t),
            lambda wb: setattr(
                wb["自评指标"].cell(1, _col(wb["自评指标"], "得分")), "value", "得 分数"
            ),
        ),
        "缺少必需列“得分”",
    ),
    "missing_column": (
        lambda t: _edit(
            _good(t), lambda wb: wb["项目清单"].delete_cols(_col(wb["项目清单"], "全年预算数"))
        ),
        "缺少必需列“全年预算数”",
    ),
    "wrong_type": (_records(lambda r: r["自评指标"][0].update({"分值": "十分"})), "不是数字"),
    "merged_cell_debris": (_merged_debris, "必填列“一级指标”为空"),
    "empty_workbook": (_empty_workbook, "缺少工作表“部门信息”"),
    "unknown_project": (
        _records(lambda r: r["监控指标"][8].update({"对象": "不存在的项目"})),
        "也不在《项目清单》中",
    ),
    "duplicate_project": (_records(lambda r: r["项目清单"].append(dict(r["项目清单"][0]))), "重复"),
    "negative_money": (
        _records(lambda r: r["项目清单"][0].update({"全年执行数": -1})),
        "金额为负数",
    ),
    "bad_date": (
        _records(lambda r: r["监控资金"][0].update({"监控截止日期": "九月底"})),
        "不是有效日期",
    ),
    "formula_without_cached_value": (_formula_without_cache, "必填列“全年执行数”为空"),
    "xlsm_with_macros": (_real_xlsm, "含宏"),
    "macro_inside_xlsx": (_macro_inside_xlsx, "含宏"),
    "legacy_xls": (_legacy_xls, ".xls"),
    "password_protected": (_password_protected, "取消密码"),
    "truncated_zip": (_truncated, "损坏"),
    "zip_bomb": (_zip_bomb, "解压后体积异常"),
    "fifty_mb_workbook": (_fifty_mb, "文件过大"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_workbook_gives_a_clear_message_exit_2_and_no_archive(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, expected = CORPUS[case]
    path = build(tmp_path)
    out = tmp_path / "outputs"
    assert main(["run", str(path), "--outputs", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert str(path) in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("case", [c for c in CORPUS if c not in {"empty_workbook"}])
def test_each_problem_names_its_location(case: str, tmp_path: Path) -> None:
    from evalkit.workbook import load_workbook

    path = CORPUS[case][0](tmp_path)
    with pytest.raises(WorkbookError) as info:
        load_workbook(path)
    p = info.value.problems[0]
    assert p.file == str(path)
    if p.code == "missing_sheet":
        assert p.sheet
    elif p.code not in {
        "macro_workbook",
        "legacy_workbook",
        "encrypted_or_legacy",
        "corrupt",
        "zip_bomb",
        "too_large",
        "unreadable",
        "not_xlsx",
    }:
        assert p.sheet and p.row is not None and p.column, p


def test_tolerated_forms_are_read(tmp_path: Path) -> None:
    """Numbers as text with commas or full-width digits, dates in several forms: read, not refused."""
    r = clean_records()
    r["项目清单"][0].update(
        {"全年预算数": "200,000", "全年执行数": "２００，０００".replace("，", ",")}
    )
    r["部门信息"]["预算批复日期"] = "2024年2月1日"
    r["部门信息"]["预算公开日期"] = "2024/2/15"
    dept = department_from_records(r)
    assert (
        dept.projects.iloc[0]["final_budget"] == 200000
        and dept.projects.iloc[0]["executed"] == 200000
    )
    assert (
        str(dept.info["approval_date"]) == "2024-02-01"
        and str(dept.info["publication_date"]) == "2024-02-15"
    )


def test_executed_above_budget_is_a_finding_not_a_crash() -> None:
    r = clean_records()
    r["项目清单"][0]["全年执行数"] = 250000
    found = check(department_from_records(r))
    assert "XC007" in set(found["rule_id"])


# ---------------------------------------------------------------------------------------
# 2. fuzzing the loader and the rules with random cell contents
# ---------------------------------------------------------------------------------------
FUZZ_EXAMPLES = int(os.environ.get("EVALKIT_FUZZ_EXAMPLES", "60"))
_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "≥",
            "≤100%",
            "=0",
            "null",
            "—",
            "-",
            "100%-80%(含)",
            "1 00 %",
            "１２３",
            "≥21 亿",
            "=",
            "定性",
            "0",
            "-5",
            "1e400",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
)
_SHEETS = [
    "项目清单",
    "目标表指标",
    "监控资金",
    "监控指标",
    "自评表",
    "自评资金",
    "自评指标",
    "年度目标",
]


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_cell_contents_give_validation_messages_or_findings_never_crashes(
    data: st.DataObject,
) -> None:
    r = clean_records()
    for _ in range(data.draw(st.integers(1, 4))):
        sheet = data.draw(st.sampled_from(_SHEETS))
        row = data.draw(st.sampled_from(r[sheet]))
        column = data.draw(st.sampled_from(sorted(row)))
        row[column] = data.draw(_cells)
    try:
        dept = department_from_records(r)
    except WorkbookError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    found = check(dept)  # a rule must never crash on what the loader accepted
    assert set(found["severity"]) <= {"error", "warning", "notice"}


# ---------------------------------------------------------------------------------------
# 3. faults during runs
# ---------------------------------------------------------------------------------------
def _params(tmp: Path, dept_id: str = "test-dept", folder: str = "in") -> Any:
    r = clean_records()
    r["部门信息"]["部门编码"] = dept_id
    wb = write_workbook(tmp / folder / f"{dept_id}.xlsx", r)
    return params_from_dict({"workbook": str(wb), "dept_id": dept_id, "year": 2024}, base=tmp)


def test_kernel_killed_mid_stage(tmp_path: Path, mini_notebooks: Path) -> None:
    write_notebook(
        mini_notebooks / "02_汇总.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    )
    result = run_department(_params(tmp_path), outputs=tmp_path / "out", notebooks=mini_notebooks)
    assert not result.ok and "02_汇总" in (result.error or "")
    assert result.manifest["error"]["ename"] == "DeadKernelError"
    assert archive.latest_run(result.run_dir.parent) is None


def test_a_hung_cell_times_out_with_stage_and_cell(tmp_path: Path, mini_notebooks: Path) -> None:
    write_notebook(mini_notebooks / "02_汇总.ipynb", "import time\ntime.sleep(600)")
    result = run_department(
        _params(tmp_path), outputs=tmp_path / "out", notebooks=mini_notebooks, execution_timeout=3
    )
    assert not result.ok and "02_汇总" in (result.error or "")
    assert result.manifest["stages"][-1]["duration_s"] < 60


def test_disk_full_while_writing_leaves_no_finished_run(
    tmp_path: Path, mini_notebooks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, data: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(archive, "write_json_atomic", full)
    with pytest.raises(OSError):
        run_department(_params(tmp_path), outputs=tmp_path / "out", notebooks=mini_notebooks)
    dept_dir = tmp_path / "out" / "2024" / "test-dept"
    assert archive.finished_runs(dept_dir) == [] and archive.latest_run(dept_dir) is None
    assert any(p.name.startswith(archive.TMP_PREFIX) for p in dept_dir.iterdir())
    monkeypatch.undo()
    assert archive.remove_stale_tmp(dept_dir)  # what a resumed batch does first


def test_disk_full_in_the_cli_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import evalkit.records

    def full(*a: Any, **k: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "t.xlsx"))

    monkeypatch.setattr(evalkit.records, "write_workbook", full)
    assert main(["template", str(tmp_path / "t.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "读写文件失败" in err and "No space left" in err and "Traceback" not in err


def test_two_runs_of_the_same_department_at_once(tmp_path: Path, mini_notebooks: Path) -> None:
    params = _params(tmp_path)
    out = tmp_path / "out"
    code = (
        "from pathlib import Path\nfrom evalkit.params import params_from_dict\nfrom evalkit.runner import run_department\n"
        f"p = params_from_dict({{'workbook': {str(params.workbook)!r}, 'dept_id': 'test-dept', 'year': 2024}}, base=Path('.'))\n"
        f"r = run_department(p, outputs=Path({str(out)!r}), notebooks=Path({str(mini_notebooks)!r}))\n"
        "print(r.status, r.run_id)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    lines = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert all(line.startswith("ok ") for line in lines), lines
    runs = archive.finished_runs(out / "2024" / "test-dept")
    assert len(runs) == 2 and runs[0] != runs[1]
    assert archive.latest_run(out / "2024" / "test-dept") in runs
    from evalkit.verify import verify_run

    assert all(verify_run(r, reexecute=False).ok for r in runs)


# ---------------------------------------------------------------------------------------
# 4. hostile content
# ---------------------------------------------------------------------------------------
def test_hostile_path_injected_as_parameter_stays_a_string(
    tmp_path: Path, mini_notebooks: Path
) -> None:
    folder = "x'); import os; os.system('touch PWNED'); ('\n\"q"
    params = _params(tmp_path, folder=folder)
    result = run_department(params, outputs=tmp_path / "out", notebooks=mini_notebooks)
    assert result.ok, result.error
    assert not (result.run_dir / "PWNED").exists() and not Path("PWNED").exists()
    source = json.loads((result.run_dir / "inputs" / "source.json").read_text(encoding="utf-8"))
    assert source["workbook"] == str(params.workbook)


@pytest.mark.parametrize(
    "dept_id", ["../escape", "a/b", "x'y", "line\nbreak", "a" * 200, ".hidden", ""]
)
def test_department_ids_cannot_escape_outputs(dept_id: str, tmp_path: Path) -> None:
    from evalkit.errors import ParamsError

    with pytest.raises(ParamsError):
        params_from_dict({"workbook": "x.xlsx", "dept_id": dept_id, "year": 2024}, base=tmp_path)
    r = clean_records()
    r["部门信息"]["部门编码"] = dept_id
    with pytest.raises(WorkbookError):
        department_from_records(r)


def test_department_names_are_escaped_in_the_county_index(
    tmp_path: Path, mini_notebooks: Path
) -> None:
    from evalkit.batch import write_index

    r = clean_records()
    r["部门信息"]["部门名称"] = '<script>alert("x")</script>'
    r["项目清单"][0]["项目名称"] = P1
    wb = write_workbook(tmp_path / "evil.xlsx", r)
    params = params_from_dict(
        {"workbook": str(wb), "dept_id": "test-dept", "year": 2024}, base=tmp_path
    )
    run_department(params, outputs=tmp_path / "out", notebooks=mini_notebooks)
    html = write_index(tmp_path / "out" / "2024").read_text(encoding="utf-8")
    assert (
        "<script>alert" not in html
        and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html.replace("&quot;", "&#34;")
    )
