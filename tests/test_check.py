"""Running the rules: in one process or two, the same findings in the same order."""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evalkit import registry
from evalkit.check import RULE_COST, check, check_findings, rule_units
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


def test_rule_units_keep_families_and_shared_analyses_together() -> None:
    units = rule_units(registered_rules())
    owner = {r.family: i for i, u in enumerate(units) for r in u}
    assert all(owner[r.family] == i for i, u in enumerate(units) for r in u)  # whole families
    assert owner["relevance"] == owner["quality"] and owner["process"] == owner["coverage"]
    assert len(units) == len(set(owner.values())) == 5
    assert sorted(r.id for u in units for r in u) == [r.id for r in registered_rules()]
    for u in units:
        assert [r.id for r in u] == sorted(r.id for r in u)  # rule order kept
    assert set(RULE_COST) == set(owner)  # every shipped family has a measured cost
    assert units[0][0].family == "scoring"  # the costliest first


def test_rule_units_go_by_cost_not_by_rule_count() -> None:
    rules = [
        *(_rule(f"A{i:03d}", "scoring") for i in range(4)),  # 4 × 9 = 36
        *(_rule(f"B{i:03d}", "coverage") for i in range(6)),  # 6 × 1
        *(_rule(f"C{i:03d}", "process") for i in range(5)),  # 5 × 1, with coverage: 11
        *(_rule(f"D{i:03d}", "monitoring") for i in range(3)),  # 3 × 4 = 12
        *(_rule(f"E{i:03d}", "consistency") for i in range(2)),  # 2 × 7 = 14
    ]
    assert [{r.family for r in u} for u in rule_units(rules)] == [
        {"scoring"},
        {"consistency"},
        {"monitoring"},
        {"coverage", "process"},  # the most rules, the least cost
    ]
    plugin = [*rules[:4], *(_rule(f"P{i:03d}", "plug-in") for i in range(10))]  # 10 × 4
    assert [{r.family for r in u} for u in rule_units(plugin)] == [{"plug-in"}, {"scoring"}]
    tie = [_rule("X001", "monitoring"), _rule("Y001", "quality")]  # 4 each: by name
    assert [u[0].id for u in rule_units(tie)] == ["X001", "Y001"]
    assert rule_units([]) == []


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
    """Two failing rules in different units (the lower id raises first), which the two
    processes may run either way round."""

    def boom(ctx: Context) -> list[Finding]:
        raise ValueError(f"boom {ctx.rule.id if ctx.rule else ''}")

    rules = dict(registry._RULES)
    rules["ZZ901"] = Rule("ZZ901", "scoring", "error", "完整性", "scoring", "坏规则一", boom)
    rules["ZZ902"] = Rule("ZZ902", "consistency", "error", "完整性", "x", "坏规则二", boom)
    monkeypatch.setattr(registry, "_RULES", rules)


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
    run = check_module._run_in

    def dying(*args: Any) -> list[Finding]:
        if os.getpid() != parent:
            os._exit(3)  # after claiming a unit: the parent must run it
        return run(*args)

    monkeypatch.setattr(check_module, "_run_in", dying)
    assert check_findings(dept, processes=2) == expected


def _slow_rule(rule_id: str, family: str) -> Rule:
    def func(ctx: Context) -> list[Finding]:
        time.sleep(0.5)
        return [
            Finding(
                rule_id=rule_id, family=family, severity="notice", dimension="完整性",
                subject=f"pid {os.getpid()}", indicator=None, message="x",
            )
        ]  # fmt: skip

    return Rule(rule_id, family, "notice", "完整性", "x", "x", func)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_the_two_processes_share_out_the_units(monkeypatch: pytest.MonkeyPatch) -> None:
    families = ("scoring", "consistency", "quality", "monitoring")
    rules = {f"ZZ{i:03d}": _slow_rule(f"ZZ{i:03d}", f) for i, f in enumerate(families)}
    monkeypatch.setattr(registry, "_RULES", rules)
    found = check_findings(make_department(), processes=2)
    assert sorted(f.rule_id for f in found) == sorted(rules)
    by_process = {f.subject for f in found}
    assert f"pid {os.getpid()}" in by_process and len(by_process) == 2
    assert [f.rule_id for f in found] == sorted(rules)  # the order of one process


def test_without_fork_every_rule_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    dept = department_from_records(inject(FAULTS[1]))
    expected = check_findings(dept, processes=1)
    monkeypatch.delattr(os, "fork", raising=False)
    assert check_findings(dept, processes=2) == expected
