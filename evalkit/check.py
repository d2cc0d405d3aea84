"""Running the rules on one department: the one orchestration function of the checks.

This module is imported by ``import evalkit`` (``evalkit.check`` is the function), so it
imports the rules, pandas and the loader only when a check runs.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
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
    from .policy import load_policy
    from .registry import Context, registered_rules

    policy = policy or load_policy()
    selected = _select(registered_rules(), rules, policy)
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
        return findings_frame(found)


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
