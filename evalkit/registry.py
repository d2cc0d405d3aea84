"""The rule registry: each rule is a small function registered with its metadata.

Adding a rule touches one place: a decorated function in the family's module::

    @rule("SC001", family="scoring", severity="error", dimension="自评质量",
          section="scoring", title="定量指标得分与评分规则不符")
    def quantitative_score(ctx: Context) -> Iterator[Finding]:
        for row in ...:
            yield ctx.emit(subject=..., message=..., published=..., expected=...,
                           formula=..., sources=[ctx.src("selfeval_indicators", row, "score")])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .findings import DIMENSIONS, FAMILIES, SEVERITIES, Finding, Severity, Source
from .model import Department
from .policy import Policy
from .schema import SHEETS_BY_KEY, column_header

RuleFunc = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: Severity
    dimension: str
    section: str  # policy section whose ``clause`` the rule applies
    title: str  # Chinese, one line
    func: RuleFunc = field(compare=False, repr=False)


_RULES: dict[str, Rule] = {}


def register(rule_obj: Rule) -> Rule:
    """Register a rule object (extension point for plug-in rules)."""
    if rule_obj.family not in FAMILIES:
        raise ValueError(f"unknown family {rule_obj.family!r}")
    if rule_obj.severity not in SEVERITIES:
        raise ValueError(f"unknown severity {rule_obj.severity!r}")
    if rule_obj.dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {rule_obj.dimension!r}")
    if rule_obj.id in _RULES and _RULES[rule_obj.id].func is not rule_obj.func:
        raise ValueError(f"rule id {rule_obj.id} registered twice")
    _RULES[rule_obj.id] = rule_obj
    return rule_obj


def rule(
    rule_id: str,
    *,
    family: str,
    severity: Severity,
    dimension: str,
    section: str,
    title: str,
) -> Callable[[RuleFunc], RuleFunc]:
    """Decorator form of :func:`register`."""

    def deco(func: RuleFunc) -> RuleFunc:
        register(Rule(rule_id, family, severity, dimension, section, title, func))
        return func

    return deco


def registered_rules() -> list[Rule]:
    """All registered rules, ordered by id."""
    from . import rules as _rules  # noqa: F401  (importing registers the built-in rules)

    return [_RULES[k] for k in sorted(_RULES)]


def get_rule(rule_id: str) -> Rule:
    registered_rules()
    return _RULES[rule_id]


class Context:
    """What a rule sees: the department, the policy, a memo for shared analyses."""

    def __init__(self, dept: Department, policy: Policy) -> None:
        self.dept = dept
        self.policy = policy
        self.rule: Rule | None = None
        self._memo: dict[str, Any] = {}

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute a shared analysis once per department (e.g. the re-scoring table)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def release(self) -> None:
        """Forget the shared analyses (the end of a check)."""
        self._memo.clear()

    def src(self, table: str, row: Any = None, column: str | None = None) -> Source:
        """Evidence for a table key, an Excel row number and a column key (or header)."""
        if table == "info":
            sheet = SHEETS_BY_KEY["info"]
            label = column_header("info", column) if column else None
            rowno = self.dept.info_rows.get(column or "") if row is None else row
            return Source(
                sheet.name, None if rowno is None else int(rowno), "值" if label else None
            )
        sheet = SHEETS_BY_KEY[table]
        header = column_header(table, column) if column else None
        return Source(sheet.name, None if row is None else int(row), header)

    def emit(
        self,
        *,
        subject: str,
        message: str,
        indicator: str | None = None,
        published: Any = None,
        expected: Any = None,
        formula: str | None = None,
        sources: Sequence[Source] = (),
        severity: Severity | None = None,
        clause_detail: str | None = None,
    ) -> Finding:
        assert self.rule is not None, "emit() is only valid inside a running rule"
        r = self.rule
        sev = self.policy.get(f"severity_overrides.{r.id}") or severity or r.severity
        clause = self.policy.clause(r.section)
        if clause_detail:
            clause = f"{clause}：{clause_detail}" if clause else clause_detail
        return Finding(
            rule_id=r.id,
            family=r.family,
            severity=sev,
            dimension=r.dimension,
            subject=subject,
            message=message,
            indicator=indicator or None,
            published=_fmt(published),
            expected=_fmt(expected),
            formula=formula,
            clause=clause,
            policy_version=self.policy.version,
            sources=tuple(sources),
            title=r.title,
        )


def _fmt(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)
