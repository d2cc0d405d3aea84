"""Cross-document consistency rules (RULES.md §4 and §6): what a machine does best.

The analyses behind the rules, each a pure function of ``(dept, policy)``:

* :func:`money_crosscheck` — the same money figure (年初预算数, 全年预算数, 全年执行数) in
  《项目清单》, the 监控资金 合计 row, the 自评资金 合计 row and 《部门信息》, side by side;
* :func:`target_crosscheck` — the same indicator's 指标值 in 目标表, 监控表 and 自评表;
* :func:`goal_crosscheck` — the same 年度目标 clause in 目标表 and 自评表 (key phrase +
  numbers);
* :func:`derived_indicators` — indicators evalkit computes itself (预算执行率, 在职人员控制率,
  cost actuals against money spent) beside the value the department reported.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Source
from ..model import Department, blanks_as_in_frame
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..schema import DEPARTMENT, SHEETS_BY_KEY, column_header
from ..values import IndicatorValue
from .monitoring import align, filled, fmt_money, fmt_num, normalise_name, num

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "derived_indicators",
    "goal_crosscheck",
    "money_crosscheck",
    "target_crosscheck",
]

SECTION = "consistency"
FAMILY = "consistency"

MONEY_FIELDS: tuple[tuple[str, str], ...] = (
    ("initial_budget", "年初预算数"),
    ("final_budget", "全年预算数"),
    ("executed", "全年执行数"),
)
#: money sources in order of precedence when two values tie.
MONEY_SOURCES: tuple[str, ...] = ("项目清单", "自评资金", "监控资金", "部门信息")
#: indicator tables in order (the first present is the reference).
INDICATOR_TABLES: tuple[tuple[str, str, str], ...] = (
    ("目标表", "targets", "value"),
    ("监控表", "monitor_indicators", "target"),
    ("自评表", "selfeval_indicators", "target"),
)
_HIGHER = frozenset({">=", ">"})
_LOWER = frozenset({"<=", "<"})
_OP_SHOWN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}
_WAN = 10_000.0


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else load_policy()


def _src(table: str, row: object = None, column: str | None = None) -> Source:
    if row is not None and type(row) is not int:
        rowno = num(row)
        row = None if rowno is None else int(rowno)
    return _source(table, row, column)


@lru_cache(maxsize=1 << 16)
def _source(table: str, row: int | None, column: str | None) -> Source:
    # evidence is immutable, and the same cells are cited by several analyses and rules
    sheet = SHEETS_BY_KEY[table]
    if table == "info":
        return Source(sheet.name, row, "值")
    return Source(sheet.name, row, column_header(table, column) if column else None)


def _info_src(dept: Department, key: str) -> Source:
    return _src("info", dept.info_rows.get(key), key)


def _compact(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", "" if text is None else str(text)).split())


def _decimals(text: str) -> int:
    """Decimal places written in a number's text (``"371.47"`` → 2)."""
    m = re.search(r"\.(\d+)", text or "")
    return len(m.group(1)) if m else 0


def _wan_tolerance(text: str) -> float:
    """Half a unit of the last digit of a 万元 figure, in 元 (371.47 → 50 元)."""
    return 0.5 * 10 ** (-_decimals(text)) * _WAN


def _fund_total_rows(dept: Department, key: str, subject: str) -> list[dict[str, Any]]:
    """A subject's 合计 rows of a money table (``dept.tables[key]``), as row dicts: those
    whose 资金类别级别 is 合计, else those named 年度资金总额."""
    rows = dept.rows(key, subject)
    total = [r for r in rows if r["line_level"] == "合计"]
    if not total:
        total = [r for r in rows if normalise_name(r["line"]) == "年度资金总额"]
    return total


def _latest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The last row after a stable sort on ``period_end`` with blank dates last (as
    ``DataFrame.sort_values("period_end", kind="stable").iloc[-1]``)."""
    blank = [r for r in rows if _blank_date(r["period_end"])]
    if blank:
        return blank[-1]
    return sorted(rows, key=lambda r: r["period_end"])[-1]


def _blank_date(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _adjusted(texts: list[object], policy: Policy) -> str | None:
    """The text that records an approved adjustment, if any (policy patterns)."""
    patterns = [str(p) for p in policy.get(f"{SECTION}.adjustment_patterns") or []]
    for text in texts:
        if not filled(text):
            continue
        for pat in patterns:
            if re.search(pat, str(text)):
                return str(text).strip()
    return None


# ----------------------------------------------------------------------------------------
# money cross-check
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Money:
    """One source's value of a money figure.

    Not a named tuple: the rows of :func:`money_crosscheck` keep these in ``_entries``, and
    pandas would display a tuple subclass as a bare tuple in the stage notebooks.
    """

    source: str  # 项目清单 / 监控资金 / 自评资金 / 部门信息
    value: float
    evidence: Source
    tolerance: float  # extra tolerance from the published precision (元)
    text: str


MONEY_COLUMNS: tuple[str, ...] = (
    "对象",
    "金额项目",
    *MONEY_SOURCES,
    "参照值",
    "参照来源",
    "最大差异",
    "一致",
    "不一致来源",
    "_entries",
)


def money_crosscheck(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """The same money figure in every table that states it, side by side (元).

    One row per subject (部门整体 and each project) and field (年初预算数, 全年预算数,
    全年执行数). Sources: 《项目清单》; the 合计 row of 《监控资金》 at the latest monitoring
    date (budget figures only: a monitoring table has no full-year execution); the 合计
    row of 《自评资金》; for 部门整体 the 支出预算合计 of 《部门信息》 (万元, compared within
    half a unit of its last published digit). 参照值 is the value most sources agree on
    (ties: 项目清单, 自评资金, 监控资金, 部门信息).
    """
    import pandas as pd

    rows = _money_rows(dept, _policy(policy))
    return pd.DataFrame(rows, columns=list(MONEY_COLUMNS))


def _money_rows(
    dept: Department, pol: Policy, *, mismatched_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of :func:`money_crosscheck` as dicts, with the blanks the table holds.

    ``mismatched_only``: only the rows whose 一致 is False (what XC001 reports), the others
    are not built; their blank cells are None.
    """
    tol = float(pol.get(f"{SECTION}.money_tolerance"))
    subjects = [DEPARTMENT, *dept.project_names]
    listed = set(subjects)
    for key in ("monitor_funds", "selfeval_funds"):
        extra = [s for s in dept.subjects(key) if s not in listed]
        subjects += extra
        listed.update(extra)
    rows: list[dict[str, Any]] = []
    for subject in subjects:
        if mismatched_only and _money_agrees(dept, subject, tol):
            continue  # every field within the tolerance: no row to build
        entries = _money_entries(dept, subject)
        for field, label in MONEY_FIELDS:
            items = entries.get(field, [])
            if not items:
                continue
            ref = _money_reference(items, tol)
            agree = [_money_agree(e, ref, tol) for e in items]
            if mismatched_only and (len(items) < 2 or all(agree)):
                continue
            by_source: dict[str, float] = {}
            for e in items:
                by_source.setdefault(e.source, e.value)  # the first value of each source
            row: dict[str, Any] = {"对象": subject, "金额项目": label}
            for src in MONEY_SOURCES:
                row[src] = by_source.get(src)
            row["参照值"] = ref.value
            row["参照来源"] = "、".join(e.source for e, ok in zip(items, agree, strict=True) if ok)
            row["最大差异"] = max(abs(e.value - ref.value) for e in items)
            row["一致"] = None if len(items) < 2 else all(agree)
            row["不一致来源"] = "、".join(
                e.source for e, ok in zip(items, agree, strict=True) if not ok
            )
            row["_entries"] = tuple(items)
            rows.append(row)
    if not mismatched_only:
        blanks_as_in_frame(rows, MONEY_SOURCES)
    return rows


