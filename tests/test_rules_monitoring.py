"""Monitoring rules MN001–MN008 and the ``monitoring_progress`` analysis.

Each rule gets a tiny fixture that makes it fire (a mutated ``clean_records()``) and one
that does not; the seed workbooks check the expectations read from seed 000 and seed 004.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.policy import load_policy
from evalkit.rules.monitoring import align, monitoring_progress, normalise_name, time_share
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.values import parse_indicator

MN_RULES = [f"MN00{i}" for i in range(1, 9)]
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
    """The Excel row a record lands on (header is row 1)."""
    return records[sheet].index(row_of(records, sheet, **match)) + 2


def sources(finding: pd.Series) -> list[tuple[str, int | None, str | None]]:
    return [(s["sheet"], s["row"], s["column"]) for s in finding["sources"]]


def only(found: pd.DataFrame, rule_id: str) -> pd.Series:
    hits = found[found["rule_id"] == rule_id]
    assert len(hits) == 1, hits[["rule_id", "subject", "message"]].to_string()
    return hits.iloc[0]


def set_p2_spent(records: Records, to_date: float, rate: float | None = None) -> None:
    for rec in records["监控资金"]:
        if rec["对象"] == P2:
            rec["监控期执行数"] = to_date
            rec["监控期执行率"] = round(to_date / 100000 * 100, 2) if rate is None else rate


# ----------------------------------------------------------------------------------------
# helpers of the module
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("date", "share"),
    [
        (dt.date(2024, 9, 30), 0.75),
        (dt.date(2024, 6, 30), 0.5),
        (dt.date(2024, 7, 31), 7 / 12),
        (dt.date(2024, 9, 15), 8.5 / 12),
        (dt.date(2024, 12, 31), 1.0),
    ],
)
def test_time_share_by_month(date: dt.date, share: float) -> None:
    assert time_share(date) == pytest.approx(share)


def test_time_share_by_day_and_missing() -> None:
    assert time_share(dt.date(2024, 12, 31), "day") == pytest.approx(1.0)
    assert time_share(dt.date(2023, 7, 2), "day") == pytest.approx(183 / 365)
    assert time_share(None) is None


def test_normalise_name_ignores_spaces_and_punctuation() -> None:
    assert (
        normalise_name("“三公经费”控制率")
        == normalise_name("“三公”经费 控制率")
        == "三公经费控制率"
    )


@pytest.mark.parametrize(
    ("value", "ref", "expected"),
    [
        ("=10", "<=11 万", (100000, 110000)),  # a bare value is read in the target's unit
        ("> 10", "≥10%", (10, 10)),
        ("=0.1147万元", "<=10 万元", (1147, 100000)),
        ("=1.45", ">=21 亿", (1.45e8, 2.1e9)),
        ("=5户", ">=5", (5, 5)),
        ("=5户", ">=90%", None),  # different units do not compare
        ("提升", "提升", None),
    ],
)
def test_align(value: str, ref: str, expected: tuple[float, float] | None) -> None:
    got = align(parse_indicator(value), parse_indicator(ref))
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


# ----------------------------------------------------------------------------------------
# the analysis table
# ----------------------------------------------------------------------------------------
def test_progress_table_on_clean_department() -> None:
    table = monitoring_progress(make_department(), load_policy())
    money = table[(table["类型"] == "资金") & (table["层级"] == "合计")].set_index("对象")
    assert money.loc[P2, "计算执行率"] == pytest.approx(72)
    assert money.loc[P2, "时间进度"] == pytest.approx(0.75)
    assert money.loc[P2, "进度比"] == pytest.approx(0.96)
    assert set(money["灯号"]) == {"绿"}
    # sub-rows (其中) get no light
    assert set(table[(table["类型"] == "资金") & (table["层级"] == "其中")]["灯号"]) == {""}
    ind = table[table["类型"] == "指标"].set_index("名称")
    # counts are pro-rated by the time share; level rates (满意度) are not
    assert ind.loc["规划指导企业数", "按进度应完成值"] == pytest.approx(15)
    assert ind.loc["规划指导企业数", "进度比"] == pytest.approx(16 / 15)
    assert ind.loc["相关企业满意度", "按进度应完成值"] == pytest.approx(90)
    # cumulative rates (执行率) are pro-rated
    assert ind.loc["基本支出预算执行率", "按进度应完成值"] == pytest.approx(75)
    # lower-is-better: compared with the ceiling, no ratio
    assert pd.isna(ind.loc["培训成本", "进度比"])
    assert ind.loc["培训成本", "灯号"] == "绿"
    # the qualitative indicator is not in the table
    assert "规划对产业发展的指导作用" not in ind.index


def test_progress_table_lights_red_and_yellow() -> None:
    records = clean_records()
    set_p2_spent(records, 30000)
    row_of(records, "监控指标", 对象=P2, 三级指标="规划指导企业数")["监控期执行情况"] = "=5家"
    table = monitoring_progress(make_department(records), load_policy())
    money = table[(table["类型"] == "资金") & (table["层级"] == "合计")].set_index("对象")
    assert money.loc[P2, "进度比"] == pytest.approx(0.4)
    assert money.loc[P2, "灯号"] == "红"
    ind = table[table["类型"] == "指标"].set_index("名称")
    assert ind.loc["规划指导企业数", "灯号"] == "红"


def test_empty_monitoring_gives_empty_table() -> None:
    records = clean_records()
    records["监控资金"], records["监控指标"] = [], []
    table = monitoring_progress(make_department(records), load_policy())
    assert table.empty
    assert "灯号" in table.columns


# ----------------------------------------------------------------------------------------
# clean department and faults
# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_monitoring_finding() -> None:
    assert check(make_department(), rules=MN_RULES).empty


@pytest.mark.parametrize(
    "fault", [f for f in FAULTS if f.rule_id.startswith("MN")], ids=lambda f: f.id
)
def test_faults_are_found(fault: Any) -> None:
    found = check(make_department(inject(fault)), rules=[fault.rule_id])
    assert fault.rule_id in set(found["rule_id"])


# ----------------------------------------------------------------------------------------
# MN001
# ----------------------------------------------------------------------------------------
def test_mn001_fires_without_department_monitoring() -> None:
    fault = next(f for f in FAULTS if f.id == "no_department_monitoring")
    f = only(run(inject(fault), "MN001"), "MN001")
    assert (f["subject"], f["severity"], f["dimension"]) == (DEPT, "warning", "绩效监控")
    assert f["published"] == "无部门整体监控表"
    assert sources(f) == [("监控资金", None, None), ("监控指标", None, None)]
    assert "测试县示范产业发展局" in f["message"]


def test_mn001_fires_when_half_of_the_double_monitoring_is_missing() -> None:
    records = clean_records()
    records["监控指标"] = [x for x in records["监控指标"] if x["对象"] != DEPT]
    f = only(run(records, "MN001"), "MN001")
    assert f["published"] == "《监控指标》中无部门整体"
    assert sources(f) == [("监控指标", None, None)]


def test_mn001_silent_when_department_is_monitored() -> None:
    assert run(clean_records(), "MN001").empty


# ----------------------------------------------------------------------------------------
# MN002
# ----------------------------------------------------------------------------------------
def test_mn002_fires_for_a_project_with_targets_but_no_monitoring() -> None:
    records = clean_records()
    for sheet in ("监控资金", "监控指标"):
        records[sheet] = [x for x in records[sheet] if x["对象"] != P1]
    f = only(run(records, "MN002"), "MN002")
    assert (f["subject"], f["severity"], f["published"]) == (P1, "warning", "无监控表")
    first_target = excel_row(records, "目标表指标", 对象=P1)
    assert ("目标表指标", first_target, "对象") in sources(f)
    assert ("监控资金", None, None) in sources(f)


def test_mn002_silent_for_a_project_without_targets_or_selfeval() -> None:
    records = clean_records()
    records["项目清单"].append(
        {"项目名称": "其他零星经费", "新增或延续": "新增", "是否年初预算": "否",
         "年初预算数": 0, "全年预算数": 1000, "全年执行数": 1000, "金额单位": "元"}
    )  # fmt: skip
    assert run(records, "MN002").empty


# ----------------------------------------------------------------------------------------
# MN003
# ----------------------------------------------------------------------------------------
def test_mn003_red_without_cause_is_a_warning() -> None:
    records = clean_records()
    set_p2_spent(records, 30000)
    f = only(run(records, "MN003"), "MN003")
    assert (f["subject"], f["indicator"], f["severity"]) == (P2, "监控期预算执行率", "warning")
    assert f["published"] == "30%"
    assert f["expected"].startswith("≥60%")
    assert "红灯" in f["message"] and "既未说明偏差原因" in f["message"]
    row = excel_row(records, "监控资金", 对象=P2, 资金类别="年度资金总额")
    assert sources(f)[0] == ("监控资金", row, "监控期执行数")
    assert "30000 ÷ 100000 = 30%" in f["formula"]


def test_mn003_red_with_cause_but_no_measure_stays_a_warning() -> None:
    records = clean_records()
    set_p2_spent(records, 30000)
    cost = row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")
    cost["原因说明"] = "资金拨付滞后"
    f = only(run(records, "MN003"), "MN003")
    assert f["severity"] == "warning"
    assert "资金拨付滞后" in f["message"] and "未提出拟改进措施" in f["message"]
    assert (
        "监控指标",
        excel_row(records, "监控指标", 对象=P2, 三级指标="规划编制费用"),
        "原因说明",
    ) in sources(f)


def test_mn003_red_with_cause_and_measure_is_a_notice() -> None:
    records = clean_records()
    set_p2_spent(records, 30000)
    cost = row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")
    cost["原因说明"], cost["拟改进措施"] = "资金拨付滞后", "督促第四季度完成支付"
    assert only(run(records, "MN003"), "MN003")["severity"] == "notice"


def test_mn003_yellow_is_a_notice() -> None:
    records = clean_records()
    set_p2_spent(records, 50000)  # 50% / 75% = 0.667
    f = only(run(records, "MN003"), "MN003")
    assert f["severity"] == "notice" and "黄灯" in f["message"]


def test_mn003_uses_the_monitoring_date() -> None:
    records = clean_records()
    for rec in records["监控资金"]:
        if rec["对象"] == P2:
            rec["监控截止日期"] = "2024-06-30"  # time share 0.5: 72% is green
    assert run(records, "MN003").empty


def test_mn003_silent_on_green() -> None:
    assert run(clean_records(), "MN003").empty


# ----------------------------------------------------------------------------------------
# MN004
# ----------------------------------------------------------------------------------------
def test_mn004_fires_for_forecast_below_target_without_cause() -> None:
    fault = next(f for f in FAULTS if f.id == "forecast_below_target")
    records = inject(fault)
    f = only(run(records, "MN004"), "MN004")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, "培训企业人员人次", "warning")
    assert (f["published"], f["expected"]) == ("=150人次", "≥200人次")
    row = excel_row(records, "监控指标", 对象=P1, 三级指标="培训企业人员人次")
    assert sources(f)[0] == ("监控指标", row, "全年预计完成情况")


def test_mn004_fires_when_only_the_measure_is_missing() -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P1, 三级指标="培训企业人员人次")
    rec["全年预计完成情况"], rec["人员保障"] = "=150人次", "培训师资不足"
    f = only(run(records, "MN004"), "MN004")
    assert "未提出拟改进措施" in f["message"] and "未分析偏差原因" not in f["message"]


def test_mn004_fires_for_cost_forecast_above_ceiling() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P1, 三级指标="培训成本")["全年预计完成情况"] = "=25万元"
    f = only(run(records, "MN004"), "MN004")
    assert f["indicator"] == "培训成本" and "高于" in f["message"]


@pytest.mark.parametrize(
    ("forecast", "cause", "measure"),
    [
        ("=150人次", "培训师资不足", "第四季度加开两期培训"),  # explained
        ("=210人次", "", ""),  # above a ≥ target
    ],
)
def test_mn004_silent(forecast: str, cause: str, measure: str) -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P1, 三级指标="培训企业人员人次")
    rec["全年预计完成情况"], rec["人员保障"], rec["拟改进措施"] = forecast, cause, measure
    assert run(records, "MN004").empty


def test_mn004_silent_for_lower_cost_forecast() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P1, 三级指标="培训成本")["全年预计完成情况"] = "=18万元"
    assert run(records, "MN004").empty


# ----------------------------------------------------------------------------------------
# MN005
# ----------------------------------------------------------------------------------------
def test_mn005_zero_spending_with_certain_and_no_cause() -> None:
    fault = next(f for f in FAULTS if f.id == "zero_spending_certain")
    records = inject(fault)
    f = only(run(records, "MN005"), "MN005")
    assert (f["subject"], f["indicator"], f["severity"]) == (P2, "监控期预算执行率", "warning")
    assert f["published"] == "执行数0元；确定能"
    row = excel_row(records, "监控资金", 对象=P2, 资金类别="年度资金总额")
    assert sources(f)[0] == ("监控资金", row, "监控期执行数")
    assert (
        "监控指标",
        excel_row(records, "监控指标", 对象=P2, 三级指标="编制规划数量"),
        "完成目标可能性",
    ) in sources(f)


def test_mn005_zero_spending_with_a_cause_is_silent() -> None:
    fault = next(f for f in FAULTS if f.id == "zero_spending_certain")
    records = inject(fault)
    row_of(records, "监控指标", 对象=P2, 三级指标="规划编制费用")["经费保障"] = "资金未到位"
    assert run(records, "MN005").empty


def test_mn005_indicator_far_behind_with_certain() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P2, 三级指标="规划指导企业数")["监控期执行情况"] = "=5家"
    f = only(run(records, "MN005"), "MN005")
    assert (f["subject"], f["indicator"]) == (P2, "规划指导企业数")
    assert (f["published"], f["expected"]) == ("确定能", "有可能（并说明偏差原因）")
    assert f["formula"] == "5家 ÷ 15家 = 33.33%"
    row = excel_row(records, "监控指标", 对象=P2, 三级指标="规划指导企业数")
    assert sources(f)[0] == ("监控指标", row, "完成目标可能性")


def test_mn005_indicator_far_behind_but_explained_is_silent() -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P2, 三级指标="规划指导企业数")
    rec["监控期执行情况"], rec["其他"] = "=5家", "规划评审推迟至11月"
    assert run(records, "MN005").empty


def test_mn005_forecast_below_target_with_certain() -> None:
    fault = next(f for f in FAULTS if f.id == "forecast_below_target")
    f = only(run(inject(fault), "MN005"), "MN005")
    assert f["indicator"] == "培训企业人员人次" and "未达到年度指标值" in f["message"]


def test_mn005_impossible_without_measures() -> None:
    records = clean_records()
    rec = row_of(records, "监控指标", 对象=P1, 三级指标="参训人员满意度")
    rec["完成目标可能性"], rec["原因说明"] = "完全不可能", "培训取消"
    f = only(run(records, "MN005"), "MN005")
    assert (f["published"], f["expected"]) == ("完全不可能", "提出整改措施")
    rec["拟改进措施"] = "调整培训方式"
    assert run(records, "MN005").empty


def test_mn005_silent_on_clean() -> None:
    assert run(clean_records(), "MN005").empty


# ----------------------------------------------------------------------------------------
# MN006
# ----------------------------------------------------------------------------------------
def test_mn006_fires_on_wrong_published_rate() -> None:
    records = clean_records()
    row_of(records, "监控资金", 对象=P2, 资金类别="年度资金总额")["监控期执行率"] = 80
    f = only(run(records, "MN006"), "MN006")
    assert (f["subject"], f["severity"]) == (P2, "error")
    assert f["indicator"] == "监控期执行率（年度资金总额）"
    assert (f["published"], f["expected"]) == ("80%", "72%")
    row = excel_row(records, "监控资金", 对象=P2, 资金类别="年度资金总额")
    assert sources(f)[0] == ("监控资金", row, "监控期执行率")


def test_mn006_silent_within_tolerance() -> None:
    records = clean_records()
    row_of(records, "监控资金", 对象=P2, 资金类别="年度资金总额")["监控期执行率"] = 72.5
    assert run(records, "MN006").empty


# ----------------------------------------------------------------------------------------
# MN007
# ----------------------------------------------------------------------------------------
def test_mn007_one_notice_per_table() -> None:
    records = clean_records()
    for name in ("培训成本", "参训人员满意度"):
        row_of(records, "监控指标", 对象=P1, 三级指标=name)["完成目标可能性"] = ""
    f = only(run(records, "MN007"), "MN007")
    assert (f["subject"], f["severity"]) == (P1, "notice")
    assert f["published"] == "2/5个定量指标未填写"
    rows = [
        excel_row(records, "监控指标", 对象=P1, 三级指标=n) for n in ("培训成本", "参训人员满意度")
    ]
    assert sources(f) == [("监控指标", r, "完成目标可能性") for r in rows]


def test_mn007_ignores_qualitative_indicators() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P2, 三级指标="规划对产业发展的指导作用")["完成目标可能性"] = ""
    assert run(records, "MN007").empty


# ----------------------------------------------------------------------------------------
# MN008
# ----------------------------------------------------------------------------------------
def test_mn008_fires_on_a_bound_as_result() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P1, 三级指标="参训人员满意度")["监控期执行情况"] = "≥90%"
    f = only(run(records, "MN008"), "MN008")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, "参训人员满意度", "warning")
    assert f["published"] == "≥90%"
    assert "照抄目标值" in f["message"]
    row = excel_row(records, "监控指标", 对象=P1, 三级指标="参训人员满意度")
    assert sources(f) == [("监控指标", row, "监控期执行情况"), ("监控指标", row, "年度指标值")]


def test_mn008_fires_on_a_bound_that_differs_from_target() -> None:
    records = clean_records()
    row_of(records, "监控指标", 对象=P1, 三级指标="培训成本")["监控期执行情况"] = "<=15万元"
    f = only(run(records, "MN008"), "MN008")
    assert "带有“≤”号" in f["message"]


def test_mn008_silent_for_values_and_equal_targets() -> None:
    # the clean department reports "=100%" for "=100%" and "提升" for "提升": both allowed
    assert run(clean_records(), "MN008").empty


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
GXJ = "工信局工作经费"
XINRUGUI = "新入规企业奖补资金"
SHIJI = "2023年工作实绩考核奖励资金"
ZHUCUN = "2024年驻村工作队经费和县直单位驻村干部补助经费"
ZHUANWA = "砖瓦轮窑企业淘汰拆除工作费用"
ZHAOSHANG = "招商专班招商引资工作经费"


@pytest.fixture(scope="module")
def ningxian_findings() -> pd.DataFrame:
    if not NINGXIAN.is_file():
        pytest.skip(f"seed workbook not transcribed yet: {NINGXIAN}")
    from evalkit.workbook import load_workbook

    return check(load_workbook(NINGXIAN), rules=MN_RULES)


@pytest.fixture(scope="module")
def ningxian_progress() -> pd.DataFrame:
    if not NINGXIAN.is_file():
        pytest.skip(f"seed workbook not transcribed yet: {NINGXIAN}")
    from evalkit.workbook import load_workbook

    return monitoring_progress(load_workbook(NINGXIAN), load_policy())


def test_seed000_department_not_monitored(ningxian_findings: pd.DataFrame) -> None:
    f = only(ningxian_findings, "MN001")
    assert f["subject"] == DEPT


@pytest.mark.parametrize(
    ("subject", "rate", "light"),
    [
        (XINRUGUI, 0, "红"),
        (ZHUANWA, 0, "红"),
        (SHIJI, 0, "红"),
        (ZHAOSHANG, 3.82, "红"),
        (GXJ, 99.68, "绿"),
        (ZHUCUN, 97.7, "绿"),
    ],
)
def test_seed000_money_lights(
    ningxian_progress: pd.DataFrame, subject: str, rate: float, light: str
) -> None:
    money = ningxian_progress[
        (ningxian_progress["类型"] == "资金") & (ningxian_progress["层级"] == "合计")
    ].set_index("对象")
    assert money.loc[subject, "时间进度"] == pytest.approx(0.75)
    assert money.loc[subject, "计算执行率"] == pytest.approx(rate, abs=0.01)
    assert money.loc[subject, "灯号"] == light


def test_seed000_mn003_red_projects(ningxian_findings: pd.DataFrame) -> None:
    mn3 = ningxian_findings[ningxian_findings["rule_id"] == "MN003"].set_index("subject")
    assert set(mn3.index) == {XINRUGUI, ZHUANWA, SHIJI, ZHAOSHANG}
    assert set(mn3["severity"]) == {"warning"}  # no red light comes with a measure
    assert mn3.loc[ZHAOSHANG, "published"] == "3.82%"
    assert "已说明偏差原因" in mn3.loc[XINRUGUI, "message"]
    assert "既未说明偏差原因" in mn3.loc[ZHUANWA, "message"]


def test_seed000_mn005_investment_far_behind(ningxian_findings: pd.DataFrame) -> None:
    mn5 = ningxian_findings[ningxian_findings["rule_id"] == "MN005"]
    assert list(zip(mn5["subject"], mn5["indicator"], strict=True)) == [
        (ZHAOSHANG, "招商专班引进资金")
    ]
    assert "1.45亿" in mn5.iloc[0]["message"] and "15.75亿" in mn5.iloc[0]["message"]


def test_seed000_mn007_tables_without_likelihood(ningxian_findings: pd.DataFrame) -> None:
    mn7 = ningxian_findings[ningxian_findings["rule_id"] == "MN007"].set_index("subject")
    assert {ZHUCUN, ZHUANWA} <= set(mn7.index)
    assert mn7.loc[ZHUCUN, "published"] == "4/4个定量指标未填写"
    assert mn7.loc[ZHUANWA, "published"] == "5/5个定量指标未填写"
    assert GXJ not in mn7.index and ZHAOSHANG not in mn7.index


def test_seed000_mn008_copied_targets(ningxian_findings: pd.DataFrame) -> None:
    mn8 = ningxian_findings[ningxian_findings["rule_id"] == "MN008"]
    pairs = set(zip(mn8["subject"], mn8["indicator"], strict=True))
    assert (XINRUGUI, "补贴对象满意度") in pairs
    assert (ZHAOSHANG, "外来投资客商满意度") in pairs
    by_pair = mn8.set_index(["subject", "indicator"])
    assert by_pair.loc[(XINRUGUI, "补贴对象满意度"), "published"] == ">=90%"


def test_seed000_no_other_monitoring_errors(ningxian_findings: pd.DataFrame) -> None:
    assert ningxian_findings[ningxian_findings["severity"] == "error"].empty
    assert not {"MN002", "MN004", "MN006"} & set(ningxian_findings["rule_id"])


def test_seed004_only_department_monitoring_missing() -> None:
    if not CHAOYANG.is_file():
        pytest.skip(f"seed workbook not transcribed yet: {CHAOYANG}")
    from evalkit.workbook import load_workbook

    found = check(load_workbook(CHAOYANG), rules=MN_RULES)
    assert list(found["rule_id"]) == ["MN001"]
