"""Indicator quality (指标质量): is each published indicator a real, binding measure?

Which indicators are read: for each subject (部门整体 and every project), the rows of its
target table (《目标表指标》) when it has one; otherwise — projects executed without a target
table, as in seed 000 — the rows of its self-evaluation table (《自评指标》), else those of its
monitoring table (《监控指标》, latest monitoring period only). Every finding names the table
the indicator came from.

Public analysis tables (pure functions of ``(dept, policy)``):

* :func:`selected_indicators` — the indicator rows read, one per indicator, with the
  source table and the parsed value (also used by the relevance rules);
* :func:`indicator_inventory` — the same rows for display, with category, parsed
  operator/value/unit and the quality flags raised (the IQ rules emit these flags);
* :func:`qualitative_share` — per indicator table: 定性 and 定量 counts and the share.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model import Department, blanks_as_in_frame, frame_records
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..schema import DEPARTMENT, LEVEL1

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INDICATOR_SOURCES",
    "SOURCE_LABELS",
    "Flag",
    "category_of",
    "compact",
    "indicator_inventory",
    "indicator_source",
    "qualitative_share",
    "selected_indicators",
    "shown_value",
    "subjects_in_order",
]

#: Indicator tables in order of preference, with the column holding the target value.
INDICATOR_SOURCES: tuple[tuple[str, str], ...] = (
    ("targets", "value"),
    ("selfeval_indicators", "target"),
    ("monitor_indicators", "target"),
)
#: Short Chinese names of the indicator tables, as used in messages.
SOURCE_LABELS: dict[str, str] = {
    "targets": "目标表",
    "selfeval_indicators": "自评表",
    "monitor_indicators": "监控表",
}
KIND_LABELS: dict[str, str] = {
    "quantitative": "定量",
    "qualitative": "定性",
    "band": "定性（档次）",
    "empty": "空白",
    "invalid": "无法识别",
}
OP_LABELS: dict[str, str] = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}
#: The four indicator categories of the national tree (成本/产出/效益/满意度).
CATEGORY_WORDS: tuple[str, ...] = tuple(x.removesuffix("指标") for x in LEVEL1)

SECTION = "quality"


# ----------------------------------------------------------------------------------------
# small text helpers (shared with the relevance rules)
# ----------------------------------------------------------------------------------------
def compact(text: Any) -> str:
    """``text`` without whitespace and punctuation (quotes, commas, brackets ...)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _compact(str(text))


# The same indicator names, units and policy words recur in every table of a department;
# these pure text functions remember their recent answers.
_TEXT_CACHE = 1 << 16


@lru_cache(maxsize=_TEXT_CACHE)
def _compact(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "Z"))
    )


_SPACES = re.compile(r"\s+")


def _nospace(text: Any) -> str:
    return _SPACES.sub("", "" if text is None else str(text))


@lru_cache(maxsize=64)
def _compact_set(words: tuple[Any, ...]) -> frozenset[str]:
    return frozenset(compact(w) for w in words)


@lru_cache(maxsize=64)
def _nospace_list(words: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(_nospace(w) for w in words)


@lru_cache(maxsize=64)
def _placeholders(words: tuple[Any, ...]) -> tuple[tuple[str, bool], ...]:
    """The non-blank placeholder values without spaces, each with whether it holds a
    Chinese character (only those also count when found inside a longer value)."""
    return tuple((p, bool(_HAN.search(p))) for p in _nospace_list(words) if p)


def matches_any(patterns: Iterable[str], text: str) -> list[str]:
    """The patterns (regular expressions) that match ``text``."""
    items = tuple(patterns)
    try:
        return list(_matches_any(items, text))
    except TypeError:  # an unhashable pattern or text: no memo
        return [p for p in items if p and re.search(p, text)]


@lru_cache(maxsize=_TEXT_CACHE)
def _matches_any(patterns: tuple[str, ...], text: str) -> tuple[str, ...]:
    return tuple(p for p in patterns if p and re.search(p, text))


def category_of(level1: Any) -> str:
    """The national category (成本指标/产出指标/效益指标/满意度指标) a 一级指标 names, or ""."""
    if type(level1) is str:
        return _category_of(level1)
    return _category(compact(level1))


@lru_cache(maxsize=1024)
def _category_of(level1: str) -> str:
    return _category(compact(level1))


def _category(name: str) -> str:
    for word in CATEGORY_WORDS:
        if word in name:
            return f"{word}指标"
    return ""


def fmt_num(value: float | None) -> str:
    if value is None or value != value:
        return ""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.6g}"


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else load_policy()