_TEXT_OF = {field: f"{field}_text" for field, _ in MONEY_FIELDS}  # the published text


def _money_cells(
    dept: Department, subject: str
) -> Iterator[tuple[str, str, float, str, dict[str, Any]]]:
    """``(source, field, value, table key, row)`` of every money figure a table states for
    ``subject``: the project list, the latest monitoring 合计 row (budget figures only) and
    the self-evaluation 合计 row (部门信息 is added by the callers)."""
    named = dept.grouped("projects", "name").get(subject)
    if named:
        p = named[0]
        for field, _ in MONEY_FIELDS:
            v = num(p.get(field))
            if v is not None:
                yield "项目清单", field, v, "projects", p
    mon = _fund_total_rows(dept, "monitor_funds", subject)
    if mon:
        latest = _latest(mon)
        for field in ("initial_budget", "final_budget"):
            v = num(latest.get(field))
            if v is not None:
                yield "监控资金", field, v, "monitor_funds", latest
    se = _fund_total_rows(dept, "selfeval_funds", subject)
    if se:
        for field, _ in MONEY_FIELDS:
            v = num(se[0].get(field))
            if v is not None:
                yield "自评资金", field, v, "selfeval_funds", se[0]


def _money_entries(dept: Department, subject: str) -> dict[str, list[_Money]]:
    out: dict[str, list[_Money]] = {}
    for source, field, v, key, row in _money_cells(dept, subject):
        ev = _src(key, row["_row"], field)
        text = str(row.get(_TEXT_OF[field]) or "")
        out.setdefault(field, []).append(_Money(source, v, ev, 0.0, text))
    if subject == DEPARTMENT:
        v = num(dept.info.get("budget_total"))
        if v is not None:
            text = dept.info_text.get("budget_total", "")
            entry = _Money(
                "部门信息", v * _WAN, _info_src(dept, "budget_total"), _wan_tolerance(text), text
            )
            out.setdefault("initial_budget", []).append(entry)
    return out


def _money_agrees(dept: Department, subject: str, tol: float) -> bool:
    """True when, for every money field, all the values :func:`_money_entries` finds for
    ``subject`` lie within ``tol`` of each other (then every pair agrees, whatever their
    extra tolerances): a cheap test that reads the same cells without building evidence."""
    values: dict[str, list[float]] = {field: [] for field, _ in MONEY_FIELDS}
    for _, field, v, _, _ in _money_cells(dept, subject):
        values[field].append(v)
    if subject == DEPARTMENT:
        v = num(dept.info.get("budget_total"))
        if v is not None:
            values["initial_budget"].append(v * _WAN)
    return all(len(vs) < 2 or max(vs) - min(vs) <= tol for vs in values.values())


def _money_agree(a: _Money, b: _Money, tol: float) -> bool:
    return abs(a.value - b.value) <= tol + a.tolerance + b.tolerance


def _money_reference(items: list[_Money], tol: float) -> _Money:
    values = [e.value for e in items]
    if max(values) - min(values) <= tol:
        # every pair agrees (the common case): the source that comes first in precedence
        return min(items, key=lambda e: MONEY_SOURCES.index(e.source))

    def key(e: _Money) -> tuple[int, int]:
        support = sum(_money_agree(e, o, tol) for o in items)
        return support, -MONEY_SOURCES.index(e.source)

    return max(items, key=key)


# ----------------------------------------------------------------------------------------
# indicator target cross-check
# ----------------------------------------------------------------------------------------
TARGET_COLUMNS: tuple[str, ...] = (
    "对象",
    "指标",
    "目标表",
    "监控表",
    "自评表",
    "监控表预计",
    "参照表",
    "是否变化",
    "差异说明",
    "预计另设目标",
    "已记录调整",
    "名称差异",
    "_changed",
    "_rows",
)


def _shown(v: IndicatorValue) -> str:
    return v.text.strip() if v.text else "（空白）"


def compare_values(a: IndicatorValue, b: IndicatorValue) -> str | None:
    """Why ``b`` differs from ``a`` (Chinese), or None when equal or not comparable.

    Quantitative values compare operator (when both state one) and value after scale and
    unit (a side without a unit is read in the other's unit); qualitative values compare
    their text with spaces and punctuation removed.
    """
    if a.kind == "empty" or b.kind == "empty":
        return None
    if a.kind == "quantitative" and b.kind == "quantitative":
        reasons = []
        if a.op and b.op and a.op != b.op:
            reasons.append(f"运算符由“{_OP_SHOWN[a.op]}”变为“{_OP_SHOWN[b.op]}”")
        pair = align(b, a)
        if pair is None:
            reasons.append(f"单位由“{a.written_unit}”变为“{b.written_unit}”")
        else:
            bv, av = pair
            if abs(bv - av) > 1e-9 * max(1.0, abs(av)):
                reasons.append(f"数值由{fmt_num(av, 4)}变为{fmt_num(bv, 4)}")
        return "，".join(reasons) or None
    if (a.kind == "quantitative") != (b.kind == "quantitative"):
        return "一处为定量指标值、一处为定性指标值"
    if normalise_name(a.text) != normalise_name(b.text):
        return "指标值文字不同"
    return None


def _display(row: Mapping[str, Any], column: str) -> str:
    """An indicator value as published, with a separate 指标值类型 / 度量单位 folded in."""
    parsed = row.get(f"{column}_parsed")
    quantitative = isinstance(parsed, IndicatorValue) and parsed.kind == "quantitative"
    return _display_text(row.get(column), row.get("operator"), row.get("unit"), quantitative)


@lru_cache(maxsize=1 << 16, typed=True)
def _display_text(value: object, operator: object, unit_cell: object, quantitative: bool) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    op = str(operator or "").strip()
    if op and op != "定性" and text[0] not in "<>=≥≤≧≦＞＜═＝":
        text = f"{op}{text}"
    unit = str(unit_cell or "").strip()
    if unit and quantitative and unit not in text:
        text = f"{text}{unit}"
    return text


