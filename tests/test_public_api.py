"""The public surface is small and deliberate: changing it must be a conscious act."""

from __future__ import annotations

import evalkit

EXPECTED = {
    "Department", "EvalkitError", "Finding", "IndicatorValue", "InputError", "ParamsError",
    "Policy", "PolicyError", "Problem", "Rule", "RunError", "Source", "WorkbookError",
    "__version__", "check", "check_workbook", "department_from_records", "findings_from_json",
    "findings_to_json", "load_policy", "load_workbook", "parse_indicator", "register",
    "registered_rules", "rule", "write_workbook",
}  # fmt: skip


def test_public_surface_is_pinned() -> None:
    assert set(evalkit.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(evalkit, name), name


def test_exception_tree() -> None:
    assert issubclass(evalkit.WorkbookError, evalkit.InputError)
    assert issubclass(evalkit.PolicyError, evalkit.InputError)
    assert issubclass(evalkit.ParamsError, evalkit.InputError)
    assert issubclass(evalkit.InputError, evalkit.EvalkitError)
    assert issubclass(evalkit.RunError, evalkit.EvalkitError)
