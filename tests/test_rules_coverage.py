"""Coverage rules (CV001–CV006) and the coverage table."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.check import check
from evalkit.policy import Policy, load_policy
from evalkit.rules.coverage import coverage_table, wan
from evalkit.testing import DEPT, FAULTS, P1, P2, clean_records, inject, make_department
from evalkit.workbook import load_workbook

ROOT = Path(__file__).parent.parent
NINGXIAN = ROOT / "data" / "ningxian-gxj-2024.xlsx"
CHAOYANG = ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"
RULES = ["CV001", "CV002", "CV003", "CV004", "CV005", "CV006"]


def run(records: dict[str, Any], *rules: str, policy: Policy | None = None) -> pd.DataFrame:
    return check(make_department(records), rules=list(rules or RULES), policy=policy)


def srcs(finding: dict[str, Any]) -> set[tuple[str, int | None, str | None]]:
    return {(s["sheet"], s["row"], s["column"]) for s in finding["sources"]}


def xrow(records: dict[str, Any], sheet: str, **match: Any) -> int:
    """The Excel row of the first record of ``sheet`` matching ``match`` (header is row 1)."""
    for i, rec in enumerate(records[sheet]):
        if all(rec.get(k) == v for k, v in match.items()):
            return i + 2
    raise KeyError(match)


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


def drop_targets(records: dict[str, Any], subject: str) -> None:
    records["目标表指标"] = [r for r in records["目标表指标"] if r["对象"] != subject]


# ----------------------------------------------------------------------------------------
def test_clean_department_has_no_coverage_findings() -> None:
    assert run(clean_records()).empty


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.rule_id.startswith("CV")], ids=str)
def test_faults_are_found(fault: Any) -> None:
    assert fault.rule_id in set(run(inject(fault))["rule_id"])


def test_cv001_project_without_targets() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "project_without_targets"))
    f = one(run(rec, "CV001"), "CV001")
    assert f["subject"] == P2
    assert f["severity"] == "error"
    assert f["dimension"] == "完整性"
    assert f["indicator"] is None
    assert "9.50万元" in f["message"] and "延续项目" in f["message"]
    assert "年中追加" not in f["message"]
    assert f["published"] == "未编报（目标表指标0条）"
    assert f["expected"] == "编报项目绩效目标表"
    row = xrow(rec, "项目清单", 项目名称=P2)
    assert ("项目清单", row, "全年执行数") in srcs(f)
    assert ("项目清单", row, "新增或延续") in srcs(f)
    assert ("目标表指标", None, None) in srcs(f)


def test_cv001_flags_midyear_and_two_decimals() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "midyear_without_targets"))
    rec["项目清单"][-1]["全年执行数"] = 29978
    f = one(run(rec, "CV001"), "CV001")
    assert f["subject"] == "年中追加专项工作经费"
    assert "（年中追加）" in f["message"]
    assert "全年执行3.00万元" in f["message"]
    assert f["formula"] == "目标表指标行数 = 0；全年执行数 3.00万元"


def test_cv001_goals_without_indicators_still_fires() -> None:
    rec = clean_records()
    drop_targets(rec, P1)
    f = one(run(rec, "CV001"), "CV001")
    assert f["subject"] == P1
    assert "仅有1条目标表年度目标文字" in f["message"]


def test_cv002_department_without_targets() -> None:
    rec = clean_records()
    drop_targets(rec, DEPT)
    f = one(run(rec, "CV002"), "CV002")
    assert f["subject"] == DEPT
    assert f["severity"] == "error"
    assert "仅有2条目标表年度目标文字" in f["message"]
    assert "自评表、监控表" in f["message"]
    assert ("目标表指标", None, None) in srcs(f)
    assert ("年度目标", 2, "目标内容") in srcs(f)
    assert run(clean_records(), "CV002").empty


def test_cv003_missing_required_category() -> None:
    rec = clean_records()
    rec["目标表指标"] = [
        r for r in rec["目标表指标"] if not (r["对象"] == P1 and r["一级指标"] == "效益指标")
    ]
    f = one(run(rec, "CV003"), "CV003")
    assert f["subject"] == P1
    assert f["severity"] == "warning"
    assert "效益指标" in f["message"]
    assert f["published"] == "成本指标、产出指标、满意度指标"
    assert f["expected"] == "产出指标、效益指标"
    assert (
        "目标表指标",
        xrow(rec, "目标表指标", 对象=P1, 一级指标="成本指标"),
        "一级指标",
    ) in srcs(f)


def test_cv003_matches_category_word_without_suffix() -> None:
    rec = clean_records()
    for r in rec["目标表指标"]:
        if r["对象"] == P1 and r["一级指标"] == "效益指标":
            r["一级指标"] = "效益"
    assert run(rec, "CV003").empty


def test_cv003_ignores_department_table() -> None:
    rec = clean_records()
    rec["目标表指标"] = [
        r for r in rec["目标表指标"] if not (r["对象"] == DEPT and r["一级指标"] == "效益指标")
    ]
    assert run(rec, "CV003", "CV004").empty


def test_cv004_missing_recommended_category_is_a_notice() -> None:
    rec = clean_records()
    rec["目标表指标"] = [
        r for r in rec["目标表指标"] if not (r["对象"] == P2 and r["一级指标"] == "成本指标")
    ]
    f = one(run(rec, "CV004"), "CV004")
    assert (f["subject"], f["severity"]) == (P2, "notice")
    assert f["expected"] == "成本指标、满意度指标"
    assert "成本指标" in f["message"] and "满意度指标（" not in f["message"]


def test_cv005_target_table_without_goal_text() -> None:
    rec = clean_records()
    rec["年度目标"] = [
        r for r in rec["年度目标"] if not (r["对象"] == P1 and r["来源表"] == "目标表")
    ]
    # a goal in the self-evaluation table does not count as the target table's goal
    rec["年度目标"].append({"对象": P1, "来源表": "自评表", "序号": 1, "目标内容": "组织培训"})
    f = one(run(rec, "CV005"), "CV005")
    assert (f["subject"], f["severity"]) == (P1, "warning")
    assert f["published"] == "年度目标0条"
    assert ("目标表指标", xrow(rec, "目标表指标", 对象=P1), "对象") in srcs(f)
    assert run(clean_records(), "CV005").empty


def test_cv006_too_few_indicators() -> None:
    rec = clean_records()
    keep = {"培训成本", "培训企业人员人次"}
    rec["目标表指标"] = [r for r in rec["目标表指标"] if r["对象"] != P1 or r["三级指标"] in keep]
    f = one(run(rec, "CV006"), "CV006")
    assert f["subject"] == P1
    assert (f["published"], f["expected"]) == ("2", "≥3")
    assert ("目标表指标", xrow(rec, "目标表指标", 三级指标="培训成本"), "三级指标") in srcs(f)


def test_cv006_minimum_comes_from_policy() -> None:
    found = run(clean_records(), "CV006", policy=policy_with(targets__min_indicators=6))
    assert list(found["subject"]) == [P1]  # 5 indicators; the others have 6
    assert found.iloc[0]["expected"] == "≥6"


def test_coverage_table() -> None:
    rec = inject(next(f for f in FAULTS if f.id == "midyear_without_targets"))
    table = coverage_table(make_department(rec))
    assert list(table["项目名称"]) == [P1, P2, "年中追加专项工作经费"]
    last = table.iloc[-1]
    assert (last["预算来源"], last["有目标表"], last["全年执行数（万元）"]) == (
        "年中追加",
        "否",
        "3.00",
    )
    first = table.iloc[0]
    assert (first["有目标表"], first["有监控表"], first["有自评表"]) == ("是", "是", "是")
    assert first["目标表指标数"] == 5 and first["_row"] == 2


def test_wan() -> None:
    assert wan(29978) == "3.00万元"
    assert wan(float("nan")) == "未填"


# ----------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------
@pytest.mark.skipif(
    not NINGXIAN.exists(), reason="seed workbook data/ningxian-gxj-2024.xlsx absent"
)
def test_seed_ningxian_five_projects_without_targets() -> None:
    found = check(load_workbook(NINGXIAN), rules=RULES)
    cv001 = found[found["rule_id"] == "CV001"]
    amounts = {
        "2023年工作实绩考核奖励资金": "1.80万元",
        "2024年驻村工作队经费和县直单位驻村干部补助经费": "2.00万元",
        "砖瓦轮窑企业淘汰拆除工作费用": "2.87万元",
        "工信局工作经费": "1.04万元",
        "招商专班招商引资工作经费": "3.00万元",
    }
    assert set(cv001["subject"]) == set(amounts)
    for rec in cv001.to_dict("records"):
        assert f"全年执行{amounts[rec['subject']]}" in rec["message"]
        assert "年中追加" in rec["message"]
    continuing = {r["subject"] for r in cv001.to_dict("records") if "延续项目" in r["message"]}
    assert continuing == {
        "2023年工作实绩考核奖励资金",
        "2024年驻村工作队经费和县直单位驻村干部补助经费",
        "工信局工作经费",
    }
    assert "CV002" not in set(found["rule_id"])


@pytest.mark.skipif(
    not CHAOYANG.exists(), reason="seed workbook data/chaoyang-gxfwzx-2024.xlsx absent"
)
def test_seed_chaoyang_has_no_department_target_table() -> None:
    found = check(load_workbook(CHAOYANG), rules=RULES)
    assert list(found["rule_id"]) == ["CV002"]
    assert "自评表" in found.iloc[0]["message"]
