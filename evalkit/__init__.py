"""evalkit — reproducible evaluation of budget-performance target management (绩效目标管理评估).

The public surface is what this module exports; ``tests/test_public_api.py`` pins it.

The names are imported on first use (PEP 562; ``check`` is imported at once, so that it
stays the function when the module of the same name is imported): ``import evalkit``
alone, or importing one of its light modules (the batch parent, its workers, the run
archive), does not import pandas. A batch worker only drives papermill; the kernels do the
pandas work. Loading and checking a workbook need no pandas either: a loaded department
builds its DataFrames when they are first read, and ``evalkit check`` never reads them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .check import check, check_workbook
from .errors import (
    EvalkitError,
    InputError,
    ParamsError,
    PolicyError,
    Problem,
    RunError,
    WorkbookError,
)

if TYPE_CHECKING:
    from .findings import Finding, Source, findings_from_json, findings_to_json
    from .model import Department
    from .policy import Policy, load_policy
    from .records import department_from_records, write_workbook
    from .registry import Rule, register, registered_rules, rule
    from .values import IndicatorValue, parse_indicator
    from .workbook import load_workbook

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported when the name is first used).
_LAZY: dict[str, str] = {
    "Finding": "findings",
    "Source": "findings",
    "findings_from_json": "findings",
    "findings_to_json": "findings",
    "Department": "model",
    "Policy": "policy",
    "load_policy": "policy",
    "department_from_records": "records",
    "write_workbook": "records",
    "Rule": "registry",
    "register": "registry",
    "registered_rules": "registry",
    "rule": "registry",
    "IndicatorValue": "values",
    "parse_indicator": "values",
    "load_workbook": "workbook",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Department",
    "EvalkitError",
    "Finding",
    "IndicatorValue",
    "InputError",
    "ParamsError",
    "Policy",
    "PolicyError",
    "Problem",
    "Rule",
    "RunError",
    "Source",
    "WorkbookError",
    "__version__",
    "check",
    "check_workbook",
    "department_from_records",
    "findings_from_json",
    "findings_to_json",
    "load_policy",
    "load_workbook",
    "parse_indicator",
    "register",
    "registered_rules",
    "rule",
    "write_workbook",
]