def target_crosscheck(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """One indicator's 指标值 in 目标表指标, 监控指标 and 自评指标, side by side.

    Indicators match within a subject by 三级指标 with spaces and punctuation removed (the
    n-th occurrence with the n-th); names still unmatched are paired when their similarity
    reaches the policy's ``indicator_name_similarity`` (a one-character typo). The
    monitoring column uses the latest monitoring date. 参照表 is the first table present
    (目标表, else 监控表). 预计另设目标 marks a 监控表 全年预计完成情况 written as a bound
    (≥/≤) in the same direction as the target but with another value — a target restated,
    not a forecast.
    """
    import pandas as pd

    return pd.DataFrame(_target_rows(dept, _policy(policy)), columns=list(TARGET_COLUMNS))


def _target_rows(
    dept: Department, pol: Policy, *, changed_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of :func:`target_crosscheck` as dicts, with the blanks the table holds.

    ``changed_only``: only the rows with 是否变化 or 预计另设目标 (what XC002 reports), the
    others are not built; their blank cells are None.
    """
    # parsed values are shared by every cell of the same text (and kept alive by the
    # department), so their ids identify them: compare each pair once
    compared: dict[tuple[int, int], str | None] = {}
    restated_of: dict[tuple[int, int], str | None] = {}
    read: list[tuple[str, str, list[dict[str, Any]]]] = []  # (label, table, rows read)
    for label, table, _column in INDICATOR_TABLES:
        rows = dept.records(table)
        if rows and table == "monitor_indicators":
            rows = _latest_per_subject(rows)
        read.append((label, table, rows))
    if changed_only:
        # a subject whose indicators line up in every table without any difference gives
        # no row: leave its rows out (its keys never meet another subject's)
        same = _unchanged_subjects(dept, read, compared, restated_of)
        if same:
            read = [(lb, t, [r for r in rows if r["subject"] not in same]) for lb, t, rows in read]
    found: dict[tuple[str, str, int], dict[str, Any]] = {}
    order: list[tuple[str, str, int]] = []
    names: dict[Any, str] = {}  # level3 -> normalised (the same names recur in every table)
    for label, _table, rows in read:
        if not rows:
            continue
        level3s = [r["level3"] for r in rows]
        for level3 in set(level3s).difference(names):
            names[level3] = normalise_name(level3)
        seen: dict[tuple[str, str], int] = {}
        for r, level3 in zip(rows, level3s, strict=True):
            subject = r["subject"]
            name = names[level3]
            occurrence = (subject, name)
            n = seen.get(occurrence, 0)
            seen[occurrence] = n + 1
            key = (str(subject), name, n)
            entry = found.get(key)
            if entry is None:
                entry = found[key] = {"指标": str(level3).strip()}
                order.append(key)
            entry[label] = r
    order = _merge_near_names(found, order, float(pol.get(f"{SECTION}.indicator_name_similarity")))
    tables = [(label, column, f"{column}_parsed") for label, _, column in INDICATOR_TABLES]
    rows: list[dict[str, Any]] = []
    for key in order:
        entry = found[key]
        present = [t for t in tables if t[0] in entry]
        ref_label, _, ref_parsed = present[0]
        ref_row = entry[ref_label]
        ref_val = ref_row[ref_parsed]
        differing: list[tuple[str, str]] = []  # (table, why) changed without an adjustment
        adjusted: list[str] = []
        for label, _column, parsed in present[1:]:
            r = entry[label]
            value = r[parsed]
            pair = (id(ref_val), id(value))
            why = compared.get(pair, _UNSEEN)
            if why is _UNSEEN:
                why = compared[pair] = compare_values(ref_val, value)
            if why is None:
                continue
            note = _adjusted([r.get("note"), r.get("cause_text"), r.get("reason")], pol)
            if note:
                adjusted.append(f"{label}：{note}")
            else:
                differing.append((label, why))
        mon = entry.get("监控表")
        restated = None
        if mon is not None:
            pair = (id(mon.get("target_parsed")), id(mon.get("forecast_parsed")))
            restated = restated_of.get(pair, _UNSEEN)
            if restated is _UNSEEN:
                restated = restated_of[pair] = _restated_forecast(mon)
            if restated:
                note = _adjusted([mon.get("note"), mon.get("cause_text")], pol)
                if note:
                    adjusted.append(f"监控表预计：{note}")
                    restated = None
        if changed_only and not differing and not restated:
            continue
        shown = {label: _display(entry[label], column) for label, column, _ in present}
        diffs = [
            f"{label}“{shown[label]}”与{ref_label}“{shown[ref_label]}”不同（{why}）"
            for label, why in differing
        ]
        level3s = {entry[label]["level3"] for label, _, _ in present}
        if len(level3s) > 1:  # the same cell text in every table is the common case
            level3s = {str(name).strip() for name in level3s}
        rows.append(
            {
                "对象": key[0],
                "指标": entry["指标"],
                "目标表": shown.get("目标表"),
                "监控表": shown.get("监控表"),
                "自评表": shown.get("自评表"),
                "监控表预计": None if mon is None else str(mon["forecast"]).strip(),
                "参照表": ref_label,
                "是否变化": bool(diffs),
                "差异说明": "；".join(diffs),
                "预计另设目标": restated or "",
                "已记录调整": "；".join(adjusted),
                "名称差异": "、".join(sorted(level3s)) if len(level3s) > 1 else "",
                "_changed": tuple(label for label, _ in differing),
                "_rows": {
                    label: (table, int(entry[label]["_row"]), column)
                    for label, table, column in INDICATOR_TABLES
                    if label in entry
                },
            }
        )
    if not changed_only:
        blanks_as_in_frame(rows, ("目标表", "监控表", "自评表", "监控表预计"))
    return rows


_UNSEEN: Any = object()


def _unchanged_subjects(
    dept: Department,
    read: list[tuple[str, str, list[dict[str, Any]]]],
    compared: dict[tuple[int, int], str | None],
    restated_of: dict[tuple[int, int], str | None],
) -> set[str]:
    """The subjects for which :func:`_target_rows` certainly builds no changed row.

    ``read`` holds, per indicator table, the rows :func:`_target_rows` reads (the latest
    monitoring date only). A subject qualifies when, in every table that has it, its
    三级指标 cells are the same sequence (so each indicator matches the same position in
    every table and no name is left to pair by similarity), every value equals the
    reference table's value (:func:`compare_values` is None) and no forecast restates the
    target. Only text subjects whose text no other subject's ``str`` gives qualify (the
    matching keys use ``str(subject)``). ``compared`` and ``restated_of`` are the memos of
    :func:`_target_rows` (by ids of parsed values), filled here as there.
    """
    # (value getter, rows by subject) per table present
    groups: list[tuple[itemgetter[Any], dict[Any, list[dict[str, Any]]]]] = []
    restating: set[Any] = set()  # subjects with a forecast that restates the target
    for (_label, table, rows), (_, _, column) in zip(read, INDICATOR_TABLES, strict=True):
        if table == "monitor_indicators":
            grouped: dict[Any, list[dict[str, Any]]] = {}
            for r in rows:
                grouped.setdefault(r["subject"], []).append(r)
                pair = (id(r.get("target_parsed")), id(r.get("forecast_parsed")))
                restated = restated_of.get(pair, _UNSEEN)
                if restated is _UNSEEN:
                    restated = restated_of[pair] = _restated_forecast(r)
                if restated:
                    restating.add(r["subject"])
        else:  # every row is read: the department's grouping (same rows, same order)
            grouped = dept.by_subject(table) if rows else {}
        groups.append((itemgetter(f"{column}_parsed"), grouped))
    odd = {str(s) for _, g in groups for s in g if type(s) is not str}
    # pairs of parsed values (by ids) known equal: most subjects repeat the same few pairs,
    # so a subject is usually settled by one set inclusion per table
    same_pairs = {pair for pair, why in compared.items() if why is None}
    out: set[str] = set()
    for subject in {s for _, g in groups for s in g}:
        if type(subject) is not str or subject in odd or subject in restating:
            continue
        present = [(value_of, g[subject]) for value_of, g in groups if subject in g]
        ref_of, ref_rows = present[0]
        level3s = list(map(_LEVEL3, ref_rows))
        if any(list(map(_LEVEL3, rows)) != level3s for _, rows in present[1:]):
            continue
        refs = list(map(ref_of, ref_rows))
        ref_ids = list(map(id, refs))
        same = True
        for value_of, rows in present[1:]:
            values = list(map(value_of, rows))
            if set(zip(ref_ids, map(id, values), strict=True)) <= same_pairs:
                continue
            for ref, value in zip(refs, values, strict=True):
                pair = (id(ref), id(value))
                if pair in same_pairs:
                    continue
                why = compared.get(pair, _UNSEEN)
                if why is _UNSEEN:
                    why = compared[pair] = compare_values(ref, value)
                if why is not None:
                    same = False
                    break
                same_pairs.add(pair)
            if not same:
                break
        if same:
            out.add(subject)
    return out


_LEVEL3 = itemgetter("level3")


def _latest_per_subject(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows at their subject's latest monitoring date (as
    ``df[df.period_end == df.groupby("subject").period_end.transform("max")]``: blank dates
    are skipped by the max and never match)."""
    latest: dict[Any, Any] = {}
    dated = []
    for r in rows:
        period = r["period_end"]
        if _blank_date(period):
            continue
        dated.append(r)
        subject = r["subject"]
        if subject not in latest or period > latest[subject]:
            latest[subject] = period
    return [r for r in dated if r["period_end"] == latest[r["subject"]]]


def _merge_near_names(
    found: dict[tuple[str, str, int], dict[str, Any]],
    order: list[tuple[str, str, int]],
    threshold: float,
) -> list[tuple[str, str, int]]:
    """Pair indicators of one subject whose names differ slightly and whose tables differ."""
    labels = {label for label, _, _ in INDICATOR_TABLES}
    # only names of one subject pair up: compare within each subject (positions kept, so
    # the candidates sort exactly as a scan of every pair in ``order`` would list them)
    by_subject: dict[str, list[int]] = {}
    for i, key in enumerate(order):
        by_subject.setdefault(key[0], []).append(i)
    candidates = []
    for positions in by_subject.values():
        for n, i in enumerate(positions):
            a = order[i]
            la = labels & found[a].keys()
            if la == labels:
                continue  # in every table: pairs with nothing
            for j in positions[n + 1 :]:
                b = order[j]
                if la & found[b].keys():
                    continue
                ratio = difflib.SequenceMatcher(None, a[1], b[1], autojunk=False).ratio()
                if ratio >= threshold:
                    candidates.append((ratio, i, j, a, b))
    candidates.sort(key=lambda t: (t[1], t[2]))
    merged: set[tuple[str, str, int]] = set()
    for _, _i, _j, a, b in sorted(candidates, key=lambda t: -t[0]):
        if a in merged or b in merged:
            continue
        if labels & found[a].keys() & found[b].keys():
            continue
        found[a].update({k: v for k, v in found[b].items() if k in labels})
        merged.add(b)
    return [k for k in order if k not in merged]


def _restated_forecast(row: Mapping[str, Any]) -> str | None:
    """A forecast written as a bound in the target's direction but with another value."""
    target, forecast = row.get("target_parsed"), row.get("forecast_parsed")
    if not isinstance(target, IndicatorValue) or not isinstance(forecast, IndicatorValue):
        return None
    if target.kind != "quantitative" or forecast.kind != "quantitative":
        return None
    same_direction = (target.op in _HIGHER and forecast.op in _HIGHER) or (
        target.op in _LOWER and forecast.op in _LOWER
    )
    if not same_direction:
        return None
    pair = align(forecast, target)
    if pair is None or abs(pair[0] - pair[1]) <= 1e-9 * max(1.0, abs(pair[1])):
        return None
    return f"全年预计完成情况写作“{_shown(forecast)}”，与年度指标值“{_shown(target)}”不同"


# ----------------------------------------------------------------------------------------
# goal cross-check (年度目标)
# ----------------------------------------------------------------------------------------
_ENUMERATOR = re.compile(
    r"(?:^|(?<=[\s，,；;。:：]))(?:目标\s*)?"
    r"(?:[一二三四五六七八九十]{1,3}\s*[、.．:：]|\d{1,2}\s*(?:[、:：)）]|[.．](?!\d))|[（(]\s*\d{1,2}\s*[)）])"
)
_CLAUSE_SPLIT = re.compile(r"[；;。\n，,]")
_NUMBER = re.compile(
    r"(?P<op>≥|≤|>=|<=|>|<|不少于|不低于|不超过|不高于|达到|超过|大于|小于|高于|低于)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>%|‰|万元|亿元|元|万户|万人|户|家|个|人次|人|座|项|次|天|件|万|亿)?\s*"
    r"(?P<tail>及以上|以上|及以下|以下|以内)?"
)

GOAL_COLUMNS: tuple[str, ...] = (
    "对象",
    "目标表目标",
    "自评表目标",
    "共同关键词",
    "相似度",
    "目标表数值",
    "自评表数值",
    "是否变化",
    "已记录调整",
    "_rows",
)


@dataclass(frozen=True)
class _Clause:
    row: int
    text: str
    key: str
    numbers: tuple[float, ...]
    shown: str  # the numbers as written


def _clauses(text: str, row: int) -> list[_Clause]:
    folded = unicodedata.normalize("NFKC", text or "")
    out: list[_Clause] = []
    for part in _ENUMERATOR.split(folded):
        for piece in _CLAUSE_SPLIT.split(part):
            piece = piece.strip()
            spans = [
                m
                for m in _NUMBER.finditer(piece)
                if not (len(m.group("num")) == 4 and piece[m.end("num") : m.end("num") + 1] == "年")
            ]
            if not spans:
                continue
            key = normalise_name(_NUMBER.sub(" ", piece))
            key = re.sub(r"\d+年", "", key)
            if len(key) < 2:
                continue
            numbers = tuple(sorted(float(m.group("num")) for m in spans))
            shown = "、".join("".join(m.group(0).split()) for m in spans)
            out.append(_Clause(row, piece, key, numbers, shown))
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _shared_phrase(a: str, b: str) -> str:
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return "…".join(a[m.a : m.a + m.size] for m in blocks if m.size >= 2)


def goal_crosscheck(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """年度目标 of the target table against the self-evaluation's 预期目标, clause by clause.

    Each goal text is cut into clauses (at 1、 一、 目标1： （1） and at ，；。); clauses
    with a number are paired across the two tables by the character-bigram similarity of
    their words (numbers and operators removed), best pairs first, at or above the policy's
    ``goal_match_min_similarity``. A pair whose numbers differ is a change.
    """
    import pandas as pd

    return pd.DataFrame(_goal_rows(dept, _policy(policy)), columns=list(GOAL_COLUMNS))


def _goal_rows(dept: Department, pol: Policy) -> list[dict[str, Any]]:
    """The rows of :func:`goal_crosscheck` (as dicts)."""
    threshold = float(pol.get(f"{SECTION}.goal_match_min_similarity"))
    rows: list[dict[str, Any]] = []
    for subject, mine in dept.by_subject("goals").items():
        target_rows = [r for r in mine if r["source"] == "目标表"]
        self_rows = [r for r in mine if r["source"] == "自评表"]
        if not target_rows or not self_rows:
            continue
        left = [c for r in target_rows for c in _clauses(str(r["text"]), int(r["_row"]))]
        right = [c for r in self_rows for c in _clauses(str(r["text"]), int(r["_row"]))]
        notes = {int(r["_row"]): r.get("note") for r in self_rows}
        pairs = sorted(
            (
                (_similarity(a.key, b.key), i, j)
                for i, a in enumerate(left)
                for j, b in enumerate(right)
            ),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        used_l: set[int] = set()
        used_r: set[int] = set()
        for sim, i, j in pairs:
            if sim < threshold or i in used_l or j in used_r:
                continue
            used_l.add(i)
            used_r.add(j)
            a, b = left[i], right[j]
            rows.append(
                {
                    "对象": subject,
                    "目标表目标": a.text,
                    "自评表目标": b.text,
                    "共同关键词": _shared_phrase(a.key, b.key),
                    "相似度": round(sim, 2),
                    "目标表数值": a.shown,
                    "自评表数值": b.shown,
                    "是否变化": a.numbers != b.numbers,
                    "已记录调整": _adjusted([notes.get(b.row)], pol) or "",
                    "_rows": (a.row, b.row),
                }
            )
    return rows


# ----------------------------------------------------------------------------------------
# derived indicators
# ----------------------------------------------------------------------------------------
DERIVED_COLUMNS: tuple[str, ...] = (
    "对象",
    "指标",
    "类别",
    "公布值",
    "公布原文",
    "计算值",
    "单位",
    "计算公式",
    "依据",
    "差异",
    "容差",
    "一致",
    "说明",
    "_row",
    "_sources",
)


def _selfeval_indicator(
    dept: Department, subject: str, names: list[str]
) -> Mapping[str, Any] | None:
    """The subject's first 自评指标 row whose 三级指标 is one of ``names`` (normalised)."""
    wanted = {normalise_name(n) for n in names}
    for r in dept.rows("selfeval_indicators", subject):
        if normalise_name(r["level3"]) in wanted:
            return r
    return None


def _reported_number(row: Mapping[str, Any] | None) -> float | None:
    if row is None:
        return None
    parsed = row.get("actual_parsed")
    if not isinstance(parsed, IndicatorValue) or parsed.kind != "quantitative":
        return None
    return parsed.number


def _rate_inputs(dept: Department) -> dict[str, tuple[float, float, str, list[Source]]]:
    """Executed and budget per rate kind (basic/project/total), from 自评资金 or 年度主要任务."""
    out: dict[str, tuple[float, float, str, list[Source]]] = {}

    def from_funds(rows: list[dict[str, Any]]) -> tuple[float, float, str, list[Source]] | None:
        for r in rows:
            ex, bud = num(r["executed"]), num(r["final_budget"])
            if ex is not None and bud:
                src = [
                    _src("selfeval_funds", r["_row"], "executed"),
                    _src("selfeval_funds", r["_row"], "final_budget"),
                ]
                where = (
                    f"《自评资金》“{str(r['line']).strip()}”行全年执行数{fmt_money(ex)}"
                    f" ÷ 全年预算数{fmt_money(bud)}"
                )
                return ex, bud, where, src
        return None

    funds = dept.rows("selfeval_funds", DEPARTMENT)
    for kind, word in (("basic", "基本支出"), ("project", "项目支出")):
        found = from_funds([r for r in funds if word in normalise_name(r["line"])])
        if found is not None:
            out[kind] = found
    found = from_funds(_fund_total_rows(dept, "selfeval_funds", DEPARTMENT))
    if found is not None:
        out["total"] = found
    tasks = dept.rows("tasks", DEPARTMENT)
    if "total" not in out and tasks:
        ex_all = [num(r["executed"]) for r in tasks]
        bud_all = [num(r["allocated"]) for r in tasks]
        if all(x is not None for x in ex_all + bud_all) and sum(b or 0 for b in bud_all):
            ex_sum = sum(x or 0 for x in ex_all)
            bud_sum = sum(b or 0 for b in bud_all)
            src = [_src("tasks", r["_row"], "executed") for r in tasks] + [
                _src("tasks", r["_row"], "allocated") for r in tasks
            ]
            where = (
                f"《年度主要任务》{len(tasks)}行合计项目执行金额{fmt_money(ex_sum)}"
                f" ÷ 项目下达金额{fmt_money(bud_sum)}"
            )
            out["total"] = (ex_sum, bud_sum, where, src)
    return out


def derived_indicators(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """Indicators evalkit computes itself, beside the value the department reported.

    * 部门整体 基本支出/项目支出/预算执行率 = 全年执行数 ÷ 全年预算数 of the 自评资金 rows
      (基本支出, 项目支出, 年度资金总额), or of the 年度主要任务 rows (执行金额 ÷ 下达金额);
    * 在职人员控制率 = 在职人员数 ÷ 编制数 (《部门信息》);
    * for each 成本指标 stated in money: the 实际完成值 (× scale) against the subject's
      全年执行数 (自评资金 合计 row, else 项目清单).
    """
    import pandas as pd

    out = pd.DataFrame(_derived_rows(dept, _policy(policy)), columns=list(DERIVED_COLUMNS))
    out["_row"] = out["_row"].astype("Int64")
    return out


def _derived_rows(
    dept: Department, pol: Policy, *, mismatched_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of :func:`derived_indicators` as dicts (the rules read the columns that
    are never blank in the rows they report).

    ``mismatched_only``: of the cost rows, only those whose 一致 is False (what XC006
    reports); the others are not built.
    """
    rate_tol = float(pol.get(f"{SECTION}.rate_tolerance"))
    rows: list[dict[str, Any]] = []
    names = pol.get(f"{SECTION}.execution_rate_names") or {}
    inputs = _rate_inputs(dept)
    for kind in ("basic", "project", "total"):
        labels = [str(x) for x in names.get(kind, [])]
        reported_row = _selfeval_indicator(dept, DEPARTMENT, labels)
        if kind not in inputs and reported_row is None:
            continue
        reported = _reported_number(reported_row)
        calc = None
        formula = ""
        where = ""
        sources: list[Source] = []
        note = ""
        if kind in inputs:
            ex, bud, where, sources = inputs[kind]
            calc = ex / bud * 100
            formula = f"{fmt_num(ex)} ÷ {fmt_num(bud)} × 100% = {fmt_num(calc)}%"
        else:
            note = "缺少计算所需的预算、执行数据"
        if reported_row is not None:
            sources = [_src("selfeval_indicators", reported_row["_row"], "actual"), *sources]
        elif calc is not None:
            note = "自评表未设置该指标"
        rows.append(
            _derived_row(
                DEPARTMENT,
                str(reported_row["level3"]).strip() if reported_row is not None else labels[0],
                "执行率",
                reported,
                reported_row,
                calc,
                "%",
                formula,
                where,
                rate_tol,
                note,
                sources,
            )
        )
    rows += _staff_rows(dept, pol, rate_tol)
    rows += _cost_rows(dept, pol, mismatched_only=mismatched_only)
    return rows


def _derived_row(
    subject: str,
    name: str,
    category: str,
    reported: float | None,
    reported_row: Mapping[str, Any] | None,
    calc: float | None,
    unit: str,
    formula: str,
    basis: str,
    tol: float,
    note: str,
    sources: list[Source],
) -> dict[str, Any]:
    diff = None if reported is None or calc is None else reported - calc
    return {
        "对象": subject,
        "指标": name,
        "类别": category,
        "公布值": reported,
        "公布原文": None if reported_row is None else reported_row.get("actual"),
        "计算值": calc,
        "单位": unit,
        "计算公式": formula,
        "依据": basis,
        "差异": diff,
        "容差": tol,
        "一致": None if diff is None else abs(diff) <= tol,
        "说明": note,
        "_row": None if reported_row is None else int(reported_row["_row"]),
        "_sources": tuple(sources),
    }


def _staff_rows(dept: Department, pol: Policy, tol: float) -> list[dict[str, Any]]:
    names = [str(x) for x in pol.get(f"{SECTION}.staff_rate_names") or []]
    reported_row = _selfeval_indicator(dept, DEPARTMENT, names)
    quota, actual = num(dept.info.get("staff_quota")), num(dept.info.get("staff_actual"))
    if quota is None or actual is None or quota <= 0:
        return []  # skip when staff figures are absent
    calc = actual / quota * 100
    sources = [_info_src(dept, "staff_actual"), _info_src(dept, "staff_quota")]
    note = ""
    if reported_row is not None:
        sources.insert(0, _src("selfeval_indicators", reported_row["_row"], "actual"))
        target = reported_row.get("target_parsed")
        if (
            isinstance(target, IndicatorValue)
            and target.kind == "quantitative"
            and target.number is not None
        ):
            met = _meets(calc, target)
            if met is not None:
                note = f"按计算值，年度指标值“{target.text.strip()}”{'已' if met else '未'}达到"
    else:
        note = "自评表未设置该指标"
    name = (
        str(reported_row["level3"]).strip()
        if reported_row is not None
        else (names or ["在职人员控制率"])[0]
    )
    formula = f"{fmt_num(actual, 0)} ÷ {fmt_num(quota, 0)} × 100% = {fmt_num(calc)}%"
    basis = f"《部门信息》在职人员数{fmt_num(actual, 0)}人 ÷ 编制数{fmt_num(quota, 0)}人"
    return [
        _derived_row(
            DEPARTMENT,
            name,
            "人员",
            _reported_number(reported_row),
            reported_row,
            calc,
            "%",
            formula,
            basis,
            tol,
            note,
            sources,
        )
    ]


def _meets(value: float, target: IndicatorValue) -> bool | None:
    t = target.number
    if t is None:
        return None
    if target.op == ">=":
        return value >= t
    if target.op == ">":
        return value > t
    if target.op == "<=":
        return value <= t
    if target.op == "<":
        return value < t
    return abs(value - t) < 1e-9


def _spent(dept: Department, subject: str) -> tuple[float, Source] | None:
    for r in _fund_total_rows(dept, "selfeval_funds", subject):
        v = num(r["executed"])
        if v is not None:
            return v, _src("selfeval_funds", r["_row"], "executed")
    for r in dept.grouped("projects", "name").get(subject, []):
        v = num(r["executed"])
        if v is not None:
            return v, _src("projects", r["_row"], "executed")
    return None


def _money_actual(row: Mapping[str, Any]) -> tuple[float, str] | None:
    """The 实际完成值 of a cost row in 元, with how it was read, or None if not money."""
    actual, target = row.get("actual_parsed"), row.get("target_parsed")
    if not isinstance(actual, IndicatorValue) or actual.kind != "quantitative":
        return None
    if actual.number is None:
        return None

    def money_like(v: IndicatorValue) -> bool:
        return v.unit == "元" or (v.unit == "" and v.scale != 1.0)

    if actual.written_unit:
        if not money_like(actual):
            return None
        return actual.number * actual.scale, f"{fmt_num(actual.number, 4)} {actual.written_unit}"
    if isinstance(target, IndicatorValue) and target.kind == "quantitative" and money_like(target):
        return actual.number * target.scale, f"{fmt_num(actual.number, 4)} {target.written_unit}"
    return None


def _cost_rows(
    dept: Department, pol: Policy, *, mismatched_only: bool = False
) -> list[dict[str, Any]]:
    """The cost rows of :func:`derived_indicators` (``mismatched_only``: those whose 一致
    is False)."""
    tol = float(pol.get(f"{SECTION}.cost_actual_tolerance"))
    rows: list[dict[str, Any]] = []
    records = dept.records("selfeval_indicators")
    # the same 一级指标 names recur on every row: test each name once
    cost = {x for x in {r["level1"] for r in records} if "成本" in normalise_name(x)}
    for r in records:
        if r["level1"] not in cost:
            continue
        money = _money_actual(r)
        if money is None:
            continue
        spent = _spent(dept, str(r["subject"]))
        if spent is None:
            continue
        actual, read = money
        spent_value, spent_src = spent
        limit = spent_value * (1 + tol)
        ok = actual <= limit + 1e-6
        if ok and mismatched_only:
            continue
        formula = (
            f"实际完成值 {read} = {fmt_num(actual)} 元；全年执行数 {fmt_num(spent_value)} 元"
            f" × (1 + {fmt_num(tol * 100)}%) = {fmt_num(limit)} 元"
        )
        rows.append(
            {
                "对象": r["subject"],
                "指标": str(r["level3"]).strip(),
                "类别": "成本",
                "公布值": actual,
                "公布原文": r.get("actual"),
                "计算值": spent_value,
                "单位": "元",
                "计算公式": formula,
                "依据": f"{spent_src}",
                "差异": actual - spent_value,
                "容差": tol,
                "一致": ok,
                "说明": "" if ok else "成本实际值超过实际支出",
                "_row": int(r["_row"]),
                "_sources": (
                    _src("selfeval_indicators", r["_row"], "actual"),
                    _src("selfeval_indicators", r["_row"], "unit"),
                    spent_src,
                ),
            }
        )
    return rows


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
def _memo_money(ctx: Context) -> list[dict[str, Any]]:
    """The rows of :func:`money_crosscheck` whose sources disagree, once per check."""
    return ctx.memo(
        "money_crosscheck", lambda: _money_rows(ctx.dept, ctx.policy, mismatched_only=True)
    )


def _memo_targets(ctx: Context) -> list[dict[str, Any]]:
    """The changed rows of :func:`target_crosscheck`, computed once per check."""
    return ctx.memo(
        "target_crosscheck", lambda: _target_rows(ctx.dept, ctx.policy, changed_only=True)
    )


def _memo_goals(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo("goal_crosscheck", lambda: _goal_rows(ctx.dept, ctx.policy))


def _memo_derived(ctx: Context) -> list[dict[str, Any]]:
    """The rows of :func:`derived_indicators` the rules read (of the cost rows, those whose
    一致 is False), once per check."""
    return ctx.memo(
        "derived_indicators",
        lambda: _derived_rows(ctx.dept, ctx.policy, mismatched_only=True),
    )


def _derived_mismatched(ctx: Context, category: str) -> list[dict[str, Any]]:
    """The derived-indicator rows of one category whose reported value differs."""
    return [r for r in _memo_derived(ctx) if r["类别"] == category and r["一致"] is False]


@rule(
    "XC001",
    family=FAMILY,
    severity="error",
    dimension="自评质量",
    section=SECTION,
    title="同一资金数在不同表中不一致",
)
def money_mismatch(ctx: Context) -> Iterator[Finding]:
    """The same 年初预算数/全年预算数/全年执行数 differs between two tables."""
    tol = float(ctx.policy.get(f"{SECTION}.money_tolerance"))
    for r in _memo_money(ctx):
        if r["一致"] is not False:  # None: not compared
            continue
        entries: tuple[_Money, ...] = r["_entries"]
        ref = _money_reference(list(entries), tol)
        agreeing = [e for e in entries if _money_agree(e, ref, tol)]
        where = "、".join(f"{e.evidence}" for e in agreeing)
        for e in entries:
            if _money_agree(e, ref, tol):
                continue
            diff = e.value - ref.value
            yield ctx.emit(
                subject=str(r["对象"]),
                indicator=str(r["金额项目"]),
                message=(
                    f"“{r['对象']}”的{r['金额项目']}在{e.evidence}为{fmt_money(e.value)}，"
                    f"而{where}为{fmt_money(ref.value)}，相差{fmt_money(abs(diff))}。"
                    "同一资金数应在各表中一致，请核实哪一处填报有误。"
                ),
                published=fmt_money(e.value),
                expected=fmt_money(ref.value),
                formula=(
                    f"{fmt_num(e.value)} − {fmt_num(ref.value)} = {fmt_num(diff)} 元，"
                    f"超过容差 {fmt_num(tol + e.tolerance + ref.tolerance)} 元"
                ),
                sources=[e.evidence, *(a.evidence for a in agreeing)],
            )


@rule(
    "XC002",
    family=FAMILY,
    severity="warning",
    dimension="批复调整",
    section=SECTION,
    title="指标值在目标表、监控表、自评表之间不一致",
)
def target_changed(ctx: Context) -> Iterator[Finding]:
    """An indicator's value differs between tables, or a forecast restates another target."""
    monitored = {r["_row"]: r for r in ctx.dept.records("monitor_indicators")}
    for r in _memo_targets(ctx):
        locs: dict[str, tuple[str, int, str]] = r["_rows"]
        if r["是否变化"]:
            sources = [_src(t, row, col) for t, row, col in locs.values()]
            ref = r["参照表"]
            published = "；".join(f"{label}“{r[label]}”" for label in r["_changed"])
            yield ctx.emit(
                subject=str(r["对象"]),
                indicator=str(r["指标"]),
                message=(
                    f"“{r['对象']}”的指标“{r['指标']}”：{r['差异说明']}，"
                    "未见经批准的目标调整记录。绩效目标一经批复，监控和自评应沿用批复的指标值。"
                ),
                published=published,
                expected=f"{ref}“{r[ref]}”",
                sources=sources,
            )
        if r["预计另设目标"]:
            t, row, _ = locs["监控表"]
            m = monitored[row]
            cause = str(m.get("cause_text") or "").strip()
            why = f"（原因说明：“{cause}”）" if cause else ""
            yield ctx.emit(
                subject=str(r["对象"]),
                indicator=str(r["指标"]),
                message=(
                    f"“{r['对象']}”监控表中“{r['指标']}”的{r['预计另设目标']}{why}，"
                    "实为改变了目标值，但未见经批准的目标调整记录。"
                ),
                published=str(m["forecast"]),
                expected=str(m["target"]),
                sources=[
                    _src(t, row, "forecast"),
                    _src(t, row, "target"),
                    *([_src(t, row, "cause_text")] if cause else []),
                ],
            )


@rule(
    "XC003",
    family=FAMILY,
    severity="error",
    dimension="自评质量",
    section=SECTION,
    title="成本指标实际值与实际支出不符",
)
def cost_above_spending(ctx: Context) -> Iterator[Finding]:
    """A cost indicator's 实际完成值 exceeds the money actually spent."""
    for r in _derived_mismatched(ctx, "成本"):
        yield ctx.emit(
            subject=str(r["对象"]),
            indicator=str(r["指标"]),
            message=(
                f"“{r['对象']}”自评表成本指标“{r['指标']}”的实际完成值为“{r['公布原文']}”"
                f"（{fmt_money(r['公布值'])}），而该项目全年实际执行数仅{fmt_money(r['计算值'])}，"
                f"成本实际值超出实际支出{fmt_money(r['差异'])}，实际完成值应按实际支出填报。"
            ),
            published=fmt_money(r["公布值"]),
            expected=f"≤{fmt_money(r['计算值'])}",
            formula=str(r["计算公式"]),
            sources=list(r["_sources"]),
        )


@rule(
    "XC004",
    family=FAMILY,
    severity="error",
    dimension="自评质量",
    section=SECTION,
    title="部门整体执行率指标与预算数据不符",
)
def dept_rate_mismatch(ctx: Context) -> Iterator[Finding]:
    """A department-level 预算执行率 indicator differs from the rate of its budget rows."""
    yield from _derived_mismatches(ctx, "执行率", with_note=False)


def _derived_mismatches(ctx: Context, category: str, *, with_note: bool) -> Iterator[Finding]:
    """Findings for the derived-indicator rows of one category whose reported value differs."""
    for r in _derived_mismatched(ctx, category):
        note = f"；{r['说明']}" if with_note and r["说明"] else ""
        yield ctx.emit(
            subject=str(r["对象"]),
            indicator=str(r["指标"]),
            message=(
                f"部门整体自评表“{r['指标']}”的实际完成值为{fmt_num(r['公布值'])}%，"
                f"按{r['依据']}计算应为{fmt_num(r['计算值'])}%，"
                f"相差{fmt_num(abs(r['差异']))}个百分点{note}。"
            ),
            published=f"{fmt_num(r['公布值'])}%",
            expected=f"{fmt_num(r['计算值'])}%",
            formula=str(r["计算公式"]),
            sources=list(r["_sources"]),
        )


@rule(
    "XC005",
    family=FAMILY,
    severity="error",
    dimension="自评质量",
    section=SECTION,
    title="在职人员控制率与编制、在职人数不符",
)
def staff_rate_mismatch(ctx: Context) -> Iterator[Finding]:
    """在职人员控制率 reported differs from 在职人员数 ÷ 编制数."""
    yield from _derived_mismatches(ctx, "人员", with_note=True)


@rule(
    "XC006",
    family=FAMILY,
    severity="warning",
    dimension="批复调整",
    section=SECTION,
    title="年度目标在目标表与自评表之间不一致",
)
def goal_changed(ctx: Context) -> Iterator[Finding]:
    """A number in a 年度目标 differs between the target table and the self-evaluation."""
    for r in _memo_goals(ctx):
        if not r["是否变化"] or r["已记录调整"] != "":
            continue
        left, right = r["_rows"]
        yield ctx.emit(
            subject=str(r["对象"]),
            indicator=str(r["共同关键词"]).replace("…", ""),
            message=(
                f"“{r['对象']}”的年度目标在目标表与自评表中数值不一致：目标表为“{r['目标表目标']}”，"
                f"自评表预期目标为“{r['自评表目标']}”。两者共同关键词“{r['共同关键词']}”"
                f"（相似度{fmt_num(r['相似度'])}），数值由“{r['目标表数值']}”变为“{r['自评表数值']}”，"
                "未见经批准的目标调整记录。"
            ),
            published=str(r["自评表数值"]),
            expected=str(r["目标表数值"]),
            formula=f"关键词相似度 {fmt_num(r['相似度'])}（字符二元组 Dice 系数）",
            sources=[_src("goals", left, "text"), _src("goals", right, "text")],
        )


@rule(
    "XC007",
    family=FAMILY,
    severity="error",
    dimension="自评质量",
    section=SECTION,
    title="执行数超过预算数或执行率超过100%",
)
def overrun(ctx: Context) -> Iterator[Finding]:
    """执行数 above 全年预算数, or a rate above 100 %, in 项目清单 or 监控资金."""
    tol = float(ctx.policy.get(f"{SECTION}.money_tolerance"))
    for r in ctx.dept.records("projects"):
        ex, bud = num(r["executed"]), num(r["final_budget"])
        if ex is None or bud is None or ex <= bud + tol:
            continue
        yield ctx.emit(
            subject=str(r["name"]),
            indicator="全年执行数",
            message=(
                f"《项目清单》中“{r['name']}”全年执行数{fmt_money(ex)}超过全年预算数{fmt_money(bud)}，"
                f"超支{fmt_money(ex - bud)}（执行率{fmt_num(ex / bud * 100) if bud else '—'}%）。"
            ),
            published=fmt_money(ex),
            expected=f"≤{fmt_money(bud)}",
            formula=f"{fmt_num(ex)} − {fmt_num(bud)} = {fmt_num(ex - bud)} 元 > 0",
            sources=[
                _src("projects", r["_row"], "executed"),
                _src("projects", r["_row"], "final_budget"),
            ],
        )
    for r in ctx.dept.records("monitor_funds"):
        bud = num(r["final_budget"])
        problems: list[str] = []
        sources: list[Source] = []
        published: list[str] = []
        for field, label in (("executed_to_date", "监控期执行数"), ("forecast", "全年预计执行数")):
            v = num(r[field])
            if v is not None and bud is not None and v > bud + tol:
                problems.append(f"{label}{fmt_money(v)}超过全年预算数{fmt_money(bud)}")
                published.append(f"{label}{fmt_money(v)}")
                sources.append(_src("monitor_funds", r["_row"], field))
        rate = num(r["rate_to_date"])
        if rate is not None and rate > 100 + 1e-9:
            problems.append(f"监控期执行率{fmt_num(rate)}%超过100%")
            published.append(f"执行率{fmt_num(rate)}%")
            sources.append(_src("monitor_funds", r["_row"], "rate_to_date"))
        if not problems:
            continue
        if bud is not None:
            sources.append(_src("monitor_funds", r["_row"], "final_budget"))
        yield ctx.emit(
            subject=str(r["subject"]),
            indicator=f"监控资金（{str(r['line']).strip()}）",
            message=(
                f"《监控资金》中“{r['subject']}”“{str(r['line']).strip()}”行："
                f"{'；'.join(problems)}。执行数不应超过预算数。"
            ),
            published="；".join(published),
            expected=f"≤{fmt_money(bud)}，执行率≤100%",
            sources=sources,
        )


@rule(
    "XC008",
    family=FAMILY,
    severity="error",
    dimension="批复调整",
    section=SECTION,
    title="批复金额与预算数不符",
)
def approval_mismatch(ctx: Context) -> Iterator[Finding]:
    """批复金额 (万元) against the 自评资金 年初预算数 and against 支出预算合计."""
    dept = ctx.dept
    tol = float(ctx.policy.get(f"{SECTION}.money_tolerance"))
    approved = num(dept.info.get("approved_total"))
    if approved is None:
        return
    approved_text = dept.info_text.get("approved_total", "")
    approved_yuan = approved * _WAN
    approved_tol = _wan_tolerance(approved_text)
    approved_src = _info_src(dept, "approved_total")
    comparisons: list[tuple[str, float, float, Source]] = []
    for r in _fund_total_rows(dept, "selfeval_funds", DEPARTMENT):
        v = num(r["initial_budget"])
        if v is not None:
            where = f"《自评资金》“{str(r['line']).strip()}”行年初预算数"
            comparisons.append((where, v, 0.0, _src("selfeval_funds", r["_row"], "initial_budget")))
            break
    budget_total = num(dept.info.get("budget_total"))
    if budget_total is not None:
        text = dept.info_text.get("budget_total", "")
        comparisons.append(
            (
                "《部门信息》支出预算合计",
                budget_total * _WAN,
                _wan_tolerance(text),
                _info_src(dept, "budget_total"),
            )
        )
    for where, value, extra, src in comparisons:
        allowed = tol + approved_tol + extra
        diff = approved_yuan - value
        if abs(diff) <= allowed:
            continue
        yield ctx.emit(
            subject=DEPARTMENT,
            indicator="批复金额",
            message=(
                f"《部门信息》批复金额为{fmt_num(approved, 4)}万元（{fmt_money(approved_yuan)}），"
                f"而{where}为{fmt_money(value)}，相差{fmt_money(abs(diff))}。"
                "批复的部门预算总额应与年初预算数一致。"
            ),
            published=f"{fmt_num(approved, 4)}万元",
            expected=fmt_money(value),
            formula=(
                f"{fmt_num(approved, 4)} × 10000 − {fmt_num(value)} = {fmt_num(diff)} 元，"
                f"超过容差 {fmt_num(allowed)} 元（含万元数末位的半个单位）"
            ),
            sources=[approved_src, src],
        )
