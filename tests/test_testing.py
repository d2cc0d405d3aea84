"""The fault injector and detection harness: every injected fault is found."""

from __future__ import annotations

import pytest

from evalkit.check import check
from evalkit.registry import registered_rules
from evalkit.testing import FAULTS, detection_report, inject, make_department


def test_every_fault_names_a_registered_rule() -> None:
    ids = {r.id for r in registered_rules()}
    assert {f.rule_id for f in FAULTS} <= ids
    assert len({f.id for f in FAULTS}) == len(FAULTS)


def test_faults_cover_every_family() -> None:
    families = {r.family for r in registered_rules() if r.id in {f.rule_id for f in FAULTS}}
    assert families == {
        "scoring",
        "coverage",
        "quality",
        "relevance",
        "monitoring",
        "consistency",
        "process",
    }


def test_clean_department_has_no_error_finding() -> None:
    found = check(make_department())
    assert found[found["severity"] == "error"].empty


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_injected_fault_is_found(fault: object) -> None:
    found = check(make_department(inject(fault)))  # type: ignore[arg-type]
    assert fault.rule_id in set(found["rule_id"]), fault.description  # type: ignore[attr-defined]


def test_detection_report_recall_is_complete() -> None:
    report = detection_report()
    assert len(report) == len(FAULTS)
    recall = report["found"].mean()
    assert recall == 1.0, report[~report["found"]].to_string()
