"""Loading and validating a department workbook (部门评估底稿).

``load_workbook(path)`` reads an ``.xlsx`` read-only (cached formula values, nothing is
evaluated, the file is never written), validates every sheet against
:mod:`evalkit.schema`, and returns a :class:`~evalkit.model.Department`. Validation is
lazy: every problem of the workbook is collected and raised together in one
:class:`~evalkit.errors.WorkbookError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import Problem, WorkbookError
from .model import Department
from .schema import (
    DEPARTMENT,
    FIELD_SHEET_HEADERS,
    INFO_BY_LABEL,
    INFO_FIELDS,
    MONEY_SCALE,
    SHEETS,
    Column,
    Sheet,
)
from .values import IndicatorValue, parse_indicator, parse_number

#: A raw workbook: sheet name -> list of (Excel row number, cell values).
RawWorkbook = dict[str, list[tuple[int, tuple[Any, ...]]]]


@dataclass(frozen=True)
class Limits:
    """Bounds on what the loader reads, so a huge or hostile file fails fast."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 20_000
    max_columns: int = 80


DEFAULT_LIMITS = Limits()

_EMPTY_TEXTS = {"", "null", "none", "nan", "—", "-", "--", "/", "无"}


# ----------------------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------------------
def load_workbook(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Department:
    """Load, validate and parse one department workbook.

    Raises :class:`WorkbookError` listing every problem found.
    """
    p = Path(path)
    raw = read_raw(p, limits=limits)
    return build_department(raw, path=str(p), sha256=_sha256(p))


def read_raw(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    """Read the cell values of every sheet (cached values of formulas, nothing evaluated)."""
    name = str(path)
    _check_file(path, limits)
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns on unknown extensions
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on corrupt input
        raise WorkbookError(name, [Problem("unreadable", f"无法读取工作簿：{exc}", name)]) from None
    raw: RawWorkbook = {}
    problems: list[Problem] = []
    try:
        for ws in wb.worksheets:
            rows: list[tuple[int, tuple[Any, ...]]] = []
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if i > limits.max_rows + 1:
                    problems.append(
                        Problem(
                            "too_many_rows",
                            f"行数超过上限 {limits.max_rows} 行，已停止读取",
                            name,
                            ws.title,
                        )
                    )
                    break
                values = tuple(values[: limits.max_columns])
                if any(v is not None and str(v).strip() != "" for v in values):
                    rows.append((i, values))
            raw[ws.title] = rows
    except Exception as exc:
        problems.append(Problem("unreadable", f"读取工作表时出错：{exc}", name))
    finally:
        wb.close()
    if problems:
        raise WorkbookError(name, problems)
    return raw


def build_department(raw: RawWorkbook, *, path: str, sha256: str = "") -> Department:
    """Validate a raw workbook against the schema and build the department."""
    v = _Validator(path)
    info, info_text, info_rows = v.fields(raw)
    tables: dict[str, pd.DataFrame] = {}
    for sh in SHEETS:
        if sh.kind == "table":
            tables[sh.key] = v.table(raw, sh)
    v.cross_check(tables)
    if v.problems:
        raise WorkbookError(path, v.problems)
    return Department(path, sha256, info, info_text, info_rows, tables)


# ----------------------------------------------------------------------------------------
# file-level checks
# ----------------------------------------------------------------------------------------
def _check_file(path: Path, limits: Limits) -> None:
    name = str(path)

    def fail(code: str, message: str) -> WorkbookError:
        return WorkbookError(name, [Problem(code, message, name)])

    suffix = path.suffix.lower()
    if suffix in {".xlsm", ".xltm"}:
        raise fail("macro_workbook", "不接受含宏的工作簿（.xlsm）；请另存为 .xlsx 后再提交")
    if suffix in {".xls", ".et", ".wps"}:
        raise fail("legacy_workbook", "不接受旧版 Excel 格式（.xls）；请在 Excel 中另存为 .xlsx")
    if suffix != ".xlsx":
        raise fail("not_xlsx", f"不是 .xlsx 工作簿（扩展名为“{path.suffix}”）")
    if not path.is_file():
        raise fail("not_found", "文件不存在")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise fail(
            "too_large",
            f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {limits.max_file_bytes / 1024 / 1024:.0f} MB）",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(
            "encrypted_or_legacy", "文件是加密的工作簿或旧版 .xls 格式；请取消密码并另存为 .xlsx"
        )
    if not zipfile.is_zipfile(path):
        raise fail("corrupt", "文件已损坏或不是有效的 .xlsx（不是 zip 格式）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail("corrupt", f"文件已损坏：{exc}") from None
    if total > limits.max_uncompressed_bytes or total / packed > limits.max_compression_ratio:
        raise fail(
            "zip_bomb",
            f"解压后体积异常（{total / 1024 / 1024:.0f} MB，压缩比 {total / packed:.0f}），拒绝读取",
        )
    if "xl/vbaProject.bin" in names:
        raise fail("macro_workbook", "工作簿含宏（vbaProject.bin）；请删除宏并另存为 .xlsx")
    if "xl/workbook.xml" not in names:
        raise fail("corrupt", "文件不是有效的 .xlsx（缺少 xl/workbook.xml）")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------------------
# cell parsing
# ----------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """The verbatim text of a cell value, as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return cell_text(value).strip().lower() in _EMPTY_TEXTS


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> dt.date | None:
    """A date from a date cell or text in several forms; ``ValueError`` if unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_blank(value):
        return None
    text = cell_text(value)
    for pat in _DATE_PATTERNS:
        m = pat.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise ValueError(f"不是有效日期：“{text}”（应写作 2024-02-18 或 2024年2月18日）")


def _norm_header(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", cell_text(value))


# ----------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------
class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(
        self,
        code: str,
        message: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        text = None if value is None else cell_text(value)[:200]
        self.problems.append(Problem(code, message, self.path, sheet, row, column, text))

    # -- 部门信息 -------------------------------------------------------------------------
    def fields(self, raw: RawWorkbook) -> tuple[dict[str, Any], dict[str, str], dict[str, int]]:
        sheet = next(s for s in SHEETS if s.kind == "fields")
        info: dict[str, Any] = {c.key: None for c in INFO_FIELDS}
        texts: dict[str, str] = {c.key: "" for c in INFO_FIELDS}
        rows_at: dict[str, int] = {}
        rows = raw.get(sheet.name)
        if rows is None:
            self.add("missing_sheet", f"缺少工作表“{sheet.name}”", sheet.name)
            return info, texts, rows_at
        body = rows
        if rows and _norm_header(rows[0][1][0] if rows[0][1] else "") == FIELD_SHEET_HEADERS[0]:
            body = rows[1:]
        for rowno, values in body:
            label = _norm_header(values[0] if values else None)
            value = values[1] if len(values) > 1 else None
            if not label:
                continue
            col = INFO_BY_LABEL.get(label)
            if col is None:
                close = difflib.get_close_matches(label, INFO_BY_LABEL, n=1)
                hint = f"（是否为“{close[0]}”？）" if close else ""
                self.add(
                    "unknown_field", f"未知字段“{label}”{hint}", sheet.name, rowno, "字段", label
                )
                continue
            if col.key in rows_at:
                self.add(
                    "duplicate_field",
                    f"字段“{label}”重复出现（首次在第{rows_at[col.key]}行）",
                    sheet.name,
                    rowno,
                    "字段",
                    label,
                )
                continue
            rows_at[col.key] = rowno
            texts[col.key] = cell_text(value)
            info[col.key] = self._parse_scalar(col, value, sheet.name, rowno, "值")
        for col in INFO_FIELDS:
            if col.required and (info[col.key] is None or info[col.key] == ""):
                where = rows_at.get(col.key)
                self.add(
                    "missing_value",
                    f"必填字段“{col.header}”为空",
                    sheet.name,
                    where,
                    "值" if where else "字段",
                )
        dept_id = info.get("dept_id")
        if dept_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", str(dept_id)):
            self.add(
                "bad_dept_id",
                "部门编码只能包含字母、数字、下划线和连字符（最长64位），用于输出目录名",
                sheet.name,
                rows_at.get("dept_id"),
                "值",
                dept_id,
            )
        return info, texts, rows_at

    def _parse_scalar(self, col: Column, value: Any, sheet: str, row: int, header: str) -> Any:
        if col.kind in ("text", "subject"):
            return "" if value is None else cell_text(value)
        if is_blank(value):
            return None
        try:
            if col.kind == "int":
                num = parse_number(value)
                if num is None or not float(num).is_integer():
                    raise ValueError(f"应为整数：“{cell_text(value)}”")
                return int(num)
            if col.kind in ("number", "percent", "money"):
                return parse_number(value)
            if col.kind == "date":
                return parse_date(value)
            if col.kind == "choice":
                text = cell_text(value)
                if col.choices and not col.open_choices and text not in col.choices:
                    raise ValueError(f"“{text}”不在可选值中（{'、'.join(col.choices)}）")
                return text
        except ValueError as exc:
            code = {"int": "bad_int", "date": "bad_date", "choice": "bad_choice"}.get(
                col.kind, "bad_number"
            )
            self.add(code, str(exc), sheet, row, header, value)
            return None
        return cell_text(value)

    # -- table sheets --------------------------------------------------------------------
    def table(self, raw: RawWorkbook, sh: Sheet) -> pd.DataFrame:
        empty = _empty_frame(sh)
        rows = raw.get(sh.name)
        if rows is None:
            if sh.required:
                self.add("missing_sheet", f"缺少工作表“{sh.name}”", sh.name)
            return empty
        if not rows:
            if sh.required:
                self.add("missing_header", f"工作表“{sh.name}”没有表头行", sh.name, 1)
            return empty
        header_row, header_values = rows[0]
        positions: dict[str, int] = {}
        seen: dict[str, int] = {}
        for idx, value in enumerate(header_values):
            h = _norm_header(value)
            if not h:
                continue
            if h in seen:
                self.add("duplicate_column", f"列“{h}”重复出现", sh.name, header_row, h)
                continue
            seen[h] = idx
        headers_present = list(seen)
        ok = True
        for col in sh.columns:
            if col.header in seen:
                positions[col.key] = seen[col.header]
            elif col.required:
                close = difflib.get_close_matches(col.header, headers_present, n=1, cutoff=0.5)
                hint = f"（表头中有“{close[0]}”，是否改了列名？）" if close else ""
                self.add(
                    "missing_column",
                    f"缺少必需列“{col.header}”{hint}",
                    sh.name,
                    header_row,
                    col.header,
                )
                ok = False
        if not ok:
            return empty
        records: list[dict[str, Any]] = []
        seen_keys: dict[tuple[str, ...], int] = {}
        for rowno, values in rows[1:]:
            cells = {k: (values[i] if i < len(values) else None) for k, i in positions.items()}
            if all(is_blank(v) for k, v in cells.items() if k != "note"):
                continue
            rec = self._row(sh, rowno, cells)
            if sh.unique:
                key = tuple(str(rec.get(k, "")) for k in sh.unique)
                if key in seen_keys:
                    label = "、".join(sh.column(k).header for k in sh.unique)
                    self.add(
                        "duplicate_row",
                        f"“{'、'.join(key)}”重复（{label}应唯一，首次出现在第{seen_keys[key]}行）",
                        sh.name,
                        rowno,
                        sh.column(sh.unique[0]).header,
                        key[0],
                    )
                else:
                    seen_keys[key] = rowno
            records.append(rec)
        if not records:
            return empty
        return pd.DataFrame.from_records(records, columns=list(empty.columns))

    def _row(self, sh: Sheet, rowno: int, cells: dict[str, Any]) -> dict[str, Any]:
        rec: dict[str, Any] = {"_row": rowno}
        # unit first: money columns need it
        unit_scale: float | None = 1.0
        if "unit" in cells and any(c.kind == "money" for c in sh.columns):
            unit_text = cell_text(cells.get("unit"))
            if unit_text in MONEY_SCALE:
                unit_scale = MONEY_SCALE[unit_text]
            else:
                unit_scale = None
                if unit_text:
                    self.add(
                        "bad_choice",
                        f"金额单位“{unit_text}”无法识别（应为元、万元或亿元）",
                        sh.name,
                        rowno,
                        "金额单位",
                        unit_text,
                    )
                else:
                    self.add("missing_value", "必填列“金额单位”为空", sh.name, rowno, "金额单位")
        for col in sh.columns:
            value = cells.get(col.key)
            if col.required and is_blank(value) and col.kind != "money":
                self.add("missing_value", f"必填列“{col.header}”为空", sh.name, rowno, col.header)
            if col.kind == "indicator":
                op = cells.get(col.operator_column) if col.operator_column else None
                unit = cells.get(col.indicator_unit_column) if col.indicator_unit_column else None
                parsed = _parse_indicator_cell(value, op, unit)
                if parsed.kind == "invalid":
                    self.add(
                        "bad_indicator",
                        parsed.error or "无法识别的指标值",
                        sh.name,
                        rowno,
                        col.header,
                        value,
                    )
                rec.update(_indicator_fields(col.key, parsed))
                continue
            parsed_value = self._parse_scalar(col, value, sh.name, rowno, col.header)
            if col.kind == "money":
                if col.required and parsed_value is None and is_blank(value):
                    self.add(
                        "missing_value", f"必填列“{col.header}”为空", sh.name, rowno, col.header
                    )
                if parsed_value is not None and parsed_value < 0:
                    self.add(
                        "negative_money",
                        f"金额为负数：{cell_text(value)}",
                        sh.name,
                        rowno,
                        col.header,
                        value,
                    )
                parsed_value = (
                    None
                    if parsed_value is None or unit_scale is None
                    else round(parsed_value * unit_scale, 6)
                )
            if col.kind in ("number", "percent", "money", "int", "date"):
                rec[col.key] = (
                    math.nan if parsed_value is None and col.kind != "date" else parsed_value
                )
                rec[f"{col.key}_text"] = cell_text(value)
            else:
                rec[col.key] = parsed_value if parsed_value is not None else ""
        return rec

    # -- cross-sheet ---------------------------------------------------------------------
    def cross_check(self, tables: dict[str, pd.DataFrame]) -> None:
        projects = set(tables["projects"]["name"]) if "name" in tables["projects"] else set()
        known = projects | {DEPARTMENT}
        for sh in SHEETS:
            if sh.kind != "table" or "subject" not in {c.key for c in sh.columns}:
                continue
            df = tables[sh.key]
            for rowno, subject in zip(df["_row"], df["subject"], strict=True):
                if subject and subject not in known:
                    close = difflib.get_close_matches(subject, list(known), n=1, cutoff=0.6)
                    hint = (
                        f"（是否为“{close[0]}”？）"
                        if close
                        else "（请先在《项目清单》中登记该项目）"
                    )
                    self.add(
                        "unknown_subject",
                        f"对象“{subject}”不是“部门整体”，也不在《项目清单》中{hint}",
                        sh.name,
                        int(rowno),
                        "对象",
                        subject,
                    )
        selfeval = set(tables["selfeval"]["subject"])
        for key in ("selfeval_funds", "selfeval_indicators", "tasks"):
            df = tables[key]
            sheet_name = next(s.name for s in SHEETS if s.key == key)
            for subject in dict.fromkeys(df["subject"]):
                if subject and subject in known and subject not in selfeval:
                    first = int(df.loc[df["subject"] == subject, "_row"].iloc[0])
                    self.add(
                        "missing_selfeval_total",
                        f"对象“{subject}”有自评明细，但《自评表》中没有它的总分行",
                        sheet_name,
                        first,
                        "对象",
                        subject,
                    )


def _parse_indicator_cell(value: Any, operator: Any, unit: Any) -> IndicatorValue:
    """:func:`~evalkit.values.parse_indicator` of one cell, remembered per distinct
    (value, operator, unit): tables repeat the same few texts (``=100%``, ``≥90%``, the
    bands …) thousands of times, and an :class:`IndicatorValue` is immutable."""
    try:
        return _parse_indicator_cached(value, operator, unit)
    except TypeError:  # an unhashable cell value: parse it directly
        return parse_indicator(value, operator=operator, unit=unit)


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _parse_indicator_cached(value: Any, operator: Any, unit: Any) -> IndicatorValue:
    return parse_indicator(value, operator=operator, unit=unit)


def _indicator_fields(key: str, parsed: IndicatorValue) -> dict[str, Any]:
    return {
        key: parsed.text,
        f"{key}_op": parsed.op,
        f"{key}_num": math.nan if parsed.number is None else parsed.number,
        f"{key}_value": math.nan if parsed.value is None else parsed.value,
        f"{key}_unit": parsed.unit,
        f"{key}_kind": parsed.kind,
        f"{key}_band": parsed.band,
        f"{key}_parsed": parsed,
    }


def _frame_columns(sh: Sheet) -> list[str]:
    cols = ["_row"]
    for col in sh.columns:
        if col.kind == "indicator":
            cols += [col.key] + [
                f"{col.key}_{s}" for s in ("op", "num", "value", "unit", "kind", "band", "parsed")
            ]
        elif col.kind in ("number", "percent", "money", "int", "date"):
            cols += [col.key, f"{col.key}_text"]
        else:
            cols.append(col.key)
    return cols


def _empty_frame(sh: Sheet) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in _frame_columns(sh)})


def frame_columns(sheet_key: str) -> Sequence[str]:
    """The DataFrame columns the loader produces for a sheet key."""
    return _frame_columns(next(s for s in SHEETS if s.key == sheet_key))


def iter_problems(error: WorkbookError) -> Iterable[Problem]:
    return iter(error.problems)
