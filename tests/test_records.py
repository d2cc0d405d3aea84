"""Records and the template: a blank template, once filled in Excel, loads."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from evalkit.errors import WorkbookError
from evalkit.records import department_from_records, records_to_raw, write_workbook
from evalkit.schema import SHEETS
from evalkit.testing import clean_records
from evalkit.workbook import load_workbook


def test_template_has_every_sheet_header_notes_and_dropdowns(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [s.name for s in SHEETS]
    ws = wb["自评指标"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in SHEETS[-3].columns]
    assert all(c.comment is not None for c in ws[1])
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"=,≥,≤,>,<,定性"' in lists
    info = wb["部门信息"]
    assert [info.cell(r, 1).value for r in range(2, 5)] == ["部门编码", "部门名称", "年度"]
    choices = {dv.formula1 for dv in wb["监控指标"].data_validations.dataValidation}
    assert '"确定能,有可能,完全不可能"' in choices
    bands = {dv.formula1 for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    assert '"新增,延续"' in bands


def test_blank_template_is_refused_and_filled_template_loads(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx")
    with pytest.raises(WorkbookError):
        load_workbook(path)
    # fill it the way a consultant would, cell by cell in Excel
    wb = openpyxl.load_workbook(path)
    info = wb["部门信息"]
    values = {"部门编码": "filled", "部门名称": "某某局", "年度": 2024}
    for row in range(2, info.max_row + 1):
        label = info.cell(row, 1).value
        if label in values:
            info.cell(row, 2).value = values[label]
    projects = wb["项目清单"]
    headers = [c.value for c in projects[1]]
    row = {
        "项目名称": "某项目",
        "新增或延续": "新增",
        "是否年初预算": "是",
        "全年预算数": 10,
        "全年执行数": 9,
        "金额单位": "万元",
    }
    projects.append([row.get(h) for h in headers])
    targets = wb["目标表指标"]
    headers = [c.value for c in targets[1]]
    row = {
        "对象": "某项目",
        "一级指标": "产出指标",
        "三级指标": "完成数量",
        "指标值类型": "≥",
        "指标值": "5",
        "度量单位": "个",
    }
    targets.append([row.get(h) for h in headers])
    wb.save(path)
    dept = load_workbook(path)
    assert dept.name == "某某局" and dept.projects.iloc[0]["executed"] == 90000
    t = dept.targets.iloc[0]
    assert (t["value_op"], t["value_num"], t["value_unit"]) == (">=", 5, "个")


def test_published_text_starting_with_equals_stays_text(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "d.xlsx", clean_records())
    wb = openpyxl.load_workbook(path)
    ws = wb["目标表指标"]
    col = [c.value for c in ws[1]].index("指标值") + 1
    assert ws.cell(2, col).value == "=100%" and ws.cell(2, col).data_type == "s"


def test_records_and_file_give_the_same_department(tmp_path: Path) -> None:
    from_records = department_from_records(clean_records())
    from_file = load_workbook(write_workbook(tmp_path / "d.xlsx", clean_records()))
    for key in from_records.tables:
        a = from_records.tables[key].drop(
            columns=[c for c in from_records.tables[key] if c.endswith("_parsed")]
        )
        b = from_file.tables[key].drop(
            columns=[c for c in from_file.tables[key] if c.endswith("_parsed")]
        )
        assert a.astype(str).equals(b.astype(str)), key
    assert from_records.info == from_file.info


def test_raw_form_has_header_row_then_data() -> None:
    raw = records_to_raw(clean_records())
    assert raw["项目清单"][0][0] == 1 and raw["项目清单"][1][0] == 2
