"""Target coverage and completeness (目标覆盖与完整性, review dimension 完整性).

Every executed project and the department as a whole must have a target table
(绩效目标表): annual goals in words and an indicator tree with the required categories.
A subject "has a target table" when 《目标表指标》 holds indicator rows for it.

Public analysis table: :func:`coverage_table` — per executed project, its money and
whether it has a target table, monitoring and self-evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model import Department, blanks_as_in_frame
from ..registry import Context, rule
from ..schema import DEPARTMENT
from .quality import category_of, compact

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["coverage_table", "target_categories", "wan"]

SECTION = "targets"


def wan(amount: Any) -> str:
    """An amount in 元 as 万元 with two decimals (``"未填"`` when blank)."""
    if amount is None or amount != amount:
        return "未填"
    return f"{float(amount) / 10000:.2f}万元"


def _has(dept: Department, key: str, subject: str) -> bool:
    return subject in dept.by_subject(key)


def coverage_table(dept: Department) -> pd.DataFrame:
    """Per executed project (《项目清单》): money and which performance tables it has.

    Columns: 项目名称, 新增或延续, 预算来源 (年初预算/年中追加), 全年预算数（元）,
    全年执行数（元）, 全年执行数（万元）, 目标表指标数, 目标表年度目标数, 有目标表,
    有监控表, 有自评表; technical ``_row`` (Excel row in 《项目清单》).
    """
    import pandas as pd

    return pd.DataFrame.from_records(coverage_rows(dept), columns=list(COVERAGE_COLUMNS))


COVERAGE_COLUMNS = (
    "项目名称", "新增或延续", "预算来源", "全年预算数（元）", "全年执行数（元）",
    "全年执行数（万元）", "目标表指标数", "目标表年度目标数", "有目标表", "有监控表",
    "有自评表", "_row",
)  # fmt: skip


def coverage_rows(dept: Department) -> list[dict[str, Any]]:
    """The rows of :func:`coverage_table`, as ``frame_records`` of it gives them."""
    records: list[dict[str, Any]] = []
    goals_of, targets_of = dept.by_subject("goals"), dept.by_subject("targets")
    monitored = [dept.by_subject(k) for k in ("monitor_funds", "monitor_indicators")]
    evaluated = [dept.by_subject(k) for k in ("selfeval", "selfeval_funds", "selfeval_indicators")]
    for rec in dept.records("projects"):
        name = rec["name"]
        goals = goals_of.get(name, [])
        n_targets = len(targets_of.get(name, []))
        initial = rec["in_initial_budget"]
        records.append(
            {
                "项目名称": name,
                "新增或延续": rec["status"],
                "预算来源": "年中追加" if initial == "否" else ("年初预算" if initial else "未填"),
                "全年预算数（元）": rec["final_budget"],
                "全年执行数（元）": rec["executed"],
                "全年执行数（万元）": wan(rec["executed"]).removesuffix("万元"),
                "目标表指标数": n_targets,
                "目标表年度目标数": sum(1 for g in goals if g["source"] == "目标表"),
                "有目标表": "是" if n_targets else "否",
                "有监控表": "是" if any(name in rows for rows in monitored) else "否",
                "有自评表": "是" if any(name in rows for rows in evaluated) else "否",
                "_row": int(rec["_row"]),
            }
        )
    blanks_as_in_frame(records, COVERAGE_COLUMNS)
    return records


def target_categories(dept: Department, subject: str) -> list[str]:
    """The national categories (成本指标 ...) present among a subject's target-table rows."""
    rows = dept.rows("targets", subject)
    return list(dict.fromkeys(c for c in (category_of(x["level1"]) for x in rows) if c))


def _label(subject: str) -> str:
    return "部门整体" if subject == DEPARTMENT else f"项目“{subject}”"


def memo_coverage_rows(ctx: Context) -> list[dict[str, Any]]:
    """The coverage rows, once per check (the process rules read them too)."""
    return ctx.memo("coverage.rows", lambda: coverage_rows(ctx.dept))


def _target_subjects(dept: Department) -> list[str]:
    subjects = dept.subjects("targets")
    present = set(subjects)
    ordered = [s for s in [DEPARTMENT, *dept.project_names] if s in present]
    seen = set(ordered)
    return ordered + [s for s in subjects if s not in seen]


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
@rule(
    "CV001",
    family="coverage",
    severity="error",
    dimension="完整性",
    section=SECTION,
    title="执行项目未编报绩效目标",
)
def project_without_targets(ctx: Context) -> Iterator[Finding]:
    for rec in memo_coverage_rows(ctx):
        if rec["有目标表"] == "是":
            continue
        name = rec["项目名称"]
        tags = []
        if rec["新增或延续"] == "延续":
            tags.append("延续项目")
        if rec["预算来源"] == "年中追加":
            tags.append("年中追加")
        tag = f"（{'，'.join(tags)}）" if tags else ""
        goals_note = (
            f"；仅有{rec['目标表年度目标数']}条目标表年度目标文字，没有绩效指标"
            if rec["目标表年度目标数"]
            else ""
        )
        executed = wan(rec["全年执行数（元）"])
        row = rec["_row"]
        yield ctx.emit(
            subject=name,
            message=(
                f"项目“{name}”{tag}全年预算{wan(rec['全年预算数（元）'])}，"
                f"全年执行{executed}，但未编报绩效目标表（《目标表指标》中没有该项目的指标"
                f"{goals_note}）。实际执行的项目均应编报绩效目标。"
            ),
            published="未编报（目标表指标0条）",
            expected="编报项目绩效目标表",
            formula=f"目标表指标行数 = 0；全年执行数 {executed}",
            sources=[
                ctx.src("projects", row, "name"),
                ctx.src("projects", row, "executed"),
                ctx.src("projects", row, "status"),
                ctx.src("projects", row, "in_initial_budget"),
                ctx.src("targets"),
            ],
        )


