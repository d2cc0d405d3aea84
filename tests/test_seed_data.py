"""Regression tests for the two seed workbooks: an independent second reading of the sources.

Every expected value below was read by hand from the seed texts, NOT from the workbooks
or from ``data/sources``:

* ``/work/shared/seeds/000_99d4cb1819bc9151.txt`` — 宁县工业和信息化局 2024 (report body,
  附件1 绩效目标表, 附件2 绩效监控表, 附件3 绩效自评表). Numbers split by extraction spaces
  are read joined: ``29 2.4`` = 292.4, ``104 14`` = 10414, ``8.3 3`` = 8.33, ``91.4 4`` = 91.44.
* ``/work/shared/seeds/004_993c6d56131c57ab.txt`` — 朝阳市工业和信息化工作服务中心 2024
  部门（单位）整体绩效自评表 (年度主要任务 in 万元, 24 indicators).

Seed-text cells marked blank, ``null`` or ``-`` are expected to load as missing (NaN).
Each published cell is its own test case, so one transcription slip fails one case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evalkit.workbook import load_workbook

ROOT = Path(__file__).parent.parent
WORKBOOKS = {
    "ningxian": ROOT / "data" / "ningxian-gxj-2024.xlsx",
    "chaoyang": ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx",
}

DEPT = "部门整体"
XINRUGUI = "新入规企业奖补资金"
GXJ = "工信局工作经费"
SHIJI = "2023年工作实绩考核奖励资金"
ZHUCUN = "2024年驻村工作队经费和县直单位驻村干部补助经费"
ZHUANWA = "砖瓦轮窑企业淘汰拆除工作费用"
ZHAOSHANG = "招商专班招商引资工作经费"
PROJECTS = (XINRUGUI, GXJ, SHIJI, ZHUCUN, ZHUANWA, ZHAOSHANG)

# ASCII aliases for readable test ids.
ALIAS = {
    DEPT: "dept",
    XINRUGUI: "xinrugui",
    GXJ: "gxj",
    SHIJI: "shiji2023",
    ZHUCUN: "zhucun",
    ZHUANWA: "zhuanwa",
    ZHAOSHANG: "zhaoshang",
}
SEED_ALIAS = {"ningxian": "nx", "chaoyang": "cy"}

#: Marks a published cell that is blank, ``null`` or ``-`` in the seed.
BLANK = None


# ----------------------------------------------------------------------------------------
# fixtures and helpers
# ----------------------------------------------------------------------------------------
def _load(seed: str):
    path = WORKBOOKS[seed]
    if not path.is_file():
        pytest.fail(f"workbook not found: {path}")
    return load_workbook(path)


@pytest.fixture(scope="module")
def ningxian():
    return _load("ningxian")


@pytest.fixture(scope="module")
def chaoyang():
    return _load("chaoyang")


def _dept(request: pytest.FixtureRequest, seed: str):
    return request.getfixturevalue(seed)


def norm(text: Any) -> str:
    """Delete all whitespace (extraction spaces inside names)."""
    return re.sub(r"\s+", "", "" if text is None else str(text))


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def check_value(actual: Any, expected: float | None, what: str, text: Any = None) -> None:
    shown = f" (cell text {text!r})" if text is not None else ""
    if expected is BLANK:
        assert is_missing(actual), f"{what}: expected blank/null, workbook has {actual!r}{shown}"
        return
    assert not is_missing(actual), f"{what}: expected {expected}, workbook cell is blank{shown}"
    assert float(actual) == pytest.approx(expected, abs=0.005), (
        f"{what}: expected {expected}, workbook has {actual!r}{shown}"
    )


def subject_rows(dept, table: str, subject: str) -> pd.DataFrame:
    df = dept.tables[table]
    return df[df["subject"] == subject]


def one_row(
    df: pd.DataFrame, column: str, key: str, what: str, *, exact: bool = False
) -> pd.Series:
    """The single row whose ``column`` (whitespace removed) contains / equals ``key``."""
    k = norm(key)
    values = df[column].map(norm)
    hit = df[values == k] if exact else df[values.str.contains(k, regex=False)]
    if len(hit) != 1:
        names = ", ".join(df[column].astype(str).tolist())
        pytest.fail(
            f"{what}: expected exactly one row with {column} ~ {key!r}, "
            f"found {len(hit)} among [{names}]"
        )
    return hit.iloc[0]


def cell(row: pd.Series, key: str) -> tuple[Any, Any]:
    return row.get(key), row.get(f"{key}_text")


# ----------------------------------------------------------------------------------------
# 1. published totals
# ----------------------------------------------------------------------------------------
TOTALS = [
    ("ningxian", DEPT, 91.44),  # 总分 … 91.4 4
    ("ningxian", GXJ, 87.4),
    ("ningxian", XINRUGUI, 94),
    ("ningxian", SHIJI, 94.01),
    ("ningxian", ZHUCUN, 96.67),
    ("ningxian", ZHAOSHANG, 94.18),
    ("ningxian", ZHUANWA, 90.87),
    ("chaoyang", DEPT, 97.18),  # 总评价得分 97.18
]


@pytest.mark.parametrize(
    ("seed", "subject", "total"),
    [pytest.param(*t, id=f"{SEED_ALIAS[t[0]]}-{ALIAS[t[1]]}") for t in TOTALS],
)
def test_selfeval_total(request, seed, subject, total):
    dept = _dept(request, seed)
    rows = subject_rows(dept, "selfeval", subject)
    assert len(rows) == 1, f"{subject}: expected one 自评表 row, found {len(rows)}"
    row = rows.iloc[0]
    check_value(row["total"], total, f"{subject} 总分", row.get("total_text"))


@pytest.mark.parametrize(
    ("seed", "subjects"),
    [
        pytest.param("ningxian", {DEPT, *PROJECTS}, id="nx"),
        pytest.param("chaoyang", {DEPT}, id="cy"),
    ],
)
def test_selfeval_subjects(request, seed, subjects):
    dept = _dept(request, seed)
    assert set(dept.tables["selfeval"]["subject"]) == subjects


@pytest.mark.parametrize(
    ("seed", "subject", "layout"),
    [
        pytest.param("ningxian", DEPT, "部门整体", id="nx-dept"),
        *[pytest.param("ningxian", p, "项目支出", id=f"nx-{ALIAS[p]}") for p in PROJECTS],
        pytest.param("chaoyang", DEPT, "年度主要任务", id="cy-dept"),
    ],
)
def test_selfeval_layout(request, seed, subject, layout):
    dept = _dept(request, seed)
    row = subject_rows(dept, "selfeval", subject).iloc[0]
    assert row["layout"] == layout


@pytest.mark.parametrize("subject", [DEPT, *PROJECTS], ids=lambda s: ALIAS[s])
def test_ningxian_selfeval_weight_total(ningxian, subject):
    # every seed-000 自评表 prints 总分 … 100 (分值) on its last row
    row = subject_rows(ningxian, "selfeval", subject).iloc[0]
    check_value(row["weight_total"], 100, f"{subject} 分值合计", row.get("weight_total_text"))


# ----------------------------------------------------------------------------------------
# 2. indicator row counts
# ----------------------------------------------------------------------------------------
SELFEVAL_INDICATOR_COUNTS = [
    ("ningxian", DEPT, 20),
    ("ningxian", GXJ, 8),
    ("ningxian", XINRUGUI, 7),
    ("ningxian", SHIJI, 6),
    ("ningxian", ZHUCUN, 6),
    ("ningxian", ZHAOSHANG, 6),
    ("ningxian", ZHUANWA, 7),
    ("chaoyang", DEPT, 24),
]

# 附件1: 部门整体 申报表 has 20 三级指标 (基本支出预算执行率 … 档案管理制度); 新入规 has 7.
TARGET_INDICATOR_COUNTS = [("ningxian", DEPT, 20), ("ningxian", XINRUGUI, 7)]

# 附件2: six monitoring tables, one per project; no monitoring of 部门整体.
MONITOR_INDICATOR_COUNTS = [
    ("ningxian", XINRUGUI, 7),
    ("ningxian", GXJ, 8),
    ("ningxian", SHIJI, 6),
    ("ningxian", ZHUCUN, 6),
    ("ningxian", ZHAOSHANG, 6),
    ("ningxian", ZHUANWA, 7),
]


def _count_params(items):
    return [pytest.param(*t, id=f"{SEED_ALIAS[t[0]]}-{ALIAS[t[1]]}") for t in items]


@pytest.mark.parametrize(("seed", "subject", "count"), _count_params(SELFEVAL_INDICATOR_COUNTS))
def test_selfeval_indicator_count(request, seed, subject, count):
    dept = _dept(request, seed)
    rows = subject_rows(dept, "selfeval_indicators", subject)
    assert len(rows) == count, f"{subject}: {rows['level3'].tolist()}"


@pytest.mark.parametrize(("seed", "subject", "count"), _count_params(TARGET_INDICATOR_COUNTS))
def test_target_indicator_count(request, seed, subject, count):
    dept = _dept(request, seed)
    rows = subject_rows(dept, "targets", subject)
    assert len(rows) == count, f"{subject}: {rows['level3'].tolist()}"


def test_target_subjects(ningxian):
    # only 部门整体 and 新入规企业奖补资金 had target tables
    assert set(ningxian.tables["targets"]["subject"]) == {DEPT, XINRUGUI}


@pytest.mark.parametrize(("seed", "subject", "count"), _count_params(MONITOR_INDICATOR_COUNTS))
def test_monitor_indicator_count(request, seed, subject, count):
    dept = _dept(request, seed)
    rows = subject_rows(dept, "monitor_indicators", subject)
    assert len(rows) == count, f"{subject}: {rows['level3'].tolist()}"


@pytest.mark.parametrize("table", ["monitor_funds", "monitor_indicators"])
def test_monitor_subjects(ningxian, table):
    assert set(ningxian.tables[table]["subject"]) == set(PROJECTS)


TARGET_LEVEL3 = {
    DEPT: [
        "基本支出预算执行率",
        "项目支出预算执行率",
        "“三公经费”控制率",
        "结转结余变动率",
        "财务管理制度健全性",
        "资金使用规范性",
        "政府采购规范性",
        "资产管理规范性",
        "在职人员控制率",
        "重点工作管理制度健全性",
        "产出数量",
        "质量",
        "成本",
        "失效",
        "提升社会影响力",
        "来访人员满意度",
        "单位获奖情况",
        "管理制度建设",
        "人员素质",
        "档案管理制度",
    ],
    XINRUGUI: [
        "成本控制数",
        "规模以上工业企业增加值增速",
        "新增规模以上工业企业",
        "纳入规模以上统计，企业正常运行，年销售收入达标",
        "新建中小企业规模",
        "促进全县中小企业发展",
        "补贴对象满意度",
    ],
}


@pytest.mark.parametrize(
    ("subject", "level3"),
    [
        pytest.param(s, name, id=f"{ALIAS[s]}-{i + 1}")
        for s, names in TARGET_LEVEL3.items()
        for i, name in enumerate(names)
    ],
)
def test_target_indicator_present(ningxian, subject, level3):
    rows = subject_rows(ningxian, "targets", subject)
    one_row(rows, "level3", level3, f"目标表 {subject}", exact=True)


# ----------------------------------------------------------------------------------------
# 3. money rows
# ----------------------------------------------------------------------------------------
# 自评表 资金: (subject, line key) -> published cells. Department table: 年初预算数, 全年预算数,
# 全年执行数, 执行率, 得分 (no 分值 column). Project tables: 年初预算数, 全年预算数, 全年执行数,
# 分值, 执行率(%), 得分. All in 元.
_ = BLANK
DEPT_FUND_FIELDS = ("initial_budget", "final_budget", "executed", "rate", "score")
PROJECT_FUND_FIELDS = ("initial_budget", "final_budget", "executed", "weight", "rate", "score")
LINES = ("年度资金总额", "财政拨款", "上年结转", "其他资金")


def _fund_table(fields, rows):
    return {key: dict(zip(fields, values, strict=True)) for key, values in rows.items()}


def _project_fund_rows(subject, rows):
    return {(subject, line): values for line, values in zip(LINES, rows, strict=True)}


SELFEVAL_FUNDS: dict[tuple[str, str], dict[str, float | None]] = {
    # 部门整体支出绩效自评表, 整体支出规模（元）: 年初预算数 全年预算数 全年执行数 执行率 得分
    **_fund_table(
        DEPT_FUND_FIELDS,
        {
            (DEPT, "年度资金总额"): (3714722.33, 5390970.42, 4534729.43, 84.11, 8.41),
            (DEPT, "基本支出"): (3214722.33, 3904079.62, 3844279.25, 98.46, 9.84),
            (DEPT, "人员经费"): (2924009.36, 3640797.27, 3640797.27, 100, 10),
            (DEPT, "公用经费"): (290712.97, 263282.35, 203481.98, 77.28, 7.72),
            (DEPT, "项目支出"): (500000, 1486890.8, 690450.18, 46.43, 4.64),
            (DEPT, "一般性项目"): (0, 495674.8, 122472.18, 24.7, 2.47),
            (DEPT, "重点项目"): (500000, 991216, 567978, 57.3, 5.73),
        },
    ),
    # 项目支出绩效自评表: 年初预算数 全年预算数 全年执行数 分值 执行率(%) 得分
    # (null and "-" cells are BLANK, written _ here)
    **_fund_table(
        PROJECT_FUND_FIELDS,
        {
            # 工信局工作经费 keeps the published 104140
            **_project_fund_rows(
                GXJ,
                [
                    (0, 104140, 10380.95, 10, 9.96, 0.99),
                    (_, 104140, 10380.95, _, 9.96, 0.99),
                    (_, _, _, _, 0, 0),
                    (_, 0, 0, _, 0, 0),
                ],
            ),
            **_project_fund_rows(
                XINRUGUI,
                [
                    (500000, 500000, 500000, 10, 100, 10),
                    (500000, 500000, 500000, _, 100, 10),
                    (0, 0, 0, _, 0, 0),
                    (0, 0, 0, _, 0, 0),
                ],
            ),
            **_project_fund_rows(
                SHIJI,
                [
                    (0, 18000, 18000, 10, 100, 10),
                    (_, 18000, 18000, _, 100, 10),
                    (_, 0, 0, _, 0, 0),
                    (_, 0, 0, _, 0, 0),
                ],
            ),
            **_project_fund_rows(
                ZHUCUN,
                [
                    (0, 20000, 20000, 10, 100, 10),
                    (_, 20000, 20000, _, 100, 10),
                    (_, 0, 0, _, 0, 0),
                    (_, 0, 0, _, 0, 0),
                ],
            ),
            **_project_fund_rows(
                ZHAOSHANG,
                [
                    (0, 30000, 29978, 10, 99.92, 9.99),
                    (_, 30000, 29978, _, 99.92, 9.99),
                    (_, 0, 0, _, 0, 0),
                    (_, 0, 0, _, 0, 0),
                ],
            ),
            **_project_fund_rows(
                ZHUANWA,
                [
                    (0, 100000, 28700, 10, 28.7, 2.87),
                    (_, 100000, 28700, _, 28.7, 2.87),
                    (_, 0, 0, _, 0, 0),
                    (_, 0, 0, _, 0, 0),
                ],
            ),
        },
    ),
}

LINE_ALIAS = {
    "年度资金总额": "total",
    "基本支出": "basic",
    "人员经费": "personnel",
    "公用经费": "public",
    "项目支出": "project",
    "一般性项目": "general",
    "重点项目": "key",
    "财政拨款": "fiscal",
    "上年结转": "carryover",
    "其他资金": "other",
}


def _money_params(table: dict[tuple[str, str], dict[str, float | None]]):
    return [
        pytest.param(
            subject, line, field, expected, id=f"{ALIAS[subject]}-{LINE_ALIAS[line]}-{field}"
        )
        for (subject, line), fields in table.items()
        for field, expected in fields.items()
    ]


@pytest.mark.parametrize(("subject", "line", "field", "expected"), _money_params(SELFEVAL_FUNDS))
def test_selfeval_fund_cell(ningxian, subject, line, field, expected):
    rows = subject_rows(ningxian, "selfeval_funds", subject)
    row = one_row(rows, "line", line, f"自评资金 {subject}")
    value, text = cell(row, field)
    check_value(value, expected, f"自评资金 {subject} / {row['line']} / {field}", text)


@pytest.mark.parametrize(
    ("subject", "count"),
    [pytest.param(DEPT, 7, id="dept"), *[pytest.param(p, 4, id=ALIAS[p]) for p in PROJECTS]],
)
def test_selfeval_fund_row_count(ningxian, subject, count):
    rows = subject_rows(ningxian, "selfeval_funds", subject)
    assert len(rows) == count, rows["line"].tolist()


@pytest.mark.parametrize(
    ("subject", "line"),
    [pytest.param(s, line, id=f"{ALIAS[s]}-{LINE_ALIAS[line]}") for (s, line) in SELFEVAL_FUNDS],
)
def test_selfeval_fund_line_level(ningxian, subject, line):
    row = one_row(subject_rows(ningxian, "selfeval_funds", subject), "line", line, subject)
    if line == "年度资金总额":
        assert row["line_level"] == "合计"
    else:
        assert row["line_level"] in ("分项", "其中")


def test_chaoyang_task_row_count(chaoyang):
    # seed 004 scores its budget as 年度主要任务, not as 年度资金总额 rows
    assert len(chaoyang.tables["tasks"]) == 3


# 监控表 资金 (元): 年初预算数 全年预算数 监控期执行数 监控期执行率 全年预计执行数.
MONITOR_FUND_FIELDS = (
    "initial_budget",
    "final_budget",
    "executed_to_date",
    "rate_to_date",
    "forecast",
)
MONITOR_FUNDS: dict[tuple[str, str], dict[str, float | None]] = _fund_table(
    MONITOR_FUND_FIELDS,
    {
        **_project_fund_rows(
            XINRUGUI,
            [
                (500000, 500000, 0, 0, 500000),
                (500000, 500000, _, 0, 500000),
                (0, 0, _, 0, 0),
                (0, 0, _, 0, 0),
            ],
        ),
        # 年度资金 总额： 0 | 10414 | 10380.95 | 99.68 | 104 14
        **_project_fund_rows(
            GXJ,
            [
                (0, 10414, 10380.95, 99.68, 10414),
                (_, 0, 0, 0, 0),
                (_, 10414, 10380.95, 99.68, 10414),
                (_, 0, 0, 0, 0),
            ],
        ),
        **_project_fund_rows(
            SHIJI,
            [
                (0, 18000, 0, 0, 18000),  # 180 00
                (_, 18000, _, 0, 18000),
                (_, 0, _, 0, 0),
                (_, 0, _, 0, 0),
            ],
        ),
        **_project_fund_rows(
            ZHUCUN,
            [
                (0, 20000, 19540, 97.7, 20000),  # 200 00
                (_, 20000, 19540, 97.7, 20000),
                (_, 0, 0, 0, 0),
                (_, 0, 0, 0, 0),
            ],
        ),
        **_project_fund_rows(
            ZHAOSHANG,
            [
                (0, 30000, 1147, 3.82, 30000),
                (_, 30000, 1147, 3.82, 30000),
                (_, 0, 0, 0, 0),
                (_, 0, 0, 0, 0),
            ],
        ),
        **_project_fund_rows(
            ZHUANWA,
            [
                (0, 100000, 0, 0, 100000),
                (_, 100000, _, 0, 100000),
                (_, 0, _, 0, 0),
                (_, 0, _, 0, 0),
            ],
        ),
    },
)


@pytest.mark.parametrize(("subject", "line", "field", "expected"), _money_params(MONITOR_FUNDS))
def test_monitor_fund_cell(ningxian, subject, line, field, expected):
    rows = subject_rows(ningxian, "monitor_funds", subject)
    row = one_row(rows, "line", line, f"监控资金 {subject}")
    value, text = cell(row, field)
    check_value(value, expected, f"监控资金 {subject} / {row['line']} / {field}", text)


@pytest.mark.parametrize("subject", PROJECTS, ids=lambda s: ALIAS[s])
def test_monitor_fund_row_count(ningxian, subject):
    rows = subject_rows(ningxian, "monitor_funds", subject)
    assert len(rows) == 4, rows["line"].tolist()


# 朝阳 年度主要任务 (万元): 下达, 执行, 执行率, 分值, 得分.
TASKS = {
    "公用经费": dict(allocated=12.79, executed=12.2, rate=95.0, weight=13.3, score=12.63),
    "刚性": dict(allocated=21.59, executed=20.1, rate=93.0, weight=13.3, score=12.36),
    "保工资": dict(allocated=148.81, executed=136.51, rate=92.0, weight=13.4, score=12.32),
}
TASK_ALIAS = {"公用经费": "public", "刚性": "rigid", "保工资": "salary"}
WAN = 10_000


@pytest.mark.parametrize(
    ("item", "field", "expected"),
    [
        pytest.param(item, f, v, id=f"{TASK_ALIAS[item]}-{f}")
        for item, fields in TASKS.items()
        for f, v in fields.items()
    ],
)
def test_chaoyang_task_cell(chaoyang, item, field, expected):
    rows = subject_rows(chaoyang, "tasks", DEPT)
    row = one_row(rows, "item", item, "年度主要任务")
    if field in ("allocated", "executed"):
        expected = expected * WAN
    value, text = cell(row, field)
    check_value(value, expected, f"年度主要任务 {row['item']} / {field}", text)


# ----------------------------------------------------------------------------------------
# 4. indicator weights (分值) and scores (得分)
# ----------------------------------------------------------------------------------------
# (level3, 分值, 得分) per 自评表.
SELFEVAL_INDICATORS: dict[tuple[str, str], list[tuple[str, float, float]]] = {
    ("ningxian", DEPT): [
        ("基本支出预算执行率", 2, 2),
        ("项目支出预算执行率", 2, 2),
        ("“三公”经费控制率", 2, 2),
        ("结转结余变动率", 2, 2),
        ("财务管理制度健全性", 2, 1.8),
        ("资金使用规范性", 2, 1.8),
        ("政府采购规范性", 2, 1.8),
        ("在职人员控制率", 2, 2),
        ("重点工作管理制度健全性", 2, 1.8),
        ("资产管理规范性", 2, 1.8),
        ("产出数量", 8.33, 7.5),  # 8.3 3
        ("质量", 8.33, 7.5),
        ("成本", 8.33, 7.5),
        ("失效", 8.33, 7.5),
        ("提升社会影响力", 8.33, 7.5),
        ("单位获奖情况", 8.35, 7.52),  # 8.3 5
        ("来访人员满意度", 10, 10),
        ("管理制度建设", 3.33, 3),
        ("人员素质", 3.33, 3),
        ("档案管理制度", 3.34, 3.01),  # 3.3 4
    ],
    ("ningxian", GXJ): [
        ("经费下达数", 20, 20),
        ("规上企业工业增加值", 8, 8),
        ("新入规企业数", 8, 8),
        ("新增市场主体", 8, 8),
        ("保障机关正常运转", 8, 7.2),
        ("经费及时支付率", 8, 7.2),
        ("促进全县工业发展", 20, 18),
        ("职工满意度", 10, 10),
    ],
    ("ningxian", XINRUGUI): [
        ("成本控制数", 20, 20),
        ("规模以上工业企业增加值增速", 13.33, 8.33),
        ("新增规模以上工业企业", 13.33, 13.33),
        ("纳入规模以上统计，企业正常运行，年销售收入达标", 13.34, 13.34),
        ("促进全县中小企业发展", 10, 9),
        ("新建中小企业规模", 10, 10),
        ("补贴对象满意度", 10, 10),
    ],
    ("ningxian", SHIJI): [
        ("奖励资金", 20, 20),
        ("任务完成率", 13.33, 12),
        ("任务完成质量", 13.33, 12),
        ("资金保障及时性", 13.34, 12.01),
        ("提高对工作实绩的重要性认识", 20, 18),
        ("参与人员满意度", 10, 10),
    ],
    ("ningxian", ZHUCUN): [
        ("生活补助人员", 20, 20),
        ("生活补助经费", 13.33, 13.33),
        ("驻村帮扶完成率", 13.33, 12),
        ("驻村生活补助按时率", 13.34, 13.34),
        ("逐步提升帮扶村生活水平", 20, 18),
        ("当地居民满意率", 10, 10),
    ],
    ("ningxian", ZHAOSHANG): [
        ("成本控制数", 20, 20),
        ("招商专班引进资金", 13.33, 9.52),
        ("资金支付准确率", 13.33, 13.33),
        ("资金支付及时率", 13.34, 13.34),
        ("保障招商专班工作正常推进", 20, 18),
        ("外来投资客商满意度", 10, 10),
    ],
    ("ningxian", ZHUANWA): [
        ("成本控制数", 20, 20),
        ("砖瓦轮窑拆除数量", 13.33, 13.33),
        ("完成轮窑拆除销号", 13.33, 13.33),
        ("按工作计划时限完成工作", 13.34, 13.34),
        ("促进砖瓦企业转型升级", 10, 9),
        ("消除砖瓦轮窑环境隐患", 10, 9),
        ("拆除对象满意度", 10, 10),
    ],
    ("chaoyang", DEPT): [
        ("重点工作办结率", 3.5, 3.5),
        ("总体工作完成率", 3.3, 3.3),
        ("工作完成及时率", 3.3, 3.3),
        ("工作质量达标率", 3.3, 3.3),
        ("综合管理水平", 3.3, 3.3),
        ("依法行政能力", 3.3, 3.3),
        ("预算调整率", 1.6, 1.6),
        ("结转结余变动率", 1.8, 1.8),
        ("预算执行率", 1.6, 1.472),
        ("预算绩效目标覆盖率", 0.7, 0.7),
        ("预决算公开情况", 0.7, 0.7),
        ("预算收入管理规范性", 0.7, 0.7),
        ("预算支出管理规范性", 0.7, 0.7),
        ("内控制度有效性", 0.7, 0.7),
        ("固定资产利用率", 0.8, 0.8),
        ("政府采购管理违法违规行为发生次数", 0.7, 0.7),
        ("“三公”经费变动率", 2.5, 2.5),
        ("在职人员控制率", 2.5, 2.5),
        ("工业企业对接推介企业户数", 6.8, 6.8),
        ("服务企业满意度", 6.6, 6.6),
        ("上级主管部门满意度", 6.6, 6.6),
        ("建立预算绩效管理机制", 1.8, 1.8),
        ("完善内控制度", 1.6, 1.6),
        ("推动工业供给侧结构性改革", 1.6, 1.6),
    ],
}


def _indicator_params():
    params = []
    for (seed, subject), items in SELFEVAL_INDICATORS.items():
        for i, (level3, weight, score) in enumerate(items, start=1):
            for field, expected in (("weight", weight), ("score", score)):
                params.append(
                    pytest.param(
                        seed,
                        subject,
                        level3,
                        field,
                        expected,
                        id=f"{SEED_ALIAS[seed]}-{ALIAS[subject]}-i{i:02d}-{field}",
                    )
                )
    return params


@pytest.mark.parametrize(("seed", "subject", "level3", "field", "expected"), _indicator_params())
def test_selfeval_indicator_cell(request, seed, subject, level3, field, expected):
    dept = _dept(request, seed)
    rows = subject_rows(dept, "selfeval_indicators", subject)
    row = one_row(rows, "level3", level3, f"自评指标 {subject}", exact=True)
    value, text = cell(row, field)
    check_value(value, expected, f"自评指标 {subject} / {level3} / {field}", text)


# ----------------------------------------------------------------------------------------
# 5. weight sums that hold in the published tables
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("subject", PROJECTS, ids=lambda s: ALIAS[s])
def test_ningxian_project_weights_sum_to_100(ningxian, subject):
    indicators = (
        subject_rows(ningxian, "selfeval_indicators", subject)["weight"].astype(float).sum()
    )
    money = one_row(
        subject_rows(ningxian, "selfeval_funds", subject), "line", "年度资金总额", subject
    )["weight"]
    assert float(indicators) + float(money) == pytest.approx(100, abs=0.005)


def test_chaoyang_weights_sum_to_100(chaoyang):
    tasks = chaoyang.tables["tasks"]["weight"].astype(float).sum()
    indicators = subject_rows(chaoyang, "selfeval_indicators", DEPT)["weight"].astype(float).sum()
    assert float(tasks) == pytest.approx(40, abs=0.005)  # 13.3 + 13.3 + 13.4
    assert float(tasks + indicators) == pytest.approx(100, abs=0.005)


# ----------------------------------------------------------------------------------------
# 6. 部门信息 and the project list
# ----------------------------------------------------------------------------------------
INFO_FACTS = [
    ("ningxian", "dept_id", "ningxian-gxj"),
    ("ningxian", "name", "宁县工业和信息化局"),
    ("ningxian", "year", 2024),
    ("ningxian", "staff_quota", 17),  # 人员编制数(人) 17
    ("ningxian", "staff_actual", 22),  # 在职人员总数(人) 22
    ("ningxian", "approved_total", 371.47),  # 批复县工信局 371.47 万元
    ("ningxian", "approval_doc_no", "宁财发〔2024〕5号"),
    ("ningxian", "approval_date", dt.date(2024, 2, 18)),
    ("ningxian", "publication_date", dt.date(2024, 3, 6)),
    ("chaoyang", "dept_id", "chaoyang-gxfwzx"),
    ("chaoyang", "year", 2024),
]


@pytest.mark.parametrize(
    ("seed", "key", "expected"),
    [pytest.param(*t, id=f"{SEED_ALIAS[t[0]]}-{t[1]}") for t in INFO_FACTS],
)
def test_info_fact(request, seed, key, expected):
    actual = _dept(request, seed).info.get(key)
    if isinstance(expected, str):
        assert norm(actual) == norm(expected)
    elif isinstance(expected, float):
        check_value(actual, expected, key)
    else:
        assert actual == expected


def test_chaoyang_name(chaoyang):
    # 部门（单位）名称 703010朝阳市工业和信息化工作服务中心-211300000
    assert "朝阳市工业和信息化工作服务中心" in norm(chaoyang.info["name"])


# Optional 部门信息 fields: published in the seed, checked when the transcriber filled them.
OPTIONAL_INFO = [
    ("ningxian", "budget_personnel", 292.4),  # 人员经费 29 2.4
    ("ningxian", "budget_public", 29.07),  # 公用经费 29 .07
    ("ningxian", "budget_basic", 321.47),  # 合计 32 1.47
    ("ningxian", "budget_project", 50),
    ("ningxian", "budget_total", 371.47),
    ("ningxian", "income_total", 371.47),
    ("ningxian", "internal_unit_count", 5),
    ("ningxian", "contact", "范楷"),
    ("ningxian", "phone", "15294409283"),
    ("ningxian", "sanding_doc_no", "宁办字〔2019〕42号"),
    ("ningxian", "report_date", dt.date(2025, 6, 30)),
    ("chaoyang", "income_total", 175.41),  # 部门年初预算收入金额 175.41
    ("chaoyang", "budget_total", 175.4052),  # 部门年初预算支出金额 175.4052
]


@pytest.mark.parametrize(
    ("seed", "key", "expected"),
    [pytest.param(*t, id=f"{SEED_ALIAS[t[0]]}-{t[1]}") for t in OPTIONAL_INFO],
)
def test_optional_info_fact(request, seed, key, expected):
    actual = _dept(request, seed).info.get(key)
    if actual is None or actual == "" or (isinstance(actual, float) and math.isnan(actual)):
        pytest.skip(f"{key} not filled in")
    if isinstance(expected, str):
        assert norm(actual) == norm(expected)
    elif isinstance(expected, dt.date):
        assert actual == expected
    else:
        assert float(actual) == pytest.approx(expected, abs=0.00005)


def test_project_names(ningxian):
    # 五(一): 部门 2024 年度共实施 6 个项目
    assert sorted(ningxian.projects["name"]) == sorted(PROJECTS)


def _project(dept, name: str) -> pd.Series:
    return one_row(dept.projects, "name", name, "项目清单", exact=True)


# 五(一): 2023年工作实绩考核奖励资金 1.8 万元；驻村 2 万元；砖瓦轮窑 2.87 万元；
# 工信局工作经费 1.04 万元；招商专班 3 万元.
# 新入规 fully paid (自评表 全年执行数 500000, “已完成 100%支付”).
REPORTED_EXECUTED_WAN = {SHIJI: 1.8, ZHUCUN: 2, ZHUANWA: 2.87, GXJ: 1.04, ZHAOSHANG: 3}


@pytest.mark.parametrize("name", list(REPORTED_EXECUTED_WAN), ids=lambda s: ALIAS[s])
def test_project_executed_matches_report_body(ningxian, name):
    executed = float(_project(ningxian, name)["executed"])
    assert round(executed / WAN, 2) == pytest.approx(REPORTED_EXECUTED_WAN[name], abs=1e-9)


def test_xinrugui_executed(ningxian):
    assert float(_project(ningxian, XINRUGUI)["executed"]) == pytest.approx(500000, abs=0.005)


# 项目清单 全年预算数 (元): monitoring tables / self-evaluation tables; 工信局工作经费 = 10414.
PROJECT_FINAL_BUDGET = {
    XINRUGUI: 500000,
    GXJ: 10414,
    SHIJI: 18000,
    ZHUCUN: 20000,
    ZHAOSHANG: 30000,
    ZHUANWA: 100000,
}
# 项目清单 全年执行数 (元), self-evaluation tables.
PROJECT_EXECUTED = {
    XINRUGUI: 500000,
    GXJ: 10380.95,
    SHIJI: 18000,
    ZHUCUN: 20000,
    ZHAOSHANG: 29978,
    ZHUANWA: 28700,
}


@pytest.mark.parametrize("name", PROJECTS, ids=lambda s: ALIAS[s])
def test_project_final_budget(ningxian, name):
    row = _project(ningxian, name)
    check_value(
        row["final_budget"],
        PROJECT_FINAL_BUDGET[name],
        f"{name} 全年预算数",
        row.get("final_budget_text"),
    )


@pytest.mark.parametrize("name", PROJECTS, ids=lambda s: ALIAS[s])
def test_project_executed(ningxian, name):
    row = _project(ningxian, name)
    check_value(
        row["executed"], PROJECT_EXECUTED[name], f"{name} 全年执行数", row.get("executed_text")
    )


def test_gxj_budget_disagreement_is_kept(ningxian):
    # 项目清单 uses 10414 (监控表); the 自评表 money row keeps the published 104140.
    project = _project(ningxian, GXJ)
    selfeval = one_row(subject_rows(ningxian, "selfeval_funds", GXJ), "line", "年度资金总额", GXJ)
    assert float(project["final_budget"]) == pytest.approx(10414, abs=0.005)
    assert float(selfeval["final_budget"]) == pytest.approx(104140, abs=0.005)


# 年初纳入预算: 1 个部门和 1 个项目 (新入规, 申报属性 001 新增项目); 年中调整增加 5 个项目.
# 五(四): 工作实绩考核奖励资金、驻村工作队经费…、工信局工作经费 are the 3 延续类项目.
PROJECT_STATUS = {
    XINRUGUI: "新增",
    GXJ: "延续",
    SHIJI: "延续",
    ZHUCUN: "延续",
    ZHAOSHANG: "新增",
    ZHUANWA: "新增",
}


@pytest.mark.parametrize("name", PROJECTS, ids=lambda s: ALIAS[s])
def test_project_status(ningxian, name):
    assert _project(ningxian, name)["status"] == PROJECT_STATUS[name]


@pytest.mark.parametrize("name", PROJECTS, ids=lambda s: ALIAS[s])
def test_project_in_initial_budget(ningxian, name):
    expected = "是" if name == XINRUGUI else "否"
    assert _project(ningxian, name)["in_initial_budget"] == expected
