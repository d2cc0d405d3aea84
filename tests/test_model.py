"""The Department's cached row views give exactly what filtering the DataFrames gives."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import assert_same_records

from evalkit.model import frame_records
from evalkit.records import department_from_records
from evalkit.rules import consistency, coverage, monitoring, quality, scoring
from evalkit.synth import synth_department
from evalkit.testing import make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).resolve().parent.parent


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
            assert_same_records(frame_records(df), df.to_dict("records"))
            assert_same_records(dept.records(key), df.to_dict("records"))


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
            assert_same_records(frame_records(df), df.to_dict("records"))


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
    assert_same_records(frame_records(df), df.to_dict("records"))
    assert frame_records(df.iloc[0:0]) == []


def test_frame_records_reads_text_columns_as_stored() -> None:
    """Python-backed text columns are read as their stored objects (str, NaN for a blank);
    other text dtypes keep the general path."""
    texts = ["a", None, "", " b "]
    df = pd.DataFrame(
        {
            "nan": pd.array(texts, dtype=pd.StringDtype("python", na_value=np.nan)),
            "na": pd.array(texts, dtype=pd.StringDtype("python")),
            "obj": pd.Series(texts, dtype=object),
        }
    )
    got = frame_records(df)
    assert_same_records(got, df.to_dict("records"))
    assert [type(r["nan"]) for r in got] == [str, float, str, str]


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
                assert_same_records(dept.rows(key, subject), expected.to_dict("records"))


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
    a.by_subject("targets")
    assert a._cache and not b._cache
    assert a.info == b.info


def test_analysis_rows_are_the_records_of_the_public_tables(departments: list[Any]) -> None:
    """The rules read the analyses as row dicts; they are what ``frame_records`` gives for
    the public tables (same keys, values and types: NaN/None blanks, floats for ints)."""
    from evalkit.policy import load_policy
    from evalkit.rules import relevance

    pol = load_policy()
    cfg = scoring.ScoringPolicy.from_policy(pol)
    for dept in departments:
        ind, funds = scoring._indicator_rows(dept, cfg), scoring._fund_rows_of(dept, cfg)
        selected = quality.selected_rows(dept)
        pairs = [
            (ind, scoring.rescore_indicators(dept, pol)),
            (funds, scoring.rescore_funds(dept, pol)),
            (scoring._rate_rows_of(dept), scoring.recheck_rates(dept, pol)),
            (scoring._total_rows_of(dept, cfg, ind, funds), scoring.rescore_totals(dept, pol)),
            (selected, quality.selected_indicators(dept)),
            (quality._inventory_rows(selected, pol), quality.indicator_inventory(dept, pol)),
            (monitoring._progress_rows(dept, pol), monitoring.monitoring_progress(dept, pol)),
            (consistency._target_rows(dept, pol), consistency.target_crosscheck(dept, pol)),
            (consistency._money_rows(dept, pol), consistency.money_crosscheck(dept, pol)),
            (relevance._macro_rows(dept, pol, selected), relevance.macro_indicators(dept, pol)),
            (coverage.coverage_rows(dept), coverage.coverage_table(dept)),
            (
                relevance._function_coverage_rows(dept, pol, selected),
                relevance.function_coverage(dept, pol),
            ),
        ]
        for rows, table in pairs:
            assert_same_records(rows, frame_records(table))
        # XC006 reads the goal rows as ``iterrows`` of the table gave them
        goals = consistency.goal_crosscheck(dept, pol)
        assert [dict(r) for _, r in goals.iterrows()] == consistency._goal_rows(dept, pol)


def test_rule_subsets_are_the_rows_the_rules_report(departments: list[Any]) -> None:
    """The rows built for the rules only (changed, mismatched, problem, red-light rows)
    are the matching rows of the full tables."""
    from evalkit.policy import load_policy
    from evalkit.rules import relevance

    pol = load_policy()
    for dept in departments:
        selected = quality.selected_rows(dept)
        cases = [
            (
                consistency._target_rows(dept, pol, changed_only=True),
                [
                    r
                    for r in consistency._target_rows(dept, pol)
                    if r["是否变化"] or r["预计另设目标"]
                ],
                ("对象", "指标", "差异说明", "预计另设目标", "_changed", "_rows"),
            ),
            (
                consistency._money_rows(dept, pol, mismatched_only=True),
                [r for r in consistency._money_rows(dept, pol) if r["一致"] is False],
                ("对象", "金额项目", "参照值", "不一致来源", "_entries"),
            ),
            (
                consistency._derived_rows(dept, pol, mismatched_only=True),
                [
                    r
                    for r in consistency._derived_rows(dept, pol)
                    if r["类别"] != "成本" or r["一致"] is False
                ],
                (
                    "对象",
                    "指标",
                    "类别",
                    "公布值",
                    "计算值",
                    "计算公式",
                    "一致",
                    "_row",
                    "_sources",
                ),
            ),
            (
                relevance._macro_rows(dept, pol, selected, problems_only=True),
                [r for r in relevance._macro_rows(dept, pol, selected) if r["是否问题"]],
                ("对象", "类型", "行号", "内容", "宏观用语", "_hits"),
            ),
            (
                monitoring._progress_rows(dept, pol, red_indicators_only=True),
                [
                    r
                    for r in monitoring._progress_rows(dept, pol)
                    if r["类型"] == "资金" or r["灯号"] == "红"
                ],
                ("对象", "类型", "名称", "灯号", "进度比", "偏差原因", "_row"),
            ),
        ]
        for subset, expected, keys in cases:
            assert [[r[k] for k in keys] for r in subset] == [
                [r[k] for k in keys] for r in expected
            ]


@pytest.mark.parametrize(
    "values",
    [
        ["a", None], [None, None], [1, None], [1, 2], [1, 2.5], [1.5, None], [True, None],
        ["a", 1, None], [math.nan, 1.0], [2, math.nan], [np.float64(1.5), 2.5],
        [True, 1.5], ["a", True, None], [(1, 2), None], [[1], None],
        [dt.date(2024, 9, 30), None], [dt.date(2024, 9, 30), math.nan],
        [dt.datetime(2024, 9, 30), None], [pd.Timestamp("2024-09-30"), None],
        [{"a": 1}, None], [{"a": 1}, {"b": 2}],
    ],
)  # fmt: skip
def test_blanks_as_in_frame_gives_the_values_of_the_frame(values: list[Any]) -> None:
    from evalkit.model import blanks_as_in_frame

    rows = [{"x": v, "n": i} for i, v in enumerate(values)]
    expected = frame_records(pd.DataFrame(rows))
    blanks_as_in_frame(rows, ["x"])
    assert_same_records(rows, expected)


# ---------------------------------------------------------------------------------------
# loaded tables: rows first, DataFrames when read
# ---------------------------------------------------------------------------------------
def _loaded_workbooks(tmp: Path) -> list[Path]:
    from evalkit.records import write_workbook
    from evalkit.testing import FAULTS, clean_records, inject

    paths = sorted((ROOT / "data").glob("*.xlsx"))
    paths.append(write_workbook(tmp / "clean.xlsx", clean_records()))
    for i, fault in enumerate(FAULTS):
        paths.append(write_workbook(tmp / f"fault{i}.xlsx", inject(fault)))
    for seed, rate in ((1, 0.0), (2, 0.3), (3, 1.0)):
        records = synth_department(seed=seed, n_projects=8, dept_index=seed, fault_rate=rate)
        paths.append(write_workbook(tmp / f"synth{seed}.xlsx", records))
    return paths


def test_loaded_rows_are_the_records_of_the_tables(tmp_path: Path) -> None:
    """A check reads the loader's rows instead of ``frame_records`` of the DataFrames: the
    same keys, values and types (NaN blanks, floats in float columns), table by table."""
    from evalkit.model import frame_of
    from evalkit.schema import SHEETS
    from evalkit.workbook import _frame_columns, _validate, read_raw

    for path in _loaded_workbooks(tmp_path):
        raw_records = _validate(read_raw(path), str(path))[3]  # as validated, before any change
        dept = load_workbook(path)
        for sh in SHEETS:
            if sh.kind != "table":
                continue
            frame = frame_of(_frame_columns(sh), raw_records[sh.key])
            assert_same_records(dept.records(sh.key), frame_records(frame))
            pd.testing.assert_frame_equal(dept.tables[sh.key], frame, check_exact=True)


def test_tables_are_built_when_read() -> None:
    dept = load_workbook(ROOT / "data" / "ningxian-gxj-2024.xlsx")
    tables = dept.tables
    assert not tables._frames
    dept.subjects("targets"), dept.records("selfeval"), dept.project_names
    assert "subject" in tables.columns("targets") and not tables._frames
    token = tables.token("projects")
    assert len(dept.projects) == 6 and list(tables._frames) == ["projects"]
    assert tables.token("projects") is token  # reading is not replacing
    assert dept.records("projects") is tables.loaded_rows("projects")
    assert list(tables) == [k for k in tables]
    assert len(dict(tables)) == len(tables) == len(tables._frames)


def test_assigning_or_deleting_a_table_replaces_its_rows() -> None:
    dept = load_workbook(ROOT / "data" / "ningxian-gxj-2024.xlsx")
    token = dept.tables.token("projects")
    dept.tables["projects"] = dept.projects.iloc[:2]
    assert dept.tables.token("projects") is not token
    assert dept.tables.loaded_rows("projects") is None
    assert len(dept.records("projects")) == 2 and len(dept.project_names) == 2
    assert dept.tables.columns("projects") == list(dept.projects.columns)
    order = list(dept.tables)
    del dept.tables["notes"]
    assert "notes" not in dept.tables and list(dept.tables) == [k for k in order if k != "notes"]
    with pytest.raises(KeyError):
        dept.tables["notes"]


def test_a_department_given_dataframes_wraps_them() -> None:
    from evalkit.model import Department, Tables

    df = pd.DataFrame({"_row": [2], "subject": ["部门整体"]})
    dept = Department("x", "", {}, {}, {}, {"goals": df})
    assert isinstance(dept.tables, Tables) and dept.tables["goals"] is df
    assert dept.subjects("goals") == ["部门整体"]


def test_text_na_is_known_without_importing_pandas() -> None:
    import subprocess
    import sys

    from evalkit.model import text_na

    code = (
        "import sys\n"
        "from evalkit.model import text_na\n"
        "print(repr(text_na()), 'pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [repr(frame_records(pd.DataFrame({"x": ["a", None]}))[1]["x"]), "False"]
    assert repr(text_na()) == out[0]


def test_installed_major_is_the_version_importlib_metadata_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import version

    from evalkit.model import _installed_major

    assert _installed_major("pandas") == int(version("pandas").split(".")[0])
    # the first dist-info on sys.path wins; look-alike names do not count
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, names in (
        (first, ["fakedist_stubs-9.0.dist-info", "fakedist-7.2.1.dist-info"]),
        (second, ["fakedist-8.0.dist-info"]),
    ):
        for name in names:
            (folder / name).mkdir(parents=True)
            (folder / name / "METADATA").write_text(
                f"Metadata-Version: 2.1\nName: fakedist\nVersion: {name[:-10].split('-')[-1]}\n"
            )
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    monkeypatch.syspath_prepend(str(tmp_path / "missing"))
    assert _installed_major("fakedist") == 7 == int(version("fakedist").split(".")[0])
