"""The public surface is small and deliberate: changing it must be a conscious act."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_importing_evalkit_and_the_batch_driver_does_not_import_pandas() -> None:
    """The batch parent and its workers drive papermill; only the kernels need pandas."""
    out = _run(
        "import sys, evalkit\n"
        "import evalkit.cli, evalkit.batch, evalkit.runner, evalkit.engine\n"
        "import evalkit.htmlexport, evalkit.pmext, evalkit.archive, evalkit.findings\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    assert out == "[]"


def test_public_names_are_imported_on_first_use() -> None:
    out = _run(
        "import sys, evalkit\n"
        "before = 'evalkit.model' in sys.modules\n"
        "evalkit.Department\n"
        "print(before, 'evalkit.model' in sys.modules, 'load_workbook' in dir(evalkit))\n"
    )
    assert out == "False True True"
    with pytest.raises(AttributeError, match="no_such_name"):
        evalkit.no_such_name  # noqa: B018


def test_check_stays_the_function_after_its_module_is_imported() -> None:
    out = _run(
        "import evalkit.check, evalkit\nimport inspect\nprint(inspect.isfunction(evalkit.check))\n"
    )
    assert out == "True"