@rule(
    "CV002",
    family="coverage",
    severity="error",
    dimension="完整性",
    section=SECTION,
    title="缺少部门整体绩效目标表",
)
def department_without_targets(ctx: Context) -> Iterator[Finding]:
    dept = ctx.dept
    if _has(dept, "targets", DEPARTMENT):
        return
    target_goals = [g for g in dept.rows("goals", DEPARTMENT) if g["source"] == "目标表"]
    others = [
        label
        for key, label in (("selfeval_indicators", "自评表"), ("monitor_indicators", "监控表"))
        if _has(dept, key, DEPARTMENT)
    ]
    extra = ""
    if len(target_goals):
        extra += f"仅有{len(target_goals)}条目标表年度目标文字，没有绩效指标；"
    if others:
        extra += f"部门整体的指标只见于{'、'.join(others)}；"
    yield ctx.emit(
        subject=DEPARTMENT,
        message=(
            f"未见部门整体绩效目标表（《目标表指标》中没有“部门整体”的指标）。{extra}"
            "部门应编报部门整体绩效目标，作为“双监控”和整体自评的依据。"
        ),
        published="未编报（目标表指标0条）",
        expected="编报部门整体绩效目标表",
        formula="《目标表指标》中对象为“部门整体”的行数 = 0",
        sources=[ctx.src("targets"), *[ctx.src("goals", g["_row"], "text") for g in target_goals]],
    )


@rule(
    "CV003",
    family="coverage",
    severity="warning",
    dimension="完整性",
    section=SECTION,
    title="项目目标表缺少必需的指标类别",
)
def missing_required_categories(ctx: Context) -> Iterator[Finding]:
    yield from _missing_categories(ctx, "required_categories_project", "必需")


@rule(
    "CV004",
    family="coverage",
    severity="notice",
    dimension="完整性",
    section=SECTION,
    title="项目目标表缺少建议的指标类别",
)
def missing_recommended_categories(ctx: Context) -> Iterator[Finding]:
    yield from _missing_categories(ctx, "recommended_categories_project", "建议")


def _missing_categories(ctx: Context, key: str, label: str) -> Iterator[Finding]:
    wanted = [category_of(c) or c for c in ctx.policy.get(f"{SECTION}.{key}") or []]
    categories: dict[str, list[str]] = ctx.memo(
        "coverage.categories",
        lambda: {s: target_categories(ctx.dept, s) for s in _target_subjects(ctx.dept)},
    )
    for subject, present in categories.items():
        if subject == DEPARTMENT:
            continue
        missing = [c for c in wanted if c not in present]
        if not missing:
            continue
        rows = [r["_row"] for r in ctx.dept.rows("targets", subject)]
        have = "、".join(present) if present else "无标准一级指标"
        yield ctx.emit(
            subject=subject,
            message=(
                f"项目“{subject}”的绩效目标表缺少{label}的指标类别：{'、'.join(missing)}"
                f"（现有：{have}）。"
            ),
            published=have,
            expected="、".join(wanted),
            formula=f"{label}类别 {'、'.join(wanted)} − 现有类别 = {'、'.join(missing)}",
            sources=[ctx.src("targets", r, "level1") for r in rows],
        )


@rule(
    "CV005",
    family="coverage",
    severity="warning",
    dimension="完整性",
    section=SECTION,
    title="目标表没有年度绩效目标文字",
)
def targets_without_goals(ctx: Context) -> Iterator[Finding]:
    with_goals = {g["subject"] for g in ctx.dept.records("goals") if g["source"] == "目标表"}
    for subject in _target_subjects(ctx.dept):
        if subject in with_goals:
            continue
        first = int(ctx.dept.rows("targets", subject)[0]["_row"])
        yield ctx.emit(
            subject=subject,
            message=(
                f"{_label(subject)}的绩效目标表有指标，但没有年度绩效目标文字"
                "（《年度目标》中没有来源为“目标表”的目标）；指标应由年度目标细化分解而来。"
            ),
            published="年度目标0条",
            expected="至少1条年度绩效目标",
            formula="《年度目标》中该对象、来源表为“目标表”的行数 = 0",
            sources=[ctx.src("goals"), ctx.src("targets", first, "subject")],
        )


@rule(
    "CV006",
    family="coverage",
    severity="warning",
    dimension="完整性",
    section=SECTION,
    title="目标表指标过少",
)
def too_few_indicators(ctx: Context) -> Iterator[Finding]:
    minimum = int(ctx.policy.get(f"{SECTION}.min_indicators"))
    for subject in _target_subjects(ctx.dept):
        rows = ctx.dept.rows("targets", subject)
        if len(rows) >= minimum:
            continue
        names = [compact(x["level3"]) for x in rows]
        yield ctx.emit(
            subject=subject,
            message=(
                f"{_label(subject)}的绩效目标表只有{len(rows)}个三级指标"
                f"（{'、'.join(n for n in names if n) or '无名称'}），少于{minimum}个，"
                "不足以反映产出和效果。"
            ),
            published=str(len(rows)),
            expected=f"≥{minimum}",
            formula=f"三级指标数 {len(rows)} < {minimum}",
            sources=[ctx.src("targets", r["_row"], "level3") for r in rows],
        )
