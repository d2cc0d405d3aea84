"""The evaluation report (绩效目标管理评估报告): one self-contained HTML document per department.

``build_report(dept, findings, policy=...)`` returns the HTML of the report in the seven
sections of the seed report (一、绩效目标管理情况 … 七、附件); ``write_report`` writes it as
``report.html`` and, through :mod:`evalkit.pdf`, ``report.pdf``.

What the report is made of:

* facts computed from the workbook (projects, target tables, monitoring, self-evaluation,
  approval, publication) and the analysis tables of :mod:`evalkit.rules`;
* the findings, grouped into numbered problems by the ``recommendations`` section of the
  policy (rule ids first, then rule families), each problem with one recommendation text
  from the same section;
* the department's own tables re-rendered in the annex (附件), every row with a stable,
  ASCII anchor ``ev-<sheet key>-<Excel row>`` (``ev-selfeval-indicators-46``), flagged cells
  highlighted and the recomputed score beside the published one;
* the evaluator's own paragraphs (《评估人意见》), each placed in its section and marked.

Every text from the inputs is escaped by Jinja2 autoescaping; nothing is fetched: CSS is
inline, charts are inline SVG, fonts are named (``"Noto Sans CJK SC"``), and a
Content-Security-Policy forbids scripts and any external resource. The HTML is
deterministic: the same inputs give the same bytes except the one ``generated-at``
timestamp on the front page.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError
from .findings import (
    DIMENSIONS,
    FAMILIES,
    SEVERITIES,
    SEVERITY_LABELS,
    Finding,
    Source,
    frame_to_findings,
)
from .model import Department
from .policy import Policy
from .schema import DEPARTMENT, INFO_FIELDS, SHEETS_BY_KEY, SHEETS_BY_NAME

__all__ = [
    "SECTION_TITLES",
    "ProblemGroup",
    "build_report",
    "evidence_anchor",
    "group_findings",
    "write_report",
]

#: The seven sections of the report, in order (the seed report's headings).
SECTION_TITLES: tuple[str, ...] = (
    "一、绩效目标管理情况",
    "二、评估思路及目的",
    "三、评估结论",
    "四、绩效目标管理分析",
    "五、存在的问题",
    "六、意见与建议",
    "七、附件",
)

#: Sub-sections of 四 and the review dimensions each one discusses.
ANALYSIS_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（一）绩效目标的设定", ("完整性", "相关性", "适当性", "可行性")),
    ("（二）绩效目标的编报和审核", ("编报审核",)),
    ("（三）绩效目标批复与调整", ("批复调整",)),
    ("（四）绩效目标的公开与应用", ("公开应用", "绩效监控", "自评质量")),
)

ANNEX_TITLES: tuple[str, ...] = (
    "附件1 绩效目标表",
    "附件2 绩效监控表",
    "附件3 绩效自评表",
    "附件4 部门基本信息、项目清单与评估依据",
)

TIMESTAMP_ID = "generated-at"
_CN_DIGITS = "零一二三四五六七八九"
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


# ----------------------------------------------------------------------------------------
# small formatting helpers
# ----------------------------------------------------------------------------------------
def _s(value: Any) -> str:
    """A cell as text: '' for None/NaN, dates in ISO form, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return _fmt_num(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def _fmt_num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _wan(yuan: Any) -> str:
    """An amount in 元 as the seed report writes it: ``18000`` → ``1.8万元``."""
    value = _num(yuan)
    return "未填" if value is None else f"{_fmt_num(value / 10000)}万元"


def _cn_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return _s(value)


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for problem numbers)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def _join(items: Iterable[str], limit: int = 0, sep: str = "、") -> str:
    items = [i for i in items if i]
    if limit and len(items) > limit:
        return sep.join(items[:limit]) + f"等{len(items)}项"
    return sep.join(items)


def _quote(items: Iterable[str]) -> list[str]:
    return [f"“{i}”" for i in items]


def _clean_text(text: str) -> str:
    """Policy text: YAML folds line breaks into spaces; drop those between CJK characters."""
    return _CJK_GAP.sub("", " ".join(str(text).split()))


def _subject_label(subject: str) -> str:
    return "部门整体" if subject == DEPARTMENT else f"“{subject}”"


# ----------------------------------------------------------------------------------------
# evidence anchors
# ----------------------------------------------------------------------------------------
def _slug(key: str) -> str:
    return key.replace("_", "-")


def evidence_anchor(sheet: str, row: int | None = None) -> str:
    """The stable, ASCII anchor of a workbook row in the annex.

    ``sheet`` is a Chinese sheet name (as in a finding's sources) or a sheet key:
    ``evidence_anchor("自评指标", 12)`` → ``"ev-selfeval-indicators-12"``; without a row,
    the anchor of the sheet's place in the annex (``"ev-selfeval-indicators"``).
    """
    spec = SHEETS_BY_NAME.get(sheet) or SHEETS_BY_KEY.get(sheet)
    if spec is None:
        raise KeyError(sheet)
    base = f"ev-{_slug(spec.key)}"
    return base if row is None else f"{base}-{int(row)}"


def _subject_anchor(key: str, index: int) -> str:
    return f"ev-{_slug(key)}-s{index}"


# ----------------------------------------------------------------------------------------
# grouping findings into problems
# ----------------------------------------------------------------------------------------
@dataclass(eq=False)
class FindingView:
    """One finding as the report shows it."""

    finding: Finding
    anchor: str = ""
    problem_anchor: str = ""
    problem_label: str = ""
    links: list[dict[str, Any]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:  # template access: fv.rule_id, fv.message ...
        if name.startswith("__") or name == "finding":
            raise AttributeError(name)
        return getattr(self.finding, name)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.finding.severity, self.finding.severity)

    @property
    def where(self) -> str:
        f = self.finding
        label = "部门整体" if f.subject == DEPARTMENT else f.subject
        return f"{label}—{f.indicator}" if f.indicator else label


@dataclass
class ProblemGroup:
    """One group of findings: a numbered problem of 五 (or a group of notices)."""

    key: str
    title: str  # the problem, as 五 and 三 state it
    rec_title: str  # the recommendation heading of 六
    rec_text: str
    findings: list[FindingView]
    number: int | None = None  # 1-based among numbered problems; None: notices only
    lead: list[str] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return self.number is not None

    @property
    def cn(self) -> str:
        return cn_number(self.number) if self.number else ""

    @property
    def anchor(self) -> str:
        return f"problem-{self.number}" if self.number else f"notice-{self.key}"

    @property
    def rec_anchor(self) -> str:
        return f"rec-{self.number}" if self.number else ""

    @property
    def label(self) -> str:
        return f"五（{self.cn}）" if self.number else "五、其他提示事项"

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for fv in self.findings:
            out[fv.finding.severity] = out.get(fv.finding.severity, 0) + 1
        return out


def _groups_config(policy: Policy) -> tuple[list[tuple[str, Mapping[str, Any]]], Mapping[str, Any]]:
    groups = policy.get("recommendations.groups") or {}
    if not isinstance(groups, Mapping):
        raise InputError("政策文件的 recommendations.groups 应为映射（分组键 → 问题与建议）")
    fallback = policy.get("recommendations.fallback") or {
        "problem": "其他需规范的问题",
        "title": "对照评估发现逐项核实整改",
        "text": "针对“{problem}”的问题，建议部门对照本报告列示的具体情况逐项核实整改。",
    }
    return list(groups.items()), fallback


