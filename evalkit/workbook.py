"""Loading and validating a department workbook (部门评估底稿).

``load_workbook(path)`` reads an ``.xlsx`` read-only (cached formula values, nothing is
evaluated, the file is never written), validates every sheet against
:mod:`evalkit.schema`, and returns a :class:`~evalkit.model.Department`. Validation is
lazy: every problem of the workbook is collected and raised together in one
:class:`~evalkit.errors.WorkbookError`.

The cells are read by :mod:`evalkit.xlsxread`, which gives exactly what openpyxl gives
(read-only, cached values) several times faster; a workbook it does not read exactly is
read with openpyxl as before. The validation remembers each distinct cell value's
outcome per column, since tables repeat the same few texts thousands of times.

``validate_workbook(path)`` runs the same validation without building the department: a
batch worker checks its input with it before the kernels start on the notebooks. Nothing
here imports pandas: the department holds each table as the validated rows, and builds
its DataFrame when it is first read (:class:`~evalkit.model.Tables`).

``share_parts`` and ``join_shares`` let several processes load one workbook together, each
reading and validating the worksheets it claims (:mod:`evalkit.prefetch`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import gc
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import Problem, WorkbookError
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

if TYPE_CHECKING:
    from .forking import Claims
    from .model import Department, Tables

#: A raw workbook: sheet name -> list of (Excel row number, cell values).
RawWorkbook = dict[str, list[tuple[int, tuple[Any, ...]]]]
#: One table sheet's validated rows, one dict per data row (the DataFrame's columns).
Records = list[dict[str, Any]]
#: How :func:`read_raw` reads the cells (see there).
Engine = Literal["auto", "fast", "openpyxl"]


@dataclass(frozen=True)
class Limits:
    """Bounds on what the loader reads, so a huge or hostile file fails fast."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_rows: int = 20_000
    max_columns: int = 80


DEFAULT_LIMITS = Limits()
_FIELDS_SHEET = next(s for s in SHEETS if s.kind == "fields")
_TABLE_SHEETS = {s.name: s for s in SHEETS if s.kind == "table"}

_EMPTY_TEXTS = {"", "null", "none", "nan", "—", "-", "--", "/", "无"}


