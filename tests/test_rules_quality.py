"""Indicator-quality rules (IQ001–IQ009), the indicator inventory and the 定性 share."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.policy import Policy, load_policy
from evalkit.rules.quality import (
    indicator_inventory,
    qualitative_share,
    selected_indicators,
    shown_value,
)
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"
RULES = [f"IQ00{i}" for i in range(1, 10)]
ZHUCUN = "2024年驻村工作队经费和县直单位驻村干部补助经费"


def run(records: dict[str, Any], *rules: str, policy: Policy | None = None) -> pd.DataFrame:
    return check(make_department(records), rules=list(rules or RULES), policy=policy)


def srcs(finding: dict[str, Any]) -> set[tuple[str, int | None, str | None]]:
    return {(s["sheet"], s["row"], s["column"]) for s in finding["sources"]}


def xrow(records: dict[str, Any], sheet: str, **match: Any) -> int:
    for i, rec in enumerate(records[sheet]):
        if all(rec.get(k) == v for k, v in match.items()):
            return i + 2
    raise KeyError(match)


def find(records: dict[str, Any], sheet: str, **match: Any) -> dict[str, Any]:
    return records[sheet][xrow(records, sheet, **match) - 2]


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
    assert len(rows) == 1, rows[["rule_id", "subject", "indicator", "message"]]
    return rows.iloc[0].to_dict()


def set_target(records: dict[str, Any], subject: str, level3: str, **changes: Any) -> int:
    """Change one 目标表指标 row; returns its Excel row."""
    row = xrow(records, "目标表指标", 对象=subject, 三级指标=level3)
    records["目标表指标"][row - 2].update(changes)
    return row


def without_target_table(records: dict[str, Any], subject: str) -> None:
    records["目标表指标"] = [r for r in records["目标表指标"] if r["对象"] != subject]
    records["年度目标"] = [
        r for r in records["年度目标"] if not (r["对象"] == subject and r["来源表"] == "目标表")
    ]


# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_quality_findings() -> None:
    assert run(clean_records()).empty
    inv = indicator_inventory(make_department())
    assert (inv["质量问题"] == "").all()


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.rule_id.startswith("IQ")], ids=str)
def test_faults_are_found(fault: Any) -> None:
    assert fault.rule_id in set(run(inject(fault))["rule_id"])


# -- IQ001 --------------------------------------------------------------------------------
def test_iq001_execution_rate_le_100() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "nonbinding_execution_rate"))
    f = one(run(rec, "IQ001"), "IQ001")  # the target table only; 自评/监控 copies not re-read
    assert (f["subject"], f["indicator"], f["severity"]) == (DEPT, "项目支出预算执行率", "warning")
    assert f["dimension"] == "适当性"
    assert f["published"] == "项目支出预算执行率：≤100%"
    assert f["expected"].startswith("=100%")
    row = xrow(rec, "目标表指标", 对象=DEPT, 三级指标="项目支出预算执行率")
    assert ("目标表指标", row, "指标值") in srcs(f)
    assert "目标表" in f["message"]


def test_iq001_operator_in_its_own_column() -> None:
    rec = clean_records()
    set_target(rec, DEPT, "服务企业满意度", 三级指标="“三公经费”控制率", 指标值类型="≤",
               指标值="100", 度量单位="%", 一级指标="部门管理", 二级指标="资金投入")  # fmt: skip
    f = one(run(rec, "IQ001"), "IQ001")
    assert f["indicator"] == "“三公经费”控制率"
    assert f["published"] == "“三公经费”控制率：≤100%"
    assert "控制目标" in f["expected"]


@pytest.mark.parametrize(
    ("name", "value", "fires"),
    [
        ("在职人员控制率", "≤100%", True),
        ("示范企业服务覆盖率", "≥0%", True),
        ("结转结余变动率", "≤0%", False),
        ("基本支出预算执行率", "≤95%", True),
        ("基本支出预算执行率", "≥95%", False),
        ("在职人员控制率", "≤90%", False),
    ],
)
def test_iq001_cases(name: str, value: str, fires: bool) -> None:
    rec = clean_records()
    set_target(rec, DEPT, "示范企业服务覆盖率", 三级指标=name, 指标值=value)
    found = run(rec, "IQ001")
    assert (len(found) == 1) is fires
    if fires:
        assert found.iloc[0]["indicator"] == name


def test_iq001_reads_self_evaluation_when_no_target_table() -> None:
    rec = clean_records()
    without_target_table(rec, P1)
    find(rec, "自评指标", 对象=P1, 三级指标="培训按期完成率").update(
        {"三级指标": "资金执行率", "年度指标值": "≤100%"}
    )
    f = one(run(rec, "IQ001"), "IQ001")
    assert f["subject"] == P1
    assert "取自自评表" in f["message"]
    row = xrow(rec, "自评指标", 对象=P1, 三级指标="资金执行率")
    assert ("自评指标", row, "年度指标值") in srcs(f)


# -- IQ002 --------------------------------------------------------------------------------
def test_iq002_placeholder_fault() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "placeholder_indicator"))
    f = one(run(rec, "IQ002"), "IQ002")
    assert (f["subject"], f["indicator"], f["dimension"]) == (P1, "数量", "相关性")
    assert f["published"] == "数量：≥200人次"
    row = xrow(rec, "目标表指标", 对象=P1, 三级指标="数量")
    assert ("目标表指标", row, "三级指标") in srcs(f)


@pytest.mark.parametrize(
    ("name", "fires"),
    [("产出 数量", True), ("“时效”", True), ("质量指标", True), ("时效指标", True),
     ("培训按期完成率", False), ("数量完成率", False)],
)  # fmt: skip
def test_iq002_names(name: str, fires: bool) -> None:
    rec = clean_records()
    set_target(rec, P1, "培训按期完成率", 三级指标=name)
    assert (len(run(rec, "IQ002")) == 1) is fires


# -- IQ003 --------------------------------------------------------------------------------
def test_iq003_money_under_quantity() -> None:
    rec = clean_records()
    row = set_target(
        rec, P1, "培训企业人员人次", 三级指标="培训补助经费", 指标值="≤2万元", 度量单位="万元"
    )
    f = one(run(rec, "IQ003"), "IQ003")
    assert (f["subject"], f["indicator"], f["dimension"]) == (P1, "培训补助经费", "相关性")
    assert f["published"] == "培训补助经费：≤2万元"
    assert "数量指标" in f["message"]
    assert ("目标表指标", row, "指标值") in srcs(f)


def test_iq003_bare_wan_with_money_word() -> None:
    rec = clean_records()
    set_target(rec, P1, "培训企业人员人次", 三级指标="培训经费", 指标值="≤2 万", 度量单位="")
    assert one(run(rec, "IQ003"), "IQ003")["indicator"] == "培训经费"


def test_iq003_funds_disbursed_is_accepted() -> None:
    rec = clean_records()
    set_target(
        rec, P1, "培训企业人员人次", 三级指标="发放培训补助资金", 指标值="=20万元", 度量单位="万元"
    )
    assert run(rec, "IQ003").empty


def test_iq003_head_count_under_cost() -> None:
    rec = clean_records()
    row = set_target(rec, P1, "培训成本", 三级指标="生活补助人员", 指标值="=2人", 度量单位="人")
    f = one(run(rec, "IQ003"), "IQ003")
    assert f["indicator"] == "生活补助人员"
    assert "成本指标" in f["message"] and "“人”" in f["message"]
    assert ("目标表指标", row, "三级指标") in srcs(f)


def test_iq003_satisfaction_without_percent() -> None:
    rec = clean_records()
    set_target(rec, P1, "参训人员满意度", 指标值="满意", 度量单位="", 指标值类型="定性")
    f = one(run(rec, "IQ003"), "IQ003")
    assert f["indicator"] == "参训人员满意度"
    assert "百分比" in f["expected"]


# -- IQ004 --------------------------------------------------------------------------------
def qualitative(records: dict[str, Any], subject: str, names: list[str]) -> None:
    for name in names:
        set_target(records, subject, name, 指标值="提升", 度量单位="", 指标值类型="定性")


def test_iq004_share_above_half() -> None:
    rec = clean_records()
    qualitative(rec, P2, ["编制规划数量", "规划通过评审率", "规划指导企业数"])  # + 1 already
    f = one(run(rec, "IQ004"), "IQ004")
    assert (f["subject"], f["severity"]) == (P2, "warning")
    assert f["published"] == "4/6（66.7%）"
    assert f["expected"] == "≤50.0%"
    assert f["formula"] == "定性指标4个 ÷ 指标总数6个 = 66.7% > 50.0%"
    assert ("目标表指标", xrow(rec, "目标表指标", 三级指标="编制规划数量"), "三级指标") in srcs(f)
    assert len(f["sources"]) == 4


def test_iq004_exactly_half_does_not_fire_and_limit_is_policy() -> None:
    rec = clean_records()
    qualitative(rec, P2, ["编制规划数量", "规划通过评审率"])  # 3 of 6
    assert run(rec, "IQ004").empty
    strict = policy_with(quality__qualitative_share_limit=0.4)
    assert list(run(rec, "IQ004", policy=strict)["subject"]) == [P2]
    table = qualitative_share(make_department(rec))
    p2 = table[table["对象"] == P2].iloc[0]
    assert (p2["指标数"], p2["定性指标数"], p2["定量指标数"]) == (6, 3, 3)


# -- IQ005 .. IQ009 -----------------------------------------------------------------------
def test_iq005_quantitative_without_unit() -> None:
    rec = clean_records()
    row = set_target(rec, P1, "培训企业人员人次", 指标值="≥200", 度量单位="")
    f = one(run(rec, "IQ005"), "IQ005")
    assert (f["indicator"], f["severity"]) == ("培训企业人员人次", "notice")
    assert ("目标表指标", row, "指标值") in srcs(f)


def test_iq005_bare_scale_is_not_a_unit() -> None:
    rec = clean_records()
    set_target(rec, P1, "培训企业人员人次", 指标值="≥21 亿", 度量单位="")
    f = one(run(rec, "IQ005"), "IQ005")
    assert "数量级“亿”" in f["message"]


def test_iq006_cost_with_ge() -> None:
    rec = clean_records()
    set_target(rec, P1, "培训成本", 指标值="≥20万元")
    f = one(run(rec, "IQ006"), "IQ006")
    assert (f["indicator"], f["published"]) == ("培训成本", "培训成本：≥20万元")
    assert f["expected"].startswith("≤20万元")
    assert run(clean_records(), "IQ006").empty


@pytest.mark.parametrize(
    ("name", "value", "fires"),
    [
        ("服务企业满意度", "≥100%", True),
        ("服务企业满意度", "=120%", True),
        ("服务企业满意度", "=100%", False),
        ("示范企业营业收入增长率", "≥120%", False),
        ("示范企业服务覆盖率", ">100%", True),
    ],
)
def test_iq007_percent_at_or_above_100(name: str, value: str, fires: bool) -> None:
    rec = clean_records()
    set_target(rec, DEPT, "服务企业满意度", 三级指标=name, 指标值=value)
    found = run(rec, "IQ007")
    assert (len(found) == 1) is fires
    if fires:
        assert found.iloc[0]["published"] == f"{name}：{value}"


def test_iq008_execution_rate_as_output() -> None:
    rec = clean_records()
    set_target(rec, P1, "培训按期完成率", 三级指标="项目预算执行率")
    f = one(run(rec, "IQ008"), "IQ008")
    assert (f["subject"], f["indicator"]) == (P1, "项目预算执行率")
    # under 部门管理 the execution rate is expected (clean department)
    assert run(clean_records(), "IQ008").empty


@pytest.mark.parametrize(
    ("value", "fires"),
    [("*", True), ("请填写指标值", True), ("效果明显", True), ("提升", False)],
)
def test_iq009_placeholder_and_vague(value: str, fires: bool) -> None:
    rec = clean_records()
    set_target(rec, P2, "规划对产业发展的指导作用", 指标值=value)
    found = run(rec, "IQ009")
    assert (len(found) == 1) is fires


def test_iq009_rate_with_qualitative_value() -> None:
    rec = clean_records()
    row = set_target(rec, P1, "培训按期完成率", 指标值="及时", 度量单位="", 指标值类型="定性")
    f = one(run(rec, "IQ009"), "IQ009")
    assert f["published"] == "培训按期完成率：及时"
    assert ("目标表指标", row, "指标值") in srcs(f)


# -- analysis tables ------------------------------------------------------------------------
def test_selected_indicators_fall_back_to_selfeval_then_monitoring() -> None:
    rec = clean_records()
    without_target_table(rec, P1)
    without_target_table(rec, P2)
    rec["自评指标"] = [r for r in rec["自评指标"] if r["对象"] != P2]
    # an earlier monitoring period for P2 must not be read twice
    early = [dict(r, 监控截止日期="2024-06-30") for r in rec["监控指标"] if r["对象"] == P2]
    rec["监控指标"].extend(early)
    sel = selected_indicators(make_department(rec))
    assert set(sel.loc[sel["subject"] == P1, "source"]) == {"自评表"}
    p2 = sel[sel["subject"] == P2]
    assert set(p2["source"]) == {"监控表"} and len(p2) == 6
    assert set(sel.loc[sel["subject"] == DEPT, "source"]) == {"目标表"}


def test_inventory_columns_and_flags() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "nonbinding_execution_rate"))
    inv = indicator_inventory(make_department(rec))
    row = inv[inv["三级指标"] == "项目支出预算执行率"].iloc[0]
    assert (row["来源表"], row["运算符"], row["数值"], row["单位"]) == ("目标表", "≤", 100.0, "%")
    assert row["质量问题"] == "IQ001 指标值不具约束性"
    assert row["指标类型"] == "定量"


def test_shown_value() -> None:
    assert shown_value("100", "<=", "%", "quantitative") == "≤100%"
    assert shown_value(">=12%", ">=", "%", "quantitative") == ">=12%"
    assert shown_value("规范", None, "", "qualitative") == "规范"


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ningxian() -> pd.DataFrame:
    if not NINGXIAN.exists():
        pytest.skip("seed workbook data/ningxian-gxj-2024.xlsx absent")
    return check(load_workbook(NINGXIAN), rules=RULES)


def test_seed_ningxian_nonbinding_values(ningxian: pd.DataFrame) -> None:
    iq001 = ningxian[ningxian["rule_id"] == "IQ001"]
    assert set(iq001["subject"]) == {DEPT}
    assert sorted(iq001["indicator"]) == sorted(
        ["项目支出预算执行率", "“三公经费”控制率", "在职人员控制率"]
    )
    assert all(p.endswith("：≤100%") for p in iq001["published"])


def test_seed_ningxian_placeholders(ningxian: pd.DataFrame) -> None:
    iq002 = ningxian[ningxian["rule_id"] == "IQ002"]
    assert sorted(iq002["indicator"]) == sorted(["产出数量", "质量", "成本", "失效"])
    assert all(p.endswith("：规范") for p in iq002["published"])


def test_seed_ningxian_units_and_qualitative_share(ningxian: pd.DataFrame) -> None:
    iq003 = ningxian[(ningxian["rule_id"] == "IQ003") & (ningxian["subject"] == ZHUCUN)]
    assert set(iq003["indicator"]) == {"生活补助人员", "生活补助经费"}
    assert all("取自自评表" in m for m in iq003["message"])
    iq004 = ningxian[(ningxian["rule_id"] == "IQ004") & (ningxian["subject"] == DEPT)]
    assert len(iq004) == 1
    assert iq004.iloc[0]["published"].startswith("14/")


@pytest.mark.skipif(
    not CHAOYANG.exists(), reason="seed workbook data/chaoyang-gxfwzx-2024.xlsx absent"
)
def test_seed_chaoyang_satisfaction_100() -> None:
    found = check(load_workbook(CHAOYANG), rules=RULES)
    f = one(found, "IQ007")
    assert (f["subject"], f["indicator"]) == (DEPT, "上级主管部门满意度")
    assert f["published"] == "上级主管部门满意度：≥100%"
    assert f["sources"][0]["sheet"] == "自评指标"
