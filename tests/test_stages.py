"""What the stage notebooks display (evalkit.stages)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evalkit import stages
from evalkit.findings import Source


@dataclass(frozen=True)
class _Figure:
    value: float
    evidence: Source


def test_evidence_view_names_the_cells_of_money_entries_and_sources() -> None:
    frame = pd.DataFrame(
        {
            "对象": ["项目甲"],
            "_entries": [
                (
                    _Figure(1.0, Source("项目清单", 2, "年初预算数")),
                    _Figure(1.0, Source("监控资金", 5, "年初预算数")),
                )
            ],
            "_sources": [(Source("部门信息", 16, "值"),)],
        }
    )
    view = stages.evidence_view(frame)
    assert list(view.columns) == ["对象", "出处"]
    assert view["出处"][0] == (
        "《项目清单》第2行“年初预算数”；《监控资金》第5行“年初预算数”；《部门信息》第16行“值”"
    )


def test_evidence_view_translates_table_keys_and_column_keys() -> None:
    frame = pd.DataFrame(
        {
            "指标": ["培训人数", "满意度", "执行率"],
            "_rows": [
                {"目标表": ("targets", 5, "value"), "自评表": ("selfeval_indicators", 7, "target")},
                [6, 8],
                None,
            ],
            "_table": [None, "targets", "monitor_funds"],
            "_row": [None, None, 3],
            "_column": [None, None, None],
        }
    )
    view = stages.evidence_view(frame)
    assert list(view["出处"]) == [
        "《目标表指标》第5行“指标值”；《自评指标》第7行“年度指标值”",
        "《目标表指标》第6、8行",
        "《监控资金》第3行",
    ]


def test_evidence_view_keeps_a_bare_row_number_as_row_number() -> None:
    frame = pd.DataFrame({"项目名称": ["甲", "乙"], "_row": [2, 3], "_field": ["x", "y"]})
    view = stages.evidence_view(frame)
    assert list(view.columns) == ["项目名称", "行号"]
    assert list(view["行号"]) == [2, 3]


def test_evidence_view_does_not_add_a_second_row_number() -> None:
    frame = pd.DataFrame({"行号": [4], "_row": [4], "_hits": [[]]})
    assert list(stages.evidence_view(frame).columns) == ["行号"]


def test_evidence_view_leaves_a_table_without_internal_columns_alone() -> None:
    frame = pd.DataFrame({"对象": ["甲"], "金额": [1.5]})
    pd.testing.assert_frame_equal(stages.evidence_view(frame), frame)
    empty = pd.DataFrame(columns=["对象", "_entries"])
    assert list(stages.evidence_view(empty).columns) == ["对象"]
