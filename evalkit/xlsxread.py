"""A fast reader of the cell values of an ``.xlsx`` workbook, exact or not at all.

:func:`iter_values` gives, sheet by sheet, exactly the rows the loader used to get from
``openpyxl.load_workbook(path, read_only=True, data_only=True)`` and
``ws.iter_rows(values_only=True)`` (cached values of formulas, ``int`` for ``1`` and
``float`` for ``1.5``, booleans, dates for number-formatted date cells, missing cells as
``None``, rows as wide as the sheet's ``<dimension>``), already cut to the loader's
:class:`~evalkit.workbook.Limits` and with blank rows dropped. It reads the zip members
itself and scans each worksheet's ``<sheetData>`` with one regular expression instead of
building an element per cell, which is several times faster than openpyxl.

It is exact or it refuses: anything it does not handle exactly as openpyxl does (another
encoding, a DTD, a 1904 date system, a duration format, ``t="d"`` cells, external links,
malformed XML, a chartsheet, …) raises :class:`Unsupported`, and the caller reads the file
with openpyxl as before, which gives the same values or the same error as it always did.
Cells in unusual forms (extra attributes, rich text, comments, CDATA, …) are parsed one by
one with :mod:`xml.etree.ElementTree`; a worksheet the scanner does not recognise at all
is parsed as a whole with it. ``tests/test_xlsxread.py`` compares all three ways with
openpyxl on a broad corpus.

What it does not repeat is openpyxl's validation of parts that carry no cell values
(document properties, fonts and fills, sheet views, print settings): a workbook whose only
fault is a malformed value there is read here, where openpyxl refused it.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .forking import Claims

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.%s.main+xml"
_MACRO_MAIN = "application/vnd.ms-excel.%s.macroEnabled.main+xml"
XLSX = _WORKBOOK_MAIN % "sheet"
#: openpyxl's search order for the workbook part
_WORKBOOK_TYPES = (
    _MACRO_MAIN % "template",
    _WORKBOOK_MAIN % "template",
    _MACRO_MAIN % "sheet",
    XLSX,
)
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

_ROW = f"{{{MAIN_NS}}}row"
_CELL_V = f"{{{MAIN_NS}}}v"
_CELL_IS = f"{{{MAIN_NS}}}is"
_SI = f"{{{MAIN_NS}}}si"
_DIMENSION = f"{{{MAIN_NS}}}dimension"
_SHEET_DATA = f"{{{MAIN_NS}}}sheetData"
_WORKSHEET = f"{{{MAIN_NS}}}worksheet"
_SST = f"{{{MAIN_NS}}}sst"
_REL_ID = f"{{{REL_NS}}}id"

_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_SECS_PER_DAY = 86400

# Number formats as openpyxl classifies them (openpyxl.styles.numbers): built-in ids that
# are dates or durations, and the tests it applies to a custom format code.
_BUILTIN_DATE_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
#: Built-in ids that ECMA-376 (Part 1, 18.8.30) reserves for East Asian date and time
#: formats, such as 31 = ``yyyy"年"m"月"d"日"`` in zh-CN. Excel and WPS write them as bare
#: ids with no format code, so openpyxl reads such a date as its serial number; evalkit
#: reads it as a date in both readers (``workbook._read_raw_openpyxl`` adds them too).
EAST_ASIAN_DATE_IDS = frozenset({*range(27, 37), *range(50, 59)})
_BUILTIN_TIMEDELTA_IDS = frozenset({46})
_STRIP_FORMAT = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CHAR = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA_FORMAT = re.compile(
    r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE
)

# -- the scanner ----------------------------------------------------------------------------
# One attribute in the forms the scanner accepts (no entity, no "<"; ASCII name).
_ATTR = r"""[ \t\n]+[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?[ \t\n]*=[ \t\n]*(?:"[^"<&]*"|'[^'<&]*')"""
_SHEET_TOKEN = re.compile(
    r"[ \t\n]*(?:"
    # 1-2: the commonest cells, first for speed: openpyxl's inline strings ...
    r'<c r="([A-Z]{1,3})[0-9]+"(?: s="[0-9]+")? t="inlineStr"><is><t>([^<]*)</t></is></c>'
    # 3-4: ... Excel's shared strings ...
    r'|<c r="([A-Z]{1,3})[0-9]+"(?: s="[0-9]+")? t="s"><v>([0-9]+)</v></c>'
    # 5-8: ... and numbers
    r'|<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([a-z]+)")?><v>([^<]*)</v></c>'
    # 9-14: a cell in the usual form: <c r="B7" s="3" t="s"><f …>…</f><v>…</v></c>
    r"|"
    r'<c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?(?: t="([A-Za-z]+)")?'
    r"(?: ?/>|>"
    r'(?:<f(?: [A-Za-z]+="[^"<&]*")*(?: ?/>|>[^<]*</f>))?'
    r"(?:<v>([^<]*)</v>|<v ?/>)?"
    r'(?:(<is>)(?:<t(?: xml:space="preserve")?>([^<]*)</t>|<t(?: xml:space="preserve")? ?/>)</is>)?'
    r"</c>)"
    # 15-18: a row start tag
    r'|(<row)(?: r="([0-9]+)")?((?:' + _ATTR + r")*)[ \t\n]*(/?)>"
    # 19: a row end tag
    r"|(</row>)"
    # 20: any other cell element, parsed with ElementTree
    r"|(<c(?=[ \t\n/>])[^>]*?/>|<c(?=[ \t\n>])[^>]*>.*?</c>)"
    # 21: anything else: not for the scanner
    r"|(.)"
    r")",
    re.DOTALL,
)
_STRING_TOKEN = re.compile(
    r"[ \t\n]*(?:"
    r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>'
    r'|(<si><t(?: xml:space="preserve")? ?/></si>)'
    r"|(<si(?=[ \t\n/>])[^>]*?/>|<si(?=[ \t\n>])[^>]*>.*?</si>)"
    r"|(.)"
    r")",
    re.DOTALL,
)
_ATTR_PAIR = re.compile(r"""([A-Za-z_][A-Za-z0-9_.:-]*)[ \t\n]*=[ \t\n]*(?:"([^"]*)"|'([^']*)')""")
_XML_DECL_ENCODING = re.compile(rb"""encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']""")
#: every byte but the control characters XML does not allow
_XML_BYTES = bytes(b for b in range(256) if b >= 0x20 or b in (0x9, 0xA, 0xD))
_BAD_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_DIMENSION_REF = re.compile(r"([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?")
_PRINT_AREA = re.compile(
    r"(?:'[^']+'|[^'!,\s]+)!\$[A-Z]{1,3}\$[0-9]+:\$[A-Z]{1,3}\$[0-9]+"
    r"(?:,(?:'[^']+'|[^'!,\s]+)!\$[A-Z]{1,3}\$[0-9]+:\$[A-Z]{1,3}\$[0-9]+)*"
)
_PRINT_TITLES = re.compile(
    r"(?:(?:'[^']+'|[^'!,\s]+)!(?:\$[0-9]+:\$[0-9]+|\$[A-Z]{1,3}:\$[A-Z]{1,3}))"
    r"(?:,(?:'[^']+'|[^'!,\s]+)!(?:\$[0-9]+:\$[0-9]+|\$[A-Z]{1,3}:\$[A-Z]{1,3}))?"
)

_PRINT_SETTINGS = {"_xlnm.Print_Area": _PRINT_AREA, "_xlnm.Print_Titles": _PRINT_TITLES}


class Unsupported(Exception):
    """The workbook uses something this reader does not read exactly as openpyxl does."""


class _NotScannable(Exception):
    """The scanner does not recognise this part: parse it with ElementTree instead."""


_UNSEEN = object()


@dataclass(frozen=True)
class SheetValues:
    """The kept rows of one worksheet: ``(Excel row number, values)`` of every row with a
    non-blank value, at most ``max_columns`` wide; ``truncated`` when the sheet went past
    ``max_rows + 1`` rows (the loader reports it and reads no further)."""

    title: str
    rows: list[tuple[int, tuple[Any, ...]]]
    truncated: bool


def iter_values(
    path: str | Path,
    *,
    max_rows: int,
    max_columns: int,
    scanner: bool = True,
    claims: Claims | None = None,
) -> Iterator[SheetValues]:
    """The cell values of every worksheet, in workbook order, each read when it is asked
    for.

    Raises :class:`Unsupported` when the workbook is not one this reader reads exactly
    (including every file openpyxl itself cannot read), as the reading reaches what it
    does not read: callers that need all or nothing take ``list(iter_values(...))``.
    ``scanner=False`` parses every worksheet with ElementTree instead of the scanner (for
    tests).

    With ``claims`` (a :class:`~evalkit.forking.Claims` made before the processes that read
    one workbook together were forked), each process claims the next worksheet, the largest
    first (by uncompressed size), only when it asks for one: every worksheet is read by
    exactly one process, and they finish at about the same time whatever slows one of them.
    Each of them checks the whole package. A process that finds no number left to claim
    while worksheets remain raises :class:`Unsupported`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _WorkbookReader(archive, max_rows, max_columns, scanner, claims).read()
    except Unsupported:
        raise
    except Exception as exc:  # whatever went wrong, openpyxl decides what to say about it
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc


# ----------------------------------------------------------------------------------------
# the package: content types, workbook, relationships, styles, shared strings
# ----------------------------------------------------------------------------------------
class _WorkbookReader:
    def __init__(
        self,
        archive: zipfile.ZipFile,
        max_rows: int,
        max_columns: int,
        scanner: bool,
        claims: Claims | None = None,
    ):
        self.archive = archive
        self.claims = claims
        self.names = set(archive.namelist())
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.scanner = scanner
        self.strings: list[str] = []
        self.date_styles: frozenset[int] = frozenset()
        self.timedelta_styles: frozenset[int] = frozenset()

    def read(self) -> Iterator[SheetValues]:
        # the same parts in the same order as openpyxl.reader.excel.ExcelReader.read
        workbook_part, strings_part = self._manifest()
        if strings_part is not None:
            self.strings = _shared_strings(self.archive.read(strings_part))
        sheets, defined_names = self._workbook(workbook_part)
        for part in ("docProps/core.xml", "docProps/custom.xml"):
            if part in self.names:
                _parse_xml(self.archive.read(part))
        if "xl/theme/theme1.xml" in self.names:
            self.archive.read("xl/theme/theme1.xml")
        self._styles()
        rels: dict[str | None, tuple[str, str]] | None = None
        found: list[tuple[str, str]] = []
        for name, rid in sheets:
            if not rid:
                continue  # openpyxl warns and leaves the sheet out
            if rels is None:
                rels = _dependents(self.archive, _rels_path(workbook_part))
            rel_type, target = rels[rid]
            if target not in self.names:
                continue
            if "chartsheet" in rel_type:
                raise Unsupported("chartsheet")
            sheet_rels = _rels_path(target)
            if sheet_rels in self.names:
                _dependents(self.archive, sheet_rels)
            found.append((name, target))
        for local_id, _name in defined_names:
            if local_id is not None:
                int(local_id)
        if self.claims is None:
            for name, target in found:
                yield self._sheet(name, target)
            return
        sizes = [self.archive.getinfo(t).file_size for _, t in found]
        order = sorted(range(len(found)), key=lambda i: (-sizes[i], i))
        while (number := self.claims.next()) is not None:
            if number >= len(order):
                return
            yield self._sheet(*found[order[number]])
        raise Unsupported("no worksheet number left to claim")

    def _manifest(self) -> tuple[str, str | None]:
        root = _parse_xml(self.archive.read("[Content_Types].xml"))
        overrides: list[tuple[str, str]] = []
        defaults: list[str] = []
        for el in root:
            tag = _local(el.tag)
            attrs = _plain_attrs(el)
            if tag == "Override":
                if set(attrs) != {"PartName", "ContentType"}:
                    raise Unsupported("content type override")
                overrides.append((attrs["PartName"], attrs["ContentType"]))
            elif tag == "Default":
                if set(attrs) != {"Extension", "ContentType"}:
                    raise Unsupported("content type default")
                defaults.append(attrs.get("ContentType", ""))
        workbook: tuple[str, str] | None = None
        for content_type in _WORKBOOK_TYPES:
            part = next((p for p, c in overrides if c == content_type), None)
            if part is not None:
                workbook = (part, content_type)
                break
        else:
            found = set(defaults) & set(_WORKBOOK_TYPES)
            if len(found) == 1:
                workbook = ("/xl/workbook.xml", found.pop())
        if workbook is None or workbook[1] != XLSX:
            raise Unsupported("workbook part")
        strings = next((p for p, c in overrides if c == SHARED_STRINGS), None)
        return workbook[0][1:], None if strings is None else strings[1:]

    def _workbook(
        self, part: str
    ) -> tuple[list[tuple[str, str | None]], list[tuple[str | None, str]]]:
        root = _parse_xml(self.archive.read(part))
        sheets: list[tuple[str, str | None]] = []
        names: list[tuple[str | None, str]] = []
        for el in root:
            tag = _local(el.tag)
            if tag == "workbookPr":
                if el.get("date1904") not in (None, "0", "false"):
                    raise Unsupported("1904 date system")
            elif tag == "sheets":
                for sheet in el:
                    if _local(sheet.tag) != "sheet":
                        continue
                    name = sheet.get("name")
                    int(sheet.get("sheetId"))  # type: ignore[arg-type]  # None: TypeError
                    if name is None or sheet.get("state") not in _SHEET_STATES:
                        raise Unsupported("sheet entry")
                    sheets.append((name, sheet.get(_REL_ID)))
            elif tag == "externalReferences":
                if len(el):
                    raise Unsupported("external links")
            elif tag == "definedNames":
                for defn in el:
                    if _local(defn.tag) != "definedName":
                        continue
                    name = defn.get("name") or ""
                    local_id = defn.get("localSheetId")
                    value = defn.text or ""
                    # openpyxl parses a sheet's print area and print titles: accept only
                    # the plain forms it is sure to parse
                    pattern = _PRINT_SETTINGS.get(name) if local_id is not None else None
                    if pattern is not None and not pattern.fullmatch(value):
                        raise Unsupported(name)
                    names.append((local_id, name))
        return sheets, names

    def _styles(self) -> None:
        if "xl/styles.xml" not in self.names:
            return
        root = _parse_xml(self.archive.read("xl/styles.xml"))
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        for el in root:
            tag = _local(el.tag)
            if tag == "numFmts":
                custom = {}
                for fmt in el:
                    if _local(fmt.tag) == "numFmt":
                        code = fmt.get("formatCode")
                        if code is None:
                            raise Unsupported("number format without a code")
                        custom[int(fmt.get("numFmtId", ""))] = code
            elif tag == "cellXfs":
                xf_formats = []
                for xf in el:
                    if _local(xf.tag) == "xf":
                        xf_formats.append(int(xf.get("numFmtId", "0")))
        dates: set[int] = set()
        durations: set[int] = set()
        for idx, fmt_id in enumerate(xf_formats):
            if fmt_id in custom:
                head = custom[fmt_id].split(";")[0]
                if _DATE_CHAR.search(_STRIP_FORMAT.sub("", head)):
                    dates.add(idx)
                if _TIMEDELTA_FORMAT.search(head):
                    durations.add(idx)
            else:
                if fmt_id in _BUILTIN_DATE_IDS or fmt_id in EAST_ASIAN_DATE_IDS:
                    dates.add(idx)
                if fmt_id in _BUILTIN_TIMEDELTA_IDS:
                    durations.add(idx)
        self.date_styles = frozenset(dates)
        self.timedelta_styles = frozenset(durations)

    # -- one worksheet -------------------------------------------------------------------
    def _sheet(self, title: str, part: str) -> SheetValues:
        data = self.archive.read(part)
        _check_prolog(data)
        rows = _Rows(self.max_rows, self.max_columns)
        if self.scanner:
            try:
                self._scan_sheet(data, rows)
            except _NotScannable:
                rows = _Rows(self.max_rows, self.max_columns)
                self._parse_sheet(data, rows)
        else:
            self._parse_sheet(data, rows)
        return SheetValues(title, rows.rows, rows.truncated)

    def _scan_sheet(self, data: bytes, rows: _Rows) -> None:
        start = data.find(b"<sheetData")
        if start < 0 or data.find(b"<sheetData", start + 1) >= 0:
            raise _NotScannable
        m = re.compile(rb"<sheetData[ \t\r\n]*(/?)>").match(data, start)
        if m is None:
            raise _NotScannable
        if m.group(1):
            content = b""
            skeleton = data
        else:
            end = data.find(b"</sheetData>", m.end())
            if end < 0 or data.find(b"</sheetData>", end + 1) >= 0:
                raise _NotScannable
            content = data[m.end() : end]
            skeleton = data[:start] + b"<sheetData/>" + data[end + len(b"</sheetData>") :]
        root, namespaces = _skeleton(skeleton)
        if root.tag != _WORKSHEET or root.find(_SHEET_DATA) is None:
            raise _NotScannable
        rows.set_dimension(_dimension(root))
        text = _scannable_text(content)
        cells = _SheetCells(self, namespaces)
        in_row = False
        row_attrs: dict[str, Any] = {}
        row_counter = 0
        col_counter = 0
        row_cells: list[tuple[int, Any]] = []
        # with a dimension, every row is as wide as it says: fill the values in place
        width = rows.width
        row_values: list[Any] = []
        strings = self.strings
        date_styles = self.date_styles
        columns = _COLUMNS
        for (
            inline_col,
            inline_plain,
            shared_col,
            shared_index,
            value_col,
            value_style,
            value_kind,
            value_v,
            col,
            style,
            kind,
            v,
            inline,
            inline_text,
            row_start,
            row_r,
            row_rest,
            row_empty,
            row_end,
            other,
            _junk,
        ) in _tokens(text.rstrip(" \t\n")):
            if inline_col:
                col = inline_col
                value: Any = _unescape(inline_plain) if "&" in inline_plain else inline_plain
            elif shared_col:
                col = shared_col
                value = strings[int(shared_index)]
            elif value_col or col:
                if value_col:
                    col, style, kind, v = value_col, value_style, value_kind, value_v
                if kind == "inlineStr":
                    if inline:
                        value = _unescape(inline_text) if "&" in inline_text else inline_text
                    else:
                        value = None
                elif v:
                    if "&" in v:
                        v = _unescape(v)
                    if not kind or kind == "n":
                        value = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                        if date_styles and (int(style) if style else 0) in date_styles:
                            value = self._date(value, int(style) if style else 0)
                    elif kind == "s":
                        value = strings[int(v)]
                    elif kind == "b":
                        value = bool(int(v))
                    elif kind == "d":
                        raise Unsupported("ISO 8601 date cell")
                    else:
                        value = v
                else:
                    value = None
            if col:
                if not in_row:
                    raise _NotScannable
                try:
                    column = columns[col]
                except KeyError:
                    column = _column_index(col)
                col_counter = column
                if width:
                    if column <= width:
                        row_values[column - 1] = value
                else:
                    row_cells.append((column, value))
            elif row_start:
                if in_row:
                    raise _NotScannable
                if row_rest:
                    r_attr = row_attrs.get(row_rest, _UNSEEN)
                    if r_attr is _UNSEEN:
                        r_attr = row_attrs[row_rest] = _row_attribute_r(row_rest, namespaces)
                else:
                    r_attr = None
                if row_r:
                    if r_attr is not None:
                        raise _NotScannable  # two r attributes: malformed
                    row_counter = int(row_r)
                else:
                    row_counter = _row_number(r_attr, row_counter)
                col_counter = 0
                if width:
                    row_values = [None] * width
                else:
                    row_cells = []
                if row_empty:
                    if rows.add(row_counter, row_values if width else row_cells):
                        return
                else:
                    in_row = True
            elif row_end:
                if not in_row:
                    raise _NotScannable
                in_row = False
                if rows.add(row_counter, row_values if width else row_cells):
                    return
            elif other:
                if not in_row:
                    raise _NotScannable
                column, value = cells.parse(other, col_counter)
                col_counter = column
                if width:
                    if column <= width:
                        row_values[column - 1] = value
                else:
                    row_cells.append((column, value))
            else:  # junk
                raise _NotScannable
        if in_row:
            raise _NotScannable

    def _parse_sheet(self, data: bytes, rows: _Rows) -> None:
        """The worksheet parsed with ElementTree, element by element, as openpyxl does."""
        for _event, el in ET.iterparse(io.BytesIO(data)):  # openpyxl's parse_dimensions
            if el.tag == _DIMENSION:
                rows.set_dimension(_dimension_bounds(el.get("ref")))
                break
            if el.tag == _SHEET_DATA:
                break
        row_counter = 0
        for _event, el in ET.iterparse(io.BytesIO(data)):
            if el.tag == _ROW:
                row_counter = _row_number(el.get("r"), row_counter)
                col_counter = 0
                width = rows.width
                row: list[Any] = [None] * width if width else []
                for child in el:
                    column, value = self._cell(child, col_counter)
                    col_counter = column
                    if not width:
                        row.append((column, value))
                    elif column <= width:
                        row[column - 1] = value
                el.clear()
                if rows.add(row_counter, row):
                    return

    def _cell(self, el: ET.Element, col_counter: int) -> tuple[int, Any]:
        """openpyxl's WorkSheetParser.parse_cell (data_only): the column and the value."""
        data_type = el.get("t", "n")
        coordinate = el.get("r")
        style_id: Any = el.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value: Any = None if data_type == "inlineStr" else (el.findtext(_CELL_V, None) or None)
        column = _coordinate_column(coordinate) if coordinate else col_counter + 1
        if value is not None:
            if data_type == "n":
                value = (
                    float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                )
                if style_id in self.date_styles:
                    value = self._date(value, style_id)
            elif data_type == "s":
                value = self.strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                raise Unsupported("ISO 8601 date cell")
        elif data_type == "inlineStr":
            child = el.find(_CELL_IS)
            if child is not None:
                value = _text_content(child)
        return column, value

    def _date(self, value: float, style_id: int) -> Any:
        if style_id in self.timedelta_styles:
            raise Unsupported("duration format")
        return _from_excel(value)


def _tokens(text: str, chunk: int = 1 << 18) -> Iterator[tuple[str, ...]]:
    """The scanner's tokens, a chunk of rows at a time (a whole sheet's tokens at once
    take much memory). A chunk ends after a ``</row>``; should that be inside a comment
    or CDATA, the tokens around the cut do not match and the sheet goes to ElementTree."""
    start = 0
    while start < len(text):
        end = text.find("</row>", start + chunk)
        end = len(text) if end < 0 else end + len("</row>")
        yield from _SHEET_TOKEN.findall(text, start, end)
        start = end


class _SheetCells:
    """Cells the scanner leaves to ElementTree, each parsed in the sheet's namespaces."""

    def __init__(self, reader: _WorkbookReader, namespaces: dict[str, str]):
        self.reader = reader
        self.wrapper = _wrapper(namespaces)

    def parse(self, fragment: str, col_counter: int) -> tuple[int, Any]:
        try:
            root = ET.fromstring(self.wrapper + fragment + "</w>")
        except ET.ParseError:
            raise _NotScannable from None
        if len(root) != 1:
            raise _NotScannable
        return self.reader._cell(root[0], col_counter)


class _Rows:
    """openpyxl's ReadOnlyWorksheet._cells_by_row and _get_row, followed by the loader's
    loop (row bound, column bound, blank rows dropped), without building the padding."""

    def __init__(self, max_rows: int, max_columns: int):
        self.limit = max_rows + 1
        self.max_columns = max_columns
        self.max_col: int | None = None
        self.max_row: int | None = None
        #: rows up to here are kept (the row bound, and the dimension's last row)
        self.ceiling = self.limit
        #: with a dimension: the width of every row (cut to max_columns); else 0
        self.width = 0
        self.counter = 1
        self.rows: list[tuple[int, tuple[Any, ...]]] = []
        self.truncated = False

    def set_dimension(self, bounds: tuple[int, int] | None) -> None:
        if bounds is not None:
            self.max_col, self.max_row = bounds
            self.width = min(self.max_col, self.max_columns) if self.max_col else 0
            self.ceiling = min(self.max_row, self.limit)

    def add(self, idx: int, row: list[Any]) -> bool:
        """Take one parsed row; True when nothing more is read from the sheet.

        ``row`` is the row's values when :attr:`width` is set, else its (column, value)
        cells in document order."""
        if not self.counter <= idx <= self.ceiling:
            return self._edge(idx)
        self.counter = idx + 1
        if self.width:
            values = row
        elif row:
            width = min(row[-1][0], self.max_columns)  # as wide as its last cell
            values = [None] * width
            for column, value in row:
                if column <= width:
                    values[column - 1] = value
        else:
            return False
        for v in values:  # str(v).strip() != "" for the types cells hold
            if v is not None and (v.__class__ is not str or v.strip()):
                self.rows.append((idx, tuple(values)))
                break
        return False

    def _edge(self, idx: int) -> bool:
        """A row before the next expected one or past the ceiling."""
        if self.max_row is not None and idx > self.max_row:
            # openpyxl stops here and pads with empty rows up to the dimension's last row
            self.truncated = self.max_row > self.limit
            return True
        if idx < self.counter:
            return False  # a row out of order: openpyxl skips it
        self.truncated = True  # idx > limit
        return True


# ----------------------------------------------------------------------------------------
# shared strings
# ----------------------------------------------------------------------------------------
def _shared_strings(data: bytes) -> list[str]:
    """openpyxl's read_string_table: the plain text of every ``<si>``."""
    _check_prolog(data)
    try:
        return _scan_shared_strings(data)
    except _NotScannable:
        pass
    strings: list[str] = []
    for _event, node in ET.iterparse(io.BytesIO(data)):
        if node.tag == _SI:
            strings.append(_text_content(node).replace("x005F_", ""))
            node.clear()
    return strings


def _scan_shared_strings(data: bytes) -> list[str]:
    m = re.compile(rb"<sst\b[^>]*>").search(data)
    if m is None or m.group().endswith(b"/>"):
        raise _NotScannable
    end = data.rfind(b"</sst>")
    if end < m.end():
        raise _NotScannable
    root, namespaces = _skeleton(data[: m.end()] + data[end:])
    if root.tag != _SST or len(root):
        raise _NotScannable
    text = _scannable_text(data[m.end() : end])
    wrapper = _wrapper(namespaces)
    strings: list[str] = []
    for plain, empty, other, junk in _STRING_TOKEN.findall(text.rstrip(" \t\n")):
        if junk:
            raise _NotScannable
        if other:
            try:
                node = ET.fromstring(wrapper + other + "</w>")
            except ET.ParseError:
                raise _NotScannable from None
            if len(node) != 1:
                raise _NotScannable
            plain = _text_content(node[0])
        elif empty:
            plain = ""
        elif "&" in plain:
            plain = _unescape(plain)
        strings.append(plain.replace("x005F_", ""))
    return strings


def _text_content(node: ET.Element) -> str:
    """openpyxl's ``Text.from_tree(node).content``: the last ``<t>``, then each run's."""
    plain: str | None = None
    runs: list[str] = []
    for el in node:
        tag = _local(el.tag)
        if tag == "t":
            plain = el.text
        elif tag == "r":
            run: str | None = None
            for sub in el:
                if _local(sub.tag) == "t":
                    run = sub.text
            if run is not None:
                runs.append(run)
    return ("" if plain is None else plain) + "".join(runs)


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _plain_attrs(el: ET.Element) -> dict[str, str]:
    return {k: v for k, v in el.attrib.items() if not k.startswith("{")}


def _check_prolog(data: bytes) -> None:
    """UTF-8 and no DTD (openpyxl parses with defusedxml, which forbids DTDs)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body.lstrip(b" \t\r\n").startswith(b"<") or b"\x00" in body[:4]:
        raise Unsupported("encoding")
    if body.startswith(b"<?xml"):
        m = _XML_DECL_ENCODING.search(body, 0, max(body.find(b"?>"), 0))
        if m is not None and m.group(1).lower() != b"utf-8":
            raise Unsupported("encoding")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Unsupported("DTD")


def _parse_xml(data: bytes) -> ET.Element:
    _check_prolog(data)
    return ET.fromstring(data)


def _scannable_text(content: bytes) -> str:
    """The text between a part's skeleton tags, as the XML parser would see it (line
    ends normalised); :class:`_NotScannable` for anything the scanner cannot match."""
    if _bad_chars(content):
        raise _NotScannable
    text = content.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_text(text)
    return text


def _check_text(text: str) -> None:
    """What the scanner does not see but an XML parser rejects: ``]]>`` in text, an
    undefined entity, a character reference to a character XML does not allow."""
    if "]]>" in text:
        raise _NotScannable
    if "&" not in text:
        return
    if _BAD_AMP.search(text):
        raise _NotScannable
    for m in _ENTITY.finditer(text):
        if m.group(1) is None:
            code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
            if not _xml_char(code):
                raise _NotScannable


def _bad_chars(data: bytes) -> bool:
    """Whether UTF-8 text holds a character XML does not allow (U+0000-U+001F but for tab
    and line ends, U+FFFE, U+FFFF)."""
    return (
        bool(data.translate(None, _XML_BYTES)) or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data
    )


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _unescape(text: str) -> str:
    return _ENTITY.sub(_entity_value, text)


def _entity_value(m: re.Match[str]) -> str:
    if m.group(1):
        return _NAMED_ENTITIES[m.group(1)]
    return chr(int(m.group(2)) if m.group(2) else int(m.group(3), 16))


def _skeleton(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    """A part without its bulk (cut out for the scanner) parsed: its root element and the
    namespaces the root declares (prefix -> URI; "" for the default namespace)."""
    parser = ET.XMLPullParser(events=("start-ns", "start"))
    try:
        parser.feed(data)
        parser.close()
        events = list(parser.read_events())  # a parse error is raised here
    except ET.ParseError:
        raise _NotScannable from None
    namespaces: dict[str, str] = {}
    for event, item in events:
        if event == "start":
            return item, namespaces  # type: ignore[return-value]
        prefix, uri = item  # type: ignore[misc]
        namespaces[prefix] = uri
    raise _NotScannable


def _wrapper(namespaces: dict[str, str]) -> str:
    """A start tag declaring ``namespaces``, to parse a piece of the part on its own."""
    decls = "".join(
        f' xmlns{":" if prefix else ""}{prefix}="{_escape_attr(uri)}"'
        for prefix, uri in namespaces.items()
    )
    return f"<w{decls}>"


def _escape_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def _row_attribute_r(attrs: str, namespaces: dict[str, str]) -> str | None:
    """Check the other attributes of a row start tag as an XML parser would (declared
    prefixes, no attribute twice); the row's ``r`` if it is among them."""
    seen: set[str] = set()
    r: str | None = None
    for name, dq, sq in _ATTR_PAIR.findall(attrs):
        prefix, colon, local = name.partition(":")
        if colon:
            if prefix == "xml":
                key = f"xml}}{local}"
            elif prefix != "xmlns" and prefix in namespaces:
                key = f"{namespaces[prefix]}}}{local}"
            else:
                raise _NotScannable
        elif name == "xmlns":
            raise _NotScannable
        else:
            key = name
        if key in seen:
            raise _NotScannable
        seen.add(key)
        if name == "r":
            r = (dq or sq).replace("\t", " ").replace("\n", " ")
    return r


