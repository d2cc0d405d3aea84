"""Tests for the scoring family (自评复核, RULES.md §1): SC001–SC017 and the analysis tables."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.errors import PolicyError
from evalkit.policy import Policy, load_policy
from evalkit.rules import scoring
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department

ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"
SC_RULES = [f"SC{i:03d}" for i in range(1, 18)]

Records = dict[str, Any]


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def records_with(*edits: Callable[[Records], None]) -> Records:
    """The clean records with each edit applied."""
    recs = clean_records()
    for edit in edits:
        edit(recs)
    return recs


def find(recs: Records, sheet: str, **match: Any) -> dict[str, Any]:
    """The single record of ``sheet`` whose fields equal ``match``."""
    hits = [r for r in recs[sheet] if all(r.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, (sheet, match, len(hits))
    return hits[0]


def excel_row(recs: Records, sheet: str, **match: Any) -> int:
    """The Excel row the record will occupy (header on row 1)."""
    target = find(recs, sheet, **match)
    return next(i for i, r in enumerate(recs[sheet], start=2) if r is target)


def run(recs: Records, *rule_ids: str, policy: Policy | None = None) -> pd.DataFrame:
    return check(make_department(recs), rules=list(rule_ids), policy=policy)


def only(found: pd.DataFrame, rule_id: str) -> dict[str, Any]:
    rows = found[found["rule_id"] == rule_id]
    assert len(rows) == 1, rows[["rule_id", "subject", "indicator", "message"]].to_dict("records")
    return rows.iloc[0].to_dict()


def has_source(finding: dict[str, Any], sheet: str, row: int | None, column: str) -> bool:
    return {"sheet": sheet, "row": row, "column": column} in finding["sources"]


def policy_with(**scoring_overrides: Any) -> Policy:
    """The default policy with some ``scoring`` keys replaced."""
    base = load_policy()
    data = copy.deepcopy(dict(base.data))
    data["scoring"] = {**data["scoring"], **scoring_overrides}
    return Policy(data, "test", "test")


def set_indicator(subject: str, level3: str, **fields: Any) -> Callable[[Records], None]:
    def edit(recs: Records) -> None:
        find(recs, "自评指标", 对象=subject, 三级指标=level3).update(fields)

    return edit


def set_fund(subject: str, line: str, **fields: Any) -> Callable[[Records], None]:
    def edit(recs: Records) -> None:
        find(recs, "自评资金", 对象=subject, 资金类别=line).update(fields)

    return edit


def set_table(subject: str, **fields: Any) -> Callable[[Records], None]:
    def edit(recs: Records) -> None:
        find(recs, "自评表", 对象=subject).update(fields)

    return edit


TRAINEES = "培训企业人员人次"  # P1, ≥200人次, actual 210, weight 20
QUALITATIVE = "规划对产业发展的指导作用"  # P2, 定性, weight 15, score 13.5


# ----------------------------------------------------------------------------------------
# the clean department and the fault catalogue
# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_scoring_finding() -> None:
    found = check(make_department(), rules=SC_RULES)
    assert found.empty, found[["rule_id", "subject", "message"]].to_dict("records")


@pytest.mark.parametrize(
    "fault", [f for f in FAULTS if f.rule_id.startswith("SC")], ids=lambda f: f.id
)
def test_fault_is_found(fault: Any) -> None:
    found = check(make_department(inject(fault)), rules=SC_RULES)
    assert fault.rule_id in set(found["rule_id"]), found[["rule_id", "message"]]


def test_every_rule_is_registered_with_metadata() -> None:
    from evalkit.registry import get_rule

    for rule_id in SC_RULES:
        r = get_rule(rule_id)
        assert r.family == "scoring" and r.dimension == "自评质量" and r.section == "scoring"
        assert r.title


# ----------------------------------------------------------------------------------------
# SC001 quantitative scores
# ----------------------------------------------------------------------------------------
def test_sc001_fires_on_wrong_quantitative_score() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 得分=15))
    f = only(run(recs, "SC001"), "SC001")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, TRAINEES, "error")
    assert (f["published"], f["expected"]) == ("15", "20")
    assert "min(210/200, 1) × 20 = 20" in f["formula"]
    row = excel_row(recs, "自评指标", 对象=P1, 三级指标=TRAINEES)
    assert has_source(f, "自评指标", row, "得分")
    assert has_source(f, "自评指标", row, "实际完成值")
    assert TRAINEES in f["message"] and "公布得分15" in f["message"] and "少计5分" in f["message"]


def test_sc001_silent_on_clean() -> None:
    assert run(clean_records(), "SC001").empty


@pytest.mark.parametrize(
    ("target", "actual", "unit", "weight", "expected", "policy"),
    [
        pytest.param("≤20万元", "25", "万元", 10, 8.0, None, id="le-ratio"),
        pytest.param("≤20万元", "25", "万元", 10, 7.5, {"lower_is_better_formula": "linear"}, id="le-linear"),
        pytest.param("≤20万元", "45", "万元", 10, 0.0, {"lower_is_better_formula": "linear"}, id="le-linear-floor"),
        pytest.param("≤20万元", "15", "万元", 10, 10.0, None, id="le-achieved"),
        pytest.param("≥200人次", "100", "人次", 20, 10.0, None, id="ge-half"),
        pytest.param("≥200人次", "-5", "人次", 20, 0.0, None, id="negative-actual-is-0"),
        pytest.param("=100%", "95", "%", 20, 19.0, None, id="eq-short"),
        pytest.param("=1个", "2", "个", 20, 20.0, None, id="eq-above-full"),
        pytest.param("=1个", "2", "个", 20, 10.0, {"equal_above_target": "ratio"}, id="eq-above-ratio"),
        pytest.param("=0次", "0", "次", 5, 5.0, None, id="eq-zero-met"),
        pytest.param("=0次", "1", "次", 5, 0.0, None, id="eq-zero-missed"),
        pytest.param("≤0%", "-3", "%", 5, 5.0, None, id="le-zero-negative"),
        pytest.param("≤20万元", "200000", "元", 10, 10.0, None, id="money-units-convert"),
        pytest.param("≤20万元", "20", "", 10, 10.0, None, id="no-unit-reads-target-unit"),
    ],
)  # fmt: skip
def test_sc001_scoring_formulas(
    target: str, actual: str, unit: str, weight: float, expected: float, policy: dict | None
) -> None:
    recs = records_with(
        set_indicator(P1, TRAINEES, 年度指标值=target, 实际完成值=actual, 度量单位=unit, 分值=weight, 得分=weight, 完成率="")
    )  # fmt: skip
    pol = policy_with(**policy) if policy else None
    table = scoring.rescore_indicators(make_department(recs), pol)
    row = table[table["level3"] == TRAINEES].iloc[0]
    assert row["score"] == pytest.approx(expected, abs=0.005), row["formula"]
    found = run(recs, "SC001", policy=pol)
    if abs(expected - weight) > 0.05:
        f = only(found, "SC001")
        assert float(f["expected"]) == pytest.approx(expected, abs=0.005)
    else:
        assert found.empty


def seed004_row(score: float, completion: str = "92.15%") -> Callable[[Records], None]:
    # seed 004 scores 92.15% as 0.92 × 1.6 = 1.472
    return set_indicator(
        DEPT, "基本支出预算执行率", 实际完成值="92.15", 分值=1.6, 得分=score, 完成率=completion
    )


def test_sc001_accepts_whole_percent_rounding_and_truncation() -> None:
    recs = records_with(seed004_row(1.472))
    strict = policy_with(tolerance=0.001)
    assert run(recs, "SC001", policy=strict).empty
    table = scoring.rescore_indicators(make_department(recs), strict)
    row = table[table["level3"] == "基本支出预算执行率"].iloc[0]
    assert row["status"] == "一致"
    assert row["score"] == pytest.approx(1.472)
    assert "整数百分比" in row["formula"]
    # 0.9215 × 13.3 = 12.2560 -> truncated 12.25 is accepted, 12.20 is not
    recs = records_with(
        set_indicator(DEPT, "基本支出预算执行率", 实际完成值="92.15", 分值=13.3, 得分=12.25)
    )
    assert run(recs, "SC001", policy=strict).empty


def test_sc001_rounding_policy_is_used() -> None:
    recs = records_with(seed004_row(1.472))
    exact_only = policy_with(tolerance=0.001, rate_rounding=["exact"], score_rounding=["round_2dp"])
    f = only(run(recs, "SC001", policy=exact_only), "SC001")
    assert (f["published"], f["expected"]) == ("1.472", "1.47")
    raw = policy_with(tolerance=0.001, rate_rounding=["exact"], score_rounding=["none"])
    found = run(recs, "SC001", policy=raw)  # 1.4744 vs 1.472 and 9.833 vs 9.83 both differ
    assert set(found["expected"]) == {"1.47", "9.833"}


def test_sc001_tolerance_from_policy() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 得分=19.97))
    assert run(recs, "SC001").empty  # within 0.05
    assert not run(recs, "SC001", policy=policy_with(tolerance=0.01)).empty


# ----------------------------------------------------------------------------------------
# SC002 / SC003 qualitative scores
# ----------------------------------------------------------------------------------------
def test_sc002_fires_when_score_outside_band() -> None:
    recs = records_with(set_indicator(P2, QUALITATIVE, 得分=8))
    f = only(run(recs, "SC002"), "SC002")
    assert (f["subject"], f["indicator"], f["severity"]) == (P2, QUALITATIVE, "error")
    assert (f["published"], f["expected"]) == ("8", "12～15")
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P2, 三级指标=QUALITATIVE), "得分"
    )


def test_sc002_accepts_scores_inside_lower_band() -> None:
    recs = records_with(set_indicator(P2, QUALITATIVE, 实际完成值="80%-60%(含)", 得分=10.5))
    assert run(recs, "SC002").empty
    recs = records_with(set_indicator(P2, QUALITATIVE, 实际完成值="80%-60%(含)", 得分=13.5))
    f = only(run(recs, "SC002"), "SC002")
    assert f["expected"] == "9～12"


def test_sc002_silent_on_clean() -> None:
    assert run(clean_records(), "SC002").empty


def test_sc003_one_notice_per_table_listing_rows() -> None:
    def add_second(recs: Records) -> None:
        extra = dict(find(recs, "自评指标", 对象=P2, 三级指标=QUALITATIVE))
        extra.update({"三级指标": "规划宣传覆盖面", "分值": 5, "得分": 5})
        recs["自评指标"].append(extra)

    recs = records_with(set_indicator(P2, QUALITATIVE, 得分=15), add_second)
    f = only(run(recs, "SC003"), "SC003")
    assert (f["subject"], f["severity"]) == (P2, "notice")
    assert QUALITATIVE in f["message"] and "规划宣传覆盖面" in f["message"]
    assert (f["published"], f["expected"]) == ("20", "18")
    assert has_source(f, "自评指标", len(recs["自评指标"]) + 1, "得分")


def test_sc003_silent_when_factor_used() -> None:
    assert run(clean_records(), "SC003").empty


def test_band_factor_mode_rescoring() -> None:
    recs = records_with(set_indicator(P2, QUALITATIVE, 得分=15))
    table = scoring.rescore_indicators(make_department(recs))
    assert table.loc[table["level3"] == QUALITATIVE, "score"].iloc[0] == 15  # in band: kept
    pol = policy_with(qualitative_recompute="band_factor")
    table = scoring.rescore_indicators(make_department(recs), pol)
    row = table[table["level3"] == QUALITATIVE].iloc[0]
    assert (row["score"], row["status"]) == (13.5, "不一致")


# ----------------------------------------------------------------------------------------
# SC004 / SC005 / SC013 money rows
# ----------------------------------------------------------------------------------------
def test_sc004_fires_on_wrong_execution_score() -> None:
    recs = records_with(set_fund(P2, "年度资金总额", 得分=10))
    f = only(run(recs, "SC004"), "SC004")
    assert (f["subject"], f["severity"], f["indicator"]) == (
        P2,
        "error",
        "预算执行率（年度资金总额）",
    )
    assert (f["published"], f["expected"]) == ("10", "9.5")
    row = excel_row(recs, "自评资金", 对象=P2, 资金类别="年度资金总额")
    assert has_source(f, "自评资金", row, "得分") and has_source(f, "自评资金", row, "全年执行数")


def test_sc004_silent_on_clean_and_ignores_sub_rows() -> None:
    recs = records_with(set_fund(P2, "其中：财政拨款", 得分=3))
    assert run(recs, "SC004").empty


def test_sc004_execution_floor_policy() -> None:
    pol = policy_with(execution_floor=0.96)
    f = only(run(clean_records(), "SC004", policy=pol), "SC004")
    assert (f["subject"], f["published"], f["expected"]) == (P2, "9.5", "0")
    assert "低于下限96%" in f["formula"]


def test_sc004_tasks_layout() -> None:
    def to_tasks(recs: Records) -> None:
        find(recs, "自评表", 对象=DEPT)["版式"] = "年度主要任务"
        recs["自评资金"] = [r for r in recs["自评资金"] if r["对象"] != DEPT]
        recs["年度主要任务"] = [
            {"对象": DEPT, "年度主要任务": "年度主要任务", "对应项目": "公用经费（保运转）",
             "项目下达金额": 12.79, "项目执行金额": 12.2, "项目执行率": 95, "分值": 10,
             "得分": 9.5, "金额单位": "万元"},
        ]  # fmt: skip

    recs = records_with(to_tasks)
    assert run(recs, "SC004", "SC005").empty  # 95.39% rounded to 95% × 10 = 9.5
    recs["年度主要任务"][0]["得分"] = 8
    f = only(run(recs, "SC004"), "SC004")
    assert f["expected"] == "9.54" and has_source(f, "年度主要任务", 2, "得分")


def test_sc005_fires_on_wrong_published_rate() -> None:
    recs = records_with(set_fund(P2, "年度资金总额", 执行率=90))
    f = only(run(recs, "SC005"), "SC005")
    assert (f["subject"], f["severity"]) == (P2, "error")
    assert (f["published"], f["expected"]) == ("90%", "95%")
    assert has_source(
        f, "自评资金", excel_row(recs, "自评资金", 对象=P2, 资金类别="年度资金总额"), "执行率"
    )


def test_sc005_checks_sub_rows_and_uses_its_tolerance() -> None:
    recs = records_with(set_fund(DEPT, "（一）基本支出", 执行率=97))  # 96.5 -> off by 0.5
    assert run(recs, "SC005").empty
    f = only(run(recs, "SC005", policy=policy_with(rate_tolerance=0.1)), "SC005")
    assert f["indicator"] == "执行率（（一）基本支出）"


def test_sc005_silent_on_clean() -> None:
    assert run(clean_records(), "SC005").empty


def test_sc013_reports_overrun_and_caps_the_score() -> None:
    recs = records_with(set_fund(P1, "年度资金总额", 全年执行数=210000, 执行率=100))
    found = run(recs, "SC013", "SC004", "SC005")
    f = only(found, "SC013")
    assert (f["subject"], f["severity"], f["published"]) == (P1, "warning", "210000")
    assert "超支10000元" in f["message"]
    assert set(found["rule_id"]) == {"SC013"}  # score 10 = capped weight; rate 100 accepted
    funds = scoring.rescore_funds(make_department(recs))
    row = funds[funds["subject"] == P1].iloc[0]
    assert (row["score"], row["overrun"]) == (10.0, 10000.0)


def test_sc013_silent_on_clean() -> None:
    assert run(clean_records(), "SC013").empty


# ----------------------------------------------------------------------------------------
# SC006 / SC007 / SC012 / SC017 totals
# ----------------------------------------------------------------------------------------
def test_sc006_fires_when_total_is_not_the_sum() -> None:
    recs = records_with(set_table(P1, 总分=95))
    f = only(run(recs, "SC006"), "SC006")
    assert (f["subject"], f["severity"], f["published"], f["expected"]) == (
        P1,
        "error",
        "95",
        "100",
    )
    assert has_source(f, "自评表", excel_row(recs, "自评表", 对象=P1), "总分")
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P1, 三级指标=TRAINEES), "得分"
    )


def test_sc006_names_sub_rows_added_twice() -> None:
    recs = records_with(set_table(P1, 总分=110))  # 100 + the 其中 row's 10
    f = only(run(recs, "SC006"), "SC006")
    assert "分项/其中" in f["message"] and "110" in f["message"]


def test_sc006_silent_on_clean_and_within_tolerance() -> None:
    assert run(records_with(set_table(P2, 总分=98.04)), "SC006").empty


def test_sc007_fires_when_weights_do_not_add_up() -> None:
    recs = records_with(set_indicator(P2, "规划通过评审率", 分值=30, 得分=30))
    f = only(run(recs, "SC007"), "SC007")
    assert (f["subject"], f["severity"], f["published"], f["expected"]) == (
        P2,
        "error",
        "110",
        "100",
    )
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P2, 三级指标="规划通过评审率"), "分值"
    )


def test_sc007_checks_policy_totals_when_table_total_blank() -> None:
    recs = records_with(
        set_table(P2, 分值合计=None), set_indicator(P2, "规划通过评审率", 分值=25, 得分=25)
    )
    f = only(run(recs, "SC007"), "SC007")
    assert (f["published"], f["expected"]) == ("105", "100或90")


def test_sc007_accepts_inferred_money_weight() -> None:
    recs = records_with(set_fund(DEPT, "年度资金总额", 分值=None))
    assert run(recs, "SC007", "SC004", "SC006").empty
    funds = scoring.rescore_funds(make_department(recs))
    row = funds[funds["subject"] == DEPT].iloc[0]
    assert (row["weight"], row["weight_inferred"]) == (10.0, True)
    assert "推算" in row["formula"]


def test_sc007_silent_on_clean() -> None:
    assert run(clean_records(), "SC007").empty


def test_sc012_fires_on_wrong_grade() -> None:
    recs = records_with(set_table(P1, 等级="良"))
    f = only(run(recs, "SC012"), "SC012")
    assert (f["subject"], f["severity"], f["published"], f["expected"]) == (P1, "error", "良", "优")
    assert has_source(f, "自评表", excel_row(recs, "自评表", 对象=P1), "等级")


@pytest.mark.parametrize("grade", ["优", "优秀", None], ids=["same", "alias", "blank"])
def test_sc012_silent(grade: str | None) -> None:
    assert run(records_with(set_table(P1, 等级=grade)), "SC012").empty


def test_sc012_uses_policy_grades() -> None:
    pol = policy_with(grades=[{"grade": "优", "min": 99}, {"grade": "良", "min": 0}])
    f = only(run(clean_records(), "SC012", policy=pol), "SC012")
    assert (f["subject"], f["expected"]) == (P2, "良")


def test_sc017_fires_when_recomputed_total_differs() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 得分=15), set_table(P1, 总分=95))
    found = run(recs, "SC017", "SC006")
    f = only(found, "SC017")
    assert (f["subject"], f["severity"], f["published"], f["expected"]) == (
        P1,
        "warning",
        "95",
        "100",
    )
    assert "等级优" in f["message"] and TRAINEES in f["message"]
    assert "SC006" not in set(found["rule_id"])  # the total does re-add


def test_sc017_silent_on_clean() -> None:
    assert run(clean_records(), "SC017").empty


# ----------------------------------------------------------------------------------------
# SC008 weights split
# ----------------------------------------------------------------------------------------
def test_sc008_notices_project_split_off_default() -> None:
    recs = records_with(
        set_indicator(P1, "参训企业技能提升比例", 分值=20, 得分=20),
        set_indicator(P1, "培训按期完成率", 分值=30, 得分=30),
    )
    f = only(run(recs, "SC008"), "SC008")
    assert (f["subject"], f["severity"]) == (P1, "notice")
    assert "产出指标（含成本指标）60分" in f["published"] and "效益指标20分" in f["published"]
    assert f["expected"] == "预算执行率10分、产出指标50分、效益指标30分、满意度指标10分"


def test_sc008_ignores_department_tables() -> None:
    recs = records_with(set_indicator(DEPT, "示范企业培训人次", 分值=30, 得分=30))
    assert run(recs, "SC008").empty
    assert run(clean_records(), "SC008").empty


# ----------------------------------------------------------------------------------------
# SC009 / SC010 / SC011 / SC014 / SC016 indicator quality of the self-evaluation
# ----------------------------------------------------------------------------------------
def test_sc009_fires_on_large_over_achievement() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 实际完成值="310", 完成率="155.00%"))
    f = only(run(recs, "SC009"), "SC009")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, TRAINEES, "warning")
    assert (f["published"], f["expected"]) == ("155%", "<150%")


def test_sc009_silent_below_threshold_and_on_clean() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 实际完成值="290", 完成率="145.00%"))
    assert run(recs, "SC009").empty
    assert run(clean_records(), "SC009").empty


def test_sc010_fires_when_actual_copies_target() -> None:
    recs = records_with(set_indicator(P1, "参训人员满意度", 实际完成值="≥ 90%"))
    f = only(run(recs, "SC010"), "SC010")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, "参训人员满意度", "warning")
    row = excel_row(recs, "自评指标", 对象=P1, 三级指标="参训人员满意度")
    assert has_source(f, "自评指标", row, "实际完成值") and has_source(
        f, "自评指标", row, "年度指标值"
    )


def test_sc010_fires_on_copied_qualitative_text() -> None:
    recs = records_with(set_indicator(P2, QUALITATIVE, 实际完成值="提升"))
    assert only(run(recs, "SC010"), "SC010")["indicator"] == QUALITATIVE


def test_sc010_silent_on_plain_numbers() -> None:
    recs = records_with(
        set_indicator(P1, "培训按期完成率", 年度指标值="100", 运算符号="=", 实际完成值="100")
    )
    assert run(recs, "SC010").empty
    assert run(clean_records(), "SC010").empty


def shortfall(**extra: Any) -> Records:
    return records_with(
        set_indicator(P1, TRAINEES, 实际完成值="180", 得分=18, 完成率="90.00%", **extra),
        set_table(P1, 总分=98),
    )


def test_sc011_fires_on_shortfall_without_cause() -> None:
    recs = shortfall()
    f = only(run(recs, "SC011"), "SC011")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, TRAINEES, "warning")
    assert (f["published"], f["expected"]) == ("18", "20")
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P1, 三级指标=TRAINEES), "未完成原因分析"
    )


def test_sc011_uses_recomputed_score() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 实际完成值="180", 完成率="90.00%"))
    f = only(run(recs, "SC011"), "SC011")  # published full 20, but 18 by the rule
    assert f["published"] == "18" and "应得18" in f["message"]


def test_sc011_silent_with_cause_or_small_shortfall() -> None:
    assert run(shortfall(未完成原因分析="培训场地受限"), "SC011").empty
    assert run(clean_records(), "SC011").empty  # 96.5% execution rate: shortfall < 5%
    assert not run(clean_records(), "SC011", policy=policy_with(cause_shortfall_tolerance=0)).empty


def test_sc011_over_achievement_needs_cause() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 实际完成值="270", 完成率="135.00%"))
    f = only(run(recs, "SC011"), "SC011")
    assert (f["published"], f["expected"]) == ("135%", "≤130%或说明原因")
    recs = records_with(
        set_indicator(P1, TRAINEES, 实际完成值="270", 完成率="135.00%", 未完成原因分析="新增培训班")
    )
    assert run(recs, "SC011").empty


@pytest.mark.parametrize(
    ("target", "actual", "unit", "problem"),
    [
        pytest.param("≥0人次", "210", "人次", "目标值为0", id="ge-zero-target"),
        pytest.param("≥200人次", "", "人次", "实际完成值为空", id="empty-actual"),
        pytest.param("≥200人次", "完成", "人次", "不是数值", id="text-actual"),
        pytest.param("≥200人次", "210户", "人次", "单位", id="unit-mismatch"),
    ],
)
def test_sc014_fires_when_indicator_cannot_be_scored(
    target: str, actual: str, unit: str, problem: str
) -> None:
    recs = records_with(
        set_indicator(P1, TRAINEES, 年度指标值=target, 实际完成值=actual, 度量单位=unit)
    )
    f = only(run(recs, "SC014", "SC001"), "SC014")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, TRAINEES, "warning")
    assert problem in f["message"] and f["published"] == "20"
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P1, 三级指标=TRAINEES), "实际完成值"
    )
    table = scoring.rescore_indicators(make_department(recs))
    row = table[table["level3"] == TRAINEES].iloc[0]
    assert row["score"] is None and row["status"] == "无法计算"


def test_sc014_fires_on_qualitative_without_band() -> None:
    recs = records_with(set_indicator(P2, QUALITATIVE, 实际完成值="已完成"))
    f = only(run(recs, "SC014", "SC002"), "SC014")
    assert (f["subject"], f["indicator"]) == (P2, QUALITATIVE)
    assert "未选择档次" in f["message"]


def test_sc014_silent_on_clean() -> None:
    assert run(clean_records(), "SC014").empty


def test_sc016_fires_on_wrong_completion() -> None:
    recs = records_with(set_indicator(P1, TRAINEES, 完成率="110.00%"))
    f = only(run(recs, "SC016"), "SC016")
    assert (f["subject"], f["indicator"], f["severity"]) == (P1, TRAINEES, "error")
    assert (f["published"], f["expected"]) == ("110%", "105%")
    assert has_source(
        f, "自评指标", excel_row(recs, "自评指标", 对象=P1, 三级指标=TRAINEES), "完成率"
    )


def test_sc016_accepts_conventions() -> None:
    # ≤ indicator: 9.5/10 = 95% (actual/target) is as acceptable as the score share 100%
    recs = records_with(
        set_indicator(P2, "规划编制费用", 完成率="95.00%"),
        set_indicator(P1, TRAINEES, 完成率="100.00%"),  # capped completion
        set_indicator(DEPT, "示范企业培训人次", 完成率="1.05"),  # not a percentage: not checked
    )
    assert run(recs, "SC016").empty
    assert run(records_with(set_indicator(P1, TRAINEES, 完成率="105.5%")), "SC016").empty


# ----------------------------------------------------------------------------------------
# SC015 results ahead of money
# ----------------------------------------------------------------------------------------
def test_sc015_notices_results_ahead_of_money() -> None:
    recs = records_with(
        set_fund(P2, "年度资金总额", 全年执行数=50000, 执行率=50, 得分=5),
        set_fund(P2, "其中：财政拨款", 全年执行数=50000, 执行率=50, 得分=5),
        set_table(P2, 总分=93.5),
    )
    f = only(run(recs, "SC015"), "SC015")
    assert (f["subject"], f["severity"], f["published"]) == (P2, "notice", "98.33%")
    assert "50%" in f["message"]
    assert has_source(
        f, "自评资金", excel_row(recs, "自评资金", 对象=P2, 资金类别="年度资金总额"), "全年执行数"
    )


def test_sc015_silent_on_clean_and_margin_from_policy() -> None:
    assert run(clean_records(), "SC015").empty
    f = only(
        run(clean_records(), "SC015", policy=policy_with(results_ahead_of_money_margin=0.03)),
        "SC015",
    )
    assert f["subject"] == P2  # 98.33% vs 95%


# ----------------------------------------------------------------------------------------
# analysis tables
# ----------------------------------------------------------------------------------------
def test_rescore_indicators_table_on_clean() -> None:
    table = scoring.rescore_indicators(make_department())
    assert len(table) == len(clean_records()["自评指标"])
    assert set(table["status"]) == {"一致"}
    for col in ("subject", "_row", "level1", "level3", "op", "target", "actual", "weight",
                "completion_published", "completion", "score_published", "score", "difference",
                "method", "formula", "status"):  # fmt: skip
        assert col in table.columns
    qual = table[table["level3"] == QUALITATIVE].iloc[0]
    assert (qual["kind"], qual["band_key"], qual["factor_score"]) == ("定性", "achieved", 13.5)
    le = table[table["level3"] == "规划编制费用"].iloc[0]
    assert le["op"] == "≤" and le["method"].startswith("≤")


def test_rescore_totals_table_on_clean() -> None:
    totals = scoring.rescore_totals(make_department()).set_index("subject")
    assert totals.loc[DEPT, "sum_published"] == pytest.approx(99.17)
    assert totals.loc[P1, "sum_with_subrows"] == pytest.approx(110)  # 其中 row repeats 10
    assert totals.loc[P2, "total_recomputed"] == pytest.approx(98)
    assert totals.loc[P2, "grade_of_recomputed_total"] == "优"
    assert (totals["weight_sum"] == 100).all()


def test_recheck_rates_covers_every_money_row() -> None:
    rates = scoring.recheck_rates(make_department())
    assert len(rates) == len(clean_records()["自评资金"])
    sub = rates[rates["line"] == "（二）项目支出"].iloc[0]
    assert sub["rate"] == pytest.approx(98.3333, abs=1e-3)


def test_chinese_headers() -> None:
    table = scoring.chinese_headers(scoring.rescore_totals(make_department()))
    assert {"对象", "公布总分", "重算总分", "公布等级"} <= set(table.columns)


def test_unknown_rounding_method_is_a_policy_error() -> None:
    with pytest.raises(PolicyError):
        scoring.rescore_indicators(make_department(), policy_with(rate_rounding=["banker"]))


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
XINRUGUI = "新入规企业奖补资金"
ZHUCUN = "2024年驻村工作队经费和县直单位驻村干部补助经费"
ZHAOSHANG = "招商专班招商引资工作经费"
GXJ = "工信局工作经费"
ZHUANWA = "砖瓦轮窑企业淘汰拆除工作费用"


@pytest.fixture(scope="module")
def ningxian() -> Any:
    from evalkit.workbook import load_workbook

    return load_workbook(NINGXIAN)


@pytest.fixture(scope="module")
def ningxian_found(ningxian: Any) -> pd.DataFrame:
    return check(ningxian, rules=SC_RULES)


@pytest.fixture(scope="module")
def chaoyang() -> Any:
    from evalkit.workbook import load_workbook

    return load_workbook(CHAOYANG)


needs_ningxian = pytest.mark.skipif(
    not NINGXIAN.is_file(), reason=f"seed workbook absent: {NINGXIAN}"
)
needs_chaoyang = pytest.mark.skipif(
    not CHAOYANG.is_file(), reason=f"seed workbook absent: {CHAOYANG}"
)


def _triples(found: pd.DataFrame, rule_id: str) -> set[tuple[str, Any, Any, Any]]:
    rows = found[found["rule_id"] == rule_id]
    return {
        (r["subject"], r["indicator"], r["published"], r["expected"])
        for r in rows.to_dict("records")
    }


@needs_ningxian
def test_ningxian_sc001(ningxian_found: pd.DataFrame) -> None:
    assert _triples(ningxian_found, "SC001") == {
        (XINRUGUI, "规模以上工业企业增加值增速", "8.33", "13.33"),
        (ZHUCUN, "驻村生活补助按时率", "13.34", "12.67"),
    }


@needs_ningxian
def test_ningxian_sc011(ningxian_found: pd.DataFrame) -> None:
    rows = ningxian_found[ningxian_found["rule_id"] == "SC011"]
    hit = rows[(rows["subject"] == ZHAOSHANG) & (rows["indicator"] == "招商专班引进资金")]
    assert len(hit) == 1 and "71.43%" in hit.iloc[0]["message"]


@needs_ningxian
def test_ningxian_sc017(ningxian_found: pd.DataFrame) -> None:
    assert _triples(ningxian_found, "SC017") == {
        (XINRUGUI, "总分", "94", "99"),
        (ZHUCUN, "总分", "96.67", "96"),
    }


@needs_ningxian
def test_ningxian_sc015(ningxian_found: pd.DataFrame) -> None:
    subjects = set(ningxian_found.loc[ningxian_found["rule_id"] == "SC015", "subject"])
    assert {GXJ, ZHUANWA} <= subjects
    msg = ningxian_found[
        (ningxian_found["rule_id"] == "SC015") & (ningxian_found["subject"] == ZHUANWA)
    ]
    assert "28.7%" in msg.iloc[0]["message"]


@needs_ningxian
def test_ningxian_no_sc006_and_totals_re_add(ningxian: Any, ningxian_found: pd.DataFrame) -> None:
    assert "SC006" not in set(ningxian_found["rule_id"])
    totals = scoring.rescore_totals(ningxian).set_index("subject")
    assert totals.loc[GXJ, "sum_published"] == pytest.approx(87.39)
    assert totals.loc[GXJ, "total_published"] == pytest.approx(87.4)
    assert totals.loc["部门整体", "sum_published"] == pytest.approx(91.44)


@needs_ningxian
def test_ningxian_department_money_weight_inferred(ningxian: Any) -> None:
    funds = scoring.rescore_funds(ningxian)
    row = funds[funds["subject"] == "部门整体"].iloc[0]
    assert (row["weight"], row["weight_inferred"], row["status"]) == (10.0, True, "一致")
    assert "推算" in row["formula"]


@needs_ningxian
def test_ningxian_error_findings_are_exactly_sc001(ningxian_found: pd.DataFrame) -> None:
    errors = ningxian_found[ningxian_found["severity"] == "error"]
    assert set(errors["rule_id"]) == {"SC001"}


@needs_chaoyang
def test_chaoyang_has_no_scoring_error(chaoyang: Any) -> None:
    found = check(chaoyang, rules=SC_RULES)
    errors = found[found["severity"] == "error"]
    assert errors.empty, errors[["rule_id", "indicator", "message"]].to_dict("records")
    assert "SC017" not in set(found["rule_id"])


@needs_chaoyang
def test_chaoyang_totals_and_rounding(chaoyang: Any) -> None:
    totals = scoring.rescore_totals(chaoyang).iloc[0]
    assert totals["total_published"] == pytest.approx(97.18)
    assert totals["sum_published"] == pytest.approx(97.18, abs=0.005)
    assert totals["weight_sum"] == pytest.approx(100)
    funds = scoring.rescore_funds(chaoyang)
    assert len(funds) == 3 and set(funds["status"]) == {"一致"}
    table = scoring.rescore_indicators(chaoyang)
    row = table[table["level3"] == "预算执行率"].iloc[0]
    assert (row["status"], row["score"]) == ("一致", pytest.approx(1.472))


# ----------------------------------------------------------------------------------------
# helpers kept fast
# ----------------------------------------------------------------------------------------
_MATCH_POLICIES = {
    "default": {},
    "every_rounding": {
        "rate_rounding": [
            "exact", "whole_percent", "whole_percent_down", "percent_2dp", "published_rate"
        ],
        "score_rounding": ["round_2dp", "none", "truncate_2dp"],
        "tolerance": 0.01,
    },
    "published_rate_only": {"rate_rounding": ["published_rate"], "score_rounding": ["none"]},
}  # fmt: skip


@pytest.mark.parametrize("variant", list(_MATCH_POLICIES))
def test_matching_candidate_is_the_closest_accepted_candidate(variant: str) -> None:
    """``_matching_candidate`` (no candidate list) picks what ``_match`` over
    ``_candidates`` picks: the first candidate closest to the published score."""
    base = load_policy()
    data = copy.deepcopy(dict(base.data))
    data["scoring"] = {**data["scoring"], **_MATCH_POLICIES[variant]}
    cfg = scoring.ScoringPolicy.from_policy(Policy(data, "<test>", "0" * 64))
    shares = [0.0, 0.3333333, 0.5, 0.6, 0.7349, 0.9694, 0.995, 1.0, 1.2]
    weights = [0.5, 3.0, 10.0, 12.5, 20.0]
    for share in shares:
        for weight in weights:
            exact = min(share, 1.0) * weight
            published_values = [None, 0.0, exact, round(exact, 2), exact - 0.004, exact + 0.06]
            for published in published_values:
                for published_share in (None, share, round(share, 2), 1.0):
                    cands = scoring._candidates(share, weight, cfg, published_share=published_share)
                    expected = scoring._match(published, cands, cfg.tolerance)
                    got = scoring._matching_candidate(
                        published, share, weight, cfg, published_share=published_share
                    )
                    assert got == expected, (share, weight, published, published_share)


def test_indicator_rows_share_scoring_without_changing_a_row() -> None:
    """``_indicator_rows`` remembers the scoring of each parsed target and actual; every row
    is what scoring that row alone gives."""
    cfg = scoring.ScoringPolicy.from_policy(load_policy())
    for dept in (make_department(), make_department(inject(FAULTS[0]))):
        rows = scoring._indicator_rows(dept, cfg)
        alone = [scoring._indicator_record(r, cfg) for r in dept.records("selfeval_indicators")]
        assert rows == alone


def test_rounding_and_number_text_memos_give_the_plain_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scoring, "_MEMO_SIZE", 4)  # the memos are emptied when full
    for _ in range(2):  # computed, then remembered
        for x in (0.123456789, 2.5, -0.0, 7, 1e7, 12.3456789):
            for digits in (2, 4, 6):
                got = scoring._r(x, digits)
                assert got == round(x, digits) and type(got) is type(round(x, digits))
                assert scoring._n(x, digits) == scoring._n_text(x, digits)
    assert scoring._r(None) is None and scoring._n(None) == "—"
    assert scoring._n(10) == scoring._n(10.0) == "10"
    assert all(len(memo) <= 4 for memo in scoring._ROUNDED.values())
