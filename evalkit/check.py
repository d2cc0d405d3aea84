"""Running the rules on one department: the one orchestration function of the checks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import RunError
from .findings import Finding, findings_frame
from .model import Department
from .policy import Policy, load_policy
from .registry import Context, Rule, registered_rules
from .workbook import load_workbook


def check(
    dept: Department,
    *,
    policy: Policy | None = None,
    rules: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Evaluate one department; every finding of every rule, as one DataFrame.

    ``rules`` limits the run to these rule ids (default: all registered, minus the
    policy's ``disabled_rules``).
    """
    policy = policy or load_policy()
    selected = _select(registered_rules(), rules, policy)
    ctx = Context(dept, policy)
    found: list[Finding] = []
    for r in selected:
        ctx.rule = r
        try:
            found.extend(r.func(ctx))
        except Exception as exc:  # a rule bug must name the rule, not vanish
            raise RunError(
                f"规则 {r.id}（{r.title}）执行出错：{type(exc).__name__}: {exc}"
            ) from exc
    ctx.rule = None
    return findings_frame(found)


def check_workbook(
    path: str | Path, *, policy_path: str | Path | None = None
) -> tuple[Department, pd.DataFrame]:
    """Load a workbook and evaluate it."""
    dept = load_workbook(path)
    return dept, check(dept, policy=load_policy(policy_path))


def _select(all_rules: list[Rule], ids: Iterable[str] | None, policy: Policy) -> list[Rule]:
    disabled = set(policy.get("disabled_rules") or [])
    chosen = [r for r in all_rules if r.id not in disabled]
    if ids is not None:
        wanted = set(ids)
        unknown = wanted - {r.id for r in all_rules}
        if unknown:
            raise ValueError(f"unknown rule ids: {sorted(unknown)}")
        chosen = [r for r in chosen if r.id in wanted]
    return chosen