def _group_of(f: Finding, groups: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    for key, cfg in groups:
        if f.rule_id in (cfg.get("rules") or ()):
            return key
    for key, cfg in groups:
        if f.family in (cfg.get("families") or ()):
            return key
    return "other"


def _subject_order(dept: Department, findings: Sequence[Finding] = ()) -> list[str]:
    names: list[str] = [DEPARTMENT, *dept.project_names]
    for key in ("targets", "goals", "monitor_funds", "monitor_indicators", "selfeval"):
        names += dept.subjects(key)
    for key in ("selfeval_funds", "selfeval_indicators", "tasks"):
        names += dept.subjects(key)
    names += [f.subject for f in findings]
    return list(dict.fromkeys(n for n in names if n))


def _source_key(s: Source) -> tuple[int, int]:
    spec = SHEETS_BY_NAME.get(s.sheet)
    order = list(SHEETS_BY_KEY).index(spec.key) if spec else 99
    return order, s.row if s.row is not None else -1


def group_findings(
    findings: pd.DataFrame | Sequence[Finding],
    policy: Policy,
    *,
    dept: Department | None = None,
) -> list[ProblemGroup]:
    """The findings grouped into problems, in report order.

    Groups come from ``policy["recommendations"]["groups"]``: a finding joins the group
    that lists its rule id, else the first group that lists its family, else the
    ``fallback`` group. A group with at least one error or warning is a numbered problem;
    a group of notices only is returned last with ``number=None``. Within a group findings
    are ordered by severity, rule id, subject (部门整体, then the projects in 《项目清单》
    order when ``dept`` is given, else by name) and evidence row, and each gets a stable
    anchor ``f-<rule id>-<n>`` (the anchors :func:`build_report` uses, given ``dept``).
    """
    items = frame_to_findings(findings) if isinstance(findings, pd.DataFrame) else list(findings)
    subjects = _subject_order(dept, items) if dept is not None else [DEPARTMENT]
    groups, fallback = _groups_config(policy)
    subject_rank = {s: i for i, s in enumerate(subjects)}
    by_group: dict[str, list[Finding]] = defaultdict(list)
    for f in items:
        by_group[_group_of(f, groups)].append(f)

    def sort_key(f: Finding) -> tuple[Any, ...]:
        first = min((_source_key(s) for s in f.sources), default=(99, -1))
        return (
            _SEVERITY_RANK.get(f.severity, 9),
            f.rule_id,
            subject_rank.get(f.subject, len(subject_rank)),
            f.subject,
            first,
            f.indicator or "",
            f.message,
        )

    configs = [*groups, ("other", fallback)]
    numbered: list[ProblemGroup] = []
    notices: list[ProblemGroup] = []
    for key, cfg in configs:
        members = sorted(by_group.get(key, []), key=sort_key)
        if not members:
            continue
        problem_title = _clean_text(cfg.get("problem") or key)
        text = _clean_text(cfg.get("text") or "").replace("{problem}", problem_title)
        problem = ProblemGroup(
            key=key,
            title=problem_title,
            rec_title=_clean_text(cfg.get("title") or ""),
            rec_text=text,
            findings=[FindingView(f) for f in members],
        )
        if any(f.severity in ("error", "warning") for f in members):
            numbered.append(problem)
        else:
            # notices only: not a problem, so not the policy's problem wording either
            labels = dict.fromkeys(FAMILIES.get(f.family, f.family) for f in members)
            problem.title = f"{'、'.join(labels)}方面的提示"
            notices.append(problem)
    for i, problem in enumerate(numbered, 1):
        problem.number = i
    counters: dict[str, int] = defaultdict(int)
    for problem in [*numbered, *notices]:
        for fv in problem.findings:
            counters[fv.finding.rule_id] += 1
            fv.anchor = f"f-{fv.finding.rule_id}-{counters[fv.finding.rule_id]}"
            fv.problem_anchor = problem.anchor
            fv.problem_label = problem.label
    return [*numbered, *notices]


def _rule_summary(problem: ProblemGroup) -> list[dict[str, Any]]:
    """Per rule in a problem: title, count and the subjects concerned."""
    out: dict[str, dict[str, Any]] = {}
    for fv in problem.findings:
        f = fv.finding
        entry = out.setdefault(
            f.rule_id,
            {"rule_id": f.rule_id, "title": f.title or f.rule_id, "count": 0, "subjects": [],
             "severity": f.severity, "anchor": fv.anchor},
        )  # fmt: skip
        entry["count"] += 1
        label = "部门整体" if f.subject == DEPARTMENT else f.subject
        if label not in entry["subjects"]:
            entry["subjects"].append(label)
    for entry in out.values():
        entry["subjects_text"] = _join(entry["subjects"], limit=6)
    return list(out.values())


# ----------------------------------------------------------------------------------------
# department facts
# ----------------------------------------------------------------------------------------
def _info(dept: Department, key: str) -> str:
    text = dept.info_text.get(key) if dept.info_text else None
    return _s(text) if text not in (None, "") else _s(dept.info.get(key))


def _approved_subjects(dept: Department) -> list[str]:
    from .rules.process import approved_subjects

    return approved_subjects(dept)


def _coverage(dept: Department) -> pd.DataFrame:
    from .rules.coverage import coverage_table

    return coverage_table(dept)


def _has_rows(dept: Department, key: str, subject: str) -> bool:
    df = dept.tables.get(key)
    return df is not None and "subject" in df.columns and bool((df["subject"] == subject).any())


def _facts(dept: Department, policy: Policy) -> dict[str, Any]:
    """The facts sections 一 and 四 state, computed from the workbook."""
    cov = _coverage(dept)
    year = dept.year
    name = dept.name
    commissioner = _info(dept, "commissioner") or "财政部门"
    n_projects = len(cov)
    initial = cov[cov["预算来源"] == "年初预算"]
    midyear = cov[cov["预算来源"] == "年中追加"]
    with_targets = cov[cov["有目标表"] == "是"]
    without = cov[cov["有目标表"] == "否"]
    dept_targets = _has_rows(dept, "targets", DEPARTMENT)
    approved = _approved_subjects(dept)
    budget_total = pd.to_numeric(cov["全年预算数（元）"], errors="coerce").sum()
    executed_total = pd.to_numeric(cov["全年执行数（元）"], errors="coerce").sum()

    monitored = list(
        dict.fromkeys([*dept.subjects("monitor_funds"), *dept.subjects("monitor_indicators")])
    )
    monitored_projects = [s for s in monitored if s != DEPARTMENT]
    periods = "和".join(
        p for p in re.split(r"[；;、，,\s]+", _info(dept, "monitoring_periods")) if p
    )
    period_ends = sorted(
        {_s(v) for key in ("monitor_funds", "monitor_indicators")
         for v in dept.tables[key].get("period_end_text", pd.Series(dtype=object))}
        - {""}
    )  # fmt: skip
    selfeval_subjects = list(
        dict.fromkeys(
            [*dept.subjects("selfeval"), *dept.subjects("selfeval_funds"),
             *dept.subjects("selfeval_indicators"), *dept.subjects("tasks")]
        )
    )  # fmt: skip
    selfeval_projects = [s for s in selfeval_subjects if s != DEPARTMENT]

    p: list[str] = []
    if approved:
        p.append(
            f"根据部门提供的预算批复和预算公开资料，{year}年度{commissioner}批复{name}绩效目标"
            f"{len(approved)}个，分别为{_join(approved)}。"
        )
    else:
        p.append(f"《部门信息》未记录{commissioner}批复{name}{year}年度绩效目标的情况。")
    if n_projects:
        targets_part = (
            f"其中编报项目绩效目标表的{len(with_targets)}个"
            + (f"（{_join(_quote(with_targets['项目名称']))}）" if len(with_targets) else "")
            + f"，未编报的{len(without)}个"
        )
        p.append(
            f"根据《项目清单》，{name}{year}年度实际执行项目{n_projects}个（年初预算项目"
            f"{len(initial)}个，年中追加项目{len(midyear)}个），全年预算合计{_wan(budget_total)}，"
            f"全年执行{_wan(executed_total)}；{targets_part}。部门整体绩效目标表"
            f"{'已编报' if dept_targets else '未编报'}。"
        )
    else:
        p.append(
            f"《项目清单》未列示{year}年度实际执行的项目。部门整体绩效目标表"
            f"{'已编报' if dept_targets else '未编报'}。"
        )
    if monitored:
        scope = []
        if DEPARTMENT in monitored:
            scope.append("部门整体")
        if monitored_projects:
            scope.append(f"{len(monitored_projects)}个项目")
        when = f"于{periods}" if periods else ""
        dates = f"（监控表截止日期：{_join(period_ends)}）" if period_ends else ""
        tail = "" if DEPARTMENT in monitored else "；未对部门整体开展绩效监控"
        p.append(f"{name}{when}对{'和'.join(scope)}开展绩效运行“双监控”{dates}{tail}。")
    else:
        p.append(f"《监控资金》《监控指标》中没有{name}{year}年度的绩效监控记录。")
    if selfeval_subjects:
        parts = [f"完成{year}年度绩效自评表{len(selfeval_subjects)}张"]
        detail = []
        if DEPARTMENT in selfeval_subjects:
            detail.append("部门整体1张")
        if selfeval_projects:
            detail.append(f"项目{len(selfeval_projects)}张")
        if detail:
            parts[0] += f"（{'、'.join(detail)}）"
        dept_report = _info(dept, "dept_selfeval_report")
        proj_report = _info(dept, "project_selfeval_reports")
        if dept_report:
            parts.append(
                "已撰写部门整体自评报告" if dept_report == "是" else "未撰写部门整体自评报告"
            )
        if proj_report:
            parts.append("已撰写项目自评报告" if proj_report == "是" else "未撰写项目自评报告")
        p.append(f"{name}{'，'.join(parts)}。")
    else:
        p.append(f"《自评表》中没有{name}{year}年度的绩效自评记录。")

    overview = []
    for rec in cov.to_dict("records"):
        budget, spent = _num(rec["全年预算数（元）"]), _num(rec["全年执行数（元）"])
        rate = f"{_fmt_num(spent / budget * 100)}%" if budget and spent is not None else "—"
        overview.append(
            {
                "name": rec["项目名称"],
                "href": "#" + evidence_anchor("projects", rec["_row"]),
                "status": rec["新增或延续"],
                "source": rec["预算来源"],
                "budget": _fmt_num(budget / 10000) if budget is not None else "",
                "executed": _fmt_num(spent / 10000) if spent is not None else "",
                "rate": rate,
                "targets": rec["有目标表"],
                "monitor": rec["有监控表"],
                "selfeval": rec["有自评表"],
            }
        )
    return {
        "intro": p,
        "overview": overview,
        "coverage": cov,
        "approved": approved,
        "monitored": monitored,
        "periods": periods,
        "selfeval_subjects": selfeval_subjects,
        "midyear": midyear,
        "without": without,
        "dept_targets": dept_targets,
    }


def _dimension_facts(
    dept: Department, policy: Policy, facts: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Fact sentences per review dimension for 四、绩效目标管理分析."""
    from .rules.quality import qualitative_share
    from .rules.relevance import function_coverage
    from .rules.scoring import rescore_indicators

    name = dept.name
    year = dept.year
    out: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    cov = facts["coverage"]

    # 完整性
    if len(cov):
        with_t = cov[cov["有目标表"] == "是"]
        out["完整性"].append(
            f"{name}{year}年度实际执行项目{len(cov)}个，其中年初纳入预算的{int((cov['预算来源'] == '年初预算').sum())}个、"
            f"年中追加的{len(facts['midyear'])}个；编报项目绩效目标表的{len(with_t)}个，"
            f"未编报的{len(facts['without'])}个"
            + (
                f"（{_join(_quote(facts['without']['项目名称']))}）"
                if len(facts["without"])
                else ""
            )
            + "。"
        )
    out["完整性"].append(
        "部门整体绩效目标表已编报。" if facts["dept_targets"] else "部门整体绩效目标表未编报。"
    )

    # 相关性
    try:
        fc = function_coverage(dept, policy)
    except Exception:
        fc = pd.DataFrame()
    if len(fc):
        counted = fc[fc["是否覆盖"] != "不计"]
        uncovered = counted[counted["是否覆盖"] == "否"]["职能条款"].tolist()
        title = _info(dept, "sanding_title")
        doc_no = _info(dept, "sanding_doc_no")
        basis = (
            f"根据{title}（{doc_no}）"
            if title and doc_no
            else (f"根据{title}" if title else "根据部门“三定”方案")
        )
        sentence = (
            f"{basis}，部门职能条款{len(fc)}条，其中通用性职责{len(fc) - len(counted)}条不计；"
            f"其余{len(counted)}条中，部门整体年度目标和指标涉及{len(counted) - len(uncovered)}条"
        )
        if uncovered:
            sentence += f"，未涉及{_join(_quote(uncovered))}"
        out["相关性"].append(sentence + "。")
    else:
        out["相关性"].append(
            "《部门信息》未载明“三定”方案规定的部门职能，无法比对部门整体目标与职能的相关性。"
        )

    # 适当性
    try:
        qs = qualitative_share(dept, policy)
    except Exception:
        qs = pd.DataFrame()
    if len(qs):
        total = int(qs["指标数"].sum())
        qual = int(qs["定性指标数"].sum())
        over = qs[qs["超过上限"]]
        limit = _num(policy.get("quality.qualitative_share_limit"))
        sentence = (
            f"各对象的绩效指标（未编报目标表的取自评表）共{total}个，其中定量指标{total - qual}个、"
            f"定性指标{qual}个"
        )
        if len(over):
            names = [
                f"{'部门整体' if r['对象'] == DEPARTMENT else r['对象']}{r['来源表']}"
                f"（{_fmt_num(r['定性占比'] * 100, 1)}%）"
                for r in over.to_dict("records")
            ]
            sentence += (
                f"；定性指标占比超过{_fmt_num((limit or 0) * 100)}%的有{len(over)}张表："
                f"{_join(names)}"
            )
        out["适当性"].append(sentence + "。")

    # 可行性
    mi = dept.tables.get("monitor_indicators")
    if mi is not None and len(mi):
        lk = mi["likelihood"].map(_s)
        parts = [f"“{c}”{int((lk == c).sum())}个" for c in ("确定能", "有可能", "完全不可能")]
        blank = int((lk == "").sum())
        out["可行性"].append(
            f"绩效监控中，各指标完成目标可能性判断为{'、'.join(parts)}"
            + (f"，未判断的{blank}个" if blank else "")
            + "。"
        )
    try:
        ri = rescore_indicators(dept, policy)
    except Exception:
        ri = pd.DataFrame()
    if len(ri):
        below = [
            r for r in ri.to_dict("records")
            if _num(r.get("completion")) is not None and _num(r["completion"]) < 100 - 1e-9
        ]  # fmt: skip
        if below:
            names = [f"“{r['level3']}”（{_fmt_num(_num(r['completion']))}%）" for r in below]
            out["可行性"].append(
                f"绩效自评中，实际完成值未达到年度指标值的定量指标{len(below)}个：{_join(names, limit=8)}。"
            )
        else:
            out["可行性"].append("绩效自评中，定量指标的实际完成值均达到年度指标值。")

    # 编报审核
    drafting = _info(dept, "drafting")
    out["编报审核"].append(
        drafting if drafting else "《部门信息》未记录绩效目标由谁编制、谁审核、如何报送。"
    )

    # 批复调整
    approval = []
    commissioner = _info(dept, "commissioner") or "财政部门"
    doc = _info(dept, "approval_doc")
    doc_no = _info(dept, "approval_doc_no")
    date = dept.info.get("approval_date")
    total = _info(dept, "approved_total")
    if doc or doc_no or date or total:
        sentence = f"按照“谁批复预算，谁批复目标”的原则，{commissioner}"
        if date:
            sentence += f"于{_cn_date(date)}"
        if doc or doc_no:
            sentence += f"通过{doc}" + (f"（{doc_no}）" if doc_no else "")
        sentence += f"批复{name}{year}年部门预算"
        if total:
            sentence += f"{total}万元"
        approval.append(sentence + "。")
    else:
        approval.append("《部门信息》未记录预算批复文件、文号和日期。")
    if facts["approved"]:
        approval.append(f"批复的绩效目标为：{_join(facts['approved'])}。")
    mid = facts["midyear"]
    if len(mid):
        mid_without = mid[mid["有目标表"] == "否"]
        approval.append(
            f"年中追加项目{len(mid)}个，其中{len(mid_without)}个未随预算调整同步编报绩效目标表。"
            if len(mid_without)
            else f"年中追加项目{len(mid)}个，均已编报绩效目标表。"
        )
    out["批复调整"] = approval

    # 公开与应用
    pub = []
    pub_date = dept.info.get("publication_date")
    url = _info(dept, "publication_url")
    published = _info(dept, "targets_published")
    note = _info(dept, "publication_note")
    if pub_date or url or published:
        sentence = name
        if pub_date:
            sentence += f"于{_cn_date(pub_date)}"
        sentence += f"公开{year}年度部门预算信息"
        if url:
            sentence += f"，公开网址：{url}"
        if published:
            sentence += (
                "；绩效目标表已随预算公开" if published == "是" else "；绩效目标表未随预算公开"
            )
        if note:
            sentence += f"（{note}）"
        pub.append(sentence + "。")
    else:
        pub.append("《部门信息》未记录部门预算和绩效目标的公开情况。")
    out["公开应用"] = pub
    monitored = facts["monitored"]
    if monitored:
        out["绩效监控"].append(
            f"绩效目标在运行监控中得到应用：监控表覆盖{len(monitored)}个对象"
            + ("（含部门整体）" if DEPARTMENT in monitored else "（不含部门整体）")
            + "。"
        )
    else:
        out["绩效监控"].append("未见绩效运行监控记录，绩效目标未在执行中得到跟踪。")
    if facts["selfeval_subjects"]:
        out["自评质量"].append(
            f"绩效目标在绩效自评中得到应用：{len(facts['selfeval_subjects'])}个对象完成自评，"
            "评估组按评分规则重算了各自评表的得分（见下图及附件3）。"
        )
    return out


# ----------------------------------------------------------------------------------------
# problem lead paragraphs (data-driven, in the seed report's manner)
# ----------------------------------------------------------------------------------------
def _lead(problem: ProblemGroup, dept: Department, facts: Mapping[str, Any]) -> list[str]:
    rules = {fv.finding.rule_id for fv in problem.findings}
    year = dept.year
    out: list[str] = []
    if problem.key == "coverage" and "CV001" in rules:
        cov = facts["coverage"]
        with_t = cov[cov["有目标表"] == "是"]
        without = cov[cov["有目标表"] == "否"]
        done = (
            f"但仅完成{_join(_quote(with_t['项目名称']))}{len(with_t)}个项目绩效目标的编报工作"
            if len(with_t)
            else "但均未编报项目绩效目标"
        )
        listed = "；".join(
            f"{r['项目名称']}，{year}年度共计支出{_wan(r['全年执行数（元）'])}"
            for r in without.to_dict("records")
        )
        out.append(
            f"根据《项目清单》，部门{year}年度共实施{len(cov)}个项目，{done}，"
            f"其余{len(without)}个项目均未编报绩效目标，分别为{listed}。"
        )
        continuing = without[without["新增或延续"] == "延续"]
        if len(continuing):
            out.append(
                f"其中{_join(_quote(continuing['项目名称']))}{len(continuing)}个为延续项目，"
                "以前年度已实施，仍未编报绩效目标。"
            )
    if problem.key == "coverage" and "CV002" in rules:
        out.append("部门未编报部门整体绩效目标表，部门整体支出缺少绩效目标约束。")
    if problem.key == "relevance" and "RL001" in rules:
        goals = dept.goals
        dept_goals = goals[(goals["subject"] == DEPARTMENT) & (goals["source"] == "目标表")]
        if not len(dept_goals):
            dept_goals = goals[goals["subject"] == DEPARTMENT]
        if len(dept_goals):
            listed = "；".join(f"{i}、{_s(t)}" for i, t in enumerate(dept_goals["text"], 1))
            out.append(f"部门{year}年度设定的部门整体绩效目标如下：{listed}。")
        uncovered = [
            fv.finding.published for fv in problem.findings if fv.finding.rule_id == "RL001"
        ]
        clauses = []
        for fv in problem.findings:
            if fv.finding.rule_id == "RL001":
                m = re.search(r"职能“(.+?)”", fv.finding.message)
                if m:
                    clauses.append(m.group(1))
        if clauses:
            out.append(
                f"根据部门“三定”方案，部门承担{_join(_quote(clauses))}等职责，"
                "但部门整体绩效目标未涉及上述职责。"
            )
        elif uncovered:
            out.append("部门整体绩效目标未覆盖“三定”方案规定的部分核心职能。")
    return out


# ----------------------------------------------------------------------------------------
# annex: the department's own tables
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    label: str
    keys: tuple[str, ...]
    width: float
    kind: str = "data"  # data | row | recomputed | chips | label


def _cols(*specs: tuple[str, tuple[str, ...], float]) -> tuple[Col, ...]:
    return tuple(Col(label, keys, width) for label, keys, width in specs)


_LEVELS = (
    ("一级指标", ("level1",), 7),
    ("二级指标", ("level2",), 8),
    ("三级指标", ("level3",), 14),
)
ANNEX_COLUMNS: dict[str, tuple[Col, ...]] = {
    "targets": _cols(*_LEVELS, ("指标值类型", ("operator",), 7), ("指标值", ("value",), 11),
                     ("单位", ("unit",), 6), ("指标值内容", ("value_content",), 12)),
    "goals": _cols(("序号", ("seq",), 6), ("目标内容", ("text",), 50), ("实际完成情况", ("achieved",), 25)),
    "monitor_funds": _cols(("资金类别", ("line",), 12), ("年初预算数", ("initial_budget",), 11),
                           ("全年预算数", ("final_budget",), 11), ("监控期执行数", ("executed_to_date",), 11),
                           ("监控期执行率(%)", ("rate_to_date",), 10), ("全年预计执行数", ("forecast",), 11),
                           ("金额单位", ("unit",), 7)),
    "monitor_indicators": _cols(*_LEVELS, ("年度指标值", ("target",), 8), ("监控期执行情况", ("to_date",), 8),
                                ("全年预计完成情况", ("forecast",), 8),
                                ("偏差原因", ("cause_funding", "cause_system", "cause_staff",
                                              "cause_hardware", "cause_other", "cause_text"), 12),
                                ("完成目标可能性", ("likelihood",), 7), ("拟改进措施", ("measures",), 7)),
    "selfeval": _cols(("分值合计", ("weight_total",), 8), ("总分", ("total",), 8), ("等级", ("grade",), 6),
                      ("实际完成情况", ("achieved",), 28), ("未完成原因分析", ("reason",), 22)),
    "selfeval_funds": _cols(("资金类别", ("line",), 12), ("年初预算数", ("initial_budget",), 10),
                            ("全年预算数", ("final_budget",), 10), ("全年执行数", ("executed",), 10),
                            ("执行率(%)", ("rate",), 7), ("分值", ("weight",), 6), ("得分", ("score",), 6),
                            ("未完成原因分析", ("reason",), 11), ("金额单位", ("unit",), 6)),
    "tasks": _cols(("年度主要任务", ("task",), 10), ("对应项目", ("item",), 18), ("项目下达金额", ("allocated",), 9),
                   ("项目执行金额", ("executed",), 9), ("项目执行率", ("rate",), 8), ("分值", ("weight",), 6),
                   ("得分", ("score",), 6), ("金额单位", ("unit",), 6)),
    "selfeval_indicators": _cols(("一级指标", ("level1",), 6), ("二级指标", ("level2",), 7),
                                 ("三级指标", ("level3",), 12), ("年度指标值", ("operator", "target"), 9),
                                 ("实际完成值", ("actual",), 8), ("单位", ("unit",), 5),
                                 ("分值", ("weight",), 6), ("完成率", ("completion",), 8),
                                 ("得分", ("score",), 6), ("未完成原因分析", ("reason",), 8)),
    "projects": _cols(("项目名称", ("name",), 16), ("新增或延续", ("status",), 6), ("是否年初预算", ("in_initial_budget",), 6),
                      ("年初预算数", ("initial_budget",), 9), ("全年预算数", ("final_budget",), 9),
                      ("全年执行数", ("executed",), 9), ("金额单位", ("unit",), 5), ("基本情况", ("basic_info",), 23)),
    "basis": _cols(("文件名称", ("title",), 50), ("文号", ("doc_no",), 20), ("层级", ("level",), 10)),
    "info": _cols(("字段", ("_label",), 22), ("值", ("值",), 60)),
}  # fmt: skip
_NUMERIC_KINDS = ("money", "number", "percent", "int")
#: Where the recomputed score goes (after which column label) per money/score table.
RECOMPUTED_AFTER = {
    "selfeval": "总分",
    "selfeval_funds": "得分",
    "tasks": "得分",
    "selfeval_indicators": "得分",
}
_RECOMPUTED_LABEL = {"selfeval": "重算总分"}


def _is_numeric(sheet_key: str, col: Col) -> bool:
    if sheet_key not in SHEETS_BY_KEY or len(col.keys) != 1:
        return False
    try:
        return SHEETS_BY_KEY[sheet_key].column(col.keys[0]).kind in _NUMERIC_KINDS
    except KeyError:
        return False


def _cell_value(rec: Mapping[str, Any], key: str) -> str:
    text_key = f"{key}_text"
    if text_key in rec:
        return _s(rec[text_key])
    return _s(rec.get(key))


class _Evidence:
    """Which rows and cells the findings point at, and every anchor the annex renders."""

    def __init__(self, problems: Sequence[ProblemGroup]) -> None:
        self.rows: dict[tuple[str, int], list[FindingView]] = defaultdict(list)
        self.cells: dict[tuple[str, int], dict[str, list[FindingView]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.primary: dict[str, tuple[str, int] | None] = {}
        for problem in problems:
            for fv in problem.findings:
                first = None
                for s in fv.finding.sources:
                    spec = SHEETS_BY_NAME.get(s.sheet)
                    if spec is None or s.row is None:
                        continue
                    key = (spec.key, int(s.row))
                    if first is None:
                        first = key
                    if fv not in self.rows[key]:
                        self.rows[key].append(fv)
                    header = s.column or ""
                    if fv not in self.cells[key][header]:
                        self.cells[key][header].append(fv)
                self.primary[fv.anchor] = first
        self.anchors: set[str] = set()

    def add(self, anchor: str) -> str:
        if anchor in self.anchors:
            raise AssertionError(f"duplicate anchor {anchor}")  # pragma: no cover
        self.anchors.add(anchor)
        return anchor


def _header_keys(sheet_key: str) -> dict[str, str]:
    if sheet_key == "info":
        return {"值": "值", "": "值"}
    return {c.header: c.key for c in SHEETS_BY_KEY[sheet_key].columns}


def _chip(fv: FindingView, sheet_key: str, row: int, ev: _Evidence) -> dict[str, Any]:
    f = fv.finding
    note = ""
    primary = ev.primary.get(fv.anchor) == (sheet_key, row)
    if primary and f.published and f.expected and max(len(f.published), len(f.expected)) <= 24:
        note = f"{f.published} → {f.expected}"
    return {"href": f"#{fv.anchor}", "label": f.rule_id, "severity": f.severity,
            "title": f.title, "note": note}  # fmt: skip


def _table(
    sheet_key: str,
    records: Sequence[Mapping[str, Any]],
    ev: _Evidence,
    *,
    recomputed: Mapping[int, tuple[str, bool]] | None = None,
    caption: str = "",
    columns: Sequence[Col] | None = None,
) -> dict[str, Any]:
    """One annex table: rows with anchors, flagged cells and review chips."""
    cols = list(columns or ANNEX_COLUMNS[sheet_key])
    if recomputed is not None:
        after = RECOMPUTED_AFTER[sheet_key]
        at = next(i for i, c in enumerate(cols) if c.label == after) + 1
        cols.insert(at, Col(_RECOMPUTED_LABEL.get(sheet_key, "重算得分"), (), 6, "recomputed"))
    header_keys = _header_keys(sheet_key)
    rows = []
    any_chips = False
    for rec in records:
        row_no = int(rec["_row"])
        key = (sheet_key, row_no)
        flagged_keys: dict[str, list[FindingView]] = defaultdict(list)
        for header, fvs in ev.cells.get(key, {}).items():
            col_key = header_keys.get(header, header)
            flagged_keys[col_key] += fvs
        cells = []
        for col in cols:
            if col.kind == "recomputed":
                value, differs = (recomputed or {}).get(row_no, ("", False))
                cells.append({"text": value, "cls": "recomputed" + (" differs" if differs else "")})
                continue
            if sheet_key == "selfeval_indicators" and col.keys == ("operator", "target"):
                op, target = _s(rec.get("operator")), _s(rec.get("target"))
                text = target if not op or target.startswith(op) else f"{op}{target}"
            elif len(col.keys) > 1:
                parts = []
                for k in col.keys:
                    v = _cell_value(rec, k)
                    if v:
                        parts.append(f"{SHEETS_BY_KEY[sheet_key].column(k).header}：{v}")
                text = "；".join(parts)
            else:
                text = _cell_value(rec, col.keys[0])
            hits = [fv for k in col.keys for fv in flagged_keys.get(k, [])]
            classes = []
            if _is_numeric(sheet_key, col):
                classes.append("num")
            if hits:
                worst = min(hits, key=lambda fv: _SEVERITY_RANK.get(fv.finding.severity, 9))
                classes += ["flag", f"sev-{worst.finding.severity}"]
            cells.append({"text": text, "cls": " ".join(classes)})
        chips = [_chip(fv, sheet_key, row_no, ev) for fv in ev.rows.get(key, [])]
        any_chips = any_chips or bool(chips)
        worst_row = min(
            (fv.finding.severity for fv in ev.rows.get(key, [])),
            key=lambda s: _SEVERITY_RANK.get(s, 9),
            default=None,
        )
        rows.append(
            {
                "id": ev.add(evidence_anchor(sheet_key, row_no)),
                "row": row_no,
                "cells": cells,
                "chips": chips,
                "cls": f"flagged sev-{worst_row}" if worst_row else "",
            }
        )
    widths = [4.0, *[c.width for c in cols]] + ([14.0] if any_chips else [])
    scale = 100.0 / sum(widths)
    return {
        "caption": caption,
        "sheet": SHEETS_BY_KEY[sheet_key].name,
        "columns": [c.label for c in cols],
        "widths": [f"{w * scale:.2f}%" for w in widths],
        "rows": rows,
        "chips": any_chips,
        "empty": not rows,
    }


def _records_of(
    dept: Department, key: str, subject: str | None = None, **match: Any
) -> list[dict[str, Any]]:
    df = dept.tables.get(key)
    if df is None or not len(df):
        return []
    if subject is not None:
        df = df[df["subject"] == subject]
    for col, value in match.items():
        df = df[df[col] == value]
    return df.sort_values("_row", kind="stable").to_dict("records")


def _recomputed_maps(dept: Department, policy: Policy) -> dict[str, dict[int, tuple[str, bool]]]:
    from .rules.scoring import rescore_funds, rescore_indicators, rescore_totals

    out: dict[str, dict[int, tuple[str, bool]]] = {
        "selfeval_indicators": {}, "selfeval_funds": {}, "tasks": {}, "selfeval": {},
    }  # fmt: skip
    tol = _num(policy.get("scoring.tolerance")) or 0.0
    ind = rescore_indicators(dept, policy)
    for r in ind.to_dict("records"):
        score = _num(r.get("score"))
        pub = _num(r.get("score_published"))
        text = _fmt_num(score) if score is not None else "无法计算"
        differs = score is None or pub is None or abs(score - pub) > tol + 1e-9
        out["selfeval_indicators"][int(r["_row"])] = (text, differs)
    funds = rescore_funds(dept, policy)
    for r in funds.to_dict("records"):
        table = "tasks" if r["source"] == "年度主要任务" else "selfeval_funds"
        score = _num(r.get("score"))
        pub = _num(r.get("score_published"))
        text = _fmt_num(score) if score is not None else "无法计算"
        differs = score is None or pub is None or abs(score - pub) > tol + 1e-9
        out[table][int(r["_row"])] = (text, differs)
    totals = rescore_totals(dept, policy, indicators=ind, funds=funds)
    total_tol = _num(policy.get("scoring.total_tolerance")) or 0.0
    for r in totals.to_dict("records"):
        if r.get("_row") is None:
            continue
        rec, pub = _num(r.get("total_recomputed")), _num(r.get("total_published"))
        differs = rec is None or pub is None or abs(rec - pub) > total_tol + 1e-9
        out["selfeval"][int(r["_row"])] = (_fmt_num(rec), differs)
    return out


def _block_title(subject: str, kind: str, year: int) -> str:
    if subject == DEPARTMENT:
        return {
            "targets": "部门（单位）整体绩效目标申报表",
            "monitor": "部门整体绩效目标运行监控表",
            "selfeval": "部门整体支出绩效自评表",
        }[kind]
    return {
        "targets": f"项目绩效目标表：{subject}",
        "monitor": f"项目支出绩效目标运行监控表：{subject}",
        "selfeval": f"项目支出绩效自评表：{subject}",
    }[kind]


def _annexes(
    dept: Department, policy: Policy, subjects: Sequence[str], ev: _Evidence
) -> list[dict[str, Any]]:
    year = dept.year
    recomputed = _recomputed_maps(dept, policy)
    annexes = []

    # 附件1 绩效目标表
    blocks = []
    for idx, subject in enumerate(subjects):
        targets = _records_of(dept, "targets", subject)
        goals = _records_of(dept, "goals", subject, source="目标表")
        parts = []
        if goals:
            parts.append(_table("goals", goals, ev, caption="年度绩效目标",
                                columns=ANNEX_COLUMNS["goals"][:2]))  # fmt: skip
        if targets:
            parts.append(_table("targets", targets, ev, caption="绩效指标"))
        blocks.append(
            {
                "id": f"annex-1-s{idx}",
                "anchors": [
                    ev.add(_subject_anchor("targets", idx)),
                    ev.add(_subject_anchor("goals", idx)),
                ],
                "title": _block_title(subject, "targets", year),
                "note": ""
                if targets
                else ("未编报绩效目标表（《目标表指标》中没有该对象的指标）。"),
                "parts": parts,
            }
        )
    annexes.append({"id": "annex-1", "title": ANNEX_TITLES[0],
                    "anchors": [ev.add(evidence_anchor("targets")), ev.add(evidence_anchor("goals"))],
                    "blocks": blocks})  # fmt: skip

    # 附件2 绩效监控表
    blocks = []
    for idx, subject in enumerate(subjects):
        funds = _records_of(dept, "monitor_funds", subject)
        inds = _records_of(dept, "monitor_indicators", subject)
        goals = _records_of(dept, "goals", subject, source="监控表")
        periods = list(dict.fromkeys(_s(r.get("period_end_text")) for r in [*funds, *inds]))
        parts = []
        for period in periods:
            label = f"（监控期截至{period}）" if period else ""
            pf = [r for r in funds if _s(r.get("period_end_text")) == period]
            pi = [r for r in inds if _s(r.get("period_end_text")) == period]
            if pf:
                parts.append(_table("monitor_funds", pf, ev, caption=f"项目资金{label}"))
            if goals and period == periods[0]:
                parts.append(_table("goals", goals, ev, caption="年度总体目标",
                                    columns=ANNEX_COLUMNS["goals"][:2]))  # fmt: skip
            if pi:
                parts.append(_table("monitor_indicators", pi, ev, caption=f"绩效指标{label}"))
        if goals and not periods:
            parts.append(_table("goals", goals, ev, caption="年度总体目标",
                                columns=ANNEX_COLUMNS["goals"][:2]))  # fmt: skip
        note = (
            ""
            if (funds or inds)
            else "未开展绩效监控（《监控资金》《监控指标》中没有该对象的记录）。"
        )
        if (funds and not inds) or (inds and not funds):
            note = "仅有资金监控，缺少指标监控。" if funds else "仅有指标监控，缺少资金监控。"
        blocks.append(
            {
                "id": f"annex-2-s{idx}",
                "anchors": [ev.add(_subject_anchor("monitor_funds", idx)),
                            ev.add(_subject_anchor("monitor_indicators", idx))],
                "title": _block_title(subject, "monitor", year),
                "note": note,
                "parts": parts,
            }
        )  # fmt: skip
    annexes.append({"id": "annex-2", "title": ANNEX_TITLES[1],
                    "anchors": [ev.add(evidence_anchor("monitor_funds")),
                                ev.add(evidence_anchor("monitor_indicators"))],
                    "blocks": blocks})  # fmt: skip

    # 附件3 绩效自评表
    blocks = []
    for idx, subject in enumerate(subjects):
        sel = _records_of(dept, "selfeval", subject)
        funds = _records_of(dept, "selfeval_funds", subject)
        tasks = _records_of(dept, "tasks", subject)
        goals = _records_of(dept, "goals", subject, source="自评表")
        inds = _records_of(dept, "selfeval_indicators", subject)
        parts = []
        if sel:
            parts.append(_table("selfeval", sel, ev, caption="总分与等级",
                                recomputed=recomputed["selfeval"]))  # fmt: skip
        if funds:
            parts.append(_table("selfeval_funds", funds, ev, caption="资金执行",
                                recomputed=recomputed["selfeval_funds"]))  # fmt: skip
        if tasks:
            parts.append(_table("tasks", tasks, ev, caption="年度主要任务",
                                recomputed=recomputed["tasks"]))  # fmt: skip
        if goals:
            parts.append(_table("goals", goals, ev, caption="年度总体目标与实际完成情况"))
        if inds:
            parts.append(_table("selfeval_indicators", inds, ev, caption="绩效指标",
                                recomputed=recomputed["selfeval_indicators"]))  # fmt: skip
        has = sel or funds or tasks or inds
        blocks.append(
            {
                "id": f"annex-3-s{idx}",
                "anchors": [ev.add(_subject_anchor(k, idx))
                            for k in ("selfeval", "selfeval_funds", "tasks", "selfeval_indicators")],
                "title": _block_title(subject, "selfeval", year),
                "note": "" if has else "未填报绩效自评表（《自评表》中没有该对象的记录）。",
                "parts": parts,
            }
        )  # fmt: skip
    annexes.append({"id": "annex-3", "title": ANNEX_TITLES[2],
                    "anchors": [ev.add(evidence_anchor(k))
                                for k in ("selfeval", "selfeval_funds", "tasks", "selfeval_indicators")],
                    "blocks": blocks})  # fmt: skip

    # 附件4 部门信息、项目清单、评估依据
    info_records = [
        {"_row": dept.info_rows[c.key], "_label": c.header, "值": _info(dept, c.key)}
        for c in INFO_FIELDS
        if c.key in dept.info_rows
    ]
    info_records.sort(key=lambda r: r["_row"])
    parts4 = [
        _table("info", info_records, ev, caption="《部门信息》"),
        _table("projects", _records_of(dept, "projects"), ev, caption="《项目清单》"),
        _table("basis", _records_of(dept, "basis"), ev, caption="《评估依据》"),
    ]
    annexes.append({"id": "annex-4", "title": ANNEX_TITLES[3],
                    "anchors": [ev.add(evidence_anchor(k)) for k in ("info", "projects", "basis")],
                    "blocks": [{"id": "annex-4-s0", "anchors": [], "title": "", "note": "",
                                "parts": parts4}]})  # fmt: skip
    return annexes


def _resolve_links(
    problems: Sequence[ProblemGroup], subjects: Sequence[str], anchors: set[str]
) -> None:
    """Each finding's evidence as links to annex anchors, grouped by sheet.

    ``fv.links`` is one entry per sheet: ``rows`` (row number and href of each cited row,
    in row order), ``whole`` (a link to the sheet or the subject's place in the annex when
    a source names no row) and the cited column headers. Every href targets an anchor the
    annex renders; a row the annex does not show falls back to the sheet's anchor.
    """
    subject_idx = {s: i for i, s in enumerate(subjects)}
    for problem in problems:
        for fv in problem.findings:
            groups: dict[str, dict[str, Any]] = {}
            for s in fv.finding.sources:
                spec = SHEETS_BY_NAME.get(s.sheet)
                g = groups.setdefault(
                    s.sheet, {"sheet": s.sheet, "rows": {}, "whole": None, "columns": []}
                )
                if s.column and s.column not in g["columns"]:
                    g["columns"].append(s.column)
                if spec is None:
                    g["whole"] = g["whole"] or {"href": "#sec-7", "label": f"《{s.sheet}》"}
                    continue
                if s.row is not None and evidence_anchor(spec.key, s.row) in anchors:
                    g["rows"][int(s.row)] = "#" + evidence_anchor(spec.key, s.row)
                    continue
                idx = subject_idx.get(fv.finding.subject)
                if s.row is None and idx is not None and _subject_anchor(spec.key, idx) in anchors:
                    whole = {"href": "#" + _subject_anchor(spec.key, idx),
                             "label": f"《{s.sheet}》（无该对象记录）"}  # fmt: skip
                else:
                    label = f"《{s.sheet}》" + (f"第{s.row}行" if s.row is not None else "")
                    whole = {"href": "#" + evidence_anchor(spec.key), "label": label}
                g["whole"] = g["whole"] or whole
            fv.links = [
                {
                    "sheet": g["sheet"],
                    "rows": [{"row": n, "href": h} for n, h in sorted(g["rows"].items())],
                    "whole": g["whole"],
                    "columns_text": "、".join(g["columns"]),
                }
                for g in groups.values()
            ]


# ----------------------------------------------------------------------------------------
# charts
# ----------------------------------------------------------------------------------------
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def _svg(fig: Any, prefix: str) -> str:
    """A matplotlib figure as inline SVG: no metadata/comments/DOCTYPE, ids prefixed."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "evalkit-report", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    ids = set(_SVG_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', old)}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
    svg = svg.replace("<svg ", f'<svg class="chart" role="img" aria-labelledby="{prefix}-t" ', 1)
    return re.sub(r"\n\s*\n", "\n", svg).strip()


def _charts(dept: Department, findings: pd.DataFrame, policy: Policy) -> dict[str, str]:
    from . import charts
    from .rules.scoring import rescore_totals

    charts.setup()  # raises FontMissingError (Chinese message) without a CJK font
    out: dict[str, str] = {}
    if len(dept.projects):
        out["execution"] = _svg(charts.execution_chart(dept.projects), "chart-exec")
    totals = rescore_totals(dept, policy)
    totals = totals[totals["total_published"].notna() & totals["total_recomputed"].notna()]
    if len(totals):
        totals = totals.assign(
            label=totals["subject"].map(lambda s: "部门整体" if s == DEPARTMENT else s)
        )
        out["totals"] = _svg(
            charts.totals_chart(
                totals, label="label", published="total_published", recomputed="total_recomputed"
            ),
            "chart-totals",
        )
    fig = charts.findings_chart(findings)
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:  # counts are whole numbers
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    out["findings"] = _svg(fig, "chart-findings")
    return out


# ----------------------------------------------------------------------------------------
# evaluator's notes
# ----------------------------------------------------------------------------------------
def _notes(dept: Department, notes: Any) -> dict[int, list[str]]:
    """《评估人意见》 paragraphs by section number (1–7)."""
    if notes is None:
        notes = dept.tables.get("notes")
    if notes is None:
        return {}
    if isinstance(notes, pd.DataFrame):
        pairs = [(r.get("section"), r.get("text")) for r in notes.to_dict("records")]
    else:
        pairs = []
        for item in notes:
            if isinstance(item, Mapping):
                pairs.append((item.get("section"), item.get("text")))
            else:
                section, text = item
                pairs.append((section, text))
    out: dict[int, list[str]] = defaultdict(list)
    unknown = []
    for section, text in pairs:
        label, body = _s(section), _s(text)
        if not body:
            continue
        number = next(
            (i for i, t in enumerate(SECTION_TITLES, 1)
             if label == t or label == t[2:] or (label.startswith(t[0]) and label[1:2] in ("、", ""))),
            None,
        )  # fmt: skip
        if number is None:
            unknown.append(label)
            continue
        out[number].append(body)
    if unknown:
        raise InputError(
            f"评估人意见的章节无法识别：{_join(_quote(unknown))}；应为"
            f"{_join(_quote(SECTION_TITLES[:6]))}之一"
        )
    return dict(out)


# ----------------------------------------------------------------------------------------
# the report
# ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("evalkit", "report_templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _css() -> str:
    return (resources.files("evalkit") / "report_templates" / "report.css").read_text("utf-8")


def _check_links(audit_links: Mapping[str, str] | None) -> list[dict[str, str]]:
    out = []
    for stage, href in (audit_links or {}).items():
        href = str(href)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith(("/", "\\")):
            raise InputError(f"审计笔记本链接应为相对路径：阶段“{stage}”的链接为“{href}”")
        out.append({"stage": str(stage), "href": href})
    return out


def build_report(
    dept: Department,
    findings: pd.DataFrame | Sequence[Finding],
    *,
    policy: Policy,
    audit_links: Mapping[str, str] | None = None,
    notes: Any = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The evaluation report of one department as one self-contained HTML document.

    ``findings`` is the DataFrame of :func:`evalkit.check` (or a list of
    :class:`~evalkit.findings.Finding`); ``policy`` the policy they were made with (its
    ``recommendations`` section groups them into problems). ``audit_links`` maps a stage
    name to a relative href of its audit notebook (``{"05_自评复核": "html/05_自评复核.html"}``),
    listed on the front page. ``notes`` overrides the workbook's 《评估人意见》 (a DataFrame
    with ``section``/``text`` or pairs). ``generated_at`` (default: now) is the only
    non-deterministic part of the output.
    """
    frame = findings if isinstance(findings, pd.DataFrame) else None
    items = frame_to_findings(frame) if frame is not None else list(findings)
    if frame is None:
        from .findings import findings_frame

        frame = findings_frame(items)
    subjects = _subject_order(dept, items)
    problems = group_findings(items, policy, dept=dept)
    numbered = [p for p in problems if p.numbered]
    notice_groups = [p for p in problems if not p.numbered]
    facts = _facts(dept, policy)
    for p in problems:
        p.lead = _lead(p, dept, facts)
        p.summary = _rule_summary(p)

    ev = _Evidence(problems)
    annexes = _annexes(dept, policy, subjects, ev)
    _resolve_links(problems, subjects, ev.anchors)

    # 四: per dimension, the facts and the rules that found something (with the problem)
    dim_facts = _dimension_facts(dept, policy, facts)
    by_dim: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for p in problems:
        for fv in p.findings:
            f = fv.finding
            entry = by_dim[f.dimension].setdefault(
                f.rule_id,
                {"title": f.title or f.rule_id, "count": 0, "href": f"#{p.anchor}",
                 "label": p.label, "severity": f.severity},
            )  # fmt: skip
            entry["count"] += 1
    known_dims = {d for _, dims in ANALYSIS_PARTS for d in dims}
    analysis = []
    for title, dims in ANALYSIS_PARTS:
        extra = [d for d in by_dim if d not in known_dims] if title.startswith("（四）") else []
        analysis.append(
            {
                "title": title,
                "dims": [
                    {
                        "name": d,
                        "facts": dim_facts.get(d, []),
                        "found": list(by_dim.get(d, {}).values()),
                    }
                    for d in (*dims, *extra)
                ],
            }
        )

    counts = {s: int(sum(1 for f in items if f.severity == s)) for s in SEVERITIES}
    dims_found = {
        fv.finding.dimension for p in numbered for fv in p.findings
        if fv.finding.severity in ("error", "warning")
    }  # fmt: skip
    problem_dims = [d for d in DIMENSIONS if d in dims_found] + sorted(dims_found - set(DIMENSIONS))
    positives = []
    if facts["monitored"]:
        positives.append("开展了绩效运行监控")
    if facts["selfeval_subjects"]:
        positives.append("完成了绩效自评")
    if _info(dept, "targets_published") == "是":
        positives.append("绩效目标随预算公开")
    if _info(dept, "drafting"):
        positives.append("绩效目标编报和审核有制度依据")

    basis = [
        {"title": _s(r.get("title")), "doc_no": _s(r.get("doc_no")), "level": _s(r.get("level")),
         "href": "#" + evidence_anchor("basis", r["_row"])}
        for r in _records_of(dept, "basis")
    ]  # fmt: skip
    clauses = []
    for section in (
        "targets",
        "relevance",
        "quality",
        "monitoring",
        "scoring",
        "consistency",
        "process",
    ):
        clause = policy.clause(section)
        if clause:
            clauses.append({"section": FAMILIES.get(section, {"targets": "目标覆盖与完整性"}.get(section, section)),
                            "clause": clause})  # fmt: skip

    generated = (generated_at or dt.datetime.now().astimezone()).replace(microsecond=0)
    report_date = dept.info.get("report_date")
    context = {
        "dept": {"name": dept.name, "year": dept.year, "id": dept.id,
                 "sha256": dept.sha256, "path": Path(dept.path).name},
        "cover": {
            "title": f"{dept.year}年度{dept.name}部门绩效目标管理评估报告",
            "commissioner": _info(dept, "commissioner"),
            "evaluator": _info(dept, "evaluator"),
            "date": _cn_date(report_date) if report_date else "",
        },
        "generated_at": generated.isoformat(),
        "timestamp_id": TIMESTAMP_ID,
        "policy": {"name": _s(policy.get("name")), "version": policy.version,
                   "sha256": policy.sha256},
        "audit_links": _check_links(audit_links),
        "sections": SECTION_TITLES,
        "facts": facts,
        "basis": basis,
        "clauses": clauses,
        "counts": counts,
        "total_findings": len(items),
        "severity_labels": SEVERITY_LABELS,
        "positives": positives,
        "problem_dims": problem_dims,
        "problems": numbered,
        "notice_groups": notice_groups,
        "notice_count": sum(len(p.findings) for p in notice_groups),
        "analysis": analysis,
        "annexes": annexes,
        "charts": _charts(dept, frame, policy),
        "notes": _notes(dept, notes),
        "css": _css(),
    }  # fmt: skip
    from markupsafe import Markup

    context["charts"] = {k: Markup(v) for k, v in context["charts"].items()}  # our own SVG
    context["css"] = Markup(context["css"])
    return _environment().get_template("report.html.j2").render(**context)


def write_report(
    folder: str | Path,
    dept: Department,
    findings: pd.DataFrame | Sequence[Finding],
    *,
    policy: Policy,
    audit_links: Mapping[str, str] | None = None,
    pdf: bool = True,
    notes: Any = None,
) -> dict[str, Path]:
    """Write ``report.html`` (and ``report.pdf`` unless ``pdf=False``) into ``folder``.

    Returns ``{"html": path, "pdf": path}`` (``"pdf"`` only when written).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "report.html"
    html_text = build_report(dept, findings, policy=policy, audit_links=audit_links, notes=notes)
    html_path.write_text(html_text, encoding="utf-8")
    written = {"html": html_path}
    if pdf:
        from .pdf import html_to_pdf

        written["pdf"] = html_to_pdf(html_path, out / "report.pdf")
    return written
