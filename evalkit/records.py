"""Department records: the plain-data form of a workbook, and writing it as ``.xlsx``.

A *records* mapping uses the workbook's own Chinese names::

    {
        "部门信息": {"部门编码": "ningxian-gxj", "部门名称": "…", "年度": 2024,
                     "人员经费（万元）": {"值": "29 2.4", "备注": "读作 292.4"}},
        "项目清单": [{"项目名称": "…", "新增或延续": "新增", …}, …],
        …
    }

The same records feed :func:`write_workbook` (a real Excel file with header notes and
drop-downs; with no records it is the blank template) and :func:`department_from_records`
(the loader's validation without a file, for tests). Seed transcriptions in
``data/sources/*.yaml`` are records too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .model import Department
from .schema import FIELD_SHEET_HEADERS, INFO_FIELDS, SHEETS, Column, Sheet
from .workbook import RawWorkbook, build_department

Records = Mapping[str, Any]


def _field_value(entry: Any) -> tuple[Any, str]:
    if isinstance(entry, Mapping):
        return entry.get("值"), str(entry.get("备注") or "")
    return entry, ""


def records_to_raw(records: Records) -> RawWorkbook:
    """The raw workbook that :func:`write_workbook` would produce, without Excel."""
    raw: RawWorkbook = {}
    for sh in SHEETS:
        if sh.name not in records:
            continue
        data = records[sh.name]
        if sh.kind == "fields":
            rows = [(1, FIELD_SHEET_HEADERS)]
            for i, (label, entry) in enumerate(data.items(), start=2):
                value, note = _field_value(entry)
                rows.append((i, (label, value, note)))
            raw[sh.name] = rows
        else:
            headers = _headers_for(sh, data)
            rows = [(1, tuple(headers))]
            for i, rec in enumerate(data, start=2):
                rows.append((i, tuple(rec.get(h) for h in headers)))
            raw[sh.name] = rows
    return raw


def department_from_records(records: Records, *, path: str = "<records>") -> Department:
    """Validate records exactly as the loader validates a workbook file."""
    return build_department(records_to_raw(records), path=path)


def load_records(path: str | Path) -> dict[str, Any]:
    """Records from a YAML transcription (safe loader)."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: 顶层应为以工作表名称为键的映射")
    return data


def _headers_for(sh: Sheet, data: Sequence[Mapping[str, Any]]) -> list[str]:
    headers = list(sh.headers)
    extra: list[str] = []
    for rec in data:
        for h in rec:
            if h not in headers and h not in extra:
                extra.append(h)
    return headers + extra


def write_workbook(path: str | Path, records: Records | None = None) -> Path:
    """Write records as a department workbook (``records=None`` writes the blank template).

    The file is written to a temporary name and renamed, so a crash never leaves a
    half-written workbook behind.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    records = records or {}
    target = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    wrap = Alignment(wrap_text=True, vertical="top")

    for sh in SHEETS:
        ws = wb.create_sheet(sh.name)
        ws.sheet_properties.tabColor = "4472C4" if sh.required else "A5A5A5"
        if sh.kind == "fields":
            data: Mapping[str, Any] = records.get(sh.name, {})
            ws.append(list(FIELD_SHEET_HEADERS))
            labels = list(data) if data else [c.header for c in INFO_FIELDS]
            by_label = {c.header: c for c in INFO_FIELDS}
            for label in labels:
                value, note = _field_value(data.get(label)) if data else (None, "")
                ws.append([label, value, note])
                col = by_label.get(label)
                r = ws.max_row
                _as_text(ws.cell(r, 2))
                if col is not None:
                    help_text = (
                        col.help
                        + ("（必填）" if col.required else "")
                        + (f"，例：{col.example}" if col.example else "")
                    )
                    ws.cell(r, 1).comment = Comment(help_text, "evalkit")
                    if col.required:
                        ws.cell(r, 1).fill = required_fill
                    if col.kind == "choice" and col.choices:
                        _add_list_validation(ws, DataValidation, col, f"B{r}")
                ws.cell(r, 2).alignment = wrap
            for c in ws[1]:
                c.font, c.fill = bold, fill
            ws.column_dimensions["A"].width = 22
            ws.column_dimensions["B"].width = 70
            ws.column_dimensions["C"].width = 40
            ws.freeze_panes = "A2"
            continue
        rows: Sequence[Mapping[str, Any]] = records.get(sh.name, [])
        headers = _headers_for(sh, rows)
        ws.append(headers)
        # Track the row number: ``ws.max_row`` and ``ws[row]`` scan every cell of the
        # sheet, which made writing quadratic in the number of rows.
        for rowno, rec in enumerate(rows, start=2):
            values = [rec.get(h) for h in headers]
            ws.append(values)
            for col, value in enumerate(values, start=1):
                if isinstance(value, str) and value.startswith("="):
                    _as_text(ws.cell(rowno, col))
        by_header = {c.header: c for c in sh.columns}
        last = max(ws.max_row, 500)
        for idx, h in enumerate(headers, start=1):
            cell = ws.cell(1, idx)
            cell.font, cell.fill = (
                bold,
                (required_fill if by_header.get(h) and by_header[h].required else fill),
            )
            col = by_header.get(h)
            letter = cell.column_letter
            ws.column_dimensions[letter].width = 28 if col and col.kind == "text" else 14
            if col is None:
                continue
            cell.comment = Comment(_column_note(col), "evalkit")
            if col.kind == "choice" and col.choices:
                _add_list_validation(ws, DataValidation, col, f"{letter}2:{letter}{last}")
            if col.kind == "text" and col.key == "level1":
                _add_list_validation(ws, DataValidation, col, f"{letter}2:{letter}{last}")
        ws.freeze_panes = "A2"

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".evalkit-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _as_text(cell: Any) -> None:
    """Keep published text such as ``=100%`` as text: never let it become a formula."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
        cell.quotePrefix = True


def _column_note(col: Column) -> str:
    parts = [col.help]
    if col.required:
        parts.append("必填")
    if col.choices:
        parts.append(
            "可选值：" + "、".join(col.choices) + ("（也可填写其他）" if col.open_choices else "")
        )
    if col.example:
        parts.append(f"例：{col.example}")
    return "；".join(parts)


def _add_list_validation(ws: Any, cls: Any, col: Column, ref: str) -> None:
    formula = '"' + ",".join(col.choices) + '"'
    dv = cls(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    dv.error = f"请从下拉列表中选择：{'、'.join(col.choices)}"
    dv.errorTitle = col.header
    dv.showErrorMessage = not col.open_choices
    dv.errorStyle = "stop" if not col.open_choices else "information"
    ws.add_data_validation(dv)
    dv.add(ref)
