"""Findings: DataFrame form, JSON round trip, the registry's metadata on every finding."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest
from conftest import ROOT

from evalkit.check import check
from evalkit.findings import (
    FINDING_COLUMNS,
    Finding,
    Source,
    findings_frame,
    findings_from_json,
    findings_to_json,
)
from evalkit.registry import Context, Rule, register, registered_rules
from evalkit.testing import make_department
from evalkit.workbook import load_workbook


def _finding(**kw: object) -> Finding:
    base = dict(rule_id="SC001", family="scoring", severity="error", dimension="自评质量", subject="某项目",
                message="得分错误", indicator="某指标", published="8.33", expected="13.33",
                formula="min(12.5/10,1)×13.33", clause="财预〔2020〕10号", policy_version="v1",
                sources=(Source("自评指标", 5, "得分"),))  # fmt: skip
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_frame_and_json_round_trip() -> None:
    df = findings_frame(
        [_finding(), _finding(severity="notice", rule_id="SC003", dimension="完整性")]
    )
    assert list(df.columns) == list(FINDING_COLUMNS)
    assert df.iloc[0]["dimension"] == "完整性"  # report order: 完整性 before 自评质量
    text = findings_to_json(df, department={"id": "x"})
    data = json.loads(text)
    assert data["count"] == 2 and "某项目" in text  # not \\u-escaped
    back = findings_from_json(text)
    assert back.equals(df)


def _pandas_csv(df: pd.DataFrame) -> str:
    """The reference: the frame written by ``DataFrame.to_csv``, the sources joined as text."""
    df = df.copy()
    df["sources"] = df["sources"].map(lambda ss: "；".join(str(Source(**s)) for s in ss))
    return str(df.to_csv(index=False))


def test_csv_of_a_list_is_the_csv_of_its_frame() -> None:
    """Written without pandas, a list gives the bytes ``DataFrame.to_csv`` gives."""
    from evalkit.findings import findings_to_csv, frame_to_findings, sort_findings

    tricky = [
        _finding(),
        _finding(message='含,逗号与"引号"\n和换行', indicator=None, published=None, expected=""),
        _finding(subject="  前后空格 ", formula="a\r\nb", sources=()),
        _finding(
            severity="notice",
            dimension="完整性",
            sources=(Source("项目清单"), Source("自评表", 3), Source("自评表", None, "总分")),
        ),
        _finding(clause="", policy_version="", title="", indicator=""),
    ]
    seed = check(load_workbook(ROOT / "data" / "ningxian-gxj-2024.xlsx"))  # 83 findings
    for items in (tricky, [], frame_to_findings(seed)):
        # a frame is in report order; a list is written in its own order
        assert findings_to_csv(sort_findings(items)) == findings_to_csv(findings_frame(items))
        assert findings_to_csv(findings_frame(items)) == _pandas_csv(findings_frame(items))
    assert findings_to_csv(tricky) != findings_to_csv(sort_findings(tricky))


def test_empty_findings_serialise() -> None:
    df = findings_frame([])
    assert json.loads(findings_to_json(df))["count"] == 0


def test_finding_pickles() -> None:
    f = _finding()
    assert pickle.loads(pickle.dumps(f)) == f


def test_registry_rejects_unknown_metadata() -> None:
    with pytest.raises(ValueError, match="family"):
        register(Rule("ZZ001", "nope", "error", "完整性", "scoring", "x", lambda ctx: []))
    with pytest.raises(ValueError, match="dimension"):
        register(Rule("ZZ001", "scoring", "error", "没有的维度", "scoring", "x", lambda ctx: []))


def test_every_registered_rule_is_well_formed() -> None:
    rules = registered_rules()
    assert rules, "no rules registered"
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert r.title and r.id[:2].isalpha() and r.id[2:].isdigit()


def test_emit_fills_rule_metadata_and_policy_clause() -> None:
    from evalkit.policy import load_policy

    policy = load_policy()
    ctx = Context(make_department(), policy)
    ctx.rule = Rule("SC999", "scoring", "warning", "自评质量", "scoring", "测试规则", lambda c: [])
    f = ctx.emit(
        subject="部门整体",
        message="m",
        published=8.333333,
        sources=[ctx.src("projects", 2, "executed")],
    )
    assert (f.rule_id, f.severity, f.policy_version, f.title) == (
        "SC999",
        "warning",
        policy.version,
        "测试规则",
    )
    assert f.clause == policy.clause("scoring") and f.published == "8.3333"
    assert f.sources == (Source("项目清单", 2, "全年执行数"),)
    assert ctx.src("info", column="staff_quota").sheet == "部门信息"


def test_clean_department_has_no_error_or_warning() -> None:
    df = check(make_department())
    bad = df[df["severity"].isin(["error", "warning"])]
    assert bad.empty, bad[["rule_id", "subject", "message"]].to_string()


def test_check_runs_a_subset_and_rejects_unknown_ids() -> None:
    dept = make_department()
    assert isinstance(check(dept, rules=[]), pd.DataFrame)
    with pytest.raises(ValueError):
        check(dept, rules=["NOPE1"])


def test_report_order_is_dimension_severity_rule_subject_and_stable() -> None:
    """``sort_findings`` (no pandas) orders as a stable pandas sort on the same keys."""
    from evalkit.findings import DIMENSIONS, SEVERITIES, sort_findings

    found = [
        _finding(
            dimension="自评质量", severity="notice", rule_id="SC003", subject="乙", message="1"
        ),
        _finding(
            dimension="完整性", severity="warning", rule_id="CV002", subject="甲", message="2"
        ),
        _finding(
            dimension="未知维度", severity="error", rule_id="AA001", subject="甲", message="3"
        ),
        _finding(dimension="完整性", severity="error", rule_id="CV001", subject="乙", message="4"),
        _finding(
            dimension="自评质量", severity="notice", rule_id="SC003", subject="乙", message="5"
        ),
        _finding(dimension="完整性", severity="error", rule_id="CV001", subject="甲", message="6"),
        _finding(
            dimension="自评质量", severity="error", rule_id="SC001", subject="丙", message="7"
        ),
    ]
    df = pd.DataFrame([f.to_dict() for f in found])
    df["_dim"] = df["dimension"].map({d: i for i, d in enumerate(DIMENSIONS)}).fillna(99)
    df["_sev"] = df["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    expected = df.sort_values(["_dim", "_sev", "rule_id", "subject"], kind="stable")["message"]
    assert [f.message for f in sort_findings(found)] == list(expected)
    assert [f.message for f in sort_findings(found)] == ["4", "6", "2", "7", "1", "5", "3"]
    assert list(findings_frame(found)["message"]) == list(expected)
