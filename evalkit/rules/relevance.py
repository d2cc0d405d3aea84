"""Relevance (相关性): do goals cover the functions, and do indicators fit the project?

Two analyses, both explainable step by step:

* :func:`function_coverage` — each core-function clause of the 三定 text (核心职能 and
  部门职能, split into clauses) is cut into character n-grams; the share of those n-grams
  found in the department-level goals and indicator names is its coverage. A clause below
  ``relevance.function_coverage_min`` is not covered by the department's targets (RL001).
* :func:`macro_indicators` — each project indicator and goal is matched against the macro
  patterns (regional growth rates, enterprise counts of the whole county ...); a match on a
  small project, or on a subsidy/operating-funds project, is a finding (RL002 for indicators,
  RL003 for goals).

Indicators and goals are read from the target table (目标表) when the subject has one,
otherwise from its self-evaluation table (自评表), else its monitoring table (监控表).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model import Department, blanks_as_in_frame, frame_records
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..schema import DEPARTMENT
from .quality import (
    compact,
    fmt_num,
    matches_any,
    memo_selected_records,
    pct,
    selected_indicators,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "function_clauses",
    "function_coverage",
    "goal_source",
    "macro_hits",
    "macro_indicators",
    "ngrams",
    "selected_goals",
]

SECTION = "relevance"
FIELD_LABELS = {"core_functions": "核心职能", "functions": "部门职能"}

#: Clause separators, and numbered-item markers (1、 1. （一） (1) 一、) turned into separators.
_SEPARATORS = re.compile(r"[；;。，,！!？?\n\r]+")
_NUMBERED = re.compile(
    r"(?:[（(]\s*[0-9一二三四五六七八九十]+\s*[）)]|(?<![0-9.])[0-9]+\s*[、.．](?![0-9])"
    r"|(?<![\u4e00-\u9fff])[一二三四五六七八九十]+、|[①②③④⑤⑥⑦⑧⑨⑩])"
)


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else load_policy()


# ----------------------------------------------------------------------------------------
# goals
# ----------------------------------------------------------------------------------------
def goal_source(dept: Department, subject: str) -> str | None:
    """Where a subject's goals are read: 目标表 if it has a target table, else 自评表, 监控表.

    A subject has a target table when it has 目标表指标 rows or 年度目标 rows from 目标表.
    """
    sources = {g["source"] for g in dept.rows("goals", subject)}
    if subject in dept.by_subject("targets") or "目标表" in sources:
        return "目标表"
    for label in ("自评表", "监控表"):
        if label in sources:
            return label
    return None


def selected_goals(dept: Department, subject: str) -> pd.DataFrame:
    """The subject's 年度目标 rows from the table chosen by :func:`goal_source`."""
    source = goal_source(dept, subject)
    goals = dept.rows_of("goals", subject)
    return goals[goals["source"] == source] if source else goals.iloc[0:0]


def _selected_goal_rows(dept: Department, subject: str) -> list[dict[str, Any]]:
    """:func:`selected_goals` as row dicts (``selected_goals(...).to_dict("records")``)."""
    source = goal_source(dept, subject)
    if not source:
        return []
    return [g for g in dept.rows("goals", subject) if g["source"] == source]


# ----------------------------------------------------------------------------------------
# RL001: function coverage
# ----------------------------------------------------------------------------------------
def ngrams(text: str, policy: Policy | None = None) -> list[str]:
    """The distinct character n-grams of ``text`` (in order of first appearance).

    The text is cut into runs at punctuation, digits, spaces, the policy's
    ``relevance.ignore_words`` and ``relevance.ignore_chars``; n-grams never span a cut.
    """
    pol = _policy(policy)
    n = int(pol.get(f"{SECTION}.ngram"))
    ignore_chars = str(pol.get(f"{SECTION}.ignore_chars") or "")
    words = sorted(pol.get(f"{SECTION}.ignore_words") or [], key=len, reverse=True)
    cut = str(text or "")
    for word in words:
        cut = cut.replace(word, " ")
    runs = re.split(r"[^\w]|[0-9_]", cut)
    out: dict[str, None] = {}
    for run in runs:
        pieces = re.split(f"[{re.escape(ignore_chars)}]", run) if ignore_chars else [run]
        for piece in pieces:
            for i in range(len(piece) - n + 1):
                out[piece[i : i + n]] = None
    return list(out)


