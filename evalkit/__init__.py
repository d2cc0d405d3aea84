"""evalkit — reproducible evaluation of budget-performance target management (绩效目标管理评估).

The public surface is what this module exports; ``tests/test_public_api.py`` pins it.
"""

from __future__ import annotations

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
from .findings import Finding, Source, findings_from_json, findings_to_json
from .model import Department
from .policy import Policy, load_policy
from .records import department_from_records, write_workbook
from .registry import Rule, register, registered_rules, rule
from .values import IndicatorValue, parse_indicator
from .workbook import load_workbook

__version__ = "0.1.0"

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
