"""The Department's cached row views give exactly what filtering the DataFrames gives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evalkit.model import frame_records
from evalkit.records import department_from_records
from evalkit.rules import consistency, monitoring, quality, scoring
from evalkit.synth import synth_department
from evalkit.testing import make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).resolve().parent.parent


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same type (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if a is b:  # NaT, NA
        return True
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _assert_same_records(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert list(g) == list(e)
        for key in e:
            assert _same(g[key], e[key]), (key, g[key], e[key])


@pytest.fixture(scope="module")
def departments() -> list[Any]:
    return [
        load_workbook(ROOT / "data" / "ningxian-gxj-2024.xlsx"),
        load_workbook(ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"),
        make_department(),
        department_from_records(synth_department(seed=3, n_projects=10, fault_rate=0.5)),
    ]


def test_frame_records_equals_to_dict_for_every_table(departments: list[Any]) -> None:
    for dept in departments:
        for key, df in dept.tables.items():
            _assert_same_records(frame_records(df), df.to_dict("records"))
            _assert_same_records(dept.records(key), df.to_dict("records"))


def test_frame_records_equals_to_dict_for_analysis_tables(departments: list[Any]) -> None:
    for dept in departments:
        for df in (
            scoring.rescore_indicators(dept),
            scoring.rescore_totals(dept),
            quality.indicator_inventory(dept),
            monitoring.monitoring_progress(dept),
            consistency.target_crosscheck(dept),
            consistency.derived_indicators(dept),
        ):
            _assert_same_records(frame_records(df), df.to_dict("records"))


def test_frame_records_boxes_like_to_dict() -> None:
    df = pd.DataFrame(
        {
            "i": [1, 2],
            "f": [1.5, np.nan],
            "b": [True, False],
            "o": [np.int64(3), np.float64(2.5)],
            "n": pd.array([1, None], dtype="Int64"),
            "s": pd.array(["a", None], dtype="str"),
            "t": pd.to_datetime(["2024-01-01", None]),
            "x": [pd.NA, None],
        }
    )
    _assert_same_records(frame_records(df), df.to_dict("records"))
    assert frame_records(df.iloc[0:0]) == []


def test_rows_and_subjects_match_dataframe_filtering(departments: list[Any]) -> None:
    for dept in departments:
        for key, df in dept.tables.items():
            if "subject" not in df.columns:
                assert dept.subjects(key) == [] and dept.by_subject(key) == {}
                continue
            subjects = list(dict.fromkeys(df["subject"].tolist()))
            assert dept.subjects(key) == subjects
            assert list(dept.by_subject(key)) == subjects
            for subject in [*subjects, "没有这个对象"]:
                expected = df[df["subject"] == subject]
                pd.testing.assert_frame_equal(dept.rows_of(key, subject), expected)
                _assert_same_records(dept.rows(key, subject), expected.to_dict("records"))


def test_grouped_by_another_column(departments: list[Any]) -> None:
    dept = departments[0]
    by_name = dept.grouped("projects", "name")
    assert list(by_name) == dept.project_names
    assert all(len(rows) == 1 for rows in by_name.values())
    assert dept.grouped("projects", "no_such_column") == {}


def test_caches_follow_the_table_object() -> None:
    dept = make_department()
    first = dept.records("projects")
    assert dept.records("projects") is first  # computed once
    dept.tables["projects"] = dept.projects.iloc[:1]
    assert len(dept.records("projects")) == 1
    assert dept.subjects("targets") == dept.subjects("targets")


def test_department_equality_ignores_the_cache() -> None:
    a, b = make_department(), make_department()
    a.records("targets")
    assert a._cache and not b._cache
    assert a.info == b.info