def function_clauses(dept: Department, policy: Policy | None = None) -> list[dict[str, Any]]:
    """The clauses of 核心职能 and 部门职能 (deduplicated), with why a clause is skipped."""
    pol = _policy(policy)
    min_chars = int(pol.get(f"{SECTION}.min_function_chars"))
    generic = pol.get(f"{SECTION}.generic_function_patterns") or []
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for field in ("core_functions", "functions"):
        text = dept.info.get(field) or ""
        text = _NUMBERED.sub("；", str(text))
        for raw in _SEPARATORS.split(text):
            clause = raw.strip(" 　、：:")
            key = compact(clause)
            if not key or key in seen:
                continue
            seen.add(key)
            skip = ""
            if len(key) < min_chars:
                skip = f"少于{min_chars}字，不计"
            elif matches_any(generic, key):
                skip = "通用性职责（贯彻落实法规政策、交办事项等），不计"
            out.append({"field": field, "clause": clause, "skip": skip})
    return out


def _department_items(
    dept: Department, selected: list[dict[str, Any]]
) -> tuple[str | None, list[dict[str, Any]]]:
    """Department-level goals and indicator names the functions are compared with."""
    source = goal_source(dept, DEPARTMENT)
    items: list[dict[str, Any]] = []
    for rec in _selected_goal_rows(dept, DEPARTMENT):
        items.append(
            {
                "kind": "年度目标",
                "text": rec["text"],
                "table": "goals",
                "row": int(rec["_row"]),
                "column": "text",
                "source": rec["source"],
            }
        )
    for rec in selected:
        if rec["subject"] != DEPARTMENT:
            continue
        items.append(
            {
                "kind": "指标",
                "text": rec["level3"],
                "table": rec["table"],
                "row": rec["row"],
                "column": "level3",
                "source": rec["source"],
            }
        )
    if source is None and items:
        source = items[0]["source"]
    return source, items


