"""The fast cell reader gives exactly what openpyxl gives, or steps aside.

Every workbook of a broad corpus is read three ways — openpyxl (as the loader always did),
:mod:`evalkit.xlsxread`'s scanner and its ElementTree parser — and the raw values are
compared value by value *and type by type* (``1`` is not ``1.0``, ``True`` is not ``1``).
A workbook the fast reader does not handle must raise ``Unsupported``, and then the loader
falls back to openpyxl, so ``read_raw`` gives the same values or the same problems either
way. Timings are in ``benchmarks/load_scaling.py``, never here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import same_value
from openpyxl.workbook.defined_name import DefinedName

from evalkit.errors import WorkbookError
from evalkit.records import write_workbook
from evalkit.synth import synth_department
from evalkit.testing import clean_records
from evalkit.workbook import Limits, RawWorkbook, build_department, read_raw
from evalkit.xlsxread import Unsupported, iter_values

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data").glob("*.xlsx"))
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# ---------------------------------------------------------------------------------------
# comparing
# ---------------------------------------------------------------------------------------
def assert_same_raw(got: RawWorkbook, want: RawWorkbook) -> None:
    assert list(got) == list(want), "sheets differ"
    for sheet in want:
        g, w = got[sheet], want[sheet]
        assert [r for r, _ in g] == [r for r, _ in w], f"{sheet}: row numbers differ"
        for (row, gv), (_, wv) in zip(g, w, strict=True):
            assert len(gv) == len(wv), f"{sheet} row {row}: {len(gv)} cells, want {len(wv)}"
            for col, (a, b) in enumerate(zip(gv, wv, strict=True), start=1):
                assert same_value(a, b), (
                    f"{sheet}!R{row}C{col}: {a!r} ({type(a).__name__}), want {b!r} ({type(b).__name__})"
                )


def _outcome(path: Path, engine: str, limits: Limits) -> tuple[str, RawWorkbook | list[Any]]:
    try:
        return "raw", read_raw(path, limits=limits, engine=engine)  # type: ignore[arg-type]
    except WorkbookError as exc:
        return "problems", list(exc.problems)


def _values_raw(path: Path, limits: Limits, *, scanner: bool) -> tuple[RawWorkbook, bool]:
    """iter_values as a raw workbook, and whether any sheet was cut at the row bound."""
    sheets = list(
        iter_values(path, max_rows=limits.max_rows, max_columns=limits.max_columns, scanner=scanner)
    )
    return {s.title: s.rows for s in sheets}, any(s.truncated for s in sheets)


def check_equivalent(path: Path, *, fast: bool, limits: Limits | None = None) -> None:
    """``read_raw`` gives the same with and without the fast reader; ``fast``: the fast
    reader (both ways) reads this workbook itself instead of stepping aside."""
    limits = limits or Limits()
    want = _outcome(path, "openpyxl", limits)
    got = _outcome(path, "auto", limits)
    assert got[0] == want[0], (got, want)
    if want[0] == "raw":
        assert_same_raw(got[1], want[1])  # type: ignore[arg-type]
    else:
        assert got[1] == want[1]
    if not fast:
        return
    for scanner in (True, False):
        raw, truncated = _values_raw(path, limits, scanner=scanner)
        if want[0] == "raw":
            assert not truncated
            assert_same_raw(raw, want[1])  # type: ignore[arg-type]
        else:  # the row bound: the only problem a readable workbook can have here
            assert truncated and {p.code for p in want[1]} == {"too_many_rows"}  # type: ignore[union-attr]


def assert_same_department(path: Path) -> None:
    """The Department tables built from either reading are identical (dtypes included)."""
    a = build_department(read_raw(path, engine="fast"), path=str(path))
    b = build_department(read_raw(path, engine="openpyxl"), path=str(path))
    assert (a.info_text, a.info_rows) == (b.info_text, b.info_rows)
    assert repr(a.info) == repr(b.info)
    for key in b.tables:
        pd.testing.assert_frame_equal(a.tables[key], b.tables[key], check_exact=True)


# ---------------------------------------------------------------------------------------
# workbooks written by evalkit (openpyxl, inline strings)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_workbooks(path: Path) -> None:
    check_equivalent(path, fast=True)
    assert_same_department(path)


@pytest.mark.parametrize(("seed", "fault_rate"), [(0, 0.0), (1, 0.15), (2, 0.5), (3, 1.0)])
def test_synthetic_departments_with_faults(tmp_path: Path, seed: int, fault_rate: float) -> None:
    records = synth_department(seed=seed, n_projects=6, fault_rate=fault_rate)
    path = write_workbook(tmp_path / "synth.xlsx", records)
    check_equivalent(path, fast=True)
    # a fault the loader reports raises here: the same problems either way (checked above)
    with contextlib.suppress(WorkbookError):
        assert_same_department(path)


def _mutate(fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    records = clean_records()
    fn(records)
    return records


def _set(sheet: str, row: int, column: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r[sheet][row].update({column: value})


LOADER_CASES: dict[str, Callable[[dict[str, Any]], None]] = {
    "clean": lambda r: None,
    "money_as_text_with_unit": _set("项目清单", 0, "全年执行数", "19.5"),
    "non_numeric_money": _set("项目清单", 1, "全年执行数", "九万五"),
    "full_width_digits": _set("项目清单", 1, "全年执行数", "９５,０００"),
    "negative_money": _set("项目清单", 0, "全年执行数", -5),
    "float_money": _set("项目清单", 0, "全年执行数", 12345.678),
    "big_int": _set("项目清单", 0, "全年执行数", 10**15),
    "unknown_project": _set("自评指标", 7, "对象", "示范企业培训项"),
    "bad_indicator": _set("目标表指标", 0, "指标值", "≥百分之九十"),
    "bad_choice": _set("项目清单", 0, "新增或延续", "续建"),
    "bool_cell": _set("项目清单", 0, "新增或延续", True),
    "date_cell": lambda r: r["部门信息"].update({"预算批复日期": dt.date(2024, 2, 1)}),
    "datetime_cell": lambda r: r["部门信息"].update(
        {"预算公开日期": dt.datetime(2024, 2, 15, 9, 30)}
    ),
    "bad_int_and_date": lambda r: r["部门信息"].update(
        {"编制数": "十", "预算批复日期": "二月一日"}
    ),
    "formula_looking_text": _set("目标表指标", 0, "指标值", "=100%"),
    "spaces_and_newlines": _set("自评指标", 0, "备注", "  第一行\r\n第二行\t  "),
    "xml_special_chars": _set("自评指标", 0, "备注", "<a> & \"b\" 'c' ]]> x005F_ _x000D_"),
    "duplicate_project": lambda r: r["项目清单"].append(dict(r["项目清单"][0])),
    "missing_value": _set("自评指标", 0, "得分", None),
    "blank_strings": _set("自评指标", 0, "备注", "   "),
    "extra_column": lambda r: [row.update({"自定义列": "x"}) for row in r["项目清单"]],
}


@pytest.mark.parametrize("case", list(LOADER_CASES))
def test_loader_cases(tmp_path: Path, case: str) -> None:
    path = write_workbook(tmp_path / "d.xlsx", _mutate(LOADER_CASES[case]))
    check_equivalent(path, fast=True)


def _edited(tmp_path: Path, fn: Callable[[Any], None]) -> Path:
    path = write_workbook(tmp_path / "d.xlsx", clean_records())
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _empty_rows_in_the_middle(wb: Any) -> None:
    ws = wb["自评指标"]
    ws.insert_rows(4, amount=3)
    ws.cell(30, 12).value = "远处的一个单元格"


def _print_settings(wb: Any) -> None:
    ws = wb["项目清单"]
    ws.print_area = "A1:K20"
    ws.print_title_rows = "1:1"
    wb["自评指标"].print_title_cols = "A:B"
    wb.defined_names["全局名称"] = DefinedName("全局名称", attr_text="'项目清单'!$A$1")


EDITED_CASES: dict[str, Callable[[Any], None]] = {
    "formula_without_cached_value": lambda wb: setattr(wb["项目清单"]["J2"], "value", "=1+1"),
    "deleted_sheet": lambda wb: wb.remove(wb["项目清单"]),
    "renamed_header": lambda wb: setattr(wb["自评指标"]["D1"], "value", "三级指标名称"),
    "empty_rows_in_the_middle": _empty_rows_in_the_middle,
    "hidden_sheet": lambda wb: setattr(wb["评估依据"], "sheet_state", "hidden"),
    "merged_cells": lambda wb: wb["自评指标"].merge_cells("B2:B3"),
    "print_settings": _print_settings,
    "sheet_order": lambda wb: wb.move_sheet("自评指标", offset=-5),
}


@pytest.mark.parametrize("case", list(EDITED_CASES))
def test_workbooks_edited_with_openpyxl(tmp_path: Path, case: str) -> None:
    check_equivalent(_edited(tmp_path, EDITED_CASES[case]), fast=True)


def test_bad_workbook_corpus_of_the_reliability_tests(tmp_path: Path) -> None:
    """The same values or the same problems as before, for every bad workbook."""
    from test_reliability import CORPUS

    for case, (build, _expected) in CORPUS.items():
        folder = tmp_path / case
        folder.mkdir()
        path = build(folder)
        want = _outcome(path, "openpyxl", Limits())
        got = _outcome(path, "auto", Limits())
        assert got[0] == want[0], case
        if want[0] == "raw":
            assert_same_raw(got[1], want[1])  # type: ignore[arg-type]
        else:
            assert got[1] == want[1], case


@pytest.mark.parametrize("max_rows", [5, 8, 9, 10, 50])
def test_row_bound(tmp_path: Path, max_rows: int) -> None:
    records = clean_records()
    records["评估依据"] = [{"文件名称": f"文件{i}"} for i in range(10)]
    path = write_workbook(tmp_path / "d.xlsx", records)
    check_equivalent(path, fast=True, limits=Limits(max_rows=max_rows))


@pytest.mark.parametrize("max_columns", [1, 3, 80])
def test_column_bound(tmp_path: Path, max_columns: int) -> None:
    path = write_workbook(tmp_path / "d.xlsx", clean_records())
    check_equivalent(path, fast=True, limits=Limits(max_columns=max_columns))


# ---------------------------------------------------------------------------------------
# hand-made packages: what Excel, WPS and others write, and what they should not
# ---------------------------------------------------------------------------------------
def package(
    path: Path,
    sheets: dict[str, str],
    *,
    strings: list[str] | None = None,
    styles: str | None = None,
    workbook_extra: str = "",
    workbook_pr: str = "<workbookPr/>",
    raw_parts: dict[str, bytes] | None = None,
) -> Path:
    """A minimal .xlsx; a sheet is given as its sheetData content or as a whole document
    (starting with ``<?xml`` or ``<``+name)."""
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    ]
    rels = []
    entries = []
    parts: dict[str, bytes] = {}
    for i, (name, body) in enumerate(sheets.items(), start=1):
        types.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
        entries.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        if not body.lstrip().startswith(("<?xml", "<worksheet", "<x:worksheet")):
            body = f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>{body}</sheetData></worksheet>'
        parts[f"xl/worksheets/sheet{i}.xml"] = body.encode("utf-8")
    n = len(sheets)
    if strings is not None:
        types.append(
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{len(strings)}">'
            + "".join(s if s.startswith("<si") else f"<si><t>{s}</t></si>" for s in strings)
            + "</sst>"
        ).encode()
    if styles is not None:
        types.append(
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        )
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{REL_NS}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN_NS}">{styles}</styleSheet>'.encode()
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(types)
        + "</Types>"
    ).encode()
    parts["_rels/.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{workbook_pr}<sheets>{"".join(entries)}</sheets>{workbook_extra}</workbook>'
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>"
    ).encode()
    parts.update(raw_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _dim(ref: str, data: str, extra: str = "") -> str:
    return f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="{ref}"/>{extra}<sheetData>{data}</sheetData></worksheet>'


DATE_STYLES = (
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '<numFmt numFmtId="166" formatCode="0.00_ ;[Red]\\-0.00\\ "/></numFmts>'
    '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="22"/></cellXfs>'
)

EXCEL_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:D4"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="13.5" x14ac:dyDescent="0.15"/>'
    "<sheetData>"
    '<row r="1" spans="1:4" x14ac:dyDescent="0.15"><c r="A1" s="1" t="s"><v>0</v></c>'
    '<c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" s="2"/></row>'
    '<row r="2" spans="1:4" ht="20" customHeight="1" x14ac:dyDescent="0.15">'
    '<c r="A2" t="s"><v>3</v></c><c r="B2"><v>1800</v></c><c r="C2"><f>B2*2</f><v>3600</v></c>'
    '<c r="D2" t="str"><f>A2&amp;"x"</f><v>文本x</v></c></row>'
    '<row r="3" spans="1:4"><c r="A3" t="s"><v>4</v></c><c r="B3"><v>0.1</v></c>'
    '<c r="C3"><f t="shared" ref="C3:C4" si="0">B3*2</f><v>0.2</v></c><c r="D3" t="b"><v>1</v></c></row>'
    '<row r="4" spans="1:4"><c r="A4" t="s"><v>5</v></c><c r="B4"><v>1.5E-3</v></c>'
    '<c r="C4"><f t="shared" si="0"/><v>3.0000000000000001E-3</v></c><c r="D4" t="e"><v>#DIV/0!</v></c></row>'
    "</sheetData>"
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="portrait"/></worksheet>'
)

EXCEL_STRINGS = [
    "对象",
    '<si><r><rPr><b/><sz val="11"/><rFont val="宋体"/><charset val="134"/></rPr><t>一级</t></r><r><t xml:space="preserve">指标 </t></r></si>',
    '<si><t>读音</t><rPh sb="0" eb="2"><t>ドクオン</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>',
    "部门整体",
    '<si><t xml:space="preserve">  有空格  </t></si>',
    "a_x005F_x000D_b &amp; &lt;c&gt; &#20013;",
]

#: name -> (keyword arguments of ``package``, whether the fast reader reads it itself)
HANDMADE: dict[str, tuple[dict[str, Any], bool]] = {
    "inline_strings": (
        {
            "sheets": {
                "S": '<row r="1"><c r="A1" t="inlineStr"><is><t>纯文本</t></is></c>'
                '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> 前后空格 </t></is></c>'
                '<c r="C1" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></is></c>'
                '<c r="D1" t="inlineStr"><is><t>a &amp; b &lt; c &#x4E2D; &#25991;</t></is></c>'
                '<c r="E1" t="inlineStr"><is><t/></is></c><c r="F1" t="inlineStr"/>'
                '<c r="G1" t="inlineStr"><v>ignored</v></c>'
                '<c r="H1" t="inlineStr"><is><t>第一行\r\n第二行\r第三行</t></is></c></row>'
            }
        },
        True,
    ),
    "shared_strings_excel": ({"sheets": {"S": EXCEL_SHEET}, "strings": EXCEL_STRINGS}, True),
    "shared_strings_etree": (
        {
            "sheets": {
                "S": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            },
            "strings": ["<si><t>甲</t><!-- a comment --></si>", "<si><t><![CDATA[<乙>]]></t></si>"],
        },
        True,
    ),
    "numbers_booleans_errors": (
        {
            "sheets": {
                "S": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>1.5</v></c><c r="C1" t="n"><v>1E3</v></c>'
                '<c r="D1"><v>-0</v></c><c r="E1"><v>1.0</v></c><c r="F1"><v> 7</v></c>'
                '<c r="G1" t="b"><v>0</v></c><c r="H1" t="b"><v>1</v></c><c r="I1" t="e"><v>#N/A</v></c>'
                '<c r="J1" t="str"><v>公式文本</v></c><c r="K1"><v></v></c><c r="L1"><v/></c>'
                '<c r="M1"><v>123456789012345678901234567890</v></c><c r="N1"><v>2.5e-7</v></c></row>'
            }
        },
        True,
    ),
    "empty_and_sparse_rows": (
        {
            "sheets": {
                "S": '<row r="1"><c r="A1" t="inlineStr"><is><t>表头</t></is></c></row>'
                '<row r="3"><c r="D3"><v>4</v></c></row><row r="4"/><row r="5"><c r="A5" s="0"/></row>'
                '<row r="7" spans="1:3"><c r="B7" t="inlineStr"><is><t>  </t></is></c></row>'
                '<row r="9"><c r="C9"><v>9</v></c><c r="A9"><v>1</v></c></row>'
                '<row><c t="inlineStr"><is><t>无坐标</t></is></c><c><v>2</v></c></row>'
                '<row r="12"><c r="B12"><v>1</v></c><c r="B12"><v>2</v></c></row>'
                '<row r="11"><c r="A11" t="inlineStr"><is><t>乱序的行</t></is></c></row>'
            }
        },
        True,
    ),
    "dimension_smaller_than_data": (
        {
            "sheets": {
                "S": _dim(
                    "A1:B2",
                    '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>4</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>',
                )
            }
        },
        True,
    ),
    "dimension_larger_than_data": (
        {"sheets": {"S": _dim("A1:Z100", '<row r="2"><c r="B2"><v>2</v></c></row>')}},
        True,
    ),
    "dimension_single_cell": (
        {
            "sheets": {
                "S": _dim(
                    "A1",
                    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>',
                )
            }
        },
        True,
    ),
    "dimension_after_sheet_data": (
        {
            "sheets": {
                "S": f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="C1"><v>1</v></c></row></sheetData><dimension ref="A1:A1"/></worksheet>'
            }
        },
        True,
    ),
    "dates": (
        {
            "sheets": {
                "S": '<row r="1"><c r="A1" s="1"><v>45323</v></c><c r="B1" s="2"><v>45337.5</v></c>'
                '<c r="C1" s="3"><v>45323</v></c><c r="D1" s="4"><v>45323</v></c>'
                '<c r="E1" s="5"><v>0.25</v></c><c r="F1" s="1"><v>59</v></c><c r="G1" s="1"><v>61</v></c>'
                '<c r="H1" s="5"><v>45323.999999</v></c><c r="I1" s="1" t="inlineStr"><is><t>文本</t></is></c>'
                '<c r="J1"><v>45323</v></c></row>'
            },
            "styles": DATE_STYLES,
        },
        True,
    ),
    "other_cell_forms": (
        {
            "sheets": {
                "S": '<row r="1"><c t="s" r="A1"><v>0</v></c><c r="b1" t="inlineStr"><is><t>小写</t></is></c>'
                '<c r="C1" cm="1"><f t="array" ref="C1">SUM(1)</f><v>1</v></c>'
                '<c r="D1"><!-- comment --><v>4</v></c><c r="E1"><v><![CDATA[5]]></v></c>'
                "<c r='F1' t='inlineStr'><is><t>单引号</t></is></c>"
                '<c r="G1" s="">  <v>7</v>  </c><c r="H1" t=""><v>raw</v></c></row>'
                '<row r="2" x14ac:dyDescent="0.2" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
                '<c r="A2"><v>2</v></c></row>'
                '<row spans="1:2" r="3"><c r="A3"><v>3</v></c></row>'
                '<row r="4.0"><c r="A4"><v>4</v></c></row>\n  <row r="5"><?pi x?><c r="A5"><v>5</v></c></row>\n'
            },
            "strings": ["共享"],
        },
        True,
    ),
    "prefixed_namespace": (
        {
            "sheets": {
                "S": f'<x:worksheet xmlns:x="{MAIN_NS}"><x:dimension ref="A1:B1"/><x:sheetData>'
                '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c>'
                '<x:c r="B1"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>'
            }
        },
        True,
    ),
    "row_outside_sheet_data": (
        {
            "sheets": {
                "S": f'<worksheet xmlns="{MAIN_NS}"><sheetData/><extLst><row r="2"><c r="A2"><v>2</v></c></row></extLst></worksheet>'
            }
        },
        True,
    ),
    "no_sheet_data": (
        {"sheets": {"S": f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1"/></worksheet>'}},
        True,
    ),
    "two_sheets_and_a_missing_part": (
        {
            "sheets": {
                "甲": '<row r="1"><c r="A1"><v>1</v></c></row>',
                "乙": '<row r="1"><c r="A1"><v>2</v></c></row>',
            },
            "raw_parts": {
                "xl/_rels/workbook.xml.rels": (
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
                    f'<Relationship Id="rId2" Type="{REL_NS}/worksheet" Target="worksheets/nowhere.xml"/>'
                    "</Relationships>"
                ).encode()
            },
        },
        True,
    ),
    "comment_before_root": (
        {
            "sheets": {
                "S": '<?xml version="1.0"?><!-- <worksheet xmlns:q="zzz"> -->'
                f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1" q:x="1" xmlns:q="q">'
                '<c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
            }
        },
        True,
    ),
    # not for the fast reader: it steps aside and openpyxl decides, as before
    "undeclared_prefix": (
        {"sheets": {"S": '<row r="1" q:x="1"><c r="A1"><v>1</v></c></row>'}},
        False,
    ),
    "attribute_twice": (
        {"sheets": {"S": '<row r="1" spans="1:2" spans="1:3"><c r="A1"><v>1</v></c></row>'}},
        False,
    ),
    "1904_dates": (
        {
            "sheets": {"S": '<row r="1"><c r="A1" s="1"><v>100</v></c></row>'},
            "styles": DATE_STYLES,
            "workbook_pr": '<workbookPr date1904="1"/>',
        },
        False,
    ),
    "duration_format": (
        {
            "sheets": {"S": '<row r="1"><c r="A1" s="1"><v>1.5</v></c></row>'},
            "styles": '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="46"/></cellXfs>',
        },
        False,
    ),
    "iso_date_cell": (
        {"sheets": {"S": '<row r="1"><c r="A1" t="d"><v>2024-02-01T00:00:00</v></c></row>'}},
        False,
    ),
    "dollar_reference": ({"sheets": {"S": '<row r="1"><c r="$A$1"><v>1</v></c></row>'}}, False),
    "malformed_xml": ({"sheets": {"S": '<row r="1"><c r="A1"><v>1</v></row>'}}, False),
    "undefined_entity": (
        {"sheets": {"S": '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>'}},
        False,
    ),
    "cdata_end_in_text": (
        {"sheets": {"S": '<row r="1"><c r="A1" t="inlineStr"><is><t>a]]>b</t></is></c></row>'}},
        False,
    ),
    "forbidden_character": (
        {"sheets": {"S": '<row r="1"><c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c></row>'}},
        False,
    ),
    "doctype": (
        {
            "sheets": {
                "S": f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "实体">]><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
            }
        },
        False,
    ),
    "utf16": (
        {
            "sheets": {"S": '<?xml version="1.0" encoding="UTF-16"?>'},
            "raw_parts": {
                "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'.encode(
                    "utf-16"
                )
            },
        },
        False,
    ),
    "shared_string_out_of_range": (
        {"sheets": {"S": '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'}, "strings": ["只有一个"]},
        False,
    ),
    "bad_number": ({"sheets": {"S": '<row r="1"><c r="A1"><v>1,5</v></c></row>'}}, False),
    "bad_row_number": ({"sheets": {"S": '<row r="x"><c r="A1"><v>1</v></c></row>'}}, False),
    "external_link": (
        {
            "sheets": {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'},
            "workbook_extra": '<externalReferences><externalReference r:id="rId9"/></externalReferences>',
        },
        False,
    ),
    "bad_print_area": (
        {
            "sheets": {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'},
            "workbook_extra": '<definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">S!$A$1:$B$</definedName></definedNames>',
        },
        False,
    ),
}


@pytest.mark.parametrize("case", list(HANDMADE))
def test_handmade_packages(tmp_path: Path, case: str) -> None:
    kwargs, fast = HANDMADE[case]
    path = package(tmp_path / "h.xlsx", **kwargs)
    check_equivalent(path, fast=fast)
    if not fast:
        with pytest.raises(Unsupported):
            list(iter_values(path, max_rows=20_000, max_columns=80))


@pytest.mark.parametrize("case", ["empty_and_sparse_rows", "dimension_larger_than_data"])
@pytest.mark.parametrize("max_rows", [1, 2, 3, 5, 98, 99, 100])
def test_row_bound_with_padding_and_out_of_order_rows(
    tmp_path: Path, case: str, max_rows: int
) -> None:
    kwargs, _ = HANDMADE[case]
    path = package(tmp_path / "h.xlsx", **kwargs)
    check_equivalent(path, fast=True, limits=Limits(max_rows=max_rows))


def test_values_keep_their_types(tmp_path: Path) -> None:
    """Spot checks of what the equivalence above guarantees, read without openpyxl."""
    kwargs, _ = HANDMADE["numbers_booleans_errors"]
    raw = read_raw(package(tmp_path / "h.xlsx", **kwargs), engine="fast")
    (row, values), *_ = raw["S"]
    assert row == 1
    assert values[:9] == (1, 1.5, 1000.0, 0, 1.0, 7, False, True, "#N/A")
    assert [type(v) for v in values[:3]] == [int, float, float]
    kwargs, _ = HANDMADE["dates"]
    raw = read_raw(package(tmp_path / "d.xlsx", **kwargs), engine="fast")
    values = raw["S"][0][1]
    assert values[0] == dt.datetime(2024, 2, 1) and values[4] == dt.time(6, 0)
    assert values[9] == 45323


def test_fast_reader_never_imports_openpyxl(tmp_path: Path) -> None:
    """``evalkit check`` on a workbook the fast reader handles does not load openpyxl."""
    import subprocess
    import sys

    path = SEEDS[0]
    code = (
        "import sys\nfrom evalkit.workbook import load_workbook\n"
        f"load_workbook({str(path)!r})\nprint('openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("case", ["empty_and_sparse_rows", "dimension_smaller_than_data", "dates"])
@pytest.mark.parametrize("max_columns", [1, 2, 3])
def test_column_bound_without_and_with_a_dimension(
    tmp_path: Path, case: str, max_columns: int
) -> None:
    kwargs, _ = HANDMADE[case]
    path = package(tmp_path / "h.xlsx", **kwargs)
    check_equivalent(path, fast=True, limits=Limits(max_columns=max_columns))


def test_sheets_scanned_in_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scanner reads a sheet a chunk of rows at a time; a cut inside CDATA that holds
    ``</row>`` sends the sheet to ElementTree, with the same values."""
    from evalkit import xlsxread

    monkeypatch.setattr(xlsxread._tokens, "__defaults__", (64,))
    path = write_workbook(tmp_path / "d.xlsx", clean_records())
    check_equivalent(path, fast=True)
    tricky = package(
        tmp_path / "h.xlsx",
        sheets={
            "S": '<row r="1"><c r="A1" t="inlineStr"><is><t>一</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[</row>]]></t></is></c></row>'
            '<row r="3"><c r="A3"><v>3</v></c></row>'
        },
    )
    check_equivalent(tricky, fast=True)
