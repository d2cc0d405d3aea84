"""Running the rules on one department: the one orchestration function of the checks.

This module is imported by ``import evalkit`` (``evalkit.check`` is the function), so it
imports the rules and the loader only when a check runs; the rules need no pandas, and
only :func:`check`, which returns a DataFrame, imports it.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RunError

if TYPE_CHECKING:
    import pandas as pd

    from .findings import Finding
    from .model import Department
    from .policy import Policy
    from .registry import Rule


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
    from .findings import findings_frame

    return findings_frame(check_findings(dept, policy=policy, rules=rules))


def check_findings(
    dept: Department,
    *,
    policy: Policy | None = None,
    rules: Iterable[str] | None = None,
    processes: int = 1,
) -> list[Finding]:
    """:func:`check` as a list of findings, in the same order, without pandas (the
    ``evalkit check`` command imports none).

    ``processes=2`` runs about half of the rules in a forked child process (the families
    split by :func:`split_rules`): the same findings in the same order. Only for a process
    without threads (a command, not a Jupyter kernel); where the child fails or ``os.fork``
    is missing, every rule runs here.
    """
    from .findings import sort_findings
    from .forking import ChildFailed, Forked, can_fork
    from .policy import load_policy
    from .registry import registered_rules

    policy = policy or load_policy()
    selected = _select(registered_rules(), rules, policy)
    groups = split_rules(selected, processes) if processes > 1 and can_fork() else [selected]
    children: list[Forked] = []
    try:
        with contextlib.suppress(OSError):  # no process to be had: run them here
            for group in groups[1:]:
                children.append(Forked(_run_rules, dept, policy, group))
        found = _run_rules(dept, policy, groups[0])
        for child, group in zip(children, groups[1:], strict=False):
            try:
                found += child.result()
            except ChildFailed:  # a rule that raises raises here, as it always does
                found += _run_rules(dept, policy, group)
        for group in groups[1 + len(children) :]:
            found += _run_rules(dept, policy, group)
    except RunError:
        if len(groups) == 1:
            raise
        # run every rule here in order: the error is the one a single process raises
        found = _run_rules(dept, policy, selected)
    finally:
        for child in children:
            child.kill()
    # a stable sort: a rule's findings about a subject keep their order, whichever
    # process ran the rule
    return sort_findings(found)


def _run_rules(dept: Department, policy: Policy, selected: list[Rule]) -> list[Finding]:
    from .registry import Context

    ctx = Context(dept, policy)
    found: list[Finding] = []
    with _cyclic_gc_paused():
        for r in selected:
            ctx.rule = r
            try:
                found.extend(r.func(ctx))
            except Exception as exc:  # a rule bug must name the rule, not vanish
                raise RunError(
                    f"规则 {r.id}（{r.title}）执行出错：{type(exc).__name__}: {exc}"
                ) from exc
        ctx.rule = None
        # drop the shared analyses while the collector is paused: the first collection
        # after the pause walks every object still alive that the check created
        ctx.release()
    return found


#: Families whose rules share analyses (``Context.memo``): run in the same process.
_SHARED_ANALYSES = {"relevance": "quality", "process": "coverage"}

#: What one rule of each family costs, in relative units (≈ milliseconds per rule on a
#: department of 500 projects, each family timed alone in a fresh process after the
#: command's loading). :func:`split_rules` balances these: the 17 scoring rules take about
#: as long as all the other families together, so a split by rule count left the process
#: with scoring and consistency twice as long as the other. A family not listed here (a
#: plug-in's) counts :data:`_DEFAULT_RULE_COST` per rule.
RULE_COST: dict[str, int] = {
    "scoring": 9,
    "consistency": 7,
    "quality": 4,
    "monitoring": 4,
    "relevance": 4,
    "coverage": 1,
    "process": 1,
}
_DEFAULT_RULE_COST = 4


def split_rules(selected: Sequence[Rule], n: int) -> list[list[Rule]]:
    """The rules in ``n`` groups for ``n`` processes, each group in rule order: whole
    families (and the families that share analyses) together, the costliest first to the
    group with the least cost so far (:data:`RULE_COST`)."""
    from .forking import spread

    families: dict[str, list[Rule]] = {}
    for r in selected:
        families.setdefault(_SHARED_ANALYSES.get(r.family, r.family), []).append(r)
    names = sorted(families)  # ties go to the family first by name
    costs = [sum(RULE_COST.get(r.family, _DEFAULT_RULE_COST) for r in families[f]) for f in names]
    owner = dict(zip(names, spread(costs, max(n, 1)), strict=True))
    groups: list[list[Rule]] = [[] for _ in range(max(n, 1))]
    for r in selected:
        groups[owner[_SHARED_ANALYSES.get(r.family, r.family)]].append(r)
    return [g for g in groups if g] or [[]]


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the rules run.

    A check allocates hundreds of thousands of short-lived dicts and strings while the
    department holds a large, long-lived object graph (rows, parsed indicator values);
    every automatic full collection re-walks that graph, which cost about 15 % of a check
    on a 1,000-project department. Reference counting still frees everything the rules
    drop; the collector's previous state is restored afterwards (nested and concurrent
    checks share one pause: it ends when the last of them ends).
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def check_workbook(
    path: str | Path, *, policy_path: str | Path | None = None
) -> tuple[Department, pd.DataFrame]:
    """Load a workbook and evaluate it."""
    from .policy import load_policy
    from .workbook import load_workbook

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
