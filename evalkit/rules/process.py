"""Process (过程管理): targets drafted, reviewed, approved with the budget, published, used.

"谁批复预算，谁批复目标": targets are approved with the budget, projects added mid-year get
targets when the budget is adjusted, targets are published with the budget, and
self-evaluation reports are written. The facts come from 《部门信息》 and 《项目清单》.

Public analysis table: :func:`process_facts` — each process fact, its value, the test and
whether it passes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model import Department
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..schema import DEPARTMENT
from .coverage import memo_coverage_rows, wan
from .quality import compact

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["approved_subjects", "process_facts", "publication_delay"]

SECTION = "process"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _norm_subject(name: str) -> str:
    key = compact(name)
    for suffix in ("绩效目标", "项目"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return "部门整体" if key in ("部门", "部门整体", "整体") else key


def approved_subjects(dept: Department) -> list[str]:
    """The subjects listed in 批复绩效目标 (split on 、，,；;), as written."""
    text = _text(dept.info.get("approved_targets"))
    return [p.strip() for p in re.split(r"[、，,；;\n]+", text) if p.strip()]


def _approved_match(written: str, subjects: list[str]) -> str | None:
    key = _norm_subject(written)
    for subject in subjects:
        other = _norm_subject(subject)
        if key == other or (min(len(key), len(other)) >= 4 and (key in other or other in key)):
            return subject
    return None


class _Matcher:
    """Whether :func:`_approved_match` finds a match among ``subjects``, in time linear in
    the number of subjects (the names are normalised once, not once per comparison).

    A written name matches when its normalised key equals another's, or when both keys have
    at least 4 characters and one contains the other.
    """

    def __init__(self, subjects: list[str]) -> None:
        keys = [_norm_subject(s) for s in subjects]
        self._exact = set(keys)
        long = [k for k in keys if len(k) >= 4]
        self._long = set(long)
        self._joined = "\x00".join(long)  # "key in joined" = key inside one of them
        self._lengths = sorted({len(k) for k in long})

    def has_match(self, written: str) -> bool:
        key = _norm_subject(written)
        if key in self._exact:
            return True
        if len(key) < 4:
            return False
        if "\x00" in key:  # cannot search the joined keys: compare one by one
            return any(key in other or other in key for other in self._long)
        if key in self._joined:
            return True
        # another key inside this one: look up every substring of a length that occurs
        for n in self._lengths:
            if n > len(key):
                break
            if any(key[i : i + n] in self._long for i in range(len(key) - n + 1)):
                return True
        return False


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def publication_delay(dept: Department) -> int | None:
    """Days from budget approval (预算批复日期) to publication (预算公开日期), if both known."""
    approved, published = dept.info.get("approval_date"), dept.info.get("publication_date")
    if isinstance(approved, dt.date) and isinstance(published, dt.date):
        return (published - approved).days
    return None


def process_facts(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """The process facts of 《部门信息》 the process rules test, one row each.

    Columns: 事项, 字段, 值, 要求, 是否符合 (是/否/未记录).
    """
    import pandas as pd

    from .coverage import coverage_table

    pol = policy if policy is not None else load_policy()
    deadline = int(pol.get(f"{SECTION}.publication_deadline_days"))
    info = dept.info
    cov = coverage_table(dept)
    no_targets = cov[cov["有目标表"] == "否"]
    delay = publication_delay(dept)

    def yes(value: Any, good: str = "是") -> str:
        v = _text(value)
        return "未记录" if not v else ("是" if v == good else "否")

    rows = [
        ("年中追加项目编报目标", "是否年初预算", f"{int((no_targets['预算来源'] == '年中追加').sum())}个未编报",
         "年中追加项目均编报", "是" if not (no_targets["预算来源"] == "年中追加").any() else "否"),
        ("延续项目编报目标", "新增或延续", f"{int((no_targets['新增或延续'] == '延续').sum())}个未编报",
         "延续项目均编报", "是" if not (no_targets["新增或延续"] == "延续").any() else "否"),
        ("预算批复文号", "预算批复文号", _text(info.get("approval_doc_no")), "已记录",
         "是" if _text(info.get("approval_doc_no")) else "未记录"),
        ("预算批复日期", "预算批复日期", _text(info.get("approval_date")), "已记录",
         "是" if info.get("approval_date") else "未记录"),
        ("批复绩效目标", "批复绩效目标", _text(info.get("approved_targets")), "与目标表一致",
         "是" if approved_subjects(dept) else "未记录"),
        ("绩效目标公开", "绩效目标是否公开", _text(info.get("targets_published")), "是",
         yes(info.get("targets_published"))),
        ("公开时限", "预算公开日期", _text(info.get("publication_date")),
         f"批复后{deadline}日内",
         "未记录" if delay is None else ("是" if delay <= deadline else "否")),
        ("编报审核情况", "编报审核情况", _text(info.get("drafting")), "已记录",
         "是" if _text(info.get("drafting")) else "未记录"),
        ("部门整体自评报告", "部门整体自评报告", _text(info.get("dept_selfeval_report")), "是",
         yes(info.get("dept_selfeval_report"))),
        ("项目自评报告", "项目自评报告", _text(info.get("project_selfeval_reports")), "是",
         yes(info.get("project_selfeval_reports"))),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["事项", "字段", "值", "要求", "是否符合"])


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
def _listed(rows: list[dict[str, Any]]) -> str:
    return "；".join(
        f"{r['项目名称']}（全年预算{wan(r['全年预算数（元）'])}，执行{wan(r['全年执行数（元）'])}）"
        for r in rows
    )


@rule(
    "PR001",
    family="process",
    severity="warning",
    dimension="批复调整",
    section=SECTION,
    title="年中追加项目未同步编报绩效目标",
)
def midyear_without_targets(ctx: Context) -> Iterator[Finding]:
    cov = memo_coverage_rows(ctx)
    added = [r for r in cov if r["预算来源"] == "年中追加"]
    missing = [r for r in added if r["有目标表"] == "否"]
    if not missing:
        return
    n, total = len(missing), len(added)
    yield ctx.emit(
        subject=DEPARTMENT,
        message=(
            f"年中追加的{total}个项目中有{n}个未随预算调整同步编报绩效目标表：{_listed(missing)}。"
            "预算调整追加项目时应同步编报、批复绩效目标。"
        ),
        published=f"{n}个年中追加项目未编报",
        expected="年中追加项目全部编报绩效目标",
        formula=f"是否年初预算=否 且 目标表指标数=0 的项目数 = {n}（年中追加共{total}个）",
        sources=[
            src
            for m in missing
            for src in (
                ctx.src("projects", m["_row"], "name"),
                ctx.src("projects", m["_row"], "in_initial_budget"),
            )
        ]
        + [ctx.src("targets")],
    )


@rule(
    "PR002",
    family="process",
    severity="warning",
    dimension="批复调整",
    section=SECTION,
    title="绩效目标未随预算批复",
)
def targets_not_approved(ctx: Context) -> Iterator[Finding]:
    dept = ctx.dept
    approved = approved_subjects(dept)
    with_targets = dept.subjects("targets")
    src_approved = ctx.src("info", column="approved_targets")
    blank = [
        (key, label)
        for key, label in (("approval_doc_no", "预算批复文号"), ("approval_date", "预算批复日期"))
        if not _text(dept.info.get(key))
    ]
    if blank:
        labels = "和".join(label for _, label in blank)
        yield ctx.emit(
            subject=DEPARTMENT,
            severity="notice",
            message=f"《部门信息》未记录{labels}，无法核实绩效目标是否随预算一并批复。",
            published="未记录",
            expected=f"记录{labels}",
            formula=f"{labels}为空",
            sources=[ctx.src("info", column=key) for key, _ in blank],
        )
    if not approved:
        if with_targets:
            yield ctx.emit(
                subject=DEPARTMENT,
                severity="notice",
                message=(
                    "《部门信息》未记录财政批复的绩效目标（批复绩效目标为空），"
                    f"无法核对{len(with_targets)}张绩效目标表是否经财政批复。"
                ),
                published="未记录",
                expected="记录批复绩效目标的对象",
                formula="批复绩效目标为空",
                sources=[src_approved],
            )
        return
    approved_names = _Matcher(approved)
    for subject in with_targets:
        if approved_names.has_match(subject):
            continue
        first = int(dept.rows("targets", subject)[0]["_row"])
        label = "部门整体" if subject == DEPARTMENT else f"项目“{subject}”"
        yield ctx.emit(
            subject=subject,
            message=(
                f"{label}编报了绩效目标表，但不在财政批复的绩效目标中"
                f"（批复：{'、'.join(approved)}）；绩效目标应随预算一并批复。"
            ),
            published="未批复",
            expected="随预算批复",
            formula=f"“{subject}”∉ 批复绩效目标｛{'、'.join(approved)}｝",
            sources=[src_approved, ctx.src("targets", first, "subject")],
        )
    target_names = _Matcher(with_targets)
    for written in approved:
        if target_names.has_match(written):
            continue
        yield ctx.emit(
            subject=DEPARTMENT if _norm_subject(written) == "部门整体" else written,
            message=(
                f"财政批复了“{written}”的绩效目标，但底稿中没有该对象的绩效目标表"
                "（《目标表指标》中无对应指标），批复的目标无从核对。"
            ),
            published="无目标表",
            expected="批复的绩效目标有对应的目标表",
            formula=f"“{written}”∈ 批复绩效目标，目标表指标行数 = 0",
            sources=[src_approved, ctx.src("targets")],
        )


@rule(
    "PR003",
    family="process",
    severity="warning",
    dimension="公开应用",
    section=SECTION,
    title="绩效目标未公开或公开不及时",
)
def targets_unpublished(ctx: Context) -> Iterator[Finding]:
    info = ctx.dept.info
    deadline = int(ctx.policy.get(f"{SECTION}.publication_deadline_days"))
    published = _text(info.get("targets_published"))
    has_date = isinstance(info.get("publication_date"), dt.date)
    if published == "否":
        yield ctx.emit(
            subject=DEPARTMENT,
            message=(
                "绩效目标未随部门预算公开（绩效目标是否公开：否）。"
                "按规定，绩效目标应随部门预算一并向社会公开。"
            ),
            published="否",
            expected="是",
            formula="绩效目标是否公开 = 否",
            sources=[ctx.src("info", column="targets_published")],
        )
        return
    missing = [
        (key, label)
        for key, label, ok in (
            ("targets_published", "绩效目标是否公开", bool(published)),
            ("publication_date", "预算公开日期", has_date),
        )
        if not ok
    ]
    if missing:
        labels = "和".join(label for _, label in missing)
        yield ctx.emit(
            subject=DEPARTMENT,
            message=(
                f"《部门信息》未记录{labels}，无法确认绩效目标已随预算在批复后{deadline}日内公开。"
            ),
            published="未记录",
            expected=f"绩效目标随预算公开（批复后{deadline}日内）",
            formula=f"{labels}为空",
            sources=[ctx.src("info", column=key) for key, _ in missing],
        )
    delay = publication_delay(ctx.dept)
    if delay is not None and delay > deadline:
        approved, pub = info["approval_date"], info["publication_date"]
        yield ctx.emit(
            subject=DEPARTMENT,
            message=(
                f"预算于{_cn_date(approved)}批复，{_cn_date(pub)}才公开，"
                f"相隔{delay}日，超过批复后{deadline}日内公开的要求。"
            ),
            published=f"{delay}日",
            expected=f"≤{deadline}日",
            formula=f"{pub.isoformat()} − {approved.isoformat()} = {delay}日 > {deadline}日",
            sources=[
                ctx.src("info", column="approval_date"),
                ctx.src("info", column="publication_date"),
            ],
        )


@rule(
    "PR004",
    family="process",
    severity="warning",
    dimension="公开应用",
    section=SECTION,
    title="未撰写自评报告",
)
def no_selfeval_report(ctx: Context) -> Iterator[Finding]:
    info = ctx.dept.info
    cases = (
        ("project_selfeval_reports", "项目自评报告", "项目"),
        ("dept_selfeval_report", "部门整体自评报告", "部门整体"),
    )
    for key, label, what in cases:
        if _text(info.get(key)) != "否":
            continue
        if what == "项目" and not ctx.dept.records("projects"):
            continue
        yield ctx.emit(
            subject=DEPARTMENT,
            message=(
                f"部门未撰写{label}（{label}：否），{what}绩效自评只有自评表，"
                "缺少对目标完成情况、偏差原因和改进措施的分析，自评结果难以应用。"
            ),
            published="否",
            expected="是",
            formula=f"{label} = 否",
            sources=[ctx.src("info", column=key)],
        )


@rule(
    "PR005",
    family="process",
    severity="notice",
    dimension="编报审核",
    section=SECTION,
    title="未记录绩效目标编报审核情况",
)
def no_drafting_record(ctx: Context) -> Iterator[Finding]:
    if _text(ctx.dept.info.get("drafting")):
        return
    yield ctx.emit(
        subject=DEPARTMENT,
        message="《部门信息》未记录绩效目标由谁编制、由谁审核审定，无法评价编报审核环节。",
        published="未记录",
        expected="记录编报审核情况",
        formula="编报审核情况为空",
        sources=[ctx.src("info", column="drafting")],
    )


@rule(
    "PR006",
    family="process",
    severity="warning",
    dimension="编报审核",
    section=SECTION,
    title="延续项目仍未编报绩效目标",
)
def continuing_without_targets(ctx: Context) -> Iterator[Finding]:
    cov = memo_coverage_rows(ctx)
    continuing = [r for r in cov if r["新增或延续"] == "延续"]
    missing = [r for r in continuing if r["有目标表"] == "否"]
    if not missing:
        return
    n = len(missing)
    names = "、".join(r["项目名称"] for r in missing)
    yield ctx.emit(
        subject=DEPARTMENT,
        message=(
            f"{n}个延续项目仍未编报绩效目标表：{_listed(missing)}。"
            "延续项目以前年度已实施，应在编制预算时同步编报绩效目标。"
        ),
        published=f"{n}个延续项目未编报（{names}）",
        expected="延续项目全部编报绩效目标",
        formula=f"新增或延续=延续 且 目标表指标数=0 的项目数 = {n}（延续项目共{len(continuing)}个）",
        sources=[
            src
            for m in missing
            for src in (
                ctx.src("projects", m["_row"], "name"),
                ctx.src("projects", m["_row"], "status"),
            )
        ]
        + [ctx.src("targets")],
    )
