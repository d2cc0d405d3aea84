"""Process rules (PR001–PR006) and the process-facts table."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.check import check
from evalkit.policy import Policy, load_policy
from evalkit.rules.process import (
    _approved_match,
    _Matcher,
    approved_subjects,
    process_facts,
    publication_delay,
)
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
RULES = ["PR001", "PR002", "PR003", "PR004", "PR005", "PR006"]
MIDYEAR = "年中追加专项工作经费"


def run(records: dict[str, Any], *rules: str, policy: Policy | None = None) -> pd.DataFrame:
    return check(make_department(records), rules=list(rules or RULES), policy=policy)


def srcs(finding: dict[str, Any]) -> set[tuple[str, int | None, str | None]]:
    return {(s["sheet"], s["row"], s["column"]) for s in finding["sources"]}


def info_row(records: dict[str, Any], label: str) -> int:
    return list(records["部门信息"]).index(label) + 2


def policy_with(**updates: Any) -> Policy:
    data = copy.deepcopy(dict(load_policy().data))
    for dotted, value in updates.items():
        *parents, leaf = dotted.split("__")
        node = data
        for p in parents:
            node = node[p]
        node[leaf] = value
    return Policy(data, "test", "test")


def one(df: pd.DataFrame, rule_id: str) -> dict[str, Any]:
    rows = df[df["rule_id"] == rule_id]
    assert len(rows) == 1, rows[["rule_id", "subject", "message"]]
    return rows.iloc[0].to_dict()


def add_project(records: dict[str, Any], name: str, status: str, initial: str) -> int:
    records["项目清单"].append(
        {"项目名称": name, "新增或延续": status, "是否年初预算": initial, "年初预算数": 0,
         "全年预算数": 18000, "全年执行数": 18000, "金额单位": "元"}
    )  # fmt: skip
    return len(records["项目清单"]) + 1


# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_process_findings() -> None:
    assert run(clean_records()).empty


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.rule_id.startswith("PR")], ids=str)
def test_faults_are_found(fault: Any) -> None:
    assert fault.rule_id in set(run(inject(fault))["rule_id"])


# -- PR001 --------------------------------------------------------------------------------
def test_pr001_one_finding_lists_every_midyear_project() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "midyear_without_targets"))
    second = add_project(rec, "年中追加奖励资金", "延续", "否")
    f = one(run(rec, "PR001"), "PR001")
    assert (f["subject"], f["severity"], f["dimension"]) == (DEPT, "warning", "批复调整")
    assert MIDYEAR in f["message"] and "年中追加奖励资金（全年预算1.80万元" in f["message"]
    assert f["published"] == "2个年中追加项目未编报"
    assert ("项目清单", second, "是否年初预算") in srcs(f)
    assert ("项目清单", second - 1, "项目名称") in srcs(f)


def test_pr001_midyear_project_with_targets_is_fine() -> None:
    rec = clean_records()
    rec["项目清单"][1]["是否年初预算"] = "否"  # P2 added mid-year, but it has a target table
    assert run(rec, "PR001").empty


# -- PR002 --------------------------------------------------------------------------------
def test_pr002_target_table_not_approved() -> None:
    rec = clean_records()
    rec["部门信息"]["批复绩效目标"] = f"部门整体、{P1}项目"
    f = one(run(rec, "PR002"), "PR002")
    assert (f["subject"], f["severity"]) == (P2, "warning")
    assert (f["published"], f["expected"]) == ("未批复", "随预算批复")
    assert ("部门信息", info_row(rec, "批复绩效目标"), "值") in srcs(f)


def test_pr002_approved_subject_without_target_table() -> None:
    rec = clean_records()
    rec["部门信息"]["批复绩效目标"] += "、招商引资工作经费"
    f = one(run(rec, "PR002"), "PR002")
    assert f["subject"] == "招商引资工作经费"
    assert f["published"] == "无目标表"


def test_pr002_missing_approval_facts_are_notices() -> None:
    rec = clean_records()
    rec["部门信息"]["预算批复文号"] = None
    rec["部门信息"]["批复绩效目标"] = None
    found = run(rec, "PR002")
    assert list(found["severity"]) == ["notice", "notice"]
    assert any("预算批复文号" in m for m in found["message"])
    assert any("批复绩效目标为空" in x for x in found["formula"])


# -- PR003 --------------------------------------------------------------------------------
def test_pr003_unpublished() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "targets_unpublished"))
    f = one(run(rec, "PR003"), "PR003")
    assert (f["subject"], f["dimension"]) == (DEPT, "公开应用")
    assert (f["published"], f["expected"]) == ("否", "是")
    assert srcs(f) == {("部门信息", info_row(rec, "绩效目标是否公开"), "值")}


def test_pr003_late_publication() -> None:
    rec = clean_records()
    rec["部门信息"]["预算公开日期"] = "2024-03-01"  # approved 2024-02-01: 29 days
    f = one(run(rec, "PR003"), "PR003")
    assert (f["published"], f["expected"]) == ("29日", "≤20日")
    assert "2024年2月1日" in f["message"] and "2024年3月1日" in f["message"]
    assert ("部门信息", info_row(rec, "预算批复日期"), "值") in srcs(f)
    rec["部门信息"]["预算公开日期"] = "2024-02-21"  # exactly 20 days
    assert run(rec, "PR003").empty
    assert publication_delay(make_department(rec)) == 20
    assert len(run(rec, "PR003", policy=policy_with(process__publication_deadline_days=10))) == 1


def test_pr003_not_recorded() -> None:
    rec = clean_records()
    rec["部门信息"]["绩效目标是否公开"] = None
    rec["部门信息"]["预算公开日期"] = None
    f = one(run(rec, "PR003"), "PR003")
    assert f["published"] == "未记录"
    assert "绩效目标是否公开和预算公开日期" in f["message"]


# -- PR004 .. PR006 -----------------------------------------------------------------------
def test_pr004_no_selfeval_reports() -> None:
    rec = clean_records()
    rec["部门信息"]["项目自评报告"] = "否"
    f = one(run(rec, "PR004"), "PR004")
    assert "项目自评报告" in f["message"] and f["published"] == "否"
    assert ("部门信息", info_row(rec, "项目自评报告"), "值") in srcs(f)
    rec["部门信息"]["部门整体自评报告"] = "否"
    assert len(run(rec, "PR004")) == 2
    rec["部门信息"]["项目自评报告"] = None
    rec["部门信息"]["部门整体自评报告"] = None
    assert run(rec, "PR004").empty  # not recorded is not "no"


def test_pr005_drafting_not_recorded() -> None:
    rec = clean_records()
    rec["部门信息"]["编报审核情况"] = None
    f = one(run(rec, "PR005"), "PR005")
    assert (f["severity"], f["dimension"]) == ("notice", "编报审核")


def test_pr006_continuing_projects_without_targets() -> None:
    rec = clean_records()
    rec["目标表指标"] = [r for r in rec["目标表指标"] if r["对象"] != P2]  # P2 is 延续
    add_project(rec, "新增小项目", "新增", "是")  # new, no targets: not PR006's business
    f = one(run(rec, "PR006"), "PR006")
    assert (f["subject"], f["dimension"]) == (DEPT, "编报审核")
    assert f["published"] == f"1个延续项目未编报（{P2}）"
    assert "新增小项目" not in f["message"]
    assert ("项目清单", 3, "新增或延续") in srcs(f)


def test_process_facts_and_approved_subjects() -> None:
    dept = make_department()
    assert approved_subjects(dept) == [DEPT, P1, P2]
    facts = process_facts(dept)
    assert (facts["是否符合"] == "是").all()
    rec = inject(next(f for f in FAULTS if f.id == "targets_unpublished"))
    facts = process_facts(make_department(rec)).set_index("事项")
    assert facts.loc["绩效目标公开", "是否符合"] == "否"


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
@pytest.mark.skipif(
    not NINGXIAN.exists(), reason="seed workbook data/ningxian-gxj-2024.xlsx absent"
)
def test_seed_ningxian_process() -> None:
    found = check(load_workbook(NINGXIAN), rules=RULES)
    assert sorted(found["rule_id"]) == ["PR001", "PR004", "PR006"]
    pr001 = one(found, "PR001")
    assert pr001["published"] == "5个年中追加项目未编报"
    pr006 = one(found, "PR006")
    for name in (
        "2023年工作实绩考核奖励资金",
        "2024年驻村工作队经费和县直单位驻村干部补助经费",
        "工信局工作经费",
    ):
        assert name in pr006["published"]
    assert "项目自评报告" in one(found, "PR004")["message"]


# ----------------------------------------------------------------------------------------
# the linear approved-targets matcher agrees with the pairwise definition
# ----------------------------------------------------------------------------------------
_NAMES = st.text(alphabet="部门整体项目绩效目标示范培训规划经费 、，", min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(written=_NAMES, subjects=st.lists(_NAMES, max_size=8))
def test_matcher_agrees_with_approved_match(written: str, subjects: list[str]) -> None:
    expected = _approved_match(written, subjects) is not None
    assert _Matcher(subjects).has_match(written) == expected
