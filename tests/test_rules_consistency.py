"""Consistency rules XC001–XC008 and their analysis tables.

Each rule gets a tiny fixture that makes it fire (a mutated ``clean_records()``) and one
that does not; the seed workbooks check the expectations read from seed 000 and seed 004.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.policy import load_policy
from evalkit.rules.consistency import (
    INDICATOR_TABLES,
    _latest_per_subject,
    _money_agrees,
    _target_rows,
    _unchanged_subjects,
    compare_values,
    derived_indicators,
    goal_crosscheck,
    money_crosscheck,
    target_crosscheck,
)
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.values import parse_indicator

XC_RULES = [f"XC00{i}" for i in range(1, 9)]
ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"

Records = dict[str, Any]


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def run(records: Records, rule_id: str) -> pd.DataFrame:
    return check(make_department(records), rules=[rule_id])


def row_of(records: Records, sheet: str, **match: Any) -> dict[str, Any]:
    for rec in records[sheet]:
        if all(rec.get(k) == v for k, v in match.items()):
            return rec
    raise KeyError(match)


def excel_row(records: Records, sheet: str, **match: Any) -> int:
    return records[sheet].index(row_of(records, sheet, **match)) + 2


def sources(finding: pd.Series) -> list[tuple[str, int | None, str | None]]:
    return [(s["sheet"], s["row"], s["column"]) for s in finding["sources"]]


def only(found: pd.DataFrame, rule_id: str) -> pd.Series:
    hits = found[found["rule_id"] == rule_id]
    assert len(hits) == 1, hits[["rule_id", "subject", "message"]].to_string()
    return hits.iloc[0]


def fault(fault_id: str) -> Records:
    return inject(next(f for f in FAULTS if f.id == fault_id))


def info_row(records: Records, label: str) -> int:
    return list(records["部门信息"]).index(label) + 2


# ----------------------------------------------------------------------------------------
# clean department and faults
# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_consistency_finding() -> None:
    assert check(make_department(), rules=XC_RULES).empty


@pytest.mark.parametrize(
    "flt", [f for f in FAULTS if f.rule_id.startswith("XC")], ids=lambda f: f.id
)
def test_faults_are_found(flt: Any) -> None:
    found = check(make_department(inject(flt)), rules=[flt.rule_id])
    assert flt.rule_id in set(found["rule_id"])


# ----------------------------------------------------------------------------------------
# analysis tables
# ----------------------------------------------------------------------------------------
def test_money_crosscheck_side_by_side() -> None:
    table = money_crosscheck(make_department(fault("money_mismatch")), load_policy())
    row = table[(table["对象"] == P1) & (table["金额项目"] == "全年预算数")].iloc[0]
    assert (row["项目清单"], row["监控资金"], row["自评资金"]) == (200000, 210000, 200000)
    assert row["参照值"] == 200000 and row["最大差异"] == 10000
    assert row["一致"] is not None and not row["一致"]
    assert row["不一致来源"] == "监控资金"
    dept = table[(table["对象"] == DEPT) & (table["金额项目"] == "年初预算数")].iloc[0]
    assert dept["部门信息"] == 1300000  # 支出预算合计 130 万元


def test_target_crosscheck_folds_operator_and_unit_columns() -> None:
    records = clean_records()
    rec = row_of(records, "目标表指标", 对象=P1, 三级指标="培训企业人员人次")
    rec["指标值类型"], rec["指标值"] = "≥", "200"
    table = target_crosscheck(make_department(records), load_policy()).set_index(["对象", "指标"])
    row = table.loc[(P1, "培训企业人员人次")]
    assert row["目标表"] == "≥200人次"
    assert not row["是否变化"]


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("≥200人次", "≥150人次", "数值由200变为150"),
        ("=95%", ">=95%", "运算符由“=”变为“≥”"),
        ("≤10万元", "<=100000元", None),
        ("≤11 万", "≤11", None),  # a bare number is read in the other side's unit
        ("健全", "健 全", None),
        ("健全", "规范", "指标值文字不同"),
        ("保障", "=100%", "一处为定量指标值、一处为定性指标值"),
        ("", "≥5户", None),
    ],
)
def test_compare_values(a: str, b: str, why: str | None) -> None:
    got = compare_values(parse_indicator(a), parse_indicator(b))
    assert got == why if why is None else why in (got or "")


def test_goal_crosscheck_pairs_clauses_by_key_phrase() -> None:
    records = clean_records()
    row_of(records, "年度目标", 对象=DEPT, 来源表="目标表", 序号=1)["目标内容"] = (
        "1、规模以上工业企业增加值增速 8%以上， 2、工业固定资产投资增速 10%以上，"
        " 3、新入规模以上工业企业 4 户以上"
    )
    row_of(records, "年度目标", 对象=DEPT, 来源表="自评表", 序号=1)["目标内容"] = (
        "一、规模以上工业增加值增速≥12%； 二、新入规工业企业数量不少于 4 户 三、工业固定资产投资增速≥10%"
    )
    table = goal_crosscheck(make_department(records), load_policy())
    changed = table[table["是否变化"]]
    assert list(changed["目标表数值"]) == ["8%以上"]
    assert list(changed["自评表数值"]) == ["≥12%"]
    assert changed.iloc[0]["共同关键词"] == "规模以上工业…增加值增速"
    pairs = set(zip(table["目标表数值"], table["自评表数值"], strict=True))
    assert {("10%以上", "≥10%"), ("4户以上", "不少于4户")} <= pairs


def test_derived_indicators_on_clean_department() -> None:
    table = derived_indicators(make_department(), load_policy()).set_index(["对象", "指标"])
    basic = table.loc[(DEPT, "基本支出预算执行率")]
    assert basic["计算值"] == pytest.approx(96.5) and basic["一致"]
    assert table.loc[(DEPT, "在职人员控制率"), "计算值"] == pytest.approx(90)
    assert pd.isna(table.loc[(DEPT, "在职人员控制率"), "公布值"])  # not reported
    cost = table.loc[(P2, "规划编制费用")]
    assert (cost["公布值"], cost["计算值"], cost["一致"]) == (95000, 95000, True)


# ----------------------------------------------------------------------------------------
# XC001
# ----------------------------------------------------------------------------------------
def test_xc001_fires_on_money_mismatch() -> None:
    records = fault("money_mismatch")
    f = only(run(records, "XC001"), "XC001")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, "全年预算数", "error")
    assert (f["published"], f["expected"]) == ("210000元", "200000元")
    assert f["dimension"] == "自评质量"
    mon = excel_row(records, "监控资金", 对象=P1, 资金类别="年度资金总额")
    assert sources(f) == [
        ("监控资金", mon, "全年预算数"),
        ("项目清单", excel_row(records, "项目清单", 项目名称=P1), "全年预算数"),
        (
            "自评资金",
            excel_row(records, "自评资金", 对象=P1, 资金类别="年度资金总额"),
            "全年预算数",
        ),
    ]
    assert "《监控资金》" in f["message"] and "《项目清单》" in f["message"]


def test_xc001_department_info_within_published_precision() -> None:
    records = clean_records()
    for sheet in ("监控资金", "自评资金"):
        for rec in records[sheet]:
            if rec["对象"] == DEPT and rec["行级别"] == "合计":
                rec["年初预算数"] = 1300022.33
    records["部门信息"]["支出预算合计（万元）"] = "130.00"  # ± 50 元
    assert run(records, "XC001").empty
    records["部门信息"]["支出预算合计（万元）"] = "129.99"  # 1299900 元: 122.33 元 off
    f = only(run(records, "XC001"), "XC001")
    assert (f["subject"], f["indicator"]) == (DEPT, "年初预算数")
    assert (f["published"], f["expected"]) == ("1299900元", "1300022.33元")
    assert sources(f)[0] == ("部门信息", info_row(records, "支出预算合计（万元）"), "值")


def test_xc001_ignores_sub_rows() -> None:
    records = clean_records()
    row_of(records, "监控资金", 对象=P1, 资金类别="财政拨款")["全年预算数"] = 150000
    assert run(records, "XC001").empty


def test_money_agrees_tells_the_subjects_without_a_mismatch() -> None:
    clean, mismatched = make_department(), make_department(fault("money_mismatch"))
    assert _money_agrees(clean, P1, 1.0) and _money_agrees(clean, DEPT, 1.0)
    assert not _money_agrees(mismatched, P1, 1.0)
    assert _money_agrees(mismatched, P1, 10_000.0)  # 210000 vs 200000: within 10000
    assert _money_agrees(mismatched, "无此项目", 1.0)  # no value at all


# ----------------------------------------------------------------------------------------
# XC002
# ----------------------------------------------------------------------------------------
def test_xc002_fires_on_changed_target() -> None:
    records = fault("changed_target")
    f = only(run(records, "XC002"), "XC002")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, "培训企业人员人次", "warning")
    assert (f["published"], f["expected"]) == ("自评表“≥150人次”", "目标表“≥200人次”")
    assert f["dimension"] == "批复调整"
    assert sources(f)[-1] == (
        "自评指标",
        excel_row(records, "自评指标", 对象=P1, 三级指标="培训企业人员人次"),
        "年度指标值",
    )


def test_xc002_silent_with_recorded_adjustment() -> None:
    records = fault("changed_target")
    row_of(records, "自评指标", 对象=P1, 三级指标="培训企业人员人次")["备注"] = (
        "经财政局批复调整为150人次"
    )
    assert run(records, "XC002").empty
    table = target_crosscheck(make_department(records), load_policy()).set_index(["对象", "指标"])
    assert "批复调整" in table.loc[(P1, "培训企业人员人次"), "已记录调整"]


def test_xc002_fires_on_forecast_restating_the_target() -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")
    rec["全年预计完成情况"], rec["原因说明"] = "≤8万元", "预算压缩"
    f = only(run(records, "XC002"), "XC002")
    assert (f["subject"], f["indicator"]) == (P2, "规划编制费用")
    assert (f["published"], f["expected"]) == ("≤8万元", "≤10万元")
    assert "预算压缩" in f["message"]
    row = excel_row(records, "监控指标", 对象=P2, 三级指标="规划编制费用")
    assert sources(f)[0] == ("监控指标", row, "全年预计完成情况")


def test_xc002_matches_near_identical_names() -> None:
    records = clean_records()
    rec = row_of(records, "自评指标", 对象=P2, 三级指标="规划指导企业数")
    rec["三级指标"], rec["年度指标值"] = "规划指导企业户数", "≥25家"
    row_of(records, "目标表指标", 对象=P2, 三级指标="规划指导企业数")["三级指标"] = (
        "规划指导企业户数"
    )
    f = only(run(records, "XC002"), "XC002")
    assert f["indicator"] == "规划指导企业户数" and "≥25家" in f["published"]


def _indicator_rows_read(dept: Any) -> list[tuple[str, str, list[dict[str, Any]]]]:
    out = []
    for label, table, _ in INDICATOR_TABLES:
        rows = dept.records(table)
        if rows and table == "monitor_indicators":
            rows = _latest_per_subject(rows)
        out.append((label, table, rows))
    return out


@pytest.mark.parametrize(
    ("fault_id", "changed"), [(None, None), ("changed_target", P1), ("changed_target", None)]
)
def test_unchanged_subjects_are_those_without_changed_rows(
    fault_id: str | None, changed: str | None
) -> None:
    records = clean_records() if fault_id is None else fault(fault_id)
    if fault_id is not None and changed is None:  # the same change, written down as approved
        row_of(records, "自评指标", 对象=P1, 三级指标="培训企业人员人次")["备注"] = "经批复调整"
    dept = make_department(records)
    same = _unchanged_subjects(dept, _indicator_rows_read(dept), {}, {})
    subjects = {DEPT, P1, P2}
    # a subject with a difference is never left out (even when the difference is approved)
    assert same == (subjects if fault_id is None else subjects - {P1})
    assert all(r["对象"] not in same for r in _target_rows(dept, load_policy()) if r["是否变化"])


def test_unchanged_subjects_keeps_a_restated_forecast_and_a_renamed_indicator() -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")
    rec["全年预计完成情况"] = "≤8万元"
    row_of(records, "自评指标", 对象=P1, 三级指标="培训企业人员人次")["三级指标"] = "培训人次"
    dept = make_department(records)
    assert _unchanged_subjects(dept, _indicator_rows_read(dept), {}, {}) == {DEPT}


def test_xc002_silent_when_forecast_is_a_value() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")["全年预计完成情况"] = "=9.5万元"
    assert run(records, "XC002").empty


# ----------------------------------------------------------------------------------------
# XC003
# ----------------------------------------------------------------------------------------
def test_xc003_fires_when_cost_actual_exceeds_spending() -> None:
    records = fault("cost_actual_above_spending")
    f = only(run(records, "XC003"), "XC003")
    assert (f["subject"], f["indicator"], f["severity"]) == (P2, "规划编制费用", "error")
    assert (f["published"], f["expected"]) == ("120000元", "≤95000元")
    row = excel_row(records, "自评指标", 对象=P2, 三级指标="规划编制费用")
    assert sources(f)[0] == ("自评指标", row, "实际完成值")
    funds = excel_row(records, "自评资金", 对象=P2, 资金类别="年度资金总额")
    assert sources(f)[-1] == ("自评资金", funds, "全年执行数")
    assert "12 万元 = 120000 元" in f["formula"]


def test_xc003_bare_wan_under_cost_is_money() -> None:
    records = fault("cost_actual_above_spending")
    row_of(records, "自评指标", 对象=P2, 三级指标="规划编制费用")["度量单位"] = "万"
    assert only(run(records, "XC003"), "XC003")["published"] == "120000元"


@pytest.mark.parametrize(("actual", "unit"), [("9.9", "万元"), ("3", "人")])
def test_xc003_silent(actual: str, unit: str) -> None:
    records = clean_records()
    rec = row_of(records, "自评指标", 对象=P2, 三级指标="规划编制费用")
    rec["实际完成值"], rec["度量单位"] = actual, unit
    if unit == "人":
        rec["年度指标值"] = "≤3人"
    assert run(records, "XC003").empty


# ----------------------------------------------------------------------------------------
# XC004
# ----------------------------------------------------------------------------------------
def test_xc004_fires_on_department_rate() -> None:
    records = clean_records()
    row_of(records, "自评指标", 对象=DEPT, 三级指标="基本支出预算执行率")["实际完成值"] = "100"
    f = only(run(records, "XC004"), "XC004")
    assert (f["subject"], f["indicator"], f["severity"]) == (DEPT, "基本支出预算执行率", "error")
    assert (f["published"], f["expected"]) == ("100%", "96.5%")
    ind = excel_row(records, "自评指标", 对象=DEPT, 三级指标="基本支出预算执行率")
    funds = excel_row(records, "自评资金", 对象=DEPT, 资金类别="（一）基本支出")
    assert sources(f) == [
        ("自评指标", ind, "实际完成值"),
        ("自评资金", funds, "全年执行数"),
        ("自评资金", funds, "全年预算数"),
    ]


def _tasks_department(actual: str) -> Records:
    records = clean_records()
    records["自评资金"] = [x for x in records["自评资金"] if x["对象"] != DEPT]
    row_of(records, "自评表", 对象=DEPT)["版式"] = "年度主要任务"
    records["年度主要任务"] = [
        {"对象": DEPT, "年度主要任务": "年度主要任务", "对应项目": item, "项目下达金额": a,
         "项目执行金额": e, "项目执行率": r, "分值": w, "得分": s, "金额单位": "万元"}
        for item, a, e, r, w, s in (
            ("公用经费（保运转）", 12.79, 12.2, 95, 13.3, 12.63),
            ("人员经费（刚性）", 21.59, 20.1, 93, 13.3, 12.36),
            ("人员经费（保工资）", 148.81, 136.51, 92, 13.4, 12.32),
        )
    ]  # fmt: skip
    rec = row_of(records, "自评指标", 对象=DEPT, 三级指标="基本支出预算执行率")
    rec["三级指标"], rec["实际完成值"] = "预算执行率", actual
    return records


def test_xc004_uses_main_tasks_when_there_are_no_fund_rows() -> None:
    assert run(_tasks_department("92.15"), "XC004").empty  # seed 004: 168.81 / 183.19
    f = only(run(_tasks_department("100"), "XC004"), "XC004")
    assert (f["indicator"], f["expected"]) == ("预算执行率", "92.15%")
    assert ("年度主要任务", 2, "项目执行金额") in sources(f)


def test_xc004_silent_within_tolerance() -> None:
    records = clean_records()
    row_of(records, "自评指标", 对象=DEPT, 三级指标="基本支出预算执行率")["实际完成值"] = "97"
    assert run(records, "XC004").empty


# ----------------------------------------------------------------------------------------
# XC005
# ----------------------------------------------------------------------------------------
def test_xc005_fires_on_staff_control_rate() -> None:
    records = fault("staff_control_rate")
    f = only(run(records, "XC005"), "XC005")
    assert (f["subject"], f["indicator"], f["severity"]) == (DEPT, "在职人员控制率", "error")
    assert (f["published"], f["expected"]) == ("100%", "90%")
    ind = excel_row(records, "自评指标", 对象=DEPT, 三级指标="在职人员控制率")
    assert sources(f) == [
        ("自评指标", ind, "实际完成值"),
        ("部门信息", info_row(records, "在职人员数"), "值"),
        ("部门信息", info_row(records, "编制数"), "值"),
    ]


def test_xc005_reports_overstaffing_against_the_target() -> None:
    records = fault("staff_control_rate")
    records["部门信息"]["在职人员数"] = 12
    row_of(records, "自评指标", 对象=DEPT, 三级指标="在职人员控制率")["年度指标值"] = "≤100%"
    f = only(run(records, "XC005"), "XC005")
    assert f["expected"] == "120%" and "未达到" in f["message"]


def test_xc005_skipped_without_staff_figures() -> None:
    records = fault("staff_control_rate")
    del records["部门信息"]["编制数"]
    assert run(records, "XC005").empty


# ----------------------------------------------------------------------------------------
# XC006
# ----------------------------------------------------------------------------------------
def test_xc006_fires_on_changed_goal_number() -> None:
    records = clean_records()
    row_of(records, "年度目标", 对象=DEPT, 来源表="自评表", 序号=2)["目标内容"] = (
        "开展示范企业服务和人员培训300人次"
    )
    f = only(run(records, "XC006"), "XC006")
    assert (f["subject"], f["severity"], f["dimension"]) == (DEPT, "warning", "批复调整")
    assert (f["published"], f["expected"]) == ("300人次", "200人次")
    assert f["indicator"] == "开展示范企业服务和人员培训"
    assert "共同关键词" in f["message"]
    left = excel_row(records, "年度目标", 对象=DEPT, 来源表="目标表", 序号=2)
    right = excel_row(records, "年度目标", 对象=DEPT, 来源表="自评表", 序号=2)
    assert sources(f) == [("年度目标", left, "目标内容"), ("年度目标", right, "目标内容")]


def test_xc006_silent_for_unrelated_goals_and_years() -> None:
    records = clean_records()
    row_of(records, "年度目标", 对象=DEPT, 来源表="自评表", 序号=2)["目标内容"] = (
        "完成2024年安全生产检查12次"
    )
    assert run(records, "XC006").empty


# ----------------------------------------------------------------------------------------
# XC007
# ----------------------------------------------------------------------------------------
def test_xc007_fires_on_project_overrun() -> None:
    records = clean_records()
    row_of(records, "项目清单", 项目名称=P2)["全年执行数"] = 105000
    f = only(run(records, "XC007"), "XC007")
    assert (f["subject"], f["indicator"], f["severity"]) == (P2, "全年执行数", "error")
    assert (f["published"], f["expected"]) == ("105000元", "≤100000元")
    row = excel_row(records, "项目清单", 项目名称=P2)
    assert sources(f) == [("项目清单", row, "全年执行数"), ("项目清单", row, "全年预算数")]


def test_xc007_fires_on_monitoring_rate_above_100() -> None:
    records = clean_records()
    rec = row_of(records, "监控资金", 对象=P1, 资金类别="财政拨款")
    rec["监控期执行数"], rec["监控期执行率"] = 210000, 105
    f = only(run(records, "XC007"), "XC007")
    assert f["subject"] == P1 and f["indicator"] == "监控资金（财政拨款）"
    assert "执行率105%" in f["published"]
    row = excel_row(records, "监控资金", 对象=P1, 资金类别="财政拨款")
    assert ("监控资金", row, "监控期执行率") in sources(f)


def test_xc007_silent_at_exactly_the_budget() -> None:
    records = clean_records()
    row_of(records, "项目清单", 项目名称=P2)["全年执行数"] = 100000
    assert run(records, "XC007").empty


# ----------------------------------------------------------------------------------------
# XC008
# ----------------------------------------------------------------------------------------
def test_xc008_fires_when_approval_differs() -> None:
    records = clean_records()
    records["部门信息"]["批复金额（万元）"] = 140
    found = run(records, "XC008")
    assert len(found) == 2
    first = found.iloc[0]
    assert (first["subject"], first["indicator"], first["severity"]) == (DEPT, "批复金额", "error")
    assert first["published"] == "140万元"
    assert set(found["expected"]) == {"1300000元"}
    assert sources(first)[0] == ("部门信息", info_row(records, "批复金额（万元）"), "值")


def test_xc008_silent_within_published_precision() -> None:
    records = clean_records()
    records["部门信息"]["批复金额（万元）"] = "130.00"
    records["部门信息"]["支出预算合计（万元）"] = "130.00"
    for sheet in ("监控资金", "自评资金"):
        for rec in records[sheet]:
            if rec["对象"] == DEPT and rec["行级别"] == "合计":
                rec["年初预算数"] = 1300022.33  # seed 000: 371.47 万元 vs 3714722.33 元
    assert run(records, "XC008").empty


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
GXJ = "工信局工作经费"
XINRUGUI = "新入规企业奖补资金"
SHIJI = "2023年工作实绩考核奖励资金"
ZHUANWA = "砖瓦轮窑企业淘汰拆除工作费用"
ZHAOSHANG = "招商专班招商引资工作经费"


@pytest.fixture(scope="module")
def ningxian() -> Any:
    if not NINGXIAN.is_file():
        pytest.skip(f"seed workbook not transcribed yet: {NINGXIAN}")
    from evalkit.workbook import load_workbook

    return load_workbook(NINGXIAN)


@pytest.fixture(scope="module")
def ningxian_findings(ningxian: Any) -> pd.DataFrame:
    return check(ningxian, rules=XC_RULES)


def test_seed000_xc001_budget_of_the_bureau_fund(ningxian_findings: pd.DataFrame) -> None:
    f = only(ningxian_findings, "XC001")
    assert (f["subject"], f["indicator"]) == (GXJ, "全年预算数")
    assert (f["published"], f["expected"]) == ("104140元", "10414元")
    assert [s[0] for s in sources(f)] == ["自评资金", "项目清单", "监控资金"]


def test_seed000_xc002_changed_targets(ningxian_findings: pd.DataFrame) -> None:
    xc2 = ningxian_findings[ningxian_findings["rule_id"] == "XC002"].set_index(
        ["subject", "indicator"]
    )
    cost = xc2.loc[(ZHAOSHANG, "成本控制数")]
    assert cost["published"].replace(" ", "") == "<=3万元"
    assert cost["expected"].replace(" ", "") == "<=10万元"
    assert "预算10万压缩为3万" in cost["message"]


@pytest.mark.parametrize(
    ("subject", "actual", "spent"),
    [
        (GXJ, "110000元", "≤10380.95元"),
        (ZHAOSHANG, "100000元", "≤29978元"),
        (ZHUANWA, "100000元", "≤28700元"),
    ],
)
def test_seed000_xc003_cost_above_spending(
    ningxian_findings: pd.DataFrame, subject: str, actual: str, spent: str
) -> None:
    xc3 = ningxian_findings[ningxian_findings["rule_id"] == "XC003"].set_index("subject")
    assert (xc3.loc[subject, "published"], xc3.loc[subject, "expected"]) == (actual, spent)


def test_seed000_xc003_consistent_costs(ningxian: Any) -> None:
    table = derived_indicators(ningxian, load_policy())
    cost = table[table["类别"] == "成本"].set_index("对象")
    assert cost.loc[XINRUGUI, "一致"] and cost.loc[XINRUGUI, "公布值"] == 500000
    assert cost.loc[SHIJI, "一致"] and cost.loc[SHIJI, "公布值"] == 18000
    xc3 = check(ningxian, rules=["XC003"])
    assert set(xc3["subject"]) == {GXJ, ZHAOSHANG, ZHUANWA}


@pytest.mark.parametrize(
    ("indicator", "computed"), [("基本支出预算执行率", 98.47), ("项目支出预算执行率", 46.44)]
)
def test_seed000_xc004_department_rates(
    ningxian_findings: pd.DataFrame, indicator: str, computed: float
) -> None:
    xc4 = ningxian_findings[ningxian_findings["rule_id"] == "XC004"].set_index("indicator")
    assert xc4.loc[indicator, "published"] == "100%"
    assert float(xc4.loc[indicator, "expected"].rstrip("%")) == pytest.approx(computed, abs=0.01)


def test_seed000_xc005_staff_rate(ningxian_findings: pd.DataFrame) -> None:
    f = only(ningxian_findings, "XC005")
    assert (f["published"], f["expected"]) == ("23%", "129.41%")
    assert "“≤100%”未达到" in f["message"]


def test_seed000_xc006_goals(ningxian_findings: pd.DataFrame) -> None:
    xc6 = ningxian_findings[ningxian_findings["rule_id"] == "XC006"]
    got = {
        (p.replace(" ", ""), e.replace(" ", ""))
        for p, e in zip(xc6["published"], xc6["expected"], strict=True)
    }
    assert got == {("≥12%", "8%以上"), ("≥12%", "10%以上")}
    assert all("共同关键词" in m for m in xc6["message"])


def test_seed000_no_overrun_and_approval_consistent(ningxian_findings: pd.DataFrame) -> None:
    assert not {"XC007", "XC008"} & set(ningxian_findings["rule_id"])


def test_seed004_no_consistency_error() -> None:
    if not CHAOYANG.is_file():
        pytest.skip(f"seed workbook not transcribed yet: {CHAOYANG}")
    from evalkit.workbook import load_workbook

    dept = load_workbook(CHAOYANG)
    assert check(dept, rules=XC_RULES).empty
    table = derived_indicators(dept, load_policy()).set_index("指标")
    assert table.loc["预算执行率", "计算值"] == pytest.approx(92.15, abs=0.005)
    assert table.loc["预算执行率", "一致"]
