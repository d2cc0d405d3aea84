"""Test support: a clean synthetic department, and a fault injector.

``clean_records()`` is a small department (two projects) whose tables are complete and
mutually consistent: every rule should pass it without an error-severity finding.
``FAULTS`` lists known faults, one function each, that break exactly one thing and name
the rule that must find it; ``detection_report()`` injects each and measures recall.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .model import Department
from .records import department_from_records

P1 = "示范企业培训项目"
P2 = "示范产业规划编制项目"
DEPT = "部门整体"


def _ind(subject: str, l1: str, l2: str, l3: str, target: str, unit: str = "") -> dict[str, Any]:
    return {
        "对象": subject,
        "一级指标": l1,
        "二级指标": l2,
        "三级指标": l3,
        "指标值": target,
        "度量单位": unit,
    }


def _se(
    subject: str,
    l1: str,
    l2: str,
    l3: str,
    target: str,
    actual: str,
    unit: str,
    weight: float,
    completion: str,
    score: float,
) -> dict[str, Any]:
    return {
        "对象": subject,
        "一级指标": l1,
        "二级指标": l2,
        "三级指标": l3,
        "年度指标值": target,
        "实际完成值": actual,
        "度量单位": unit,
        "分值": weight,
        "完成率": completion,
        "得分": score,
    }


def _mon(subject: str, l1: str, l2: str, l3: str, target: str, to_date: str) -> dict[str, Any]:
    return {
        "对象": subject,
        "监控截止日期": "2024-09-30",
        "一级指标": l1,
        "二级指标": l2,
        "三级指标": l3,
        "年度指标值": target,
        "监控期执行情况": to_date,
        "全年预计完成情况": target,
        "完成目标可能性": "确定能",
    }


def _mfund(subject: str, budget: float, to_date: float) -> list[dict[str, Any]]:
    rate = round(to_date / budget * 100, 2)
    return [
        {
            "对象": subject,
            "监控截止日期": "2024-09-30",
            "资金类别": "年度资金总额",
            "行级别": "合计",
            "年初预算数": budget,
            "全年预算数": budget,
            "监控期执行数": to_date,
            "监控期执行率": rate,
            "全年预计执行数": budget,
            "金额单位": "元",
        },
        {
            "对象": subject,
            "监控截止日期": "2024-09-30",
            "资金类别": "财政拨款",
            "行级别": "其中",
            "年初预算数": budget,
            "全年预算数": budget,
            "监控期执行数": to_date,
            "监控期执行率": rate,
            "全年预计执行数": budget,
            "金额单位": "元",
        },
    ]


def clean_records() -> dict[str, Any]:
    """A small, complete, consistent department (a fresh deep copy on every call)."""
    return copy.deepcopy(_CLEAN)


_DEPT_TARGETS = [
    ("部门管理", "资金投入", "基本支出预算执行率", "=100%", "%"),
    ("部门管理", "资金投入", "项目支出预算执行率", "=100%", "%"),
    ("产出指标", "数量指标", "示范企业培训人次", "≥200人次", "人次"),
    ("产出指标", "质量指标", "示范产业发展规划编制完成率", "=100%", "%"),
    ("效益指标", "社会效益指标", "示范企业服务覆盖率", "≥90%", "%"),
    ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%", "%"),
]
_P1_TARGETS = [
    ("成本指标", "经济成本指标", "培训成本", "≤20万元", "万元"),
    ("产出指标", "数量指标", "培训企业人员人次", "≥200人次", "人次"),
    ("产出指标", "时效指标", "培训按期完成率", "=100%", "%"),
    ("效益指标", "社会效益指标", "参训企业技能提升比例", "≥80%", "%"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", "%"),
]
_P2_TARGETS = [
    ("成本指标", "经济成本指标", "规划编制费用", "≤10万元", "万元"),
    ("产出指标", "数量指标", "编制规划数量", "=1个", "个"),
    ("产出指标", "质量指标", "规划通过评审率", "=100%", "%"),
    ("效益指标", "社会效益指标", "规划指导企业数", "≥20家", "家"),
    ("效益指标", "可持续影响指标", "规划对产业发展的指导作用", "提升", ""),
    ("满意度指标", "服务对象满意度指标", "相关企业满意度", "≥90%", "%"),
]

_CLEAN: dict[str, Any] = {
    "部门信息": {
        "部门编码": "test-dept",
        "部门名称": "测试县示范产业发展局",
        "年度": 2024,
        "所属地区": "测试县",
        "三定文件名称": "《测试县示范产业发展局职能配置、内设机构和人员编制规定》",
        "三定文号": "测办字〔2020〕1号",
        "部门职能": "负责示范产业发展规划的制定和组织实施；负责示范企业服务和人员培训工作。",
        "核心职能": "制定示范产业发展规划并组织实施；开展示范企业服务和人员培训",
        "内设机构": "办公室、规划股、服务股",
        "内设机构数": 3,
        "编制数": 10,
        "在职人员数": 9,
        "基本支出合计（万元）": 100,
        "项目支出合计（万元）": 30,
        "支出预算合计（万元）": 130,
        "收入预算合计（万元）": 130,
        "评估委托方": "测试县财政局",
        "评估机构": "测试评估咨询有限公司",
        "预算批复文件": "《关于批复2024年部门预算的通知》",
        "预算批复文号": "测财发〔2024〕1号",
        "预算批复日期": "2024-02-01",
        "批复金额（万元）": 130,
        "批复绩效目标": f"部门整体、{P1}、{P2}",
        "预算公开日期": "2024-02-15",
        "公开网址": "https://example.invalid/yusuan/2024",
        "绩效目标是否公开": "是",
        "编报审核情况": "由财务股编制，经局务会审定后报财政局审核批复。",
        "监控期间": "1-9月",
        "部门整体自评报告": "是",
        "项目自评报告": "是",
    },
    "评估依据": [
        {"文件名称": "《项目支出绩效评价管理办法》", "文号": "财预〔2020〕10号", "层级": "国家"}
    ],
    "项目清单": [
        {
            "项目名称": P1,
            "新增或延续": "新增",
            "是否年初预算": "是",
            "年初预算数": 200000,
            "全年预算数": 200000,
            "全年执行数": 200000,
            "金额单位": "元",
            "基本情况": "组织示范企业人员培训200人次，提升示范企业服务能力。",
        },
        {
            "项目名称": P2,
            "新增或延续": "延续",
            "是否年初预算": "是",
            "年初预算数": 100000,
            "全年预算数": 100000,
            "全年执行数": 95000,
            "金额单位": "元",
            "基本情况": "编制示范产业发展规划1部，指导示范企业发展。",
        },
    ],
    "年度目标": [
        {"对象": DEPT, "来源表": "目标表", "序号": 1, "目标内容": "制定示范产业发展规划并组织实施"},
        {
            "对象": DEPT,
            "来源表": "目标表",
            "序号": 2,
            "目标内容": "开展示范企业服务和人员培训200人次",
        },
        {"对象": P1, "来源表": "目标表", "序号": 1, "目标内容": "组织示范企业人员培训200人次"},
        {
            "对象": P2,
            "来源表": "目标表",
            "序号": 1,
            "目标内容": "编制示范产业发展规划1部并通过评审",
        },
        {
            "对象": DEPT,
            "来源表": "自评表",
            "序号": 1,
            "目标内容": "制定示范产业发展规划并组织实施",
            "实际完成情况": "已完成",
        },
        {
            "对象": DEPT,
            "来源表": "自评表",
            "序号": 2,
            "目标内容": "开展示范企业服务和人员培训200人次",
            "实际完成情况": "已完成210人次",
        },
    ],
    "目标表指标": [
        *[_ind(DEPT, *t) for t in _DEPT_TARGETS],
        *[_ind(P1, *t) for t in _P1_TARGETS],
        *[
            {**_ind(P2, *t), **({"指标值类型": "定性"} if t[3] == "提升" else {})}
            for t in _P2_TARGETS
        ],
    ],
    "监控资金": [
        *_mfund(DEPT, 1300000, 975000),
        *_mfund(P1, 200000, 150000),
        *_mfund(P2, 100000, 72000),
    ],
    "监控指标": [
        _mon(DEPT, *_DEPT_TARGETS[0][:4], "=75%"),
        _mon(DEPT, *_DEPT_TARGETS[1][:4], "=72%"),
        _mon(DEPT, *_DEPT_TARGETS[2][:4], "=160人次"),
        _mon(DEPT, *_DEPT_TARGETS[3][:4], "=80%"),
        _mon(DEPT, *_DEPT_TARGETS[4][:4], "=85%"),
        _mon(DEPT, *_DEPT_TARGETS[5][:4], "=92%"),
        _mon(P1, *_P1_TARGETS[0][:4], "=15万元"),
        _mon(P1, *_P1_TARGETS[1][:4], "=160人次"),
        _mon(P1, *_P1_TARGETS[2][:4], "=100%"),
        _mon(P1, *_P1_TARGETS[3][:4], "=80%"),
        _mon(P1, *_P1_TARGETS[4][:4], "=93%"),
        _mon(P2, *_P2_TARGETS[0][:4], "=7.2万元"),
        _mon(P2, *_P2_TARGETS[1][:4], "=1个"),
        _mon(P2, *_P2_TARGETS[2][:4], "=100%"),
        _mon(P2, *_P2_TARGETS[3][:4], "=16家"),
        _mon(P2, *_P2_TARGETS[4][:4], "提升"),
        _mon(P2, *_P2_TARGETS[5][:4], "=91%"),
    ],
    "自评表": [
        {"对象": DEPT, "版式": "部门整体", "分值合计": 100, "总分": 99.17, "等级": "优"},
        {"对象": P1, "版式": "项目支出", "分值合计": 100, "总分": 100, "等级": "优"},
        {"对象": P2, "版式": "项目支出", "分值合计": 100, "总分": 98, "等级": "优"},
    ],
    "自评资金": [
        {
            "对象": DEPT,
            "资金类别": "年度资金总额",
            "行级别": "合计",
            "年初预算数": 1300000,
            "全年预算数": 1300000,
            "全年执行数": 1260000,
            "执行率": 96.92,
            "分值": 10,
            "得分": 9.69,
            "金额单位": "元",
        },
        {
            "对象": DEPT,
            "资金类别": "（一）基本支出",
            "行级别": "分项",
            "年初预算数": 1000000,
            "全年预算数": 1000000,
            "全年执行数": 965000,
            "执行率": 96.5,
            "金额单位": "元",
        },
        {
            "对象": DEPT,
            "资金类别": "（二）项目支出",
            "行级别": "分项",
            "年初预算数": 300000,
            "全年预算数": 300000,
            "全年执行数": 295000,
            "执行率": 98.33,
            "金额单位": "元",
        },
        {
            "对象": P1,
            "资金类别": "年度资金总额",
            "行级别": "合计",
            "年初预算数": 200000,
            "全年预算数": 200000,
            "全年执行数": 200000,
            "执行率": 100,
            "分值": 10,
            "得分": 10,
            "金额单位": "元",
        },
        {
            "对象": P1,
            "资金类别": "其中：财政拨款",
            "行级别": "其中",
            "年初预算数": 200000,
            "全年预算数": 200000,
            "全年执行数": 200000,
            "执行率": 100,
            "分值": "-",
            "得分": 10,
            "金额单位": "元",
        },
        {
            "对象": P2,
            "资金类别": "年度资金总额",
            "行级别": "合计",
            "年初预算数": 100000,
            "全年预算数": 100000,
            "全年执行数": 95000,
            "执行率": 95,
            "分值": 10,
            "得分": 9.5,
            "金额单位": "元",
        },
        {
            "对象": P2,
            "资金类别": "其中：财政拨款",
            "行级别": "其中",
            "年初预算数": 100000,
            "全年预算数": 100000,
            "全年执行数": 95000,
            "执行率": 95,
            "分值": "-",
            "得分": 9.5,
            "金额单位": "元",
        },
    ],
    "自评指标": [
        _se(
            DEPT,
            "部门管理",
            "资金投入",
            "基本支出预算执行率",
            "=100%",
            "96.5",
            "%",
            10,
            "96.50%",
            9.65,
        ),
        _se(
            DEPT,
            "部门管理",
            "资金投入",
            "项目支出预算执行率",
            "=100%",
            "98.33",
            "%",
            10,
            "98.33%",
            9.83,
        ),
        _se(
            DEPT,
            "产出指标",
            "数量指标",
            "示范企业培训人次",
            "≥200人次",
            "210",
            "人次",
            20,
            "105.00%",
            20,
        ),
        _se(
            DEPT,
            "产出指标",
            "质量指标",
            "示范产业发展规划编制完成率",
            "=100%",
            "100",
            "%",
            20,
            "100.00%",
            20,
        ),
        _se(
            DEPT,
            "效益指标",
            "社会效益指标",
            "示范企业服务覆盖率",
            "≥90%",
            "92",
            "%",
            20,
            "102.22%",
            20,
        ),
        _se(
            DEPT,
            "满意度指标",
            "服务对象满意度指标",
            "服务企业满意度",
            "≥90%",
            "95",
            "%",
            10,
            "105.56%",
            10,
        ),
        _se(P1, "成本指标", "经济成本指标", "培训成本", "≤20万元", "20", "万元", 10, "100.00%", 10),
        _se(
            P1,
            "产出指标",
            "数量指标",
            "培训企业人员人次",
            "≥200人次",
            "210",
            "人次",
            20,
            "105.00%",
            20,
        ),
        _se(P1, "产出指标", "时效指标", "培训按期完成率", "=100%", "100", "%", 20, "100.00%", 20),
        _se(
            P1,
            "效益指标",
            "社会效益指标",
            "参训企业技能提升比例",
            "≥80%",
            "85",
            "%",
            30,
            "106.25%",
            30,
        ),
        _se(
            P1,
            "满意度指标",
            "服务对象满意度指标",
            "参训人员满意度",
            "≥90%",
            "95",
            "%",
            10,
            "105.56%",
            10,
        ),
        _se(
            P2,
            "成本指标",
            "经济成本指标",
            "规划编制费用",
            "≤10万元",
            "9.5",
            "万元",
            10,
            "100.00%",
            10,
        ),
        _se(P2, "产出指标", "数量指标", "编制规划数量", "=1个", "1", "个", 20, "100.00%", 20),
        _se(P2, "产出指标", "质量指标", "规划通过评审率", "=100%", "100", "%", 20, "100.00%", 20),
        _se(
            P2, "效益指标", "社会效益指标", "规划指导企业数", "≥20家", "20", "家", 15, "100.00%", 15
        ),
        _se(
            P2,
            "效益指标",
            "可持续影响指标",
            "规划对产业发展的指导作用",
            "提升",
            "100%-80%(含)",
            "",
            15,
            "90%",
            13.5,
        ),
        _se(
            P2,
            "满意度指标",
            "服务对象满意度指标",
            "相关企业满意度",
            "≥90%",
            "92",
            "%",
            10,
            "102.22%",
            10,
        ),
    ],
}


def make_department(records: dict[str, Any] | None = None) -> Department:
    """A Department from records (default: the clean department), validated like a file."""
    return department_from_records(records if records is not None else clean_records())


# ----------------------------------------------------------------------------------------
# fault injection
# ----------------------------------------------------------------------------------------
Records = dict[str, Any]


@dataclass(frozen=True)
class Fault:
    id: str
    description: str  # Chinese
    rule_id: str  # the rule that must find it
    inject: Callable[[Records], None]


def _find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    raise KeyError(match)


def _f_wrong_score(r: Records) -> None:
    _find(r["自评指标"], 对象=P1, 三级指标="培训企业人员人次")["得分"] = 15


def _f_total_off(r: Records) -> None:
    _find(r["自评表"], 对象=P1)["总分"] = 95


def _f_weight_110(r: Records) -> None:
    row = _find(r["自评指标"], 对象=P2, 三级指标="规划通过评审率")
    row["分值"], row["得分"] = 30, 30
    _find(r["自评表"], 对象=P2)["总分"] = 108


def _f_no_targets(r: Records) -> None:
    r["目标表指标"] = [x for x in r["目标表指标"] if x["对象"] != P2]
    r["年度目标"] = [x for x in r["年度目标"] if not (x["对象"] == P2 and x["来源表"] == "目标表")]


def _f_nonbinding(r: Records) -> None:
    for sheet, col in (
        ("目标表指标", "指标值"),
        ("监控指标", "年度指标值"),
        ("自评指标", "年度指标值"),
    ):
        _find(r[sheet], 对象=DEPT, 三级指标="项目支出预算执行率")[col] = "≤100%"


def _f_money_mismatch(r: Records) -> None:
    _find(r["监控资金"], 对象=P1, 资金类别="年度资金总额")["全年预算数"] = 210000


def _f_changed_target(r: Records) -> None:
    _find(r["自评指标"], 对象=P1, 三级指标="培训企业人员人次")["年度指标值"] = "≥150人次"


def _f_cost_above_spending(r: Records) -> None:
    row = _find(r["自评指标"], 对象=P2, 三级指标="规划编制费用")
    row["实际完成值"] = "12"


def _f_band(r: Records) -> None:
    _find(r["自评指标"], 对象=P2, 三级指标="规划对产业发展的指导作用")["得分"] = 8
    _find(r["自评表"], 对象=P2)["总分"] = 92.5


def _f_exec_score(r: Records) -> None:
    _find(r["自评资金"], 对象=P2, 资金类别="年度资金总额")["得分"] = 10
    _find(r["自评表"], 对象=P2)["总分"] = 98.5


def _f_placeholder(r: Records) -> None:
    for sheet in ("目标表指标", "监控指标", "自评指标"):
        _find(r[sheet], 对象=P1, 三级指标="培训企业人员人次")["三级指标"] = "数量"


def _f_macro(r: Records) -> None:
    r["目标表指标"].append(
        _ind(P1, "效益指标", "经济效益指标", "全县规模以上工业增加值增速", "≥8%", "%")
    )


def _f_uncovered_function(r: Records) -> None:
    r["部门信息"]["核心职能"] += "；负责全县安全生产监督检查和事故调查处理"


def _f_no_dept_monitoring(r: Records) -> None:
    r["监控资金"] = [x for x in r["监控资金"] if x["对象"] != DEPT]
    r["监控指标"] = [x for x in r["监控指标"] if x["对象"] != DEPT]


def _f_forecast_below(r: Records) -> None:
    _find(r["监控指标"], 对象=P1, 三级指标="培训企业人员人次")["全年预计完成情况"] = "=150人次"


def _f_zero_spend_certain(r: Records) -> None:
    for row in r["监控资金"]:
        if row["对象"] == P2:
            row["监控期执行数"], row["监控期执行率"] = 0, 0
    for row in r["监控指标"]:
        if row["对象"] == P2 and "费用" in row["三级指标"]:
            row["监控期执行情况"] = "=0"


def _f_midyear_no_targets(r: Records) -> None:
    r["项目清单"].append(
        {
            "项目名称": "年中追加专项工作经费",
            "新增或延续": "新增",
            "是否年初预算": "否",
            "年初预算数": 0,
            "全年预算数": 30000,
            "全年执行数": 30000,
            "金额单位": "元",
        }
    )


def _f_staff_rate(r: Records) -> None:
    _find(r["自评指标"], 对象=DEPT, 三级指标="服务企业满意度").update(
        {
            "三级指标": "在职人员控制率",
            "一级指标": "部门管理",
            "二级指标": "人员管理",
            "年度指标值": "=100%",
            "实际完成值": "100",
            "完成率": "100.00%",
        }
    )
    _find(r["目标表指标"], 对象=DEPT, 三级指标="服务企业满意度").update(
        {
            "三级指标": "在职人员控制率",
            "一级指标": "部门管理",
            "二级指标": "人员管理",
            "指标值": "=100%",
        }
    )
    _find(r["监控指标"], 对象=DEPT, 三级指标="服务企业满意度").update(
        {
            "三级指标": "在职人员控制率",
            "一级指标": "部门管理",
            "二级指标": "人员管理",
            "年度指标值": "=100%",
            "全年预计完成情况": "=100%",
            "监控期执行情况": "=90%",
        }
    )


def _f_grade(r: Records) -> None:
    _find(r["自评表"], 对象=P1)["等级"] = "良"


def _f_unpublished(r: Records) -> None:
    r["部门信息"]["绩效目标是否公开"] = "否"


FAULTS: tuple[Fault, ...] = (
    Fault("wrong_score", "定量指标得分错误（应得20分，填15分）", "SC001", _f_wrong_score),
    Fault("total_off_by_5", "总分比各行得分之和少5分", "SC006", _f_total_off),
    Fault("weight_sum_110", "分值合计为110", "SC007", _f_weight_110),
    Fault("qualitative_out_of_band", "定性指标得分不在所选档次内", "SC002", _f_band),
    Fault("execution_score", "预算执行率得分与执行率不符", "SC004", _f_exec_score),
    Fault("wrong_grade", "等级与总分不符", "SC012", _f_grade),
    Fault("project_without_targets", "执行项目没有绩效目标表", "CV001", _f_no_targets),
    Fault("midyear_without_targets", "年中追加项目未编报绩效目标", "PR001", _f_midyear_no_targets),
    Fault("nonbinding_execution_rate", "预算执行率指标值为“≤100%”", "IQ001", _f_nonbinding),
    Fault("placeholder_indicator", "三级指标只写了“数量”", "IQ002", _f_placeholder),
    Fault("macro_indicator", "小额项目设置全县宏观指标", "RL002", _f_macro),
    Fault("uncovered_function", "部门整体目标未覆盖一项核心职能", "RL001", _f_uncovered_function),
    Fault("no_department_monitoring", "缺少部门整体绩效监控", "MN001", _f_no_dept_monitoring),
    Fault("forecast_below_target", "预计完成值低于目标但无偏差原因", "MN004", _f_forecast_below),
    Fault(
        "zero_spending_certain",
        "监控期零支出仍判断“确定能”且无原因",
        "MN005",
        _f_zero_spend_certain,
    ),
    Fault(
        "money_mismatch",
        "同一项目的全年预算数在监控表与项目清单中不一致",
        "XC001",
        _f_money_mismatch,
    ),
    Fault(
        "changed_target", "自评表的指标值与目标表不一致（未经批准调整）", "XC002", _f_changed_target
    ),
    Fault(
        "cost_actual_above_spending", "成本指标实际值高于实际支出", "XC003", _f_cost_above_spending
    ),
    Fault("staff_control_rate", "在职人员控制率与编制数、在职人员数不符", "XC005", _f_staff_rate),
    Fault("targets_unpublished", "绩效目标未公开", "PR003", _f_unpublished),
)


def inject(fault: Fault, records: Records | None = None) -> Records:
    """A copy of ``records`` (default: the clean department) with one fault injected."""
    out = copy.deepcopy(records) if records is not None else clean_records()
    fault.inject(out)
    return out


def detection_report() -> pd.DataFrame:
    """Inject every fault into the clean department and record whether it was found.

    One row per fault: fault id, expected rule, found (bool), and the rule ids that fired
    with error severity that do not fire on the clean department (collateral).
    """
    from .check import check

    clean_ids = set(check(make_department())["rule_id"])
    rows = []
    for fault in FAULTS:
        found = check(make_department(inject(fault)))
        ids = set(found["rule_id"])
        rows.append(
            {
                "fault": fault.id,
                "description": fault.description,
                "rule_id": fault.rule_id,
                "found": fault.rule_id in ids,
                "new_rules": sorted(ids - clean_ids),
            }
        )
    return pd.DataFrame(rows)
