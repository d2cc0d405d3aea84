"""``check`` and the public analysis tables are pinned byte for byte.

Every rule's output — the findings JSON (:func:`evalkit.findings.findings_to_json`) — is
compared with a stored snapshot for the two seed workbooks, the clean test department,
every fault of :data:`evalkit.testing.FAULTS`, a few synthetic departments (their input
records are stored too, so a change to :mod:`evalkit.synth` does not move these
snapshots) and a policy with every scoring option switched. The analysis tables the
notebooks show (re-scoring, coverage, indicator inventory, monitoring progress, cross-checks
…) are pinned the same way, cell by cell (``repr`` of each value, plus column dtypes).

A performance change must leave every snapshot untouched. Regenerate the snapshots only when
a rule's behaviour is *meant* to change, and review the diff::

    EVALKIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_check_snapshot.py
    git diff --stat tests/snapshots/
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.findings import findings_to_json
from evalkit.model import Department
from evalkit.policy import Policy, _merge, load_policy
from evalkit.records import department_from_records
from evalkit.rules import consistency, coverage, monitoring, process, quality, relevance, scoring
from evalkit.synth import synth_department
from evalkit.testing import FAULTS, inject, make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("EVALKIT_UPDATE_SNAPSHOTS") == "1"

#: synthetic departments: name -> synth_department arguments (records stored on first run).
SYNTH: dict[str, dict[str, Any]] = {
    "synth-s01": {"seed": 1, "n_projects": 8, "dept_index": 0, "fault_rate": 0.3},
    "synth-s04": {"seed": 4, "n_projects": 20, "dept_index": 3, "fault_rate": 0.5},
    "synth-s06": {"seed": 6, "n_projects": 24, "dept_index": 6, "fault_rate": 0.15},
    "synth-s09": {"seed": 9, "n_projects": 12, "dept_index": 1, "fault_rate": 1.0},
    "synth-s22": {"seed": 22, "n_projects": 15, "dept_index": 4, "fault_rate": 0.0},
    "synth-s28": {"seed": 28, "n_projects": 24, "dept_index": 7, "fault_rate": 0.6},
}

#: a policy that switches every scoring option away from the default.
VARIANT_POLICY: dict[str, Any] = {
    "version": "snapshot-variant",
    "scoring": {
        "qualitative_recompute": "band_factor",
        "equal_above_target": "ratio",
        "lower_is_better_formula": "linear",
        "execution_floor": 0.6,
        "rate_rounding": ["exact", "whole_percent_down", "percent_2dp", "published_rate"],
        "score_rounding": ["round_2dp"],
        "tolerance": 0.01,
    },
    "monitoring": {"time_share": "day", "result_ops_not_values": [">=", "<=", ">", "<"]},
    "quality": {"qualitative_share_limit": 0.2},
    "severity_overrides": {"SC008": "warning", "IQ005": "error"},
    "disabled_rules": ["PR005"],
}


def _variant_policy() -> Policy:
    base = load_policy()
    return Policy(_merge(base.data, VARIANT_POLICY), "<snapshot-variant>", "0" * 64)


def _line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _synth_department(name: str) -> Department:
    """A synthetic department from its stored records (JSON lines: one sheet row each)."""
    path = SNAPSHOTS / "inputs" / f"{name}.jsonl"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        for sheet, data in synth_department(**SYNTH[name]).items():
            if isinstance(data, dict):
                lines.append(_line({"sheet": sheet, "fields": data}))
            else:
                lines += [_line({"sheet": sheet, "row": row}) for row in data]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records: dict[str, Any] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(text)
        if "fields" in item:
            records[item["sheet"]] = item["fields"]
        else:
            records.setdefault(item["sheet"], []).append(item["row"])
    return department_from_records(records)


def _departments() -> dict[str, Callable[[], Department]]:
    out: dict[str, Callable[[], Department]] = {
        "seed-ningxian": lambda: load_workbook(ROOT / "data" / "ningxian-gxj-2024.xlsx"),
        "seed-chaoyang": lambda: load_workbook(ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"),
        "clean": make_department,
    }
    for fault in FAULTS:
        out[f"fault-{fault.id}"] = lambda f=fault: make_department(inject(f))
    for name in SYNTH:
        out[name] = lambda n=name: _synth_department(n)
    return out


DEPARTMENTS = _departments()
VARIANT_CASES = ("seed-ningxian", "seed-chaoyang", "clean", "synth-s04", "synth-s09")
TABLE_CASES = ("seed-ningxian", "seed-chaoyang", "clean", "fault-project_without_targets",
               "synth-s04", "synth-s28")  # fmt: skip


def _compare(path: Path, text: str) -> None:
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; run again")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{path.name} differs from the stored snapshot; if the change is intended, "
        "run: EVALKIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_check_snapshot.py"
    )


@pytest.mark.parametrize("case", list(DEPARTMENTS))
def test_findings_match_snapshot(case: str) -> None:
    found = check(DEPARTMENTS[case]())
    _compare(SNAPSHOTS / "findings" / f"{case}.json", findings_to_json(found) + "\n")


@pytest.mark.parametrize("case", VARIANT_CASES)
def test_findings_with_variant_policy_match_snapshot(case: str) -> None:
    found = check(DEPARTMENTS[case](), policy=_variant_policy())
    _compare(SNAPSHOTS / "findings-variant" / f"{case}.json", findings_to_json(found) + "\n")


# ----------------------------------------------------------------------------------------
# analysis tables
# ----------------------------------------------------------------------------------------
def _table_lines(name: str, value: Any) -> list[str]:
    """A table as JSON lines: a header line, then one line per row (``repr`` of each cell)."""
    if not isinstance(value, pd.DataFrame):
        return [_line({"table": name, "items": len(value)})] + [_line([repr(v)]) for v in value]
    index = [repr(i) for i in value.index]
    head = {
        "table": name,
        "columns": [str(c) for c in value.columns],
        "dtypes": [str(t) for t in value.dtypes],
        "index": "range" if index == [repr(i) for i in range(len(value))] else index,
    }
    rows = [[repr(v) for v in row] for row in value.itertuples(index=False, name=None)]
    return [_line(head)] + [_line(row) for row in rows]


def _tables(dept: Department) -> dict[str, Any]:
    pol = load_policy()
    subjects = quality.subjects_in_order(dept)
    return {
        "scoring.rescore_indicators": scoring.rescore_indicators(dept, pol),
        "scoring.rescore_funds": scoring.rescore_funds(dept, pol),
        "scoring.recheck_rates": scoring.recheck_rates(dept, pol),
        "scoring.rescore_totals": scoring.rescore_totals(dept, pol),
        "coverage.coverage_table": coverage.coverage_table(dept),
        "coverage.target_categories": [(s, coverage.target_categories(dept, s)) for s in subjects],
        "quality.subjects_in_order": subjects,
        "quality.indicator_source": [(s, quality.indicator_source(dept, s)) for s in subjects],
        "quality.selected_indicators": quality.selected_indicators(dept),
        "quality.indicator_inventory": quality.indicator_inventory(dept, pol),
        "quality.qualitative_share": quality.qualitative_share(dept, pol),
        "relevance.goal_source": [(s, relevance.goal_source(dept, s)) for s in subjects],
        "relevance.selected_goals": [
            (s, relevance.selected_goals(dept, s)["_row"].tolist()) for s in subjects
        ],
        "relevance.function_clauses": relevance.function_clauses(dept, pol),
        "relevance.function_coverage": relevance.function_coverage(dept, pol),
        "relevance.macro_indicators": relevance.macro_indicators(dept, pol),
        "monitoring.monitoring_progress": monitoring.monitoring_progress(dept, pol),
        "consistency.money_crosscheck": consistency.money_crosscheck(dept, pol),
        "consistency.target_crosscheck": consistency.target_crosscheck(dept, pol),
        "consistency.goal_crosscheck": consistency.goal_crosscheck(dept, pol),
        "consistency.derived_indicators": consistency.derived_indicators(dept, pol),
        "process.process_facts": process.process_facts(dept, pol),
        "process.approved_subjects": process.approved_subjects(dept),
    }


@pytest.mark.parametrize("case", TABLE_CASES)
def test_analysis_tables_match_snapshot(case: str) -> None:
    lines = [x for name, v in _tables(DEPARTMENTS[case]()).items() for x in _table_lines(name, v)]
    _compare(SNAPSHOTS / "tables" / f"{case}.jsonl", "\n".join(lines) + "\n")
