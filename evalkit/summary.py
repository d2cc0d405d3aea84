"""A short overview of a loaded department (what ``evalkit summary`` prints)."""

from __future__ import annotations

import pandas as pd

from .model import Department
from .schema import DEPARTMENT, SHEETS


def summarize(dept: Department) -> pd.DataFrame:
    """One row per table sheet: rows, subjects, and for money tables the totals in 万元."""
    rows = []
    for sh in SHEETS:
        if sh.kind != "table":
            continue
        df = dept.tables[sh.key]
        subjects = dept.subjects(sh.key)
        rows.append(
            {
                "工作表": sh.name,
                "行数": len(df),
                "对象数": len(subjects),
                "对象": "、".join(subjects[:4]) + ("……" if len(subjects) > 4 else ""),
            }
        )
    return pd.DataFrame(rows)


def project_overview(dept: Department) -> pd.DataFrame:
    """The executed projects with their money (万元) and which tables they appear in."""
    p = dept.projects
    has = {key: set(dept.subjects(key)) for key in ("targets", "monitor_funds", "selfeval")}
    return pd.DataFrame(
        {
            "项目名称": p["name"],
            "新增或延续": p["status"],
            "年初预算": p["in_initial_budget"].map({"是": "是", "否": "否（年中追加）"}),
            "全年预算数（万元）": (p["final_budget"] / 10000).round(2),
            "全年执行数（万元）": (p["executed"] / 10000).round(2),
            "有目标表": p["name"].map(lambda n: "是" if n in has["targets"] else "否"),
            "有监控表": p["name"].map(lambda n: "是" if n in has["monitor_funds"] else "否"),
            "有自评表": p["name"].map(lambda n: "是" if n in has["selfeval"] else "否"),
        }
    )


def headline(dept: Department) -> str:
    """One paragraph of facts, in Chinese."""
    p = dept.projects
    n_mid = int((p["in_initial_budget"] == "否").sum())
    with_targets = [n for n in dept.subjects("targets") if n != DEPARTMENT]
    return (
        f"{dept.name}（{dept.year}年度，编码 {dept.id}）：执行项目 {len(p)} 个"
        f"（其中年中追加 {n_mid} 个），编报项目绩效目标表 {len(with_targets)} 个；"
        f"部门整体目标表{'有' if DEPARTMENT in dept.subjects('targets') else '无'}，"
        f"监控表 {len(dept.subjects('monitor_funds'))} 个对象，"
        f"自评表 {len(dept.selfeval)} 张。"
    )