# ----------------------------------------------------------------------------------------
# which indicators are read
# ----------------------------------------------------------------------------------------
def subjects_in_order(dept: Department) -> list[str]:
    """部门整体, then the projects in 项目清单 order, then any other subject in a table."""
    out: dict[str, None] = {DEPARTMENT: None}
    for name in dept.project_names:
        out[name] = None
    for key in ("targets", "selfeval_indicators", "monitor_indicators", "goals"):
        for subject in dept.subjects(key):
            if subject:
                out[subject] = None
    return list(out)


def indicator_source(dept: Department, subject: str) -> str | None:
    """The table key whose indicators are read for ``subject`` (None: no indicators)."""
    for key, _column in INDICATOR_SOURCES:
        if subject in dept.by_subject(key):
            return key
    return None


def _latest_period(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dates = [r["period_end"] for r in rows if r["period_end"] is not None]
    dates = [d for d in dates if d == d]
    if not dates:
        return rows
    latest = max(dates)
    return [r for r in rows if _equal(r["period_end"], latest)]


def _equal(value: Any, other: Any) -> bool:
    """``value == other`` as pandas compares an object column with a scalar (None: False)."""
    return value is not None and bool(value == other)


_HAN = re.compile(r"[\u4e00-\u9fff]")
_OP_START = re.compile(r"\s*[<>=≥≤≧≦⩾⩽═＜＞＝]")


def shown_value(text: Any, op: str | None, written_unit: str, kind: str) -> str:
    """The value as published, with the operator and unit of their own columns put back.

    Tables that write 指标值类型 and 度量单位 in separate columns leave only "100" in the
    value cell; messages quote "≤100%".
    """
    if type(text) is str:
        return _shown_text(text, op, written_unit, kind)
    raw = "" if text is None or (isinstance(text, float) and text != text) else str(text).strip()
    return _shown_text(raw, op, written_unit, kind)


@lru_cache(maxsize=_TEXT_CACHE)
def _shown_text(text: str, op: str | None, written_unit: str, kind: str) -> str:
    raw = text.strip()
    if not raw:
        return "（空白）"
    if kind != "quantitative":
        return raw
    if op and not _OP_START.match(raw) and not re.search("以上|以下|以内|不[低高少多超]于", raw):
        raw = OP_LABELS[op] + raw
    if written_unit and written_unit not in _nospace(raw):
        raw += written_unit
    return raw


SELECTED_COLUMNS: tuple[str, ...] = (
    "subject", "table", "source", "row", "column", "level1", "level2", "level3", "text",
    "shown", "op", "num", "value", "unit", "written_unit", "scale", "kind", "category",
)  # fmt: skip


def selected_indicators(dept: Department) -> pd.DataFrame:
    """One row per indicator read by the quality and relevance rules.

    Columns: ``subject``, ``table`` (key), ``source`` (目标表/自评表/监控表), ``row`` (Excel
    row), ``column`` (key of the value column), ``level1``, ``level2``, ``level3``,
    ``text`` (verbatim value), ``shown`` (value with operator and unit), ``op``, ``num``, ``value``, ``unit``, ``written_unit``,
    ``scale``, ``kind``, ``category``.
    """
    import pandas as pd

    return pd.DataFrame.from_records(selected_rows(dept), columns=list(SELECTED_COLUMNS))


def selected_rows(dept: Department) -> list[dict[str, Any]]:
    """The rows of :func:`selected_indicators` as dicts, with the blanks the table holds
    (what ``frame_records`` of the table gives)."""
    records: list[dict[str, Any]] = []
    columns = dict(INDICATOR_SOURCES)
    # the same cells recur: each shown value (by text and parsed value) and category once;
    # parsed values are shared by the cells of the same text and kept alive by the department
    shown_of: dict[tuple[Any, int], str] = {}
    category: dict[Any, str] = {}
    for subject in subjects_in_order(dept):
        key = indicator_source(dept, subject)
        if key is None:
            continue
        column = columns[key]
        parsed_column = f"{column}_parsed"
        rows = dept.rows(key, subject)
        if key == "monitor_indicators":
            rows = _latest_period(rows)
        source = SOURCE_LABELS[key]
        for rec in rows:
            parsed = rec[parsed_column]
            text, level1 = rec[column], rec["level1"]
            cell = (text, id(parsed))
            shown = shown_of.get(cell)
            if shown is None:
                shown = shown_of[cell] = shown_value(
                    text, parsed.op, parsed.written_unit, parsed.kind
                )
            cat = category.get(level1)
            if cat is None:
                cat = category[level1] = category_of(level1)
            records.append(
                {
                    "subject": subject,
                    "table": key,
                    "source": source,
                    "row": int(rec["_row"]),
                    "column": column,
                    "level1": level1,
                    "level2": rec["level2"],
                    "level3": rec["level3"],
                    "text": text,
                    "shown": shown,
                    "op": parsed.op,
                    "num": parsed.number,
                    "value": parsed.value,
                    "unit": parsed.unit,
                    "written_unit": parsed.written_unit,
                    "scale": parsed.scale,
                    "kind": parsed.kind,
                    "category": cat,
                }
            )
    blanks_as_in_frame(records, ("level1", "level2", "level3", "text", "op", "num", "value"))
    return records


# ----------------------------------------------------------------------------------------
# quality flags
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flag:
    """One quality problem of one indicator, raised by the inventory for rule ``rule_id``."""

    rule_id: str
    problem: str  # short Chinese label
    detail: str  # Chinese sentence (the reason)
    expected: str  # what the value/name should be
    formula: str  # the test applied, in words
    column: str | None = None  # evidence column when not the value column

    def __str__(self) -> str:
        return f"{self.rule_id} {self.problem}"


def _shown_value(ind: dict[str, Any]) -> str:
    return str(ind["shown"])


class _Words:
    """The ``quality`` section of a policy as the checks read it: its word and pattern lists
    (read once), and which patterns each indicator name matches (remembered: the same
    names recur in every table)."""

    LISTS = (
        "money_units", "money_name_words", "execution_rate_patterns", "nonbinding_rate_patterns",
        "spending_rate_patterns", "placeholder_level3", "output_level2_words",
        "funds_disbursed_patterns", "count_units", "satisfaction_patterns",
        "bounded_rate_patterns", "unbounded_rate_patterns", "placeholder_values",
        "vague_values", "rate_name_patterns",
    )  # fmt: skip

    def __init__(self, pol: Policy) -> None:
        self.lists: dict[str, list[Any]] = {
            key: list(pol.get(f"{SECTION}.{key}") or []) for key in self.LISTS
        }
        self.placeholder_level3 = _compact_set(tuple(self.lists["placeholder_level3"]))
        self.placeholder_values = _placeholders(tuple(self.lists["placeholder_values"]))
        self._hits: dict[tuple[str, str], list[str]] = {}

    def hits(self, key: str, name: str) -> list[str]:
        """:func:`matches_any` of the policy's pattern list ``key`` on ``name``."""
        found = self._hits.get((key, name))
        if found is None:
            found = self._hits[(key, name)] = matches_any(self.lists[key], name)
        return found


def _is_money(ind: dict[str, Any], name: str, words: _Words) -> bool:
    if ind["unit"] == "元" or ind["written_unit"] in words.lists["money_units"]:
        return True
    scaled = ind["unit"] == "" and ind["scale"] not in (None, 1.0)
    return bool(scaled and any(w in name for w in words.lists["money_name_words"]))


def _flag_nonbinding(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ001: a value that the result cannot fail (≤100% on a rate, ≥0, ≤ on 执行率)."""
    if ind["kind"] != "quantitative" or ind["num"] is None:
        return None
    op, num, shown = ind["op"], float(ind["num"]), _shown_value(ind)
    exec_hit = words.hits("execution_rate_patterns", name)
    rate_hit = words.hits("nonbinding_rate_patterns", name)
    spend_hit = words.hits("spending_rate_patterns", name)
    if exec_hit and op in ("<=", "<"):
        return Flag(
            "IQ001",
            "指标值不具约束性",
            f"预算执行率类指标以“{OP_LABELS[op]}”设定（{shown}），执行率为0%也算完成目标，"
            "无法体现推进项目实施、按进度支出的要求",
            "=100%（或明确的最低执行率，如≥95%）",
            f"三级指标名称含“{exec_hit[0]}”且运算符为“{OP_LABELS[op]}” → 任何执行结果均达标",
        )
    if rate_hit and op in ("<=", "<") and num >= 100 and ind["unit"] in ("%", ""):
        expected = (
            "=100%（或明确的最低比率）"
            if spend_hit
            else "以上年实际数、编制数或压减要求为基准的具体控制目标（低于100%或较上年下降）"
        )
        return Flag(
            "IQ001",
            "指标值不具约束性",
            f"比率类指标设为“{shown}”，只要不超过100%即算完成（实际为0%或99%都达标），"
            "体现不出控制或推进要求",
            expected,
            f"三级指标名称含“{rate_hit[0]}”，运算符“{OP_LABELS[op]}”，"
            f"指标值{fmt_num(num)}% ≥ 100% → 无约束",
        )
    if op == ">=" and num == 0:
        return Flag(
            "IQ001",
            "指标值不具约束性",
            f"指标值为“{shown}”，任何结果都不低于0，目标必然完成",
            "大于0的具体目标值",
            "运算符“≥”且指标值为0 → 任何结果均达标",
        )
    return None


def _flag_placeholder(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ002: a level-3 name that is only a category word (数量, 质量, 产出数量 ...)."""
    if not name:
        return None
    candidates = {name, name.removesuffix("指标")}
    parents = {compact(ind["level1"]), compact(ind["level2"])} - {""}
    if candidates & words.placeholder_level3:
        why = "只是指标类别词"
    elif name in parents:
        why = "与上级指标名称相同"
    else:
        return None
    return Flag(
        "IQ002",
        "三级指标为占位词",
        f"三级指标“{ind['level3']}”{why}，指标值为“{_shown_value(ind)}”，"
        "未说明衡量的具体内容，不是可考核的指标",
        "写明具体衡量对象和计量口径的三级指标（如“××完成数量 ≥N 项”）",
        f"三级指标“{name}”属于占位词表或等于上级指标名称",
        column="level3",
    )


def _flag_unit_category(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ003: unit and category disagree (money under 数量, head count under 成本 ...)."""
    level2 = compact(ind["level2"])
    cat = ind["category"]
    shown = _shown_value(ind)
    disbursed = words.hits("funds_disbursed_patterns", name)
    if ind["kind"] == "quantitative" and _is_money(ind, name, words):
        l2_hit = [w for w in words.lists["output_level2_words"] if w in level2]
        if (l2_hit or cat == "产出指标") and not disbursed:
            where = ind["level2"] if l2_hit else ind["level1"]
            return Flag(
                "IQ003",
                "指标单位与类别不符",
                f"“{ind['level3']}”以金额计量（{shown}），却列在“{where}”下；"
                "产出的数量、质量、时效应以实物量、完成率等计量，金额类指标属于成本指标"
                "（投入）或效益指标（收益），除非写明为拨付、发放的资金数量",
                "移至成本指标或经济效益指标，或在产出指标中改用实物量、完成率等口径",
                f"计量单位为金额（{ind['written_unit'] or ind['unit']}）且二级/一级指标为“{where}”",
            )
    if (
        ind["kind"] == "quantitative"
        and cat == "成本指标"
        and ind["unit"] in words.lists["count_units"]
    ):
        return Flag(
            "IQ003",
            "指标单位与类别不符",
            f"“{ind['level3']}”以“{ind['unit']}”计量（{shown}），是人数或实物数量，"
            "却列在成本指标下；成本指标应以金额计量",
            "成本指标改为金额（元/万元）口径；人数、个数归入产出指标—数量指标",
            f"一级指标为成本指标，计量单位“{ind['unit']}”属于计数单位",
        )
    satisfaction = words.hits("satisfaction_patterns", name)
    if satisfaction and ind["kind"] in ("quantitative", "qualitative") and ind["unit"] != "%":
        return Flag(
            "IQ003",
            "指标单位与类别不符",
            f"满意度指标“{ind['level3']}”的指标值为“{shown}”，未以百分比计量",
            "以百分比表示的满意度目标（如≥90%）",
            "三级指标名称含“满意”，计量单位不是%",
        )
    if satisfaction and cat in ("成本指标", "产出指标", "效益指标"):
        return Flag(
            "IQ003",
            "指标单位与类别不符",
            f"满意度指标“{ind['level3']}”列在“{ind['level1']}”下，应归入满意度指标",
            "移至满意度指标—服务对象满意度指标",
            f"三级指标名称含“满意”，一级指标为“{ind['level1']}”",
            column="level1",
        )
    return None


def _flag_no_unit(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ005: a quantitative value without a unit of measurement (or only 万/亿)."""
    if ind["kind"] != "quantitative" or ind["unit"]:
        return None
    written = ind["written_unit"] or ""
    if written:
        detail = f"指标值“{_shown_value(ind)}”只写了数量级“{written}”，未写明计量单位"
        expected = f"写明完整计量单位（如“{written}元”“{written}户”）"
    else:
        detail = f"定量指标值“{_shown_value(ind)}”没有计量单位"
        expected = "在指标值或度量单位中写明计量单位（%、户、万元、天……）"
    return Flag("IQ005", "定量指标缺少计量单位", detail, expected, "定量指标且计量单位为空")


def _flag_cost_ge(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ006: a cost indicator written with ≥ (>)."""
    if ind["category"] != "成本指标" or ind["op"] not in (">=", ">"):
        return None
    return Flag(
        "IQ006",
        "成本指标使用“≥”",
        f"成本指标“{ind['level3']}”设为“{_shown_value(ind)}”，成本越高越“达标”，"
        "起不到控制成本的作用",
        f"≤{fmt_num(ind['num'])}{ind['written_unit']}（成本指标应为“≤”或“=”）",
        f"一级指标为成本指标，运算符“{OP_LABELS[ind['op']]}”",
    )


def _bounded(name: str, words: _Words) -> bool:
    bounded = words.hits("bounded_rate_patterns", name)
    unbounded = words.hits("unbounded_rate_patterns", name)
    return bool(bounded) and not unbounded


def _flag_over_100(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ007: ≥100% (cannot be exceeded) or a % above 100 on a rate that cannot exceed it."""
    if ind["kind"] != "quantitative" or ind["unit"] != "%" or ind["num"] is None:
        return None
    if not _bounded(name, words):
        return None
    op, num = ind["op"], float(ind["num"])
    if op in (">=", ">") and num >= 100:
        detail = (
            f"比率“{ind['level3']}”不可能超过100%，“{_shown_value(ind)}”实际等同于“=100%”，"
            "超额部分无从衡量"
        )
        formula = f"比率上限100%，运算符“{OP_LABELS[op]}”，指标值{fmt_num(num)}% ≥ 100%"
    elif op in ("=", None) and num > 100:
        detail = f"比率“{ind['level3']}”不可能超过100%，指标值“{_shown_value(ind)}”无法实现"
        formula = f"比率上限100%，指标值{fmt_num(num)}% > 100%"
    else:
        return None
    return Flag(
        "IQ007",
        "百分比指标值超过或等于100%而无法超额",
        detail,
        "=100%，或低于100%的“≥”目标（如≥95%）",
        formula,
    )


def _flag_execution_as_result(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ008: the execution/disbursement rate used as an output or outcome indicator."""
    if ind["category"] not in ("产出指标", "效益指标"):
        return None
    hit = words.hits("execution_rate_patterns", name)
    if not hit:
        return None
    return Flag(
        "IQ008",
        "以预算执行率作为产出或效益指标",
        f"“{ind['level3']}”（{_shown_value(ind)}）列在{ind['category']}下，"
        "与自评表单列的预算执行率重复，不反映项目产出或效果",
        "以项目实际产出（数量、质量、时效）或效果作为指标",
        f"一级指标为{ind['category']}，三级指标名称含“{hit[0]}”",
    )


def _flag_blank_vague(ind: dict[str, Any], name: str, words: _Words) -> Flag | None:
    """IQ009: blank, template placeholder, vague wording, or a rate written qualitatively."""
    text = _nospace(ind["text"])
    if ind["kind"] == "empty":
        return Flag(
            "IQ009",
            "指标值空白、模糊或为模板占位",
            f"指标“{ind['level3']}”的指标值为空白",
            "明确的指标值（定量指标写明运算符、数值和单位）",
            "指标值为空",
        )
    hit = [p for p, han in words.placeholder_values if text == p or (han and p in text)]
    if hit:
        return Flag(
            "IQ009",
            "指标值空白、模糊或为模板占位",
            f"指标“{ind['level3']}”的指标值“{_shown_value(ind)}”是模板占位或填写说明",
            "明确的指标值",
            f"指标值含占位内容“{hit[0]}”",
        )
    if ind["kind"] != "qualitative":
        return None
    vague = [w for w in words.lists["vague_values"] if w and w in text]
    if vague:
        return Flag(
            "IQ009",
            "指标值空白、模糊或为模板占位",
            f"指标“{ind['level3']}”的指标值“{_shown_value(ind)}”表述模糊，无法判断是否完成",
            "可衡量的指标值（定量目标，或写明达标标准的定性描述）",
            f"指标值含模糊用语“{vague[0]}”",
        )
    rate = words.hits("rate_name_patterns", name)
    if rate:
        return Flag(
            "IQ009",
            "指标值空白、模糊或为模板占位",
            f"“{ind['level3']}”名为比率，指标值却是定性描述“{_shown_value(ind)}”，"
            "无法据以计算完成情况",
            "以百分比表示的目标值（如“=100%”或“≥95%”）",
            f"三级指标名称符合比率模式“{rate[0]}”，指标值为定性",
        )
    return None


ROW_CHECKS = (
    _flag_nonbinding,
    _flag_placeholder,
    _flag_unit_category,
    _flag_no_unit,
    _flag_cost_ge,
    _flag_over_100,
    _flag_execution_as_result,
    _flag_blank_vague,
)


def _flags(ind: dict[str, Any], words: _Words) -> list[Flag]:
    name = compact(ind["level3"])
    return [f for check in ROW_CHECKS if (f := check(ind, name, words)) is not None]


#: (subject, source label, Excel row, table key, kind) of a selected indicator: what
#: :func:`_qualitative_share_rows` reads.
_share_item = itemgetter("subject", "source", "row", "table", "kind")

#: The fields of an indicator the checks read (the same fields give the same flags).
_FLAG_INPUTS: tuple[str, ...] = (
    "kind", "num", "op", "unit", "written_unit", "scale", "level1", "level2", "level3",
    "category", "text", "shown",
)  # fmt: skip
_flag_key = itemgetter(*_FLAG_INPUTS)


def indicator_inventory(
    dept: Department, policy: Policy | None = None, *, selected: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The indicators the quality rules read, with their quality flags.

    One row per indicator. Chinese columns: 对象, 来源表, 行号, 一级指标, 二级指标,
    三级指标, 指标类别, 指标值 (with operator and unit), 指标值原文 (the cell), 运算符, 数值, 单位, 指标类型, 质量问题; technical
    columns ``_table``, ``_column`` (value column key) and ``_flags`` (list of :class:`Flag`).
    ``selected`` is :func:`selected_indicators` when the caller has it already.
    """
    sel = selected if selected is not None else selected_indicators(dept)
    return _inventory_table(frame_records(sel), _policy(policy))


INVENTORY_COLUMNS: tuple[str, ...] = (
    "对象", "来源表", "行号", "一级指标", "二级指标", "三级指标", "指标类别", "指标值",
    "指标值原文", "运算符", "数值", "单位", "指标类型", "质量问题", "_table", "_column", "_kind",
    "_flags",
)  # fmt: skip


def _inventory_table(selected: list[dict[str, Any]], pol: Policy) -> pd.DataFrame:
    """:func:`indicator_inventory` from the records of :func:`selected_indicators`."""
    import pandas as pd

    rows = _inventory_rows(selected, pol)
    return pd.DataFrame.from_records(rows, columns=list(INVENTORY_COLUMNS))


def _selected_flags(selected: list[dict[str, Any]], pol: Policy) -> list[list[Flag]]:
    """The quality flags of each selected indicator (records of :func:`selected_indicators`).

    The same indicator (name, category, value) recurs across projects: it is checked once.
    The lists are shared between equal indicators: read them, never modify them.
    """
    known: dict[tuple[Any, ...], list[Flag]] = {}
    words = _Words(pol)
    out: list[list[Flag]] = []
    for ind in selected:
        key = _flag_key(ind)
        flags = known.get(key)
        if flags is None:
            flags = known[key] = _flags(ind, words)
        out.append(flags)
    return out


def _inventory_rows(selected: list[dict[str, Any]], pol: Policy) -> list[dict[str, Any]]:
    """The rows of :func:`indicator_inventory` as dicts, from the records of
    :func:`selected_indicators` (what ``frame_records`` of the table gives)."""
    records: list[dict[str, Any]] = []
    for ind, flags in zip(selected, _selected_flags(selected, pol), strict=True):
        unit = ind["written_unit"] or ind["unit"]
        records.append(
            {
                "对象": ind["subject"],
                "来源表": ind["source"],
                "行号": ind["row"],
                "一级指标": ind["level1"],
                "二级指标": ind["level2"],
                "三级指标": ind["level3"],
                "指标类别": ind["category"],
                "指标值": ind["shown"],
                "指标值原文": ind["text"],
                "运算符": OP_LABELS.get(ind["op"] or "", ""),
                "数值": ind["num"],
                "单位": unit,
                "指标类型": KIND_LABELS.get(ind["kind"], ind["kind"]),
                "质量问题": "；".join(str(f) for f in flags),
                "_table": ind["table"],
                "_column": ind["column"],
                "_kind": ind["kind"],
                "_flags": list(flags),
            }
        )
    return records


def qualitative_share(
    dept: Department, policy: Policy | None = None, *, inventory: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per indicator table read: 定性/定量 counts, the 定性 share and whether it is too high.

    Columns: 对象, 来源表, 指标数 (non-blank values), 定性指标数, 定量指标数, 定性占比,
    上限, 超过上限; technical ``_table`` and ``_rows`` (Excel rows of the 定性 indicators).
    ``inventory`` is :func:`indicator_inventory` when the caller has it already.
    """
    import pandas as pd

    pol = _policy(policy)
    inv = inventory if inventory is not None else indicator_inventory(dept, pol)
    items = [
        (r["对象"], r["来源表"], r["行号"], r["_table"], r["_kind"])
        for r in frame_records(inv[["对象", "来源表", "行号", "_table", "_kind"]])
    ]
    rows = _qualitative_share_rows(items, pol)
    columns = [
        "对象", "来源表", "指标数", "定性指标数", "定量指标数", "定性占比", "上限", "超过上限",
        "_table", "_rows",
    ]  # fmt: skip
    return pd.DataFrame.from_records(rows, columns=columns)


def _qualitative_share_rows(
    items: Iterable[tuple[Any, Any, Any, Any, str]], pol: Policy
) -> list[dict[str, Any]]:
    """The rows of :func:`qualitative_share` from the indicators read, each as (subject,
    source label, Excel row, table key, kind)."""
    limit = float(pol.get(f"{SECTION}.qualitative_share_limit"))
    groups: dict[tuple[Any, Any], list[tuple[Any, Any, Any, Any, str]]] = {}
    for item in items:
        groups.setdefault((item[0], item[1]), []).append(item)
    records: list[dict[str, Any]] = []
    for (subject, source), grp in groups.items():
        counted = [r for r in grp if r[4] != "empty"]
        qual = [r for r in counted if r[4] in ("qualitative", "band")]
        total = len(counted)
        share = len(qual) / total if total else 0.0
        records.append(
            {
                "对象": subject,
                "来源表": source,
                "指标数": total,
                "定性指标数": len(qual),
                "定量指标数": sum(1 for r in counted if r[4] == "quantitative"),
                "定性占比": share,
                "上限": limit,
                "超过上限": bool(total and share > limit),
                "_table": grp[0][3],
                "_rows": [int(r[2]) for r in qual],
            }
        )
    return records


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
def memo_selected_records(ctx: Context) -> list[dict[str, Any]]:
    """The records of :func:`selected_indicators`, computed once per check (shared with the
    relevance rules; read-only)."""
    return ctx.memo("quality.selected_indicators", lambda: selected_rows(ctx.dept))


def _flagged(ctx: Context, rule_id: str) -> list[tuple[dict[str, Any], Flag]]:
    """The selected indicators (the rows of the indicator inventory) with a flag of
    ``rule_id``, with that flag, in inventory order."""

    def by_rule() -> dict[str, list[tuple[dict[str, Any], Flag]]]:
        selected = memo_selected_records(ctx)
        out: dict[str, list[tuple[dict[str, Any], Flag]]] = {}
        for ind, flags in zip(selected, _selected_flags(selected, ctx.policy), strict=True):
            for flag in flags:
                out.setdefault(flag.rule_id, []).append((ind, flag))
        return out

    flagged: dict[str, list[tuple[dict[str, Any], Flag]]] = ctx.memo(
        "quality.flags_by_rule", by_rule
    )
    return flagged.get(rule_id, [])


def _subject_label(subject: str) -> str:
    return "部门整体" if subject == DEPARTMENT else f"项目“{subject}”"


def _emit_flags(ctx: Context, rule_id: str) -> Iterator[Finding]:
    # ``ind`` is a selected indicator: its subject, source, row, level3, shown value and
    # level1 are the 对象, 来源表, 行号, 三级指标, 指标值 and 一级指标 of the inventory
    for ind, flag in _flagged(ctx, rule_id):
        where = f"{_subject_label(ind['subject'])}{ind['source']}"
        if ind["source"] != "目标表":
            where += "（该对象未编报绩效目标表，取自" + ind["source"] + "）"
        sources = [ctx.src(ind["table"], ind["row"], ind["column"])]
        sources.append(ctx.src(ind["table"], ind["row"], flag.column or "level3"))
        published = f"{ind['level3']}：{ind['shown']}"
        if flag.column == "level1":
            published = f"{ind['level1']}—{published}"
        yield ctx.emit(
            subject=ind["subject"],
            indicator=ind["level3"],
            message=f"{where}指标“{ind['level3']}”：{flag.detail}。",
            published=published,
            expected=flag.expected,
            formula=flag.formula,
            sources=_unique(sources),
        )


def _unique(sources: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(sources))


@rule(
    "IQ001",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="指标值不具约束性",
)
def nonbinding_value(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ001")


@rule(
    "IQ002",
    family="quality",
    severity="warning",
    dimension="相关性",
    section=SECTION,
    title="三级指标为占位词",
)
def placeholder_level3(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ002")


@rule(
    "IQ003",
    family="quality",
    severity="warning",
    dimension="相关性",
    section=SECTION,
    title="指标单位与类别不符",
)
def unit_category_mismatch(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ003")


@rule(
    "IQ004",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="定性指标占比过高",
)
def qualitative_share_too_high(ctx: Context) -> Iterator[Finding]:
    table = ctx.memo(
        "quality.qualitative_share",
        lambda: _qualitative_share_rows(map(_share_item, memo_selected_records(ctx)), ctx.policy),
    )
    for rec in table:
        if not rec["超过上限"]:
            continue
        n, q, share, limit = rec["指标数"], rec["定性指标数"], rec["定性占比"], rec["上限"]
        yield ctx.emit(
            subject=rec["对象"],
            message=(
                f"{_subject_label(rec['对象'])}{rec['来源表']}共{n}个指标，其中定性指标{q}个，"
                f"占{pct(share)}，超过{pct(limit)}的上限；绩效指标应以定量为主、定性为辅。"
            ),
            published=f"{q}/{n}（{pct(share)}）",
            expected=f"≤{pct(limit)}",
            formula=f"定性指标{q}个 ÷ 指标总数{n}个 = {pct(share)} > {pct(limit)}",
            sources=[ctx.src(rec["_table"], r, "level3") for r in rec["_rows"]],
        )


@rule(
    "IQ005",
    family="quality",
    severity="notice",
    dimension="适当性",
    section=SECTION,
    title="定量指标缺少计量单位",
)
def missing_unit(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ005")


@rule(
    "IQ006",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="成本指标使用“≥”",
)
def cost_with_ge(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ006")


@rule(
    "IQ007",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="百分比指标值超过或等于100%而无法超额",
)
def percent_over_100(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ007")


@rule(
    "IQ008",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="以预算执行率作为产出或效益指标",
)
def execution_rate_as_result(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ008")


@rule(
    "IQ009",
    family="quality",
    severity="warning",
    dimension="适当性",
    section=SECTION,
    title="指标值空白、模糊或为模板占位",
)
def blank_or_vague_value(ctx: Context) -> Iterator[Finding]:
    yield from _emit_flags(ctx, "IQ009")
