"""Relevance rules (RL001–RL003), function coverage and the macro-indicator table."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.policy import Policy, load_policy
from evalkit.rules.relevance import (
    function_clauses,
    function_coverage,
    macro_hits,
    macro_indicators,
    ngrams,
)
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
RULES = ["RL001", "RL002", "RL003"]
XINRUGUI = "新入规企业奖补资金"
GXJ = "工信局工作经费"
WIDER_DUTIES = (
    "发布相关指导信息、进行预测预警和信息引导，负责制定中小企业发展规划、年度计划并监督实施"
)


def run(records: dict[str, Any], *rules: str, policy: Policy | None = None) -> pd.DataFrame:
    return check(make_department(records), rules=list(rules or RULES), policy=policy)


def srcs(finding: dict[str, Any]) -> set[tuple[str, int | None, str | None]]:
    return {(s["sheet"], s["row"], s["column"]) for s in finding["sources"]}


def xrow(records: dict[str, Any], sheet: str, **match: Any) -> int:
    for i, rec in enumerate(records[sheet]):
        if all(rec.get(k) == v for k, v in match.items()):
            return i + 2
    raise KeyError(match)


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
    assert len(rows) == 1, rows[["rule_id", "subject", "indicator", "message"]]
    return rows.iloc[0].to_dict()


# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_relevance_findings() -> None:
    assert run(clean_records()).empty


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.rule_id.startswith("RL")], ids=str)
def test_faults_are_found(fault: Any) -> None:
    assert fault.rule_id in set(run(inject(fault))["rule_id"])


# -- RL001 --------------------------------------------------------------------------------
def test_rl001_uncovered_function() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "uncovered_function"))
    f = one(run(rec, "RL001"), "RL001")
    assert (f["subject"], f["severity"], f["dimension"]) == (DEPT, "warning", "相关性")
    assert "负责全县安全生产监督检查和事故调查处理" in f["message"]
    assert (f["published"], f["expected"]) == ("覆盖率0.0%", "≥30.0%")
    assert f["formula"].startswith("命中片段0个 ÷ 职能条款片段")
    assert ("部门信息", info_row(rec, "核心职能"), "值") in srcs(f)


def test_rl001_partial_overlap_names_best_match() -> None:
    rec = clean_records()
    rec["部门信息"]["核心职能"] += "；负责示范企业安全生产监督检查和事故调查处理"
    f = one(run(rec, "RL001"), "RL001")
    # "示范" and "企业" are found in the goals, but far below 30 %
    assert "最接近的是目标表" in f["message"]
    goal_row = xrow(rec, "年度目标", 对象=DEPT, 来源表="目标表", 序号=2)
    assert ("年度目标", goal_row, "目标内容") in srcs(f)


def test_rl001_threshold_is_policy() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "uncovered_function"))
    assert run(rec, "RL001", policy=policy_with(relevance__function_coverage_min=0.0)).empty
    strict = policy_with(relevance__function_coverage_min=1.01)
    assert len(run(clean_records(), "RL001", policy=strict)) == 4  # every clause


def test_rl001_without_department_targets_uses_selfeval() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "uncovered_function"))
    rec["目标表指标"] = [r for r in rec["目标表指标"] if r["对象"] != DEPT]
    rec["年度目标"] = [
        r for r in rec["年度目标"] if not (r["对象"] == DEPT and r["来源表"] == "目标表")
    ]
    f = one(run(rec, "RL001"), "RL001")
    assert "取自自评表" in f["message"]


def test_rl001_silent_without_any_department_goal() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "uncovered_function"))
    for sheet in ("目标表指标", "自评指标", "监控指标", "年度目标"):
        rec[sheet] = [r for r in rec[sheet] if r["对象"] != DEPT]
    rec["自评资金"] = [r for r in rec["自评资金"] if r["对象"] != DEPT]
    rec["自评表"] = [r for r in rec["自评表"] if r["对象"] != DEPT]
    assert run(rec, "RL001").empty  # CV002 reports the missing table


def test_function_clauses_split_and_skip() -> None:
    rec = clean_records()
    rec["部门信息"]["核心职能"] = (
        "1、贯彻落实国家有关法律法规和政策；2.监测分析工业运行态势（一）负责统计；"
        "（二）制定中小企业发展规划并监督实施"
    )
    rec["部门信息"]["部门职能"] = "监测分析工业运行态势，完成县委县政府交办的其他任务"
    clauses = function_clauses(make_department(rec))
    texts = [c["clause"] for c in clauses]
    assert texts == [
        "贯彻落实国家有关法律法规和政策",
        "监测分析工业运行态势",
        "负责统计",
        "制定中小企业发展规划并监督实施",
        "完成县委县政府交办的其他任务",
    ]  # the 部门职能 repeat of 监测分析工业运行态势 is dropped
    skips = {c["clause"]: c["skip"] for c in clauses}
    assert skips["贯彻落实国家有关法律法规和政策"].startswith("通用性职责")
    assert skips["负责统计"].startswith("少于6字")
    assert skips["完成县委县政府交办的其他任务"].startswith("通用性职责")
    assert skips["监测分析工业运行态势"] == ""


def test_ngrams_do_not_span_cuts() -> None:
    assert ngrams("监测和分析工业、信息化") == ["监测", "分析", "析工", "工业", "信息", "息化"]
    assert ngrams("负责规划2024年") == ["规划"]


def test_function_coverage_table() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "uncovered_function"))
    table = function_coverage(make_department(rec))
    assert list(table["是否覆盖"]) == ["是", "是", "否", "是", "是"]
    row = table.iloc[0]
    assert row["覆盖率"] == 1.0 and row["最佳匹配"] == "制定示范产业发展规划并组织实施"
    assert row["目标来源表"] == "目标表"


# -- RL002 / RL003 ------------------------------------------------------------------------
def test_rl002_macro_indicator_on_small_project() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "macro_indicator"))
    f = one(run(rec, "RL002"), "RL002")
    assert (f["subject"], f["indicator"]) == (P1, "全县规模以上工业增加值增速")
    assert f["published"] == "全县规模以上工业增加值增速：≥8%"
    assert "属小额项目" in f["message"] and "“增加值”" in f["message"]
    row = xrow(rec, "目标表指标", 三级指标="全县规模以上工业增加值增速")
    assert ("目标表指标", row, "三级指标") in srcs(f)
    assert ("项目清单", xrow(rec, "项目清单", 项目名称=P1), "全年预算数") in srcs(f)


def test_rl002_large_project_without_keyword_is_not_flagged() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "macro_indicator"))
    big = policy_with(relevance__small_project_max=100000)  # P1 has 200000 元
    assert run(rec, "RL002", policy=big).empty
    rec["项目清单"][0]["基本情况"] = "对示范企业实行培训奖补"
    f = one(run(rec, "RL002", policy=big), "RL002")
    assert "属奖补类项目" in f["message"] and "小额" not in f["message"]


def test_rl002_county_with_a_count_is_scope_not_macro() -> None:
    assert (
        macro_hits(
            load_policy().get("relevance.macro_patterns"), "按期完成全县26户砖瓦企业轮窑拆除"
        )
        == []
    )
    assert macro_hits(load_policy().get("relevance.macro_patterns"), "促进全县中小企业发展") == [
        "全县"
    ]


def test_rl003_macro_goal() -> None:
    rec = clean_records()
    rec["年度目标"].append(
        {"对象": P2, "来源表": "目标表", "序号": 2, "目标内容": "推动全县工业经济高质量发展"}
    )
    f = one(run(rec, "RL003"), "RL003")
    assert (f["subject"], f["indicator"]) == (P2, None)
    assert f["published"] == "推动全县工业经济高质量发展"
    assert ("年度目标", len(rec["年度目标"]) + 1, "目标内容") in srcs(f)
    # a goal only in the self-evaluation table is not read while a target table exists
    rec["年度目标"][-1]["来源表"] = "自评表"
    assert run(rec, "RL003").empty


def test_macro_indicators_table() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "macro_indicator"))
    table = macro_indicators(make_department(rec))
    flagged = table[table["是否问题"]]
    assert list(flagged["内容"]) == ["全县规模以上工业增加值增速"]
    assert flagged.iloc[0]["宏观用语"] == "增加值、全县、规模以上"
    assert set(table["对象"]) == {P1, P2}
    assert set(table["类型"]) == {"指标", "年度目标"}


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ningxian_dept() -> Any:
    if not NINGXIAN.exists():
        pytest.skip("seed workbook data/ningxian-gxj-2024.xlsx absent")
    return load_workbook(NINGXIAN)


def test_seed_ningxian_core_function_uncovered(ningxian_dept: Any) -> None:
    found = check(ningxian_dept, rules=["RL001"])
    assert any("监测和分析工业、信息化产业和生产性服务业运行态势" in m for m in found["message"])


def test_seed_ningxian_wider_duties_also_uncovered(ningxian_dept: Any) -> None:
    dept = copy.deepcopy(ningxian_dept)
    dept.info["core_functions"] = f"{dept.info['core_functions'] or ''}，{WIDER_DUTIES}"
    messages = " ".join(check(dept, rules=["RL001"])["message"])
    assert "发布相关指导信息、进行预测预警和信息引导" in messages
    assert "负责制定中小企业发展规划、年度计划并监督实施" in messages
    assert "监测和分析工业、信息化产业和生产性服务业运行态势" in messages


def test_seed_ningxian_macro_indicators(ningxian_dept: Any) -> None:
    found = check(ningxian_dept, rules=["RL002"])
    xinrugui = found[found["subject"] == XINRUGUI]
    assert sorted(xinrugui["indicator"]) == sorted(
        [
            "规模以上工业企业增加值增速",
            "新增规模以上工业企业",
            "纳入规模以上统计，企业正常运行，年销售收入达标",
            "新建中小企业规模",
            "促进全县中小企业发展",
        ]
    )
    gxj = set(found.loc[found["subject"] == GXJ, "indicator"])
    assert {"规上企业工业增加值", "新增市场主体"} <= gxj
    assert set(found["subject"]) == {XINRUGUI, GXJ}


def test_seed_ningxian_macro_goals(ningxian_dept: Any) -> None:
    found = check(ningxian_dept, rules=["RL003"])
    assert len(found[found["subject"] == XINRUGUI]) == 3
    assert "砖瓦轮窑企业淘汰拆除工作费用" not in set(found["subject"])