def _row_number(r: str | None, previous: int) -> int:
    """openpyxl's WorkSheetParser.parse_row: the row's number."""
    if r is None:
        return previous + 1
    try:
        return int(r)
    except ValueError:
        val = float(r)
        if val.is_integer():
            return int(val)
        raise


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    _COLUMNS[letters] = index
    return index


#: column letters -> column number (one and two letters up front, three when met)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_COLUMNS: dict[str, int] = {a: i for i, a in enumerate(_LETTERS, 1)} | {
    a + b: i * 26 + j for i, a in enumerate(_LETTERS, 1) for j, b in enumerate(_LETTERS, 1)
}
_SHEET_STATES = (None, "visible", "hidden", "veryHidden")


def _coordinate_column(coordinate: str) -> int:
    """openpyxl's coordinate_to_tuple, returning only the column (the row is checked)."""
    idx = 0
    for idx, c in enumerate(coordinate):  # noqa: B007 - the index is the result
        if c in "0123456789":
            break
    col = coordinate[:idx]
    int(coordinate[idx:])
    if not (1 <= len(col) <= 3 and col.isascii() and col.isalpha()):
        raise Unsupported(f"cell reference {coordinate!r}")
    letters = col.upper()
    return _COLUMNS.get(letters) or _column_index(letters)


