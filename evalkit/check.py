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
    from .forking import Claims
    from .model import Department
    from .policy import Policy
    from .registry import Context, Rule


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

    ``processes=2`` runs the rules in this process and a forked child together: each takes
    the next family (with the families it shares analyses with: :func:`rule_units`) when
    it is free, the costliest first, so that the two finish at about the same time. The
    same findings in the same order. Only for a process without threads (a command, not a
    Jupyter kernel); where the child fails or ``os.fork`` is missing, every rule runs here.
    """
    from .findings import sort_findings
    from .forking import ChildFailed, Claims, Forked, can_fork
    from .policy import load_policy
    from .registry import registered_rules

    policy = policy or load_policy()
    selected = _select(registered_rules(), rules, policy)
    units = rule_units(selected)
    if processes < 2 or len(units) < 2 or not can_fork():
        return sort_findings(_run_rules(dept, policy, selected))
    child: Forked | None = None
    claims: Claims | None = None
    try:
        with contextlib.suppress(OSError):  # no process or pipe to be had: run them here
            claims = Claims()
            child = Forked(_run_claimed, dept, policy, units, claims)
        if child is None:
            return sort_findings(_run_rules(dept, policy, selected))
        assert claims is not None
        mine, found = _run_claimed(dept, policy, units, claims)
        try:
            found += child.result()[1]
        except ChildFailed:  # a rule that raises raises here, as it always does
            rest = [r for i, unit in enumerate(units) if i not in mine for r in unit]
            found += _run_rules(dept, policy, rest)
    except RunError:
        # run every rule here in order: the error is the one a single process raises
        found = _run_rules(dept, policy, selected)
    finally:
        if child is not None:
            child.kill()
        if claims is not None:
            claims.close()
    # a stable sort: a rule's findings about a subject keep their order, whichever
    # process ran the rule
    return sort_findings(found)


def _run_claimed(
    dept: Department, policy: Policy, units: list[list[Rule]], claims: Claims
) -> tuple[set[int], list[Finding]]:
    """The units this process claims, one at a time, and their findings."""
    from .registry import Context

    ctx = Context(dept, policy)
    mine: set[int] = set()
    found: list[Finding] = []
    with _cyclic_gc_paused():
        while (number := claims.next()) is not None and number < len(units):
            mine.add(number)
            found += _run_in(ctx, units[number])
        ctx.release()
    return mine, found


def _run_rules(dept: Department, policy: Policy, selected: list[Rule]) -> list[Finding]:
    from .registry import Context

    ctx = Context(dept, policy)
    with _cyclic_gc_paused():
        found = _run_in(ctx, selected)
        # drop the shared analyses while the collector is paused: the first collection
        # after the pause walks every object still alive that the check created
        ctx.release()
    return found


def _run_in(ctx: Context, selected: list[Rule]) -> list[Finding]:
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
    return found


#: Families whose rules share analyses (``Context.memo``): run in the same process.
_SHARED_ANALYSES = {"relevance": "quality", "process": "coverage"}

#: What one rule of each family costs, in relative units (≈ milliseconds per rule on a
#: department of 500 projects, each family timed alone in a fresh process after the
#: command's loading). :func:`rule_units` orders the families by these, so that the
#: costliest are taken first and the cheap ones are left to even out the end. A family
#: not listed here (a plug-in's) counts :data:`_DEFAULT_RULE_COST` per rule.
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


def rule_units(selected: Sequence[Rule]) -> list[list[Rule]]:
    """The rules in the units that processes claim one at a time: whole families (with
    the families they share analyses with), each unit in rule order, the costliest unit
    first (:data:`RULE_COST`; ties in the order of the family names)."""
    families: dict[str, list[Rule]] = {}
    for r in selected:
        families.setdefault(_SHARED_ANALYSES.get(r.family, r.family), []).append(r)
    cost = {
        f: sum(RULE_COST.get(r.family, _DEFAULT_RULE_COST) for r in rules)
        for f, rules in families.items()
    }
    return [families[f] for f in sorted(families, key=lambda f: (-cost[f], f))]


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