# ----------------------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------------------
def load_workbook(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Department:
    """Load, validate and parse one department workbook.

    Raises :class:`WorkbookError` listing every problem found.
    """
    p = Path(path)
    with _gc_paused():
        raw = read_raw(p, limits=limits)
        return build_department(raw, path=str(p), sha256=_sha256(p))


def validate_workbook(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Validate one department workbook exactly as :func:`load_workbook` does, without
    building the department (nor importing pandas); the fields of its 《部门信息》 sheet.

    Raises :class:`WorkbookError` listing every problem found.
    """
    p = Path(path)
    with _gc_paused():
        raw = read_raw(p, limits=limits)
        info, _, _, _ = _validate(raw, str(p))
    return info


@dataclass(frozen=True)
class Share:
    """A share of a workbook's worksheets, read and validated without a problem (see
    :func:`share_parts`): what :func:`join_shares` needs of it, and it pickles."""

    titles: tuple[str, ...]
    fields: tuple[dict[str, Any], dict[str, str], dict[str, int]] | None
    records: dict[str, Records]


def share_parts(
    path: str | Path, claims: Claims, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Share | None]:
    """Read and validate the worksheets this process claims from ``claims`` (see
    :func:`evalkit.xlsxread.iter_values`), for processes that load one workbook together,
    in parts, each given as soon as it is made, for a process that sends them on while it
    reads the next worksheet (:class:`evalkit.forking.ForkedStream`): one share per
    claimed table sheet, holding its validated rows, then, last, the share of the titles
    of all the worksheets read and of the 《部门信息》 fields. :func:`join_shares` takes
    the parts as they are.

    ``None``, and nothing after it, as soon as anything is not plain (a problem in a
    worksheet, a file-level problem, a workbook the fast reader does not read): the parts
    given before it are then no use, and the caller loads the workbook as a whole
    (:func:`load_workbook`), which reports the problems exactly as it always does.
    """
    from .xlsxread import Unsupported, iter_values

    p = Path(path)
    v = _Validator(str(p))
    raw: RawWorkbook = {}
    with _gc_paused():
        try:
            _check_file(p, limits)
            sheets = iter_values(
                p, max_rows=limits.max_rows, max_columns=limits.max_columns, claims=claims
            )
            for sheet in sheets:
                if sheet.truncated:
                    yield None
                    return
                raw[sheet.title] = sheet.rows
                sh = _TABLE_SHEETS.get(sheet.title)
                if sh is None:
                    continue
                records = v.table(raw, sh)
                if v.problems:
                    yield None
                    return
                _as_in_frame(sh, records)
                yield Share((), None, {sh.key: records})
        except (WorkbookError, Unsupported):
            yield None
            return
        fields = v.fields(raw) if _FIELDS_SHEET.name in raw else None
        yield None if v.problems else Share(tuple(raw), fields, {})


def join_shares(shares: Sequence[Share], *, path: str | Path) -> Department | None:
    """The department the shares of a workbook make together, exactly as
    :func:`load_workbook` builds it; ``None`` when they do not make a workbook without
    problems (a sheet missing, a cross-sheet problem, a title in two shares)."""
    from .model import Department

    p = Path(path)
    titles = [t for s in shares for t in s.titles]
    if len(set(titles)) != len(titles):
        return None
    with _gc_paused():
        v = _Validator(str(p))
        fields = next((s.fields for s in shares if s.fields is not None), None)
        info, info_text, info_rows = fields if fields is not None else v.fields({})
        records: dict[str, Records] = {}
        for s in shares:
            records.update(s.records)
        for sh in SHEETS:
            if sh.kind == "table" and sh.key not in records:
                records[sh.key] = v.table({}, sh)
        v.cross_check(records)
        if v.problems:
            return None
        return Department(str(p), _sha256(p), info, info_text, info_rows, _tables(records))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: a workbook is hundreds of thousands of
    small objects, none of them garbage, and collections triggered by allocating them kept
    walking all of them (about a third of the validation time). Collection resumes after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_raw(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    engine: Engine = "auto",
) -> RawWorkbook:
    """Read the cell values of every sheet (cached values of formulas, nothing evaluated).

    ``engine="auto"`` reads with :mod:`evalkit.xlsxread` and falls back to openpyxl for a
    workbook it does not read exactly (the same values either way); ``"fast"`` raises
    :class:`~evalkit.xlsxread.Unsupported` instead of falling back; ``"openpyxl"`` always
    uses openpyxl. The file-level checks come first in every case.
    """
    name = str(path)
    _check_file(path, limits)
    if engine != "openpyxl":
        from .xlsxread import Unsupported, iter_values

        try:
            sheets = list(
                iter_values(path, max_rows=limits.max_rows, max_columns=limits.max_columns)
            )
        except Unsupported:
            if engine == "fast":
                raise
        else:
            raw: RawWorkbook = {}
            problems: list[Problem] = []
            for sheet in sheets:
                if sheet.truncated:
                    problems.append(_too_many_rows(name, sheet.title, limits))
                raw[sheet.title] = sheet.rows
            if problems:
                raise WorkbookError(name, problems)
            return raw
    return _read_raw_openpyxl(path, limits)


def _too_many_rows(name: str, sheet: str, limits: Limits) -> Problem:
    return Problem("too_many_rows", f"行数超过上限 {limits.max_rows} 行，已停止读取", name, sheet)


def _read_raw_openpyxl(path: Path, limits: Limits) -> RawWorkbook:
    name = str(path)
    import warnings

    import openpyxl

    # openpyxl gets an open file rather than the path: when it fails half-way through
    # opening the workbook it leaves its own file handle open
    with path.open("rb") as fh:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns on unknown extensions
                wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on corrupt input
            problem = Problem("unreadable", f"无法读取工作簿：{exc}", name)
            raise WorkbookError(name, [problem]) from None
        _east_asian_dates(wb)
        return _openpyxl_rows(wb, name, limits)


def _east_asian_dates(wb: Any) -> None:
    """Have openpyxl read cells in East Asian built-in date formats as dates.

    openpyxl knows only the built-in date formats of the English locale; a cell that
    Chinese Excel formats as ``2024年9月30日`` (built-in id 31, no format code in the file)
    comes back as its serial number. The fast reader treats these ids as dates, and so
    does this path, by adding their styles to the read-only reader's date index.
    """
    from .xlsxread import EAST_ASIAN_DATE_IDS

    styles = getattr(wb, "_cell_styles", ())
    extra = {i for i, style in enumerate(styles) if style.numFmtId in EAST_ASIAN_DATE_IDS}
    if extra:
        wb._date_formats = set(wb._date_formats) | extra


def _openpyxl_rows(wb: Any, name: str, limits: Limits) -> RawWorkbook:
    raw: RawWorkbook = {}
    problems: list[Problem] = []
    try:
        for ws in wb.worksheets:
            rows: list[tuple[int, tuple[Any, ...]]] = []
            for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if i > limits.max_rows + 1:
                    problems.append(_too_many_rows(name, ws.title, limits))
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
    from .model import Department

    with _gc_paused():
        info, info_text, info_rows, records = _validate(raw, path)
        for sh in SHEETS:
            if sh.kind == "table":
                _as_in_frame(sh, records[sh.key])
        return Department(path, sha256, info, info_text, info_rows, _tables(records))


def _tables(records: dict[str, Records]) -> Tables:
    """The department's tables, as rows that become DataFrames when first read."""
    from .model import Tables

    return Tables(
        rows={sh.key: (_frame_columns(sh), records[sh.key]) for sh in SHEETS if sh.kind == "table"}
    )


def _as_in_frame(sh: Sheet, records: Records) -> None:
    """Give a table's rows (in place) the values its DataFrame holds, as ``frame_records``
    gives them: the blanks of text and number columns, floats in a column of numbers with a
    float or a blank (see :func:`evalkit.model.blanks_as_in_frame`). Only the columns that
    can hold a blank or mix ints with floats are looked at; the others always hold texts
    (or the parsed indicator values, which a DataFrame keeps as they are)."""
    from .model import blanks_as_in_frame

    if records:
        blanks_as_in_frame(records, _mixed_columns(sh))


@functools.cache
def _mixed_columns(sh: Sheet) -> tuple[str, ...]:
    """The columns whose values can need a change: an indicator's operator, unit and band
    (a text or None) and the numbers of number, percent, money and int columns (ints,
    floats and NaN). An indicator's number and value are always a float or NaN, its kind
    a text, a date column holds dates and None (kept as they are in an object column)."""
    out: list[str] = []
    for col in sh.columns:
        if col.kind == "indicator":
            out += [f"{col.key}_{part}" for part in ("op", "unit", "band")]
        elif col.kind in _MEASURES and col.kind != "date":
            out.append(col.key)
    return tuple(out)


def _validate(
    raw: RawWorkbook, path: str
) -> tuple[dict[str, Any], dict[str, str], dict[str, int], dict[str, Records]]:
    """Every problem of a raw workbook (raised together), else its fields and table rows."""
    v = _Validator(path)
    info, info_text, info_rows = v.fields(raw)
    records = {sh.key: v.table(raw, sh) for sh in SHEETS if sh.kind == "table"}
    v.cross_check(records)
    if v.problems:
        raise WorkbookError(path, v.problems)
    return info, info_text, info_rows, records


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
    # imported here: OpenSSL's hashlib takes ≈ 7 ms to import, and ``evalkit check``
    # imports this module before it forks its readers, which never hash
    import hashlib

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
    cls = value.__class__
    if cls is str:
        return value.strip()
    if cls is int:
        return str(value)
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
    if value is None:
        return True
    cls = value.__class__
    if cls is str:
        return value.strip().lower() in _EMPTY_TEXTS
    if cls is int:
        return False  # digits never spell an empty form
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
        parsed, code, message = _scalar_outcome(col, value)
        if code is not None:
            self.add(code, message, sheet, row, header, value)
        return parsed

    # -- table sheets --------------------------------------------------------------------
    def table(self, raw: RawWorkbook, sh: Sheet) -> Records:
        """The sheet's valid rows (none when the sheet or a required column is missing)."""
        rows = raw.get(sh.name)
        if rows is None:
            if sh.required:
                self.add("missing_sheet", f"缺少工作表“{sh.name}”", sh.name)
            return []
        if not rows:
            if sh.required:
                self.add("missing_header", f"工作表“{sh.name}”没有表头行", sh.name, 1)
            return []
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
            return []
        plan = _TablePlan(sh, positions)
        checked = tuple(i for k, i in positions.items() if k != "note")
        records: list[dict[str, Any]] = []
        seen_keys: dict[tuple[str, ...], int] = {}
        for rowno, values in rows[1:]:
            n = len(values)
            for i in checked:
                if i < n and not is_blank(values[i]):
                    break
            else:
                continue  # a blank row (a note alone does not count)
            rec = self._row(plan, rowno, values if n >= plan.width else _pad(values, plan.width))
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
        return records

    def _row(self, plan: _TablePlan, rowno: int, values: Sequence[Any]) -> dict[str, Any]:
        """One data row as a record; ``values`` is at least ``plan.width`` long."""
        sheet = plan.sheet.name
        rec: dict[str, Any] = {"_row": rowno}
        # unit first: money columns need it
        unit_scale: float | None = 1.0
        if plan.unit_index >= 0:
            unit_text = cell_text(values[plan.unit_index])
            if unit_text in MONEY_SCALE:
                unit_scale = MONEY_SCALE[unit_text]
            else:
                unit_scale = None
                if unit_text:
                    self.add(
                        "bad_choice",
                        f"金额单位“{unit_text}”无法识别（应为元、万元或亿元）",
                        sheet,
                        rowno,
                        "金额单位",
                        unit_text,
                    )
                else:
                    self.add("missing_value", "必填列“金额单位”为空", sheet, rowno, "金额单位")
        for c in plan.columns:
            value = values[c.index] if c.index >= 0 else None
            memo = c.memo
            key = value if value.__class__ is str else (value.__class__, value)
            try:
                blank, parsed_value, code, message, text = memo[key]
            except KeyError:
                blank, parsed_value, code, message, text = memo[key] = _cell_entry(c, value)
            except TypeError:  # an unhashable value (records built in code)
                blank, parsed_value, code, message, text = _cell_entry(c, value)
            if c.check_blank and blank:
                self.add("missing_value", c.missing, sheet, rowno, c.header)
            kind = c.kind
            if kind == "indicator":
                parsed = _parse_indicator_cell(
                    value,
                    values[c.op_index] if c.op_index >= 0 else None,
                    values[c.unit_index] if c.unit_index >= 0 else None,
                )
                if parsed.kind == "invalid":
                    self.add(
                        "bad_indicator",
                        parsed.error or "无法识别的指标值",
                        sheet,
                        rowno,
                        c.header,
                        value,
                    )
                f = c.fields
                rec[f[0]] = parsed.text
                rec[f[1]] = parsed.op
                number = parsed.number
                rec[f[2]] = math.nan if number is None else number
                rec[f[3]] = math.nan if number is None else parsed.value
                rec[f[4]] = parsed.unit
                rec[f[5]] = parsed.kind
                rec[f[6]] = parsed.band
                rec[f[7]] = parsed
                continue
            if c.verbatim:  # text and subject: the text itself
                rec[c.key] = parsed_value
                continue
            if code is not None:
                self.add(code, message, sheet, rowno, c.header, value)
            if kind == "money":
                if c.required and parsed_value is None and blank:
                    self.add("missing_value", c.missing, sheet, rowno, c.header)
                if parsed_value is not None and parsed_value < 0:
                    self.add("negative_money", f"金额为负数：{text}", sheet, rowno, c.header, value)
                parsed_value = (
                    None
                    if parsed_value is None or unit_scale is None
                    else round(parsed_value * unit_scale, 6)
                )
            if c.text_key:
                rec[c.key] = math.nan if parsed_value is None and kind != "date" else parsed_value
                rec[c.text_key] = text
            else:
                rec[c.key] = parsed_value if parsed_value is not None else ""
        return rec

    # -- cross-sheet ---------------------------------------------------------------------
    def cross_check(self, tables: dict[str, Records]) -> None:
        # subject and name are verbatim texts: a str in every row
        known = {r["name"] for r in tables["projects"]} | {DEPARTMENT}
        for sh in SHEETS:
            if sh.kind != "table" or "subject" not in {c.key for c in sh.columns}:
                continue
            for rec in tables[sh.key]:
                rowno, subject = rec["_row"], rec["subject"]
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
        selfeval = {r["subject"] for r in tables["selfeval"]}
        for key in ("selfeval_funds", "selfeval_indicators", "tasks"):
            sheet_name = next(s.name for s in SHEETS if s.key == key)
            first_rows: dict[str, int] = {}
            for rec in tables[key]:
                first_rows.setdefault(rec["subject"], rec["_row"])
            for subject, first in first_rows.items():
                if subject and subject in known and subject not in selfeval:
                    self.add(
                        "missing_selfeval_total",
                        f"对象“{subject}”有自评明细，但《自评表》中没有它的总分行",
                        sheet_name,
                        first,
                        "对象",
                        subject,
                    )


def _scalar_outcome(col: Column, value: Any) -> tuple[Any, str | None, str]:
    """One non-indicator cell parsed for its column: (value, problem code or None, message).

    A pure function of the column's kind and choices and of the value, so tables remember
    it per distinct value."""
    if col.kind in ("text", "subject"):
        return ("" if value is None else cell_text(value)), None, ""
    if is_blank(value):
        return None, None, ""
    try:
        if col.kind == "int":
            num = parse_number(value)
            if num is None or not float(num).is_integer():
                raise ValueError(f"应为整数：“{cell_text(value)}”")
            return int(num), None, ""
        if col.kind in ("number", "percent", "money"):
            return parse_number(value), None, ""
        if col.kind == "date":
            return parse_date(value), None, ""
        if col.kind == "choice":
            text = cell_text(value)
            if col.choices and not col.open_choices and text not in col.choices:
                raise ValueError(f"“{text}”不在可选值中（{'、'.join(col.choices)}）")
            return text, None, ""
    except ValueError as exc:
        code = {"int": "bad_int", "date": "bad_date", "choice": "bad_choice"}.get(
            col.kind, "bad_number"
        )
        return None, code, str(exc)
    return cell_text(value), None, ""


_MEASURES = frozenset({"number", "percent", "money", "int", "date"})
_INDICATOR_PARTS = ("op", "num", "value", "unit", "kind", "band", "parsed")


class _ColumnPlan:
    """What the row loop needs of one column, worked out once per table."""

    __slots__ = (
        "check_blank",
        "column",
        "fields",
        "header",
        "index",
        "key",
        "kind",
        "memo",
        "missing",
        "op_index",
        "required",
        "text_key",
        "unit_index",
        "verbatim",
    )

    def __init__(self, col: Column, positions: dict[str, int]) -> None:
        self.column = col
        self.key = col.key
        self.header = col.header
        self.kind = col.kind
        self.required = col.required
        #: the column's position in the row, -1 when the sheet does not have it
        self.index = positions.get(col.key, -1)
        self.op_index = positions.get(col.operator_column, -1) if col.operator_column else -1
        self.unit_index = (
            positions.get(col.indicator_unit_column, -1) if col.indicator_unit_column else -1
        )
        self.check_blank = col.required and col.kind != "money"
        self.missing = f"必填列“{col.header}”为空"
        self.verbatim = col.kind in ("text", "subject")
        self.text_key = f"{col.key}_text" if col.kind in _MEASURES else ""
        self.fields = (col.key, *(f"{col.key}_{s}" for s in _INDICATOR_PARTS))
        #: cell value -> _cell_entry: tables repeat the same few values many times
        self.memo: dict[Any, tuple[bool, Any, str | None, str, str]] = {}


class _TablePlan:
    def __init__(self, sh: Sheet, positions: dict[str, int]) -> None:
        self.sheet = sh
        self.columns = tuple(_ColumnPlan(c, positions) for c in sh.columns)
        has_money = any(c.kind == "money" for c in sh.columns)
        #: where the row's 金额单位 is, when money columns need it; else -1
        self.unit_index = positions.get("unit", -1) if has_money else -1
        #: rows shorter than this are padded with None
        self.width = max(positions.values(), default=-1) + 1


def _cell_entry(c: _ColumnPlan, value: Any) -> tuple[bool, Any, str | None, str, str]:
    """(blank, parsed value, problem code or None, problem message, verbatim text) of one
    cell in its column; a pure function of the column and the value."""
    blank = is_blank(value)
    if c.kind == "indicator":
        return blank, None, None, "", ""
    if c.verbatim:
        return blank, ("" if value is None else cell_text(value)), None, "", ""
    parsed, code, message = _scalar_outcome(c.column, value)
    return blank, parsed, code, message, cell_text(value)


def _pad(values: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    return tuple(values) + (None,) * (width - len(values))


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


def frame_columns(sheet_key: str) -> Sequence[str]:
    """The DataFrame columns the loader produces for a sheet key."""
    return _frame_columns(next(s for s in SHEETS if s.key == sheet_key))


def iter_problems(error: WorkbookError) -> Iterable[Problem]:
    return iter(error.problems)
