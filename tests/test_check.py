"""Running the rules: in one process or two, the same findings in the same order."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evalkit import registry
from evalkit.check import RULE_COST, check, check_findings, split_rules
from evalkit.errors import RunError
from evalkit.findings import Finding, frame_to_findings
from evalkit.records import department_from_records
from evalkit.registry import Context, Rule, registered_rules
from evalkit.synth import synth_department
from evalkit.testing import FAULTS, inject, make_department
from evalkit.workbook import load_workbook

check_module = importlib.import_module("evalkit.check")  # ``evalkit.check`` is the function
ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data").glob("*.xlsx"))


def _rule(rule_id: str, family: str) -> Rule:
    return Rule(rule_id, family, "error", "完整性", "scoring", "x", lambda ctx: [])


def test_split_rules_keeps_families_and_shared_analyses_together() -> None:
    groups = split_rules(registered_rules(), 2)
    assert len(groups) == 2
    owner = {r.family: i for i, g in enumerate(groups) for r in g}
    assert all(owner[r.family] == i for i, g in enumerate(groups) for r in g)  # whole families
    assert owner["relevance"] == owner["quality"] and owner["process"] == owner["coverage"]
    assert sorted(r.id for g in groups for r in g) == [r.id for r in registered_rules()]
    for g in groups:
        assert [r.id for r in g] == sorted(r.id for r in g)  # rule order kept

    def cost(rules: list[Rule]) -> int:
        return sum(RULE_COST[r.family] for r in rules)

    costs = sorted(cost(g) for g in groups)
    families = {f: [r for r in registered_rules() if r.family == f] for f in owner}
    assert costs[1] - costs[0] <= max(cost(rs) for rs in families.values())
    assert set(RULE_COST) == set(owner)  # every shipped family has a measured cost
    assert owner["scoring"] != owner["consistency"]  # the two costliest families apart


def test_split_rules_balances_the_families_costs_not_their_rule_counts() -> None:
    rules = [
        *(_rule(f"A{i:03d}", "scoring") for i in range(4)),  # 4 × 9 = 36
        *(_rule(f"B{i:03d}", "coverage") for i in range(6)),  # 6 × 1
        *(_rule(f"C{i:03d}", "process") for i in range(5)),  # 5 × 1, with coverage: 11
        *(_rule(f"D{i:03d}", "monitoring") for i in range(3)),  # 3 × 4 = 12
        *(_rule(f"E{i:03d}", "consistency") for i in range(2)),  # 2 × 7 = 14
    ]
    groups = split_rules(rules, 2)
    # by rule count, coverage and process (11 rules) would have gone alone
    assert [{r.family for r in g} for g in groups] == [
        {"scoring"},
        {"coverage", "process", "monitoring", "consistency"},
    ]
    plugin = [*rules[:4], *(_rule(f"P{i:03d}", "plug-in") for i in range(10))]  # 10 × 4
    assert [{r.family for r in g} for g in split_rules(plugin, 2)] == [{"plug-in"}, {"scoring"}]
    assert split_rules(rules, 1) == [rules]
    assert split_rules([], 2) == [[]]
    assert len(split_rules(rules, 9)) == 4  # no empty groups


def _departments(tmp_path: Path) -> Iterator[Any]:
    for path in SEEDS:
        yield load_workbook(path)
    yield make_department()
    for fault in FAULTS[:6]:
        yield department_from_records(inject(fault))
    yield department_from_records(synth_department(seed=7, n_projects=25, fault_rate=0.5))


def test_two_processes_find_what_one_finds(tmp_path: Path) -> None:
    for dept in _departments(tmp_path):
        one = check_findings(dept, processes=1)
        two = check_findings(dept, processes=2)
        assert two == one
        assert frame_to_findings(check(dept)) == one


@pytest.fixture
def broken_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two failing rules in different processes' groups (the lower id raises first)."""

    def boom(ctx: Context) -> list[Finding]:
        raise ValueError(f"boom {ctx.rule.id if ctx.rule else ''}")

    rules = dict(registry._RULES)
    rules["ZZ901"] = Rule("ZZ901", "scoring", "error", "完整性", "scoring", "坏规则一", boom)
    for family in ("consistency", "monitoring", "quality", "coverage"):
        rules["ZZ902"] = Rule("ZZ902", family, "error", "完整性", family, "坏规则二", boom)
        monkeypatch.setattr(registry, "_RULES", rules)
        groups = split_rules(registry.registered_rules(), 2)
        owner = {r.id: i for i, g in enumerate(groups) for r in g}
        if owner["ZZ901"] != owner["ZZ902"]:
            return
    raise AssertionError("no family runs apart from scoring")


@pytest.mark.usefixtures("broken_rules")
@pytest.mark.parametrize("processes", [1, 2])
def test_a_failing_rule_raises_the_same_error(processes: int) -> None:
    with pytest.raises(RunError, match=r"规则 ZZ901（坏规则一）执行出错：ValueError: boom ZZ901"):
        check_findings(make_department(), processes=processes)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_a_child_that_dies_means_its_rules_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    dept = department_from_records(inject(FAULTS[0]))
    expected = check_findings(dept, processes=1)
    parent = os.getpid()
    run = check_module._run_rules

    def dying(*args: Any) -> list[Finding]:
        if os.getpid() != parent:
            os._exit(3)
        return run(*args)

    monkeypatch.setattr(check_module, "_run_rules", dying)
    assert check_findings(dept, processes=2) == expected


def test_without_fork_every_rule_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    dept = department_from_records(inject(FAULTS[1]))
    expected = check_findings(dept, processes=1)
    monkeypatch.delattr(os, "fork", raising=False)
    assert check_findings(dept, processes=2) == expected