def _dimension(root: ET.Element) -> tuple[int, int] | None:
    """openpyxl's parse_dimensions: the ``<dimension>`` met before ``<sheetData>`` ends."""
    for el in root.iter():
        if el.tag == _ROW:
            raise _NotScannable  # a row outside sheetData: openpyxl would read it
    for el in root.iter():
        if el.tag == _DIMENSION:
            return _dimension_bounds(el.get("ref"))
        if el.tag == _SHEET_DATA:
            return None
    return None


def _dimension_bounds(ref: str | None) -> tuple[int, int]:
    """(max column, max row) of a dimension reference in the plain ``A1:K50`` form."""
    m = _DIMENSION_REF.fullmatch(ref or "")
    if m is None:
        raise Unsupported(f"dimension {ref!r}")
    if m.group(3) is None:
        return _COLUMNS.get(m.group(1)) or _column_index(m.group(1)), int(m.group(2))
    return _COLUMNS.get(m.group(3)) or _column_index(m.group(3)), int(m.group(4))


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _dependents(archive: zipfile.ZipFile, filename: str) -> dict[str | None, tuple[str, str]]:
    """openpyxl's get_dependents: relationship id -> (type, target path in the zip)."""
    root = _parse_xml(archive.read(filename))
    rels: list[dict[str, str]] = []
    valid = True
    for el in root:
        if _local(el.tag) != "Relationship":
            continue
        attrs = _plain_attrs(el)
        if not set(attrs) <= {"Id", "Type", "type", "Target", "TargetMode"}:
            valid = False
        if "type" in attrs:
            attrs["Type"] = f"{REL_NS}/{attrs['type']}"
        if "Type" not in attrs or "Target" not in attrs:
            valid = False
        rels.append(attrs)
    if not valid:
        rels = []  # openpyxl warns and drops them all
    parent = posixpath.split(posixpath.dirname(filename))[0]
    found: dict[str | None, tuple[str, str]] = {}
    for attrs in rels:
        target = attrs["Target"]
        if attrs.get("TargetMode") != "External":
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(parent, target))
        found[attrs.get("Id")] = (attrs["Type"], target)
    return found


def _from_excel(value: float) -> Any:
    """openpyxl's from_excel for the 1900 date system."""
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * _SECS_PER_DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        mins, seconds = divmod(diff.seconds, 60)
        hours, mins = divmod(mins, 60)
        return dt.time(hours, mins, seconds, diff.microseconds)
    if 0 < value < 60:
        day += 1
    return _WINDOWS_EPOCH + dt.timedelta(days=day) + diff
