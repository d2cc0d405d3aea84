"""Tests for evalkit.values: the indicator value parser."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.values import (
    IndicatorValue,
    normalise_operator,
    parse_indicator,
    parse_number,
)

KINDS = {"quantitative", "qualitative", "band", "empty", "invalid"}
OPS = {"=", ">=", "<=", ">", "<"}

# ---------------------------------------------------------------------------
# Table-driven examples
# ---------------------------------------------------------------------------

# text -> (op, number, unit, scale, written_unit)
QUANTITATIVE: list[tuple[str, str | None, float, str, float, str]] = [
    # as published
    ("≥10%", ">=", 10, "%", 1, "%"),
    (">=21 亿", ">=", 21, "", 1e8, "亿"),
    ("≥21亿元", ">=", 21, "元", 1e8, "亿元"),
    ("<=11 万", "<=", 11, "", 1e4, "万"),
    ("=26座", "=", 26, "座", 1, "座"),
    ("=26 座", "=", 26, "座", 1, "座"),
    ("≤120天", "<=", 120, "天", 1, "天"),
    ("=2 人", "=", 2, "人", 1, "人"),
    ("≥ 210 户", ">=", 210, "户", 1, "户"),
    (">=1800 户", ">=", 1800, "户", 1, "户"),
    ("=18000元", "=", 18000, "元", 1, "元"),
    ("<=10 万元", "<=", 10, "元", 1e4, "万元"),
    ("<= 2 万 元", "<=", 2, "元", 1e4, "万元"),
    ("> 10", ">", 10, "", 1, ""),
    ("<120", "<", 120, "", 1, ""),
    ("=0次", "=", 0, "次", 1, "次"),
    # LaTeX from PDF extraction
    (r"$\geq 10\%$", ">=", 10, "%", 1, "%"),
    (r"$\leq$ 5 天", "<=", 5, "天", 1, "天"),
    (r"\geqslant 90\%", ">=", 90, "%", 1, "%"),
    (r"$\ge 3$ 个", ">=", 3, "个", 1, "个"),
    (r"$=100\%$", "=", 100, "%", 1, "%"),
    # digits split by spaces
    ("1 00 %", None, 100, "%", 1, "%"),
    (">=20 00 万元", ">=", 2000, "元", 1e4, "万元"),
    (">=2000 万 元", ">=", 2000, "元", 1e4, "万元"),
    ("29 2.4", None, 292.4, "", 1, ""),
    ("=0.11 47 万 元", "=", 0.1147, "元", 1e4, "万元"),
    ("=9 5 %", "=", 95, "%", 1, "%"),
    ("=9 5%", "=", 95, "%", 1, "%"),
    ("8.3 3", None, 8.33, "", 1, ""),
    # operator look-alikes
    ("≧95%", ">=", 95, "%", 1, "%"),
    ("≦5%", "<=", 5, "%", 1, "%"),
    ("═100%", "=", 100, "%", 1, "%"),
    ("＞5", ">", 5, "", 1, ""),
    ("＜5", "<", 5, "", 1, ""),
    ("＝5", "=", 5, "", 1, ""),
    ("⩾5", ">=", 5, "", 1, ""),
    ("⩽5", "<=", 5, "", 1, ""),
    (">=5", ">=", 5, "", 1, ""),
    ("<=5", "<=", 5, "", 1, ""),
    ("=>5", ">=", 5, "", 1, ""),
    ("=<5", "<=", 5, "", 1, ""),
    ("＞＝5", ">=", 5, "", 1, ""),
    ("＜＝5", "<=", 5, "", 1, ""),
    ("≥=5", ">=", 5, "", 1, ""),
    ("≤=5", "<=", 5, "", 1, ""),
    ("> = 5", ">=", 5, "", 1, ""),
    ("==5", "=", 5, "", 1, ""),
    # full-width digits and percent, thousands separators
    ("１２３", None, 123, "", 1, ""),
    ("95％", None, 95, "%", 1, "%"),
    ("＝１００％", "=", 100, "%", 1, "%"),
    ("≥９５．５％", ">=", 95.5, "%", 1, "%"),
    ("1,800", None, 1800, "", 1, ""),
    (">=1,800 户", ">=", 1800, "户", 1, "户"),
    ("≥1，800户", ">=", 1800, "户", 1, "户"),
    ("1,234,567.5元", None, 1234567.5, "元", 1, "元"),
    # units with scale
    ("≤5千元", "<=", 5, "元", 1e3, "千元"),
    ("≥3亿元", ">=", 3, "元", 1e8, "亿元"),
    ("≥2百万元", ">=", 2, "元", 1e6, "百万元"),
    ("≥1.2万吨", ">=", 1.2, "吨", 1e4, "万吨"),
    ("≥5万人次", ">=", 5, "人次", 1e4, "万人次"),
    ("≤500万元/公里", "<=", 500, "元/公里", 1e4, "万元/公里"),
    ("≤800元/人", "<=", 800, "元/人", 1, "元/人"),
    # other units
    ("≥12个", ">=", 12, "个", 1, "个"),
    ("≥3次", ">=", 3, "次", 1, "次"),
    ("=5家", "=", 5, "家", 1, "家"),
    ("≥10项", ">=", 10, "项", 1, "项"),
    ("≥20件", ">=", 20, "件", 1, "件"),
    ("≤2年", "<=", 2, "年", 1, "年"),
    ("≤6月", "<=", 6, "月", 1, "月"),
    ("≤6个月", "<=", 6, "个月", 1, "个月"),
    ("≤30日", "<=", 30, "日", 1, "日"),
    ("≤24小时", "<=", 24, "小时", 1, "小时"),
    ("≥15公里", ">=", 15, "公里", 1, "公里"),
    ("≥15 km", ">=", 15, "km", 1, "km"),
    ("≥500亩", ">=", 500, "亩", 1, "亩"),
    ("≥100吨", ">=", 100, "吨", 1, "吨"),
    ("≥5台", ">=", 5, "台", 1, "台"),
    ("≥4场", ">=", 4, "场", 1, "场"),
    ("≥200人次", ">=", 200, "人次", 1, "人次"),
    ("≥50户次", ">=", 50, "户次", 1, "户次"),
    ("≥2篇", ">=", 2, "篇", 1, "篇"),
    ("≥100份", ">=", 100, "份", 1, "份"),
    ("≤5个工作日", "<=", 5, "个工作日", 1, "个工作日"),
    ("≥3平方公里", ">=", 3, "平方公里", 1, "平方公里"),
    ("≥3 套设备", ">=", 3, "套设备", 1, "套设备"),  # any short unit after an operator
    ("≤3 个百分点", "<=", 3, "个百分点", 1, "个百分点"),
    ("≥2000m²", ">=", 2000, "m²", 1, "m²"),
    # plain numbers (actual values)
    ("12.5", None, 12.5, "", 1, ""),
    ("1956", None, 1956, "", 1, ""),
    ("100", None, 100, "", 1, ""),
    ("0", None, 0, "", 1, ""),
    ("100%", None, 100, "%", 1, "%"),
    ("95.00%", None, 95, "%", 1, "%"),
    ("=100%", "=", 100, "%", 1, "%"),
    ("2 人", None, 2, "人", 1, "人"),
    ("  15 户 ", None, 15, "户", 1, "户"),
    ("15户。", None, 15, "户", 1, "户"),
    ("1e5", None, 1e5, "", 1, ""),
    (".5", None, 0.5, "", 1, ""),
    # negative numbers
    ("-5%", None, -5, "%", 1, "%"),
    ("≤-5%", "<=", -5, "%", 1, "%"),
    ("≤ - 5 %", "<=", -5, "%", 1, "%"),
    ("－5", None, -5, "", 1, ""),
    ("−3.5", None, -3.5, "", 1, ""),
    ("+5", None, 5, "", 1, ""),
    # qualifier words after the unit
    ("≥95%以上", ">=", 95, "%", 1, "%"),
    ("95%以上", ">=", 95, "%", 1, "%"),
    ("95%及以上", ">=", 95, "%", 1, "%"),
    ("3天以内", "<=", 3, "天", 1, "天"),
    ("5%以下", "<=", 5, "%", 1, "%"),
    ("5人左右", None, 5, "人", 1, "人"),
    ("≥10%（含）", ">=", 10, "%", 1, "%"),
    # odd whitespace
    ("≥\u300010\u3000%", ">=", 10, "%", 1, "%"),
    ("≥\xa010%", ">=", 10, "%", 1, "%"),
    ("≥\u200b10%", ">=", 10, "%", 1, "%"),
]


@pytest.mark.parametrize(("text", "op", "number", "unit", "scale", "written"), QUANTITATIVE)
def test_quantitative(
    text: str, op: str | None, number: float, unit: str, scale: float, written: str
) -> None:
    parsed = parse_indicator(text)
    assert parsed.kind == "quantitative", parsed
    assert parsed.text == text
    assert parsed.op == op
    assert parsed.number == pytest.approx(number)
    assert parsed.unit == unit
    assert parsed.scale == scale
    assert parsed.written_unit == written
    assert parsed.band is None
    assert parsed.error is None
    assert parsed.value == pytest.approx(number * scale)


QUALITATIVE = [
    "健全",
    "规范",
    "促进",
    "提升",
    "有",
    "提高",
    "保障",
    "及时",
    "改善",
    "消除",
    "合格",
    "高",
    "完成",
    "促进发展",
    "建立制度",
    "建立 制度",
    "提 高",
    "管理规范",
    "全部公开",
    "制度有效",
    "效果明显",
    "纳入规模以上统计，企业正常运行，年销售收入达标",
    "全部或基本达成预期指标",
    # a number followed by long text, no operator
    "2024年完成",
    "26户砖瓦企业",
    "100%完成",
    "完成3项",
    "约10%",
    "满意度≥95%",
    "2024-12-31",
    "12月31日前完成",
    "1.2.3",
    "*",
    "%",
]


@pytest.mark.parametrize("text", QUALITATIVE)
def test_qualitative(text: str) -> None:
    parsed = parse_indicator(text)
    assert parsed.kind == "qualitative", parsed
    assert parsed.text == text
    assert parsed.op is None
    assert parsed.number is None
    assert parsed.value is None
    assert parsed.band is None
    assert parsed.error is None


# text -> band name, low, high
BANDS: list[tuple[str, str, float, float]] = [
    ("100%-80%(含)", "achieved", 0.8, 1.0),
    ("100%-80% (含)", "achieved", 0.8, 1.0),
    ("100%-80%（含）", "achieved", 0.8, 1.0),
    ("100%-80% (含", "achieved", 0.8, 1.0),
    ("100%-80%", "achieved", 0.8, 1.0),
    ("100%－80%（含）", "achieved", 0.8, 1.0),
    ("１００％－８０％（含）", "achieved", 0.8, 1.0),
    ("1 00%-80%(含)", "achieved", 0.8, 1.0),
    ("全部或基本达成预期指标 100%-80% (含)", "achieved", 0.8, 1.0),
    ("全部或基本达 成预期指标 100%-80% (含", "achieved", 0.8, 1.0),
    ("80%-60%(含)", "partial", 0.6, 0.8),
    ("80%-60%（含）", "partial", 0.6, 0.8),
    ("80%-60% (含", "partial", 0.6, 0.8),
    ("部分达成预期指标并具有一定效果 80%-60%(含)", "partial", 0.6, 0.8),
    ("60%-0%", "not_achieved", 0.0, 0.6),
    ("60%-0%(含)", "not_achieved", 0.0, 0.6),
    ("未达成预期指标且效果较差60%-0%", "not_achieved", 0.0, 0.6),
]


@pytest.mark.parametrize(("text", "band", "low", "high"), BANDS)
def test_band(text: str, band: str, low: float, high: float) -> None:
    parsed = parse_indicator(text)
    assert parsed.kind == "band", parsed
    assert parsed.text == text
    assert parsed.band == band
    assert parsed.band_low == low
    assert parsed.band_high == high
    assert parsed.op is None
    assert parsed.number is None
    assert parsed.error is None


EMPTY: list[Any] = [
    None,
    "",
    " ",
    "\t\n",
    "\u3000",
    "null",
    "NULL",
    "Null",
    "None",
    "nan",
    "—",
    "——",
    "-",
    "--",
    "- -",
    "/",
    "／",
    "无",
    " 无 ",
    math.nan,
]


@pytest.mark.parametrize("text", EMPTY)
def test_empty(text: Any) -> None:
    parsed = parse_indicator(text)
    assert parsed.kind == "empty", parsed
    assert parsed.text == ("" if text is None else str(text))
    assert parsed.op is None
    assert parsed.number is None
    assert parsed.error is None


# text -> a fragment expected in the Chinese error message
INVALID: list[tuple[Any, str]] = [
    ("≥abc", "有运算符但没有数值"),
    ("≥ 健全", "有运算符但没有数值"),
    ("≥", "有运算符但没有数值"),
    ("=", "有运算符但没有数值"),
    ("≤约10天", "有运算符但没有数值"),
    ("≥10%~20%", "多个数值"),
    ("≥10%-20%", "多个数值"),
    (">=90% 0%", "多个数值"),
    ("≤2024年12月31日", "多个数值"),
    ("> 10\t$\\geq 10\\%$", "多个数值"),
    ("10%~20%", "多个数值"),
    ("10-20", "多个数值"),
    ("90%-100%", "多个数值"),
    ("≥26户砖瓦企业", "单位"),
    ("≥10 个（家）", "单位"),
    ("=5 abcdefgh", "单位"),
    ("<>5", "运算符"),
    ("≥≤5", "运算符"),
    ("1" * 400, "超出范围"),
    ("≥1e999", "超出范围"),
    (math.inf, "超出范围"),
    (-math.inf, "超出范围"),
    (10**400, "超出范围"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID)
def test_invalid(text: Any, fragment: str) -> None:
    parsed = parse_indicator(text)
    assert parsed.kind == "invalid", parsed
    assert parsed.text == str(text)
    assert parsed.number is None
    assert parsed.error is not None
    assert parsed.error.startswith("无法识别的指标值：“")
    assert fragment in parsed.error


def test_invalid_message_format() -> None:
    assert parse_indicator("≥abc").error == "无法识别的指标值：“≥abc”（有运算符但没有数值）"
    assert parse_indicator("≥abc").op == ">="


def test_invalid_message_is_short_for_long_text() -> None:
    parsed = parse_indicator("≥" + "很长的说明" * 50)
    assert parsed.kind == "invalid"
    assert parsed.error is not None
    assert len(parsed.error) < 80


# ---------------------------------------------------------------------------
# The operator and unit columns
# ---------------------------------------------------------------------------

# (text, operator column, unit column) -> (kind, op, number, unit, scale, written_unit)
COLUMNS: list[tuple[Any, Any, Any, tuple[str, str | None, float | None, str, float, str]]] = [
    ("11", "<=", None, ("quantitative", "<=", 11, "", 1, "")),
    ("11", "≦", None, ("quantitative", "<=", 11, "", 1, "")),
    ("11", "＜＝", None, ("quantitative", "<=", 11, "", 1, "")),
    ("95", " ≥ ", "%", ("quantitative", ">=", 95, "%", 1, "%")),
    (95, "≥", "％", ("quantitative", ">=", 95, "%", 1, "%")),
    ("100", "=", "%", ("quantitative", "=", 100, "%", 1, "%")),
    ("0", "=", "次", ("quantitative", "=", 0, "次", 1, "次")),
    # the text's operator wins over the column
    ("=100%", "≥", None, ("quantitative", "=", 100, "%", 1, "%")),
    ("≤100%", "=", None, ("quantitative", "<=", 100, "%", 1, "%")),
    ("95%以上", "=", None, ("quantitative", ">=", 95, "%", 1, "%")),
    # 定性 makes the value qualitative unless band or empty
    ("100", "定性", None, ("qualitative", None, None, "", 1, "")),
    ("=100%", "定性", None, ("qualitative", None, None, "", 1, "")),
    ("≥abc", "定性", None, ("qualitative", None, None, "", 1, "")),
    ("健全", "定性", None, ("qualitative", None, None, "", 1, "")),
    ("健全", " 定 性 ", None, ("qualitative", None, None, "", 1, "")),
    ("", "定性", None, ("empty", None, None, "", 1, "")),
    ("100%-80%(含)", "定性", None, ("band", None, None, "", 1, "")),
    ("100%-80%(含)", "=", "%", ("band", None, None, "", 1, "")),
    # an operator column does not make text quantitative
    ("健全", "=", None, ("qualitative", None, None, "", 1, "")),
    ("2024年完成", "≥", None, ("qualitative", None, None, "", 1, "")),
    ("", "≥", "%", ("empty", None, None, "", 1, "")),
    # unknown or blank operator column values are ignored
    ("95", "abc", None, ("quantitative", None, 95, "", 1, "")),
    ("95", "", None, ("quantitative", None, 95, "", 1, "")),
    ("95", math.nan, None, ("quantitative", None, 95, "", 1, "")),
    ("95", "定量", None, ("quantitative", None, 95, "", 1, "")),
    # unit column used when the text has no unit
    ("11", None, "万", ("quantitative", None, 11, "", 1e4, "万")),
    ("50", None, "万元", ("quantitative", None, 50, "元", 1e4, "万元")),
    ("50", None, "万 元", ("quantitative", None, 50, "元", 1e4, "万元")),
    ("50", None, "（万元）", ("quantitative", None, 50, "元", 1e4, "万元")),
    ("2.1", None, "亿元", ("quantitative", None, 2.1, "元", 1e8, "亿元")),
    ("92.15", None, "%", ("quantitative", None, 92.15, "%", 1, "%")),
    ("30", ">=", "户", ("quantitative", ">=", 30, "户", 1, "户")),
    ("30", ">=", " 户 ", ("quantitative", ">=", 30, "户", 1, "户")),
    ("30", ">=", "null", ("quantitative", ">=", 30, "", 1, "")),
    ("30", ">=", "—", ("quantitative", ">=", 30, "", 1, "")),
    ("30", ">=", math.nan, ("quantitative", ">=", 30, "", 1, "")),
    ("30", ">=", "abcdefgh", ("quantitative", ">=", 30, "", 1, "")),
    ("30", ">=", "10", ("quantitative", ">=", 30, "", 1, "")),
    # the text's unit wins; a bare scale in the text takes the column's base unit
    ("=100%", None, "万元", ("quantitative", "=", 100, "%", 1, "%")),
    ("≥21亿", None, "元", ("quantitative", ">=", 21, "元", 1e8, "亿")),
    ("<=11 万", None, "万元", ("quantitative", "<=", 11, "元", 1e4, "万")),
    ("<=11 万", None, "万", ("quantitative", "<=", 11, "", 1e4, "万")),
    ("<=11 万", None, "%", ("quantitative", "<=", 11, "", 1e4, "万")),
    # a unit column never makes qualitative text quantitative
    ("健全", None, "%", ("qualitative", None, None, "", 1, "")),
]


@pytest.mark.parametrize(("text", "operator", "unit", "expected"), COLUMNS)
def test_operator_and_unit_columns(
    text: Any,
    operator: Any,
    unit: Any,
    expected: tuple[str, str | None, float | None, str, float, str],
) -> None:
    parsed = parse_indicator(text, operator=operator, unit=unit)
    kind, op, number, unit_out, scale, written = expected
    assert (parsed.kind, parsed.op, parsed.unit, parsed.scale, parsed.written_unit) == (
        kind,
        op,
        unit_out,
        scale,
        written,
    ), parsed
    if number is None:
        assert parsed.number is None
    else:
        assert parsed.number == pytest.approx(number)
    assert parsed.text == str(text)


# ---------------------------------------------------------------------------
# Properties of IndicatorValue and non-string inputs
# ---------------------------------------------------------------------------


def test_value_and_is_money() -> None:
    money = parse_indicator("≥21亿元")
    assert money.value == pytest.approx(2.1e9)
    assert money.is_money
    count = parse_indicator("<=11 万")
    assert count.value == pytest.approx(110000)
    assert not count.is_money
    assert parse_indicator("=18000元").is_money
    assert parse_indicator("≤0.5万元").value == pytest.approx(5000)
    assert not parse_indicator("≤800元/人").is_money
    assert parse_indicator("健全").value is None
    assert not parse_indicator("健全").is_money


def test_indicator_value_is_frozen() -> None:
    parsed = parse_indicator("≥10%")
    with pytest.raises(AttributeError):
        parsed.kind = "empty"  # type: ignore[misc]


def test_indicator_value_pickles_and_copies_field_for_field() -> None:
    import copy
    import dataclasses
    import pickle

    every_field = IndicatorValue(
        text="90%-100%",
        kind="band",
        op=">=",
        number=0.9,
        unit="%",
        scale=0.01,
        written_unit="百分比",
        band="良",
        band_low=0.8,
        band_high=1.0,
        error="x",
    )
    defaults = {f.name: f.default for f in dataclasses.fields(IndicatorValue)}
    assert all(getattr(every_field, k) != v for k, v in defaults.items())
    for value in (every_field, parse_indicator("≥10%"), parse_indicator("健全")):
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(value, protocol=protocol))
            assert type(back) is IndicatorValue and back == value
            assert dataclasses.asdict(back) == dataclasses.asdict(value)
        assert copy.copy(value) == value == copy.deepcopy(value)


def test_direct_construction_defaults() -> None:
    value = IndicatorValue(text="x", kind="qualitative")
    assert (value.op, value.number, value.unit, value.scale, value.written_unit) == (
        None,
        None,
        "",
        1.0,
        "",
    )
    assert value.value is None
    assert not value.is_money


@pytest.mark.parametrize(
    ("value", "kind", "number"),
    [
        (12, "quantitative", 12),
        (-3, "quantitative", -3),
        (12.5, "quantitative", 12.5),
        (0.0, "quantitative", 0),
        (1e20, "quantitative", 1e20),
        (1e-7, "quantitative", 1e-7),
        (True, "qualitative", None),
        (False, "qualitative", None),
    ],
)
def test_non_string_inputs(value: Any, kind: str, number: float | None) -> None:
    parsed = parse_indicator(value)
    assert parsed.kind == kind
    assert parsed.text == str(value)
    if number is None:
        assert parsed.number is None
    else:
        assert parsed.number == pytest.approx(number)


def test_objects_with_broken_str_do_not_raise() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("boom")

        def __repr__(self) -> str:
            raise RuntimeError("boom")

    parsed = parse_indicator(Broken(), operator=Broken(), unit=Broken())
    assert parsed.kind in KINDS
    assert normalise_operator(Broken()) is None
    with pytest.raises(ValueError):
        parse_number(Broken())


# ---------------------------------------------------------------------------
# parse_number
# ---------------------------------------------------------------------------

NUMBERS: list[tuple[Any, float]] = [
    (5, 5.0),
    (2.5, 2.5),
    (-3, -3.0),
    ("12", 12.0),
    ("12.79", 12.79),
    ("1,800", 1800.0),
    ("1,234,567.89", 1234567.89),
    ("１２３", 123.0),
    ("１，８００", 1800.0),
    ("104 14", 10414.0),
    ("8.3 3", 8.33),
    ("95.00%", 95.0),
    ("95.00 %", 95.0),
    ("92％", 92.0),
    ("+5", 5.0),
    ("-5", -5.0),
    ("－5", -5.0),
    ("−5", -5.0),
    (" 42 ", 42.0),
    ("0", 0.0),
    (".5", 0.5),
    ("1e5", 1e5),
    ("1E-3", 1e-3),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_parse_number(text: Any, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", [None, "", " ", "\u3000", "null", "NULL", "None", "—", "——", "-", "--", "/", "无"]
)
def test_parse_number_empty(text: Any) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12abc",
        "≥10%",
        "10万元",
        "1,8",
        "1.2.3",
        "nan",
        "inf",
        "%",
        "+",
        "1e999",
        math.nan,
        math.inf,
        -math.inf,
        True,
        False,
        10**400,
        object(),
        [1],
    ],
)
def test_parse_number_errors(text: Any) -> None:
    with pytest.raises(ValueError, match="不是数字"):
        parse_number(text)


def test_parse_number_message() -> None:
    with pytest.raises(ValueError) as info:
        parse_number("abc")
    assert str(info.value) == "不是数字：“abc”"


# ---------------------------------------------------------------------------
# normalise_operator
# ---------------------------------------------------------------------------

OPERATORS: list[tuple[Any, str | None]] = [
    ("=", "="),
    ("＝", "="),
    ("═", "="),
    ("==", "="),
    ("≥", ">="),
    ("≧", ">="),
    ("⩾", ">="),
    (">=", ">="),
    ("=>", ">="),
    ("≥=", ">="),
    ("＞＝", ">="),
    ("> =", ">="),
    (r"$\geq$", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("⩽", "<="),
    ("<=", "<="),
    ("=<", "<="),
    ("＜＝", "<="),
    (r"\leq", "<="),
    (">", ">"),
    ("＞", ">"),
    ("<", "<"),
    ("＜", "<"),
    ("大于等于", ">="),
    ("不超过", "<="),
    ("定性", "定性"),
    ("定 性", "定性"),
    (" 定性 ", "定性"),
    ("定\u3000性", "定性"),
    (None, None),
    ("", None),
    ("  ", None),
    (math.nan, None),
    ("<>", None),
    ("定量", None),
    ("abc", None),
    ("≥10", None),
    (5, None),
]


@pytest.mark.parametrize(("text", "expected"), OPERATORS)
def test_normalise_operator(text: Any, expected: str | None) -> None:
    assert normalise_operator(text) == expected


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------

OP_GLYPHS: dict[str, str] = {
    "=": "=",
    "＝": "=",
    "═": "=",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    ">=": ">=",
    "=>": ">=",
    "≥=": ">=",
    "＞＝": ">=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "<=": "<=",
    "=<": "<=",
    "＜＝": "<=",
    ">": ">",
    "＞": ">",
    "<": "<",
    "＜": "<",
}
# written unit -> (unit, scale)
UNITS: dict[str, tuple[str, float]] = {
    "": ("", 1.0),
    "%": ("%", 1.0),
    "％": ("%", 1.0),
    "元": ("元", 1.0),
    "千元": ("元", 1e3),
    "万元": ("元", 1e4),
    " 万 元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "万": ("", 1e4),
    "亿": ("", 1e8),
    "户": ("户", 1.0),
    " 户": ("户", 1.0),
    "人": ("人", 1.0),
    "座": ("座", 1.0),
    "天": ("天", 1.0),
    "个": ("个", 1.0),
    "人次": ("人次", 1.0),
    "小时": ("小时", 1.0),
    "公里": ("公里", 1.0),
    "km": ("km", 1.0),
    "万吨": ("吨", 1e4),
}
NOTATION_TOKENS = [
    *OP_GLYPHS,
    *UNITS,
    *"0123456789０１２３４５６７８９",
    ".",
    ",",
    "，",
    "-",
    "－",
    "+",
    "~",
    "～",
    " ",
    "\u3000",
    "\t",
    "$",
    "\\geq",
    "\\leq",
    "\\%",
    "\\",
    "{",
    "}",
    "(含)",
    "（含）",
    "(",
    "含",
    "以上",
    "以内",
    "定性",
    "健全",
    "null",
    "—",
    "/",
    "无",
    "e",
    "E",
    "100%-80%",
    "80%-60%",
    "60%-0%",
    "全部或基本达成预期指标",
]

notation = st.lists(st.sampled_from(NOTATION_TOKENS), max_size=12).map("".join)
any_object = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    notation,
)


def check_invariants(parsed: IndicatorValue) -> None:
    """What every IndicatorValue must satisfy, whatever the input."""
    assert isinstance(parsed, IndicatorValue)
    assert parsed.kind in KINDS
    assert parsed.op is None or parsed.op in OPS
    assert isinstance(parsed.unit, str)
    assert isinstance(parsed.written_unit, str)
    assert parsed.scale > 0
    assert math.isfinite(parsed.scale)
    assert parsed.is_money == (parsed.unit == "元")
    if parsed.kind == "quantitative":
        assert parsed.number is not None
        assert math.isfinite(parsed.number)
        assert parsed.value is not None
        assert math.isfinite(parsed.value)
    else:
        assert parsed.number is None
        assert parsed.value is None
    if parsed.kind == "band":
        assert parsed.band in {"achieved", "partial", "not_achieved"}
        assert parsed.band_low is not None
        assert parsed.band_high is not None
        assert 0.0 <= parsed.band_low < parsed.band_high <= 1.0
    else:
        assert parsed.band is None
        assert parsed.band_low is None
        assert parsed.band_high is None
    if parsed.kind == "invalid":
        assert isinstance(parsed.error, str)
        assert parsed.error.startswith("无法识别的指标值")
    else:
        assert parsed.error is None
    if parsed.kind in ("empty", "qualitative", "band"):
        assert parsed.op is None


def expected_text(value: object) -> str:
    return "" if value is None else str(value)


@settings(deadline=None)
@given(st.text())
def test_property_any_text(text: str) -> None:
    parsed = parse_indicator(text)
    check_invariants(parsed)
    assert parsed.text == text


@settings(deadline=None)
@given(notation, st.one_of(st.none(), notation), st.one_of(st.none(), notation))
def test_property_notation_mix(text: str, operator: str | None, unit: str | None) -> None:
    parsed = parse_indicator(text, operator=operator, unit=unit)
    check_invariants(parsed)
    assert parsed.text == text
    assert normalise_operator(operator) in {*OPS, "定性", None}


@settings(deadline=None)
@given(any_object, any_object, any_object)
def test_property_any_object(value: object, operator: object, unit: object) -> None:
    parsed = parse_indicator(value, operator=operator, unit=unit)
    check_invariants(parsed)
    assert parsed.text == expected_text(value)


@settings(deadline=None)
@given(any_object)
def test_property_parse_number_raises_only_value_error(value: object) -> None:
    try:
        result = parse_number(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result is None or (isinstance(result, float) and math.isfinite(result))


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_property_parse_number_reads_float_text(number: float) -> None:
    assert parse_number(repr(number)) == number
    assert parse_number(number) == number


@settings(deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_property_parse_number_thousands(number: int) -> None:
    assert parse_number(f"{number:,}") == number
    assert parse_number(f"{number:,}".replace(",", " ")) == number


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    """A decimal number as a table would write it: optional sign, no exponent."""
    whole = draw(st.integers(min_value=0, max_value=10**9))
    places = draw(st.integers(min_value=0, max_value=4))
    sign = draw(st.sampled_from(["", "-"]))
    if places == 0:
        return f"{sign}{whole}"
    fraction = draw(st.integers(min_value=0, max_value=10**places - 1))
    return f"{sign}{whole}.{fraction:0{places}d}"


@settings(deadline=None)
@given(
    st.sampled_from(sorted(OP_GLYPHS)),
    number_texts(),
    st.sampled_from(sorted(UNITS)),
    st.sampled_from(["", " "]),
)
def test_property_round_trip(glyph: str, number: str, unit: str, gap: str) -> None:
    parsed = parse_indicator(f"{glyph}{gap}{number}{unit}")
    assert parsed.kind == "quantitative", parsed
    assert parsed.op == OP_GLYPHS[glyph]
    assert parsed.number == float(number)
    assert (parsed.unit, parsed.scale) == UNITS[unit]
    assert parsed.written_unit == unit.replace(" ", "").replace("％", "%")


@settings(deadline=None)
@given(st.sampled_from(sorted(OP_GLYPHS)), number_texts(), st.sampled_from(sorted(UNITS)))
def test_property_round_trip_with_columns(glyph: str, number: str, unit: str) -> None:
    parsed = parse_indicator(number, operator=glyph, unit=unit)
    assert parsed.kind == "quantitative", parsed
    assert parsed.op == OP_GLYPHS[glyph]
    assert parsed.number == float(number)
    assert (parsed.unit, parsed.scale) == UNITS[unit]


def _fuzz_examples() -> int:
    try:
        return max(1, int(os.environ.get("EVALKIT_FUZZ_EXAMPLES", "300")))
    except ValueError:
        return 300


@settings(
    max_examples=_fuzz_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(any_object, st.text(alphabet="".join(NOTATION_TOKENS) + "万亿元户%\\$ ")),
    any_object,
    any_object,
)
def test_fuzz_never_raises(value: object, operator: object, unit: object) -> None:
    """The long fuzz run: ``EVALKIT_FUZZ_EXAMPLES=5000 pytest tests/test_values.py -k fuzz``."""
    parsed = parse_indicator(value, operator=operator, unit=unit)
    check_invariants(parsed)
    assert parsed.text == expected_text(value)
    try:
        number = parse_number(value)
    except ValueError:
        number = None
    assert number is None or math.isfinite(number)