def function_coverage(
    dept: Department, policy: Policy | None = None, *, selected: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per core-function clause: its n-grams, those found in the department-level targets,
    the coverage share, whether it is covered and the best-matching goal or indicator.

    Columns: 职能来源 (核心职能/部门职能), 职能条款, 条款n元组, 命中n元组, 覆盖率, 覆盖下限,
    是否覆盖 (是/否/不计), 说明, 最佳匹配, 最佳匹配类型, 最佳匹配命中, 目标来源表;
    technical ``_field``, ``_best`` (the best item: table, row, column) and ``_items``
    (number of goals and indicators compared). ``selected`` is
    :func:`~evalkit.rules.quality.selected_indicators` when the caller has it already.
    """
    sel = selected if selected is not None else selected_indicators(dept)
    return _function_coverage_table(dept, _policy(policy), frame_records(sel))


def _function_coverage_table(
    dept: Department, pol: Policy, selected: list[dict[str, Any]]
) -> pd.DataFrame:
    """:func:`function_coverage` from the records of the selected indicators."""
    import pandas as pd

    rows = _function_coverage_rows(dept, pol, selected)
    return pd.DataFrame.from_records(rows, columns=list(FUNCTION_COVERAGE_COLUMNS))


FUNCTION_COVERAGE_COLUMNS = (
    "职能来源", "职能条款", "条款n元组", "命中n元组", "覆盖率", "覆盖下限", "是否覆盖", "说明",
    "最佳匹配", "最佳匹配类型", "最佳匹配命中", "目标来源表", "_field", "_best", "_n_grams",
    "_n_matched", "_items",
)  # fmt: skip


def _function_coverage_rows(
    dept: Department, pol: Policy, selected: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows of :func:`function_coverage`, as ``to_dict("records")`` of it gives them."""
    minimum = float(pol.get(f"{SECTION}.function_coverage_min"))
    source, items = _department_items(dept, selected)
    item_grams = [(item, set(ngrams(item["text"], pol))) for item in items]
    union: set[str] = set().union(*(g for _, g in item_grams)) if item_grams else set()
    records: list[dict[str, Any]] = []
    for clause in function_clauses(dept, pol):
        grams = ngrams(clause["clause"], pol)
        matched = [g for g in grams if g in union]
        share = len(matched) / len(grams) if grams else 0.0
        best: dict[str, Any] | None = None
        best_hits: list[str] = []
        for item, igrams in item_grams:
            hits = [g for g in grams if g in igrams]
            if len(hits) > len(best_hits):
                best, best_hits = item, hits
        if clause["skip"]:
            covered = "不计"
        elif not grams:
            covered = "不计"
            clause["skip"] = "无可比较的字词"
        else:
            covered = "是" if share >= minimum else "否"
        records.append(
            {
                "职能来源": FIELD_LABELS[clause["field"]],
                "职能条款": clause["clause"],
                "条款n元组": "、".join(grams),
                "命中n元组": "、".join(matched),
                "覆盖率": share if grams else float("nan"),
                "覆盖下限": minimum,
                "是否覆盖": covered,
                "说明": clause["skip"],
                "最佳匹配": best["text"] if best else "",
                "最佳匹配类型": best["kind"] if best else "",
                "最佳匹配命中": "、".join(best_hits),
                "目标来源表": source or "",
                "_field": clause["field"],
                "_best": best,
                "_n_grams": len(grams),
                "_n_matched": len(matched),
                "_items": len(items),
            }
        )
    blanks_as_in_frame(records, FUNCTION_COVERAGE_COLUMNS)
    return records


# ----------------------------------------------------------------------------------------
# RL002/RL003: macro indicators on small projects
# ----------------------------------------------------------------------------------------
def macro_hits(patterns: list[str], text: str) -> list[str]:
    """The words of ``text`` matched by the macro patterns (distinct, in pattern order)."""
    items = tuple(patterns)
    try:
        return list(_macro_hits(items, text))
    except TypeError:  # an unhashable pattern or text: no memo
        return list(_macro_hits.__wrapped__(items, text))


@lru_cache(maxsize=1 << 16)
def _macro_hits(patterns: tuple[str, ...], text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for pattern in patterns:
        if pattern and (m := re.search(pattern, text)):
            found[m.group(0)] = None
    return tuple(found)


def _project_profile(dept: Department, pol: Policy) -> dict[str, dict[str, Any]]:
    small_max = float(pol.get(f"{SECTION}.small_project_max"))
    keywords = pol.get(f"{SECTION}.macro_project_keywords") or []
    out: dict[str, dict[str, Any]] = {}
    for rec in dept.records("projects"):
        budget = rec["final_budget"]
        small = budget == budget and budget is not None and float(budget) <= small_max
        text = f"{rec['name']} {rec.get('basic_info') or ''}"
        out[rec["name"]] = {
            "budget": budget,
            "small": bool(small),
            "keywords": [k for k in keywords if k and k in text],
            "row": int(rec["_row"]),
        }
    return out


def macro_indicators(
    dept: Department, policy: Policy | None = None, *, selected: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per project indicator and goal: the macro patterns it matches and the project profile.

    Columns: 对象, 类型 (指标/年度目标), 来源表, 行号, 一级指标, 内容, 指标值, 宏观用语,
    全年预算数（万元）, 小额项目, 项目关键词, 是否问题; technical ``_table``, ``_column``,
    ``_value_column``, ``_project_row`` (Excel row in 《项目清单》) and ``_hits`` (matched
    words). ``selected`` is :func:`~evalkit.rules.quality.selected_indicators` when the
    caller has it already.
    """
    sel = selected if selected is not None else selected_indicators(dept)
    return _macro_table(dept, _policy(policy), frame_records(sel))


MACRO_COLUMNS: tuple[str, ...] = (
    "对象", "类型", "来源表", "行号", "一级指标", "内容", "指标值", "宏观用语",
    "全年预算数（万元）", "小额项目", "项目关键词", "是否问题", "_table", "_column",
    "_value_column", "_project_row", "_hits",
)  # fmt: skip


def _macro_table(dept: Department, pol: Policy, selected: list[dict[str, Any]]) -> pd.DataFrame:
    """:func:`macro_indicators` from the records of the selected indicators."""
    import pandas as pd

    rows = _macro_rows(dept, pol, selected)
    return pd.DataFrame.from_records(rows, columns=list(MACRO_COLUMNS))


def _macro_rows(
    dept: Department, pol: Policy, selected: list[dict[str, Any]], *, problems_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of :func:`macro_indicators` as dicts, with the blanks the table holds.

    ``problems_only``: only the rows with 是否问题 (what RL002 and RL003 report), the others
    are not built; their blank cells are None.
    """
    patterns = pol.get(f"{SECTION}.macro_patterns") or []
    profiles = _project_profile(dept, pol)
    sel_by_subject: dict[Any, list[dict[str, Any]]] = {}
    for rec in selected:
        sel_by_subject.setdefault(rec["subject"], []).append(rec)
    records: list[dict[str, Any]] = []
    hits_of: dict[str, tuple[str, ...]] = {}  # compacted text -> macro words (names recur)
    for subject, prof in profiles.items():
        relevant = prof["small"] or bool(prof["keywords"])
        if problems_only and not relevant:
            continue  # no row of a subject that is neither small nor keyworded is a problem
        # (kind, source label, table, row, level1, text, value, value column)
        items = [
            (
                "指标", rec["source"], rec["table"], rec["row"], rec["level1"], rec["level3"],
                rec["shown"], rec["column"],
            )
            for rec in sel_by_subject.get(subject, [])
        ]  # fmt: skip
        items += [
            ("年度目标", rec["source"], "goals", int(rec["_row"]), "", rec["text"], "", None)
            for rec in _selected_goal_rows(dept, subject)
        ]
        if not items:
            continue
        budget = prof["budget"]
        budget_wan = round(float(budget) / 10000, 2) if budget == budget else None
        small = "是" if prof["small"] else "否"
        keywords = "、".join(prof["keywords"])
        for kind, source, table, row, level1, text, value, value_column in items:
            name = compact(text)
            hits = hits_of.get(name)
            if hits is None:
                hits = hits_of[name] = tuple(macro_hits(patterns, name))
            problem = bool(hits) and relevant
            if problems_only and not problem:
                continue
            records.append(
                {
                    "对象": subject,
                    "类型": kind,
                    "来源表": source,
                    "行号": row,
                    "一级指标": level1,
                    "内容": text,
                    "指标值": value,
                    "宏观用语": "、".join(hits),
                    "全年预算数（万元）": budget_wan,
                    "小额项目": small,
                    "项目关键词": keywords,
                    "是否问题": problem,
                    "_table": table,
                    "_column": "level3" if kind == "指标" else "text",
                    "_value_column": value_column,
                    "_project_row": prof["row"],
                    "_hits": list(hits),
                }
            )
    if not problems_only:
        blanks_as_in_frame(
            records, ("行号", "一级指标", "内容", "指标值", "全年预算数（万元）", "_value_column")
        )
    return records


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
@rule(
    "RL001",
    family="relevance",
    severity="warning",
    dimension="相关性",
    section=SECTION,
    title="部门整体目标未覆盖核心职能",
)
def uncovered_function(ctx: Context) -> Iterator[Finding]:
    rows = ctx.memo(
        "relevance.function_coverage",
        lambda: _function_coverage_rows(ctx.dept, ctx.policy, memo_selected_records(ctx)),
    )
    for rec in rows:
        if rec["是否覆盖"] != "否" or not rec["_items"]:
            continue
        field, clause = rec["_field"], rec["职能条款"]
        share, minimum = rec["覆盖率"], rec["覆盖下限"]
        n, m = rec["_n_grams"], rec["_n_matched"]
        best = rec["_best"]
        found = f"只有{m}个（{rec['命中n元组']}）" if m else "没有一个"
        if best:
            best_text = (
                f"最接近的是{best['source']}{best['kind']}“{best['text']}”"
                f"（命中：{rec['最佳匹配命中']}）"
            )
        else:
            best_text = "没有任何目标或指标与之有共同字词"
        source = rec["目标来源表"]
        origin = "" if source == "目标表" else f"（部门未编报整体绩效目标表，取自{source}）"
        sources = [ctx.src("info", column=field)]
        if best:
            sources.append(ctx.src(best["table"], best["row"], best["column"]))
        yield ctx.emit(
            subject=DEPARTMENT,
            message=(
                f"{FIELD_LABELS[field]}“{clause}”未体现在部门整体年度目标和指标中{origin}："
                f"该职能的{n}个字词片段中{found}出现在部门整体目标和指标中，"
                f"覆盖率{pct(share)}，低于{pct(minimum)}；{best_text}。"
                "部门整体绩效目标应覆盖“三定”方案规定的核心职能。"
            ),
            published=f"覆盖率{pct(share)}",
            expected=f"≥{pct(minimum)}",
            formula=f"命中片段{m}个 ÷ 职能条款片段{n}个 = {pct(share)} < {pct(minimum)}",
            sources=sources,
        )


def _macro_records(ctx: Context) -> list[dict[str, Any]]:
    """The problem rows of :func:`macro_indicators`, computed once per check (read-only)."""
    return ctx.memo(
        "relevance.macro",
        lambda: _macro_rows(ctx.dept, ctx.policy, memo_selected_records(ctx), problems_only=True),
    )


def _project_reason(rec: dict[str, Any], small_max: float) -> str:
    parts = [f"全年预算{fmt_num(rec['全年预算数（万元）'])}万元"]
    if rec["小额项目"] == "是":
        parts.append(f"不超过{fmt_num(small_max / 10000)}万元，属小额项目")
    if rec["项目关键词"]:
        parts.append(f"属{rec['项目关键词']}类项目")
    return "，".join(parts)


def _macro_findings(ctx: Context, kind: str) -> Iterator[Finding]:
    small_max = float(ctx.policy.get(f"{SECTION}.small_project_max"))
    for rec in _macro_records(ctx):
        if rec["类型"] != kind or not rec["是否问题"]:
            continue
        subject = rec["对象"]
        origin = (
            "" if rec["来源表"] == "目标表" else f"（该项目未编报绩效目标表，取自{rec['来源表']}）"
        )
        reason = _project_reason(rec, small_max)
        patterns = "、".join(f"“{p}”" for p in rec["_hits"])  # matched words
        sources = [
            ctx.src(rec["_table"], rec["行号"], rec["_column"]),
            ctx.src("projects", rec["_project_row"], "final_budget"),
        ]
        if kind == "指标":
            value = rec["指标值"]
            where = f"{rec['一级指标']}下" if rec["一级指标"] else ""
            message = (
                f"项目“{subject}”（{reason}）在{rec['来源表']}{where}设置了宏观指标"
                f"“{rec['内容']}”（{value}）{origin}，含宏观用语{patterns}。"
                "该指标反映全县（全域）经济或行业总量，项目资金无法左右，"
                "不能衡量项目自身的产出和效果。"
            )
            published = f"{rec['内容']}：{value}"
            expected = "反映项目资金直接产出和效果的指标（如补助对象数量、资金兑付及时率）"
            sources.append(ctx.src(rec["_table"], rec["行号"], rec["_value_column"]))
        else:
            message = (
                f"项目“{subject}”（{reason}）的年度绩效目标“{rec['内容']}”{origin}"
                f"含宏观用语{patterns}，描述的是全县（全域）发展目标，与项目内容关联度低，"
                "无法衡量项目在计划期内的产出和效果。"
            )
            published = rec["内容"]
            expected = "与项目内容直接相关、可衡量的年度目标"
        yield ctx.emit(
            subject=subject,
            indicator=rec["内容"] if kind == "指标" else None,
            message=message,
            published=published,
            expected=expected,
            formula=f"名称含宏观用语{patterns}；项目{reason} → 宏观{kind}与项目规模不相称",
            sources=sources,
        )


@rule(
    "RL002",
    family="relevance",
    severity="warning",
    dimension="相关性",
    section=SECTION,
    title="项目设置了宏观指标",
)
def macro_indicator(ctx: Context) -> Iterator[Finding]:
    yield from _macro_findings(ctx, "指标")


@rule(
    "RL003",
    family="relevance",
    severity="warning",
    dimension="相关性",
    section=SECTION,
    title="项目年度目标与项目内容关联度低",
)
def macro_goal(ctx: Context) -> Iterator[Finding]:
    yield from _macro_findings(ctx, "年度目标")
