"""The loader: faithful parsing, and every kind of bad input reported with its location."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from evalkit.errors import Problem, WorkbookError
from evalkit.records import write_workbook
from evalkit.testing import P1, P2, clean_records
from evalkit.workbook import (
    Limits,
    build_department,
    load_workbook,
    parse_date,
    read_raw,
    validate_workbook,
)

SEED = Path(__file__).resolve().parent.parent / "data" / "ningxian-gxj-2024.xlsx"


def _write(tmp_path: Path, records: dict[str, Any] | None = None, name: str = "d.xlsx") -> Path:
    return write_workbook(tmp_path / name, clean_records() if records is None else records)


def _problems(path: Path, **kw: Any) -> list[Problem]:
    with pytest.raises(WorkbookError) as info:
        load_workbook(path, **kw)
    return list(info.value.problems)


def _one(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, (code, problems)
    return found[0]


# ---------------------------------------------------------------------------------------
# good input
# ---------------------------------------------------------------------------------------
def test_clean_workbook_loads_with_parsed_and_verbatim_values(tmp_path: Path) -> None:
    path = _write(tmp_path)
    dept = load_workbook(path)
    assert (dept.id, dept.name, dept.year) == ("test-dept", "测试县示范产业发展局", 2024)
    assert dept.info["approval_date"] == dt.date(2024, 2, 1)
    assert dept.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert dept.project_names == [P1, P2]
    se = dept.selfeval_indicators
    row = se[se["level3"] == "培训成本"].iloc[0]
    assert row["target"] == "≤20万元"  # verbatim
    assert row["target_op"] == "<=" and row["target_value"] == 200000 and row["target_unit"] == "元"
    assert row["actual_value"] == 200000  # "20" with unit column 万元
    assert row["_row"] == 8  # Excel row: header + 7th data row
    funds = dept.selfeval_funds
    sub = funds[(funds["subject"] == P1) & (funds["line_level"] == "其中")].iloc[0]
    assert sub["weight_text"] == "-" and sub["weight"] != sub["weight"]  # "-" kept, parsed NaN


def test_money_is_converted_to_yuan_using_the_row_unit(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][0].update(
        {"全年预算数": "20", "全年执行数": "19.5", "年初预算数": 20, "金额单位": "万元"}
    )
    dept = load_workbook(_write(tmp_path, records))
    p = dept.projects.iloc[0]
    assert p["final_budget"] == 200000 and p["executed"] == 195000
    assert p["executed_text"] == "19.5"


def test_loading_never_modifies_the_input(tmp_path: Path) -> None:
    path = _write(tmp_path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_workbook(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_formulas_are_read_as_cached_values_not_evaluated(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["项目清单"]
    headers = [c.value for c in ws[1]]
    col = headers.index("全年执行数") + 1
    ws.cell(2, col).value = "=1+1"  # no cached value: openpyxl writes none
    wb.save(path)
    problems = _problems(path)
    p = _one(problems, "missing_value")
    assert (p.sheet, p.row, p.column) == ("项目清单", 2, "全年执行数")


def test_columns_may_be_in_any_order_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"] = [
        {"自定义列": "x", **{k: v for k, v in reversed(r.items())}} for r in records["项目清单"]
    ]
    dept = load_workbook(_write(tmp_path, records))
    assert dept.project_names == [P1, P2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-18", dt.date(2024, 2, 18)),
        ("2024/2/18", dt.date(2024, 2, 18)),
        ("2024.02.18", dt.date(2024, 2, 18)),
        ("2024年2月18日", dt.date(2024, 2, 18)),
        ("20240218", dt.date(2024, 2, 18)),
        (dt.datetime(2024, 2, 18, 0, 0), dt.date(2024, 2, 18)),
        ("", None),
    ],
)
def test_dates_in_several_forms(text: Any, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def _east_asian_date_workbook(tmp_path: Path, fmt_id: int | None) -> Path:
    """The clean workbook with 预算批复日期 and the project's 监控截止日期 stored as serial
    numbers, as Chinese Excel or WPS saves a typed ``2024年2月1日``: built-in number format
    ``fmt_id`` and no format code in the file; ``None``: the General format."""
    records = clean_records()
    records["部门信息"]["预算批复日期"] = 45323  # 2024-02-01
    records["监控资金"][0]["监控截止日期"] = 45565  # 2024-09-30
    path = _write(tmp_path, records, name="plain.xlsx")
    if fmt_id is None:
        return path
    wb = openpyxl.load_workbook(path)
    marker = '0.000000000"marker"'  # a custom code no other cell uses
    for ws in (wb["部门信息"], wb["监控资金"]):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (45323, 45565):
                    cell.number_format = marker
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    styles = parts["xl/styles.xml"].decode()
    found = re.search(r'<numFmt numFmtId="(\d+)" formatCode="[^"]*marker[^"]*"\s*/>', styles)
    assert found is not None, styles
    styles = styles.replace(found[0], "").replace(f'numFmtId="{found[1]}"', f'numFmtId="{fmt_id}"')
    assert "marker" not in styles
    parts["xl/styles.xml"] = styles.encode()
    out = tmp_path / f"zh-{fmt_id}.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
@pytest.mark.parametrize("fmt_id", [31, 57, 58, 27])
def test_dates_in_east_asian_builtin_formats_are_dates(
    tmp_path: Path, fmt_id: int, engine: str
) -> None:
    path = _east_asian_date_workbook(tmp_path, fmt_id)
    dept = build_department(read_raw(path, engine=engine), path=str(path))  # type: ignore[arg-type]
    assert dept.info["approval_date"] == dt.date(2024, 2, 1)
    assert dept.monitor_funds["period_end"].iloc[0] == dt.date(2024, 9, 30)


@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_a_serial_number_in_general_format_is_still_a_bad_date(tmp_path: Path, engine: str) -> None:
    path = _east_asian_date_workbook(tmp_path, None)
    with pytest.raises(WorkbookError) as info:
        build_department(read_raw(path, engine=engine), path=str(path))  # type: ignore[arg-type]
    bad = sorted((p.sheet, p.column) for p in info.value.problems if p.code == "bad_date")
    assert bad == [("监控资金", "监控截止日期"), ("部门信息", "值")], info.value.problems


def test_bad_date_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="不是有效日期"):
        parse_date("2024-13-45")


# ---------------------------------------------------------------------------------------
# bad input: each problem with its file, sheet, row and column
# ---------------------------------------------------------------------------------------
def test_missing_sheet(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    del wb["项目清单"]
    wb.save(path)
    p = _one(_problems(path), "missing_sheet")
    assert p.sheet == "项目清单" and "缺少工作表" in p.message and p.file == str(path)


def test_renamed_column_is_reported_with_a_hint(tmp_path: Path) -> None:
    path = _write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评指标"]
    for cell in ws[1]:
        if cell.value == "三级指标":
            cell.value = "三级指标名称"
    wb.save(path)
    p = _one(_problems(path), "missing_column")
    assert (p.sheet, p.row, p.column) == ("自评指标", 1, "三级指标")
    assert "三级指标名称" in p.message


def test_non_numeric_money(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][1]["全年执行数"] = "九万五"
    p = _one(_problems(_write(tmp_path, records)), "bad_number")
    assert (p.sheet, p.row, p.column, p.value) == ("项目清单", 3, "全年执行数", "九万五")


def test_numbers_with_commas_and_full_width_digits_are_read(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][1]["全年执行数"] = "９５,０００"
    dept = load_workbook(_write(tmp_path, records))
    assert dept.projects.iloc[1]["executed"] == 95000


def test_negative_money(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][0]["全年执行数"] = -5
    p = _one(_problems(_write(tmp_path, records)), "negative_money")
    assert (p.sheet, p.row, p.column) == ("项目清单", 2, "全年执行数")


def test_unknown_project_referenced_by_an_indicator_row(tmp_path: Path) -> None:
    records = clean_records()
    records["自评指标"][7]["对象"] = "示范企业培训项"
    p = _one(_problems(_write(tmp_path, records)), "unknown_subject")
    assert (p.sheet, p.row, p.column) == ("自评指标", 9, "对象")
    assert f"是否为“{P1}”" in p.message


def test_duplicate_project(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"].append(dict(records["项目清单"][0]))
    p = _one(_problems(_write(tmp_path, records)), "duplicate_row")
    assert (p.sheet, p.row, p.column) == ("项目清单", 4, "项目名称") and "第2行" in p.message


def test_unparseable_indicator_value(tmp_path: Path) -> None:
    records = clean_records()
    records["目标表指标"][0]["指标值"] = "≥百分之九十"
    p = _one(_problems(_write(tmp_path, records)), "bad_indicator")
    assert (p.sheet, p.row, p.column) == ("目标表指标", 2, "指标值")


def test_wrong_choice_and_wrong_int_and_wrong_date(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][0]["新增或延续"] = "续建"
    records["部门信息"]["编制数"] = "十"
    records["部门信息"]["预算批复日期"] = "二月一日"
    problems = _problems(_write(tmp_path, records))
    choice = _one(problems, "bad_choice")
    assert (choice.sheet, choice.row, choice.column) == ("项目清单", 2, "新增或延续")
    assert _one(problems, "bad_int").sheet == "部门信息"
    assert _one(problems, "bad_date").column == "值"


def test_missing_required_value_and_field(tmp_path: Path) -> None:
    records = clean_records()
    del records["部门信息"]["部门名称"]
    records["自评指标"][0]["得分"] = None
    problems = _problems(_write(tmp_path, records))
    assert any(p.code == "missing_value" and "部门名称" in p.message for p in problems)
    p = next(p for p in problems if p.code == "missing_value" and p.sheet == "自评指标")
    assert (p.row, p.column) == (2, "得分")


def test_bad_department_id_cannot_become_a_path(tmp_path: Path) -> None:
    records = clean_records()
    records["部门信息"]["部门编码"] = "../../etc"
    p = _one(_problems(_write(tmp_path, records)), "bad_dept_id")
    assert p.sheet == "部门信息"


def test_detail_rows_without_a_total_row(tmp_path: Path) -> None:
    records = clean_records()
    records["自评表"] = [r for r in records["自评表"] if r["对象"] != P2]
    problems = [
        p for p in _problems(_write(tmp_path, records)) if p.code == "missing_selfeval_total"
    ]
    assert sorted((p.sheet, p.value) for p in problems) == [("自评指标", P2), ("自评资金", P2)]


def test_all_problems_of_a_workbook_are_reported_at_once(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][1]["全年执行数"] = "abc"
    records["项目清单"][0]["新增或延续"] = "续建"
    records["目标表指标"][0]["指标值"] = "≥"
    records["自评指标"][3]["对象"] = "不存在的项目"
    records["部门信息"]["年度"] = None
    with pytest.raises(WorkbookError) as info:
        load_workbook(_write(tmp_path, records))
    codes = sorted(p.code for p in info.value.problems)
    assert codes == [
        "bad_choice",
        "bad_indicator",
        "bad_number",
        "missing_value",
        "unknown_subject",
    ]
    text = str(info.value)
    assert text.startswith("工作簿") and "5 个问题" in text
    frame = info.value.to_frame()
    assert list(frame.columns) == ["code", "message", "file", "sheet", "row", "column", "value"]
    assert len(frame) == 5


@pytest.mark.parametrize("fault", ["several", "no_total", "duplicate_project", "missing_sheet"])
def test_validate_workbook_reports_exactly_what_load_workbook_reports(
    tmp_path: Path, fault: str
) -> None:
    records = clean_records()
    if fault == "several":
        records["项目清单"][1]["全年执行数"] = "abc"
        records["目标表指标"][0]["指标值"] = "≥"
        records["自评指标"][3]["对象"] = "不存在的项目"
        records["部门信息"]["年度"] = None
    elif fault == "no_total":
        records["自评表"] = [r for r in records["自评表"] if r["对象"] != P2]
    elif fault == "duplicate_project":
        records["项目清单"].append(dict(records["项目清单"][0]))
    else:
        del records["项目清单"]
    path = _write(tmp_path, records)
    with pytest.raises(WorkbookError) as info:
        validate_workbook(path)
    assert info.value.problems and list(info.value.problems) == _problems(path)


def test_validate_workbook_gives_the_fields_of_a_good_workbook(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert validate_workbook(path) == load_workbook(path).info


def test_validating_a_workbook_does_not_import_pandas() -> None:
    """A batch worker validates its department's workbook; the kernels use pandas."""
    code = (
        "import sys\n"
        "from evalkit.workbook import validate_workbook\n"
        f"info = validate_workbook({str(SEED)!r})\n"
        "assert info['dept_id'] == 'ningxian-gxj', info\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_workbook_error_pickles_with_its_problems(tmp_path: Path) -> None:
    err = WorkbookError(
        "x.xlsx", [Problem("bad_number", "不是数字", "x.xlsx", "项目清单", 3, "全年执行数", "abc")]
    )
    back = pickle.loads(pickle.dumps(err))
    assert back.problems == err.problems and str(back) == str(err)


# ---------------------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("suffix", "code"),
    [(".xlsm", "macro_workbook"), (".xls", "legacy_workbook"), (".csv", "not_xlsx")],
)
def test_refused_file_types(tmp_path: Path, suffix: str, code: str) -> None:
    path = tmp_path / f"d{suffix}"
    path.write_bytes(b"whatever")
    assert _one(_problems(path), code).file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    assert _one(_problems(tmp_path / "nope.xlsx"), "not_found")


def test_truncated_file_is_corrupt(tmp_path: Path) -> None:
    path = _write(tmp_path)
    path.write_bytes(path.read_bytes()[:2000])
    assert _problems(path)[0].code in {"corrupt", "unreadable"}


def test_ole_container_is_encrypted_or_legacy(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    assert "密码" in _one(_problems(path), "encrypted_or_legacy").message


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (5 * 1024 * 1024))
    assert _one(_problems(path, limits=Limits(max_uncompressed_bytes=1024 * 1024)), "zip_bomb")
    assert _one(_problems(path), "zip_bomb")  # ratio alone (~1000:1) trips the default


def test_oversized_file_fails_fast(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert _one(_problems(path, limits=Limits(max_file_bytes=1000)), "too_large")


def test_row_bound(tmp_path: Path) -> None:
    records = clean_records()
    records["评估依据"] = [{"文件名称": f"文件{i}"} for i in range(60)]
    p = _one(_problems(_write(tmp_path, records), limits=Limits(max_rows=50)), "too_many_rows")
    assert p.sheet == "评估依据"
