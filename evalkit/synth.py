"""Synthetic county generator: realistic department workbooks from a seed, with faults.

:func:`synth_department` builds the *records* (see :mod:`evalkit.records`) of one
department: 部门信息, 评估依据, 项目清单 (new, continuing and mid-year projects), 年度目标,
目标表指标 (6–12 indicators per subject over 成本/产出/效益/满意度), 监控资金 and 监控指标
(one monitoring date), 自评表, 自评资金 and 自评指标 with every score, rate, completion and
total computed by the scoring rules, so that a department generated with ``fault_rate=0``
re-scores exactly and has no error-severity finding. With ``fault_rate > 0`` a share of the
subjects gets one injected fault each (the fault kinds of :data:`evalkit.testing.FAULTS`
generalised to any project, plus wrong rates, overruns and money mismatches); the faults
injected are listed by :func:`synth_faults`.

:func:`synth_county` writes N real ``.xlsx`` workbooks and one params YAML per department.

Everything is reproducible from the seed: every random draw comes from one
``random.Random(seed)``; no global state is read or changed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .records import write_workbook
from .schema import DEPARTMENT

__all__ = [
    "SECTORS",
    "SynthFault",
    "synth_county",
    "synth_department",
    "synth_faults",
]

YEAR = 2024
Records = dict[str, Any]


# ----------------------------------------------------------------------------------------
# vocabulary
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Facility:
    """A thing a construction project builds: its name and how its quantity is counted."""

    name: str
    quantity: str  # 三级指标 for the quantity built
    unit: str
    low: int
    high: int
    step: int


@dataclass(frozen=True)
class Sector:
    """One kind of county department, with the words its projects and targets use."""

    dept: str  # department name without the county
    functions: tuple[str, ...]  # core functions (三定), one clause each
    topics: tuple[str, ...]  # training / planning / operations / campaign / monitoring topics
    audience: str  # who is trained
    facilities: tuple[Facility, ...]
    subsidies: tuple[str, ...]  # subsidy objects
    equipment: tuple[str, ...]  # units that buy equipment
    # department-level indicators: (一级, 二级, 三级, op, low, high, step, unit)
    dept_indicators: tuple[tuple[str, str, str, str, float, float, float, str], ...]


SECTORS: tuple[Sector, ...] = (
    Sector(
        "农业农村局",
        (
            "负责农业产业发展规划的编制和组织实施",
            "负责高标准农田建设和耕地质量保护",
            "负责农业技术推广和高素质农民培育",
            "负责动物疫病防控和农产品质量安全监管",
        ),
        (
            "高素质农民",
            "农业实用技术",
            "动物疫病防控",
            "农产品质量安全",
            "农村人居环境整治",
            "耕地质量保护",
        ),
        "农民",
        (
            Facility("高标准农田", "建成高标准农田面积", "亩", 500, 5000, 100),
            Facility("田间道路", "硬化田间道路里程", "公里", 2, 20, 1),
            Facility("农田灌溉设施", "新建灌溉渠道长度", "米", 500, 8000, 100),
        ),
        ("耕地地力保护", "农机购置", "种粮大户", "畜禽粪污资源化利用"),
        ("动物防疫站", "农产品检测站", "农技推广中心"),
        (
            ("产出指标", "数量指标", "培育高素质农民人数", "≥", 100, 600, 10, "人"),
            ("产出指标", "数量指标", "新建高标准农田面积", "≥", 5000, 30000, 500, "亩"),
            ("产出指标", "质量指标", "农产品质量安全抽检合格率", "≥", 96, 98, 1, "%"),
            ("效益指标", "社会效益指标", "重大动物疫病免疫密度", "≥", 90, 95, 5, "%"),
            ("效益指标", "可持续影响指标", "耕地质量等级提升面积", "≥", 2000, 10000, 500, "亩"),
            ("满意度指标", "服务对象满意度指标", "农户满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "教育局",
        (
            "负责学前教育和义务教育均衡发展",
            "负责教师队伍建设和教师培训",
            "负责学生资助政策落实",
            "负责校园安全和学校基础设施建设管理",
        ),
        ("中小学教师", "校园安全", "学前教育", "学生资助", "课后服务", "心理健康教育"),
        "教师",
        (
            Facility("学校运动场", "新建塑胶运动场面积", "平方米", 1000, 8000, 100),
            Facility("教学楼维修改造", "维修改造校舍面积", "平方米", 500, 6000, 100),
            Facility("学校食堂", "改扩建学校食堂数量", "所", 1, 6, 1),
        ),
        ("家庭经济困难学生", "营养改善计划", "学前教育幼儿", "乡村教师生活"),
        ("中心小学", "教育信息中心", "职业中学"),
        (
            ("产出指标", "数量指标", "教师培训人次", "≥", 300, 1500, 50, "人次"),
            ("产出指标", "数量指标", "资助家庭经济困难学生人数", "≥", 500, 3000, 100, "人"),
            ("产出指标", "质量指标", "义务教育巩固率", "≥", 95, 98, 1, "%"),
            ("效益指标", "社会效益指标", "学前教育毛入园率", "≥", 85, 92, 1, "%"),
            ("效益指标", "可持续影响指标", "校园安全责任事故发生数", "=", 0, 0, 1, "起"),
            ("满意度指标", "服务对象满意度指标", "学生家长满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "卫生健康局",
        (
            "负责基本公共卫生服务项目的组织实施",
            "负责疾病预防控制和突发公共卫生事件应急处置",
            "负责基层医疗卫生机构建设和管理",
            "负责妇幼健康和老龄健康服务",
        ),
        ("基层卫生人员", "健康教育", "疾病预防控制", "妇幼保健", "老年健康服务", "慢性病管理"),
        "基层医务人员",
        (
            Facility("村卫生室", "新建标准化村卫生室数量", "个", 2, 12, 1),
            Facility("乡镇卫生院", "改造乡镇卫生院业务用房面积", "平方米", 300, 3000, 100),
        ),
        ("计划生育特殊家庭", "农村孕产妇住院分娩", "乡村医生", "重大疾病患者"),
        ("疾控中心", "妇幼保健院", "中心卫生院"),
        (
            ("产出指标", "数量指标", "居民电子健康档案建档人数", "≥", 50000, 200000, 5000, "人"),
            ("产出指标", "质量指标", "适龄儿童免疫规划疫苗接种率", "≥", 90, 95, 5, "%"),
            ("产出指标", "数量指标", "开展健康教育讲座次数", "≥", 50, 300, 10, "次"),
            ("效益指标", "社会效益指标", "孕产妇系统管理率", "≥", 85, 92, 1, "%"),
            ("效益指标", "社会效益指标", "高血压患者规范管理率", "≥", 60, 70, 5, "%"),
            ("满意度指标", "服务对象满意度指标", "城乡居民满意度", "≥", 85, 90, 5, "%"),
        ),
    ),
    Sector(
        "民政局",
        (
            "负责城乡最低生活保障和特困人员救助供养",
            "负责养老服务体系建设",
            "负责儿童福利和未成年人保护",
            "负责社会组织登记管理和社区治理",
        ),
        ("养老护理员", "社区治理", "未成年人保护", "社会救助", "婚姻登记服务", "殡葬改革"),
        "养老护理员",
        (
            Facility("农村互助幸福院", "新建农村互助幸福院数量", "个", 2, 10, 1),
            Facility("社区日间照料中心", "新建社区日间照料中心数量", "个", 1, 5, 1),
        ),
        ("城乡低保对象", "特困供养人员", "高龄老人", "困境儿童"),
        ("社会福利中心", "救助管理站", "敬老院"),
        (
            ("产出指标", "数量指标", "保障城乡低保对象人数", "≥", 3000, 15000, 500, "人"),
            ("产出指标", "数量指标", "新增养老服务床位数", "≥", 50, 300, 10, "张"),
            ("产出指标", "质量指标", "救助资金发放准确率", "=", 100, 100, 1, "%"),
            ("效益指标", "社会效益指标", "特困人员集中供养率", "≥", 40, 60, 5, "%"),
            ("效益指标", "社会效益指标", "困境儿童保障覆盖率", "=", 100, 100, 1, "%"),
            ("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "交通运输局",
        (
            "负责农村公路建设和养护管理",
            "负责道路运输和城乡客运管理",
            "负责交通运输安全生产监督管理",
            "负责交通基础设施建设项目的组织实施",
        ),
        ("道路运输从业人员", "农村公路养护", "交通安全", "城乡客运", "治超执法", "路域环境整治"),
        "从业人员",
        (
            Facility("农村公路", "新改建农村公路里程", "公里", 3, 40, 1),
            Facility("乡村桥梁", "新建改造桥梁数量", "座", 1, 6, 1),
            Facility("公交候车亭", "新建公交候车亭数量", "个", 5, 40, 1),
        ),
        ("农村客运", "出租车", "城市公交", "农村公路养护"),
        ("公路管理所", "运输管理所", "交通执法大队"),
        (
            ("产出指标", "数量指标", "农村公路养护里程", "≥", 300, 1500, 50, "公里"),
            ("产出指标", "数量指标", "开展安全检查次数", "≥", 20, 120, 5, "次"),
            ("产出指标", "质量指标", "农村公路优良中等路率", "≥", 75, 85, 5, "%"),
            ("效益指标", "社会效益指标", "建制村通客车率", "=", 100, 100, 1, "%"),
            ("效益指标", "社会效益指标", "道路运输较大安全事故发生数", "=", 0, 0, 1, "起"),
            ("满意度指标", "服务对象满意度指标", "群众出行满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "文化和旅游局",
        (
            "负责公共文化服务体系建设",
            "负责文物保护和非物质文化遗产传承",
            "负责旅游资源开发和旅游市场监管",
            "负责群众文化活动的组织开展",
        ),
        ("文化志愿者", "非物质文化遗产", "文物安全", "乡村旅游", "全民阅读", "群众文化"),
        "文化骨干",
        (
            Facility("村级文化广场", "新建村级文化广场数量", "个", 3, 15, 1),
            Facility("旅游厕所", "新建改建旅游厕所数量", "座", 2, 10, 1),
            Facility("文物保护设施", "修缮文物建筑面积", "平方米", 200, 2000, 100),
        ),
        ("送戏下乡", "农家书屋", "乡村旅游示范村", "非遗传承人"),
        ("图书馆", "文化馆", "博物馆"),
        (
            ("产出指标", "数量指标", "开展群众文化活动场次", "≥", 50, 300, 10, "场"),
            ("产出指标", "数量指标", "开展文物安全巡查次数", "≥", 12, 60, 4, "次"),
            ("产出指标", "质量指标", "公共文化场馆免费开放率", "=", 100, 100, 1, "%"),
            ("效益指标", "社会效益指标", "接待游客人次", "≥", 50, 300, 10, "万人次"),
            ("效益指标", "社会效益指标", "非遗项目传承人带徒人数", "≥", 20, 120, 10, "人"),
            ("满意度指标", "服务对象满意度指标", "群众文化活动满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "水务局",
        (
            "负责农村饮水安全工程建设和运行管理",
            "负责河湖长制和水资源保护",
            "负责防汛抗旱和水旱灾害防御",
            "负责水土保持和小型水利设施建设",
        ),
        ("河湖管护", "防汛抢险", "水资源保护", "水土保持", "农村饮水安全", "节约用水"),
        "水管员",
        (
            Facility("农村供水管网", "新建改造供水管网长度", "公里", 5, 60, 1),
            Facility("小型水库除险加固", "除险加固小型水库数量", "座", 1, 5, 1),
            Facility("河道治理", "治理河道长度", "公里", 2, 20, 1),
        ),
        ("农村供水工程维修养护", "小型水利工程管护", "河湖管护员", "节水灌溉"),
        ("水文站", "防汛抗旱指挥中心", "水土保持站"),
        (
            ("产出指标", "数量指标", "巡河巡湖次数", "≥", 500, 3000, 100, "次"),
            ("产出指标", "数量指标", "新增水土流失治理面积", "≥", 5, 40, 1, "平方公里"),
            ("产出指标", "质量指标", "农村集中供水水质达标率", "≥", 90, 95, 5, "%"),
            ("效益指标", "社会效益指标", "农村自来水普及率", "≥", 90, 95, 1, "%"),
            ("效益指标", "生态效益指标", "重要水功能区水质达标率", "≥", 80, 90, 5, "%"),
            ("满意度指标", "服务对象满意度指标", "农村群众饮水满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
    Sector(
        "工业和信息化局",
        (
            "负责工业和信息化产业发展规划的编制实施",
            "负责中小企业服务体系建设",
            "负责工业节能降耗和清洁生产推进",
            "负责企业技术改造和创新能力提升",
        ),
        ("企业经营管理人才", "中小企业服务", "工业节能", "安全生产", "信息化应用", "专精特新培育"),
        "企业管理人员",
        (
            Facility("标准化厂房", "建成标准化厂房面积", "平方米", 2000, 20000, 500),
            Facility("园区道路", "新建园区道路长度", "公里", 1, 8, 1),
        ),
        ("企业技术改造", "中小企业贷款贴息", "企业研发投入", "新入规企业"),
        ("工业园区管委会", "中小企业服务中心", "工业信息中心"),
        (
            ("产出指标", "数量指标", "服务中小企业户数", "≥", 100, 600, 20, "户"),
            ("产出指标", "数量指标", "开展节能监察企业数", "≥", 10, 60, 5, "家"),
            ("产出指标", "质量指标", "企业诉求办结率", "≥", 90, 95, 5, "%"),
            ("效益指标", "经济效益指标", "完成技术改造项目数", "≥", 5, 30, 1, "个"),
            ("效益指标", "社会效益指标", "企业培训覆盖率", "≥", 80, 90, 5, "%"),
            ("满意度指标", "服务对象满意度指标", "企业满意度", "≥", 85, 95, 5, "%"),
        ),
    ),
)

COUNTIES = ("澄溪县", "岚山县", "柳泽县", "青禾县", "云岭县", "石湾县")
TOWNS = (
    "城关镇", "东关镇", "西川镇", "南塬乡", "北坡乡", "新集镇",
    "和平乡", "长乐镇", "太平镇", "永安乡", "青石乡", "红星镇",
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
BASIS = (
    ("《中共中央 国务院关于全面实施预算绩效管理的意见》", "中发〔2018〕34号", "国家"),
    ("《项目支出绩效评价管理办法》", "财预〔2020〕10号", "国家"),
    ("《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》", "财预〔2021〕101号", "国家"),
    ("《预算绩效目标管理办法》", "", "省级"),
)
_CUMULATIVE_WORDS = ("执行率", "完成率", "支出率", "拨付率", "到位率", "覆盖率", "支付进度")

# project kinds: (kind, share of projects)
KINDS: tuple[tuple[str, float], ...] = (
    ("training", 0.15),
    ("construction", 0.2),
    ("subsidy", 0.15),
    ("equipment", 0.1),
    ("planning", 0.05),
    ("operations", 0.2),
    ("campaign", 0.1),
    ("monitoring", 0.05),
)

BUDGET = -1.0  # placeholder: the cost target is the project's full-year budget (万元)

# An indicator template: (一级, 二级, 三级, op, low, high, step, unit) with op one of
# ≥ ≤ = 定性 (for 定性 ``unit`` holds the qualitative target text). Names may use {topic},
# {aud} (audience) and {facility}.
Template = tuple[str, str, str, str, float, float, float, str]

TEMPLATES: dict[str, dict[str, tuple[Template, ...]]] = {
    "training": {
        "成本": (
            ("成本指标", "经济成本指标", "培训总成本", "≤", BUDGET, 0, 0, "万元"),
            ("成本指标", "经济成本指标", "人均培训成本", "≤", 300, 1500, 50, "元"),
        ),
        "产出": (
            ("产出指标", "数量指标", "培训{aud}人次", "≥", 100, 2000, 10, "人次"),
            ("产出指标", "数量指标", "举办培训班期数", "≥", 2, 20, 1, "期"),
            ("产出指标", "质量指标", "培训考核合格率", "≥", 90, 95, 5, "%"),
            ("产出指标", "时效指标", "培训按期完成率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "参训人员技能提升比例", "≥", 70, 85, 5, "%"),
            ("效益指标", "可持续影响指标", "{topic}培训成果应用", "定性", 0, 0, 0, "持续发挥作用"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", 85, 95, 5, "%"),),
    },
    "construction": {
        "成本": (("成本指标", "经济成本指标", "工程建设成本", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "{facility}", "≥", 0, 0, 0, ""),  # from the Facility
            ("产出指标", "质量指标", "工程验收合格率", "=", 100, 100, 1, "%"),
            ("产出指标", "时效指标", "工程按期完工率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "受益群众人数", "≥", 500, 20000, 100, "人"),
            ("效益指标", "可持续影响指标", "工程设计使用年限", "≥", 10, 30, 5, "年"),
            ("效益指标", "社会效益指标", "群众生产生活条件", "定性", 0, 0, 0, "持续改善"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", 85, 95, 5, "%"),),
    },
    "subsidy": {
        "成本": (
            ("成本指标", "经济成本指标", "补助资金总额", "≤", BUDGET, 0, 0, "万元"),
            ("成本指标", "经济成本指标", "补助标准", "=", 200, 1000, 50, "元/户"),
        ),
        "产出": (
            ("产出指标", "数量指标", "补助对象户数", "≥", 100, 5000, 10, "户"),
            ("产出指标", "质量指标", "补助对象认定准确率", "=", 100, 100, 1, "%"),
            ("产出指标", "时效指标", "补助资金按时发放率", "=", 100, 100, 1, "%"),
            ("产出指标", "数量指标", "补助资金发放批次", "≥", 1, 4, 1, "次"),
        ),
        "效益": (
            ("效益指标", "经济效益指标", "受助户户均增收", "≥", 200, 2000, 100, "元"),
            ("效益指标", "社会效益指标", "补助政策知晓率", "≥", 85, 95, 5, "%"),
            ("效益指标", "社会效益指标", "受助对象生活条件", "定性", 0, 0, 0, "有效改善"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "受助对象满意度", "≥", 85, 95, 5, "%"),),
    },
    "equipment": {
        "成本": (("成本指标", "经济成本指标", "设备购置成本", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "购置设备数量", "=", 2, 50, 1, "台"),
            ("产出指标", "质量指标", "设备验收合格率", "=", 100, 100, 1, "%"),
            ("产出指标", "时效指标", "设备采购按期完成率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "设备使用率", "≥", 85, 95, 5, "%"),
            ("效益指标", "可持续影响指标", "设备使用年限", "≥", 5, 10, 1, "年"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥", 85, 95, 5, "%"),),
    },
    "planning": {
        "成本": (("成本指标", "经济成本指标", "规划编制费用", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "编制规划数量", "=", 1, 3, 1, "个"),
            ("产出指标", "数量指标", "开展专题调研次数", "≥", 3, 12, 1, "次"),
            ("产出指标", "质量指标", "规划通过评审率", "=", 100, 100, 1, "%"),
            ("产出指标", "时效指标", "规划按期完成率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "可持续影响指标", "规划对{topic}工作的指导作用", "定性", 0, 0, 0, "提升"),
            ("效益指标", "社会效益指标", "规划任务落实率", "≥", 80, 90, 5, "%"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "相关单位满意度", "≥", 85, 95, 5, "%"),),
    },
    "operations": {
        "成本": (("成本指标", "经济成本指标", "工作经费支出", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "开展{topic}专项检查次数", "≥", 4, 40, 1, "次"),
            ("产出指标", "数量指标", "印发工作文件数量", "≥", 2, 10, 1, "份"),
            ("产出指标", "质量指标", "问题整改完成率", "≥", 90, 95, 5, "%"),
            ("产出指标", "时效指标", "工作任务按期完成率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "{topic}工作水平", "定性", 0, 0, 0, "持续提升"),
            ("效益指标", "社会效益指标", "群众诉求办结率", "≥", 90, 95, 5, "%"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", 85, 95, 5, "%"),),
    },
    "campaign": {
        "成本": (("成本指标", "经济成本指标", "宣传活动经费支出", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "开展宣传活动场次", "≥", 5, 50, 1, "场"),
            ("产出指标", "数量指标", "发放宣传资料份数", "≥", 1000, 20000, 500, "份"),
            ("产出指标", "时效指标", "宣传活动按期完成率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "{topic}知识知晓率", "≥", 80, 90, 5, "%"),
            ("效益指标", "社会效益指标", "群众参与人次", "≥", 1000, 20000, 100, "人次"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 85, 95, 5, "%"),),
    },
    "monitoring": {
        "成本": (("成本指标", "经济成本指标", "监测工作经费", "≤", BUDGET, 0, 0, "万元"),),
        "产出": (
            ("产出指标", "数量指标", "设置监测点位数", "≥", 5, 60, 1, "个"),
            ("产出指标", "数量指标", "采集检测样品数", "≥", 100, 3000, 50, "份"),
            ("产出指标", "质量指标", "监测数据有效率", "≥", 95, 95, 1, "%"),
            ("产出指标", "时效指标", "监测报告按时报送率", "=", 100, 100, 1, "%"),
        ),
        "效益": (
            ("效益指标", "社会效益指标", "{topic}风险隐患处置率", "≥", 90, 95, 5, "%"),
            ("效益指标", "可持续影响指标", "监测体系运行", "定性", 0, 0, 0, "长效稳定"),
        ),
        "满意度": (("满意度指标", "服务对象满意度指标", "相关单位满意度", "≥", 85, 95, 5, "%"),),
    },
}

#: general indicators added when a kind's own templates are fewer than the drawn count.
FILLERS: tuple[Template, ...] = (
    ("产出指标", "数量指标", "召开{topic}工作推进会次数", "≥", 2, 12, 1, "次"),
    ("产出指标", "数量指标", "开展{topic}督导检查次数", "≥", 2, 20, 1, "次"),
    ("产出指标", "质量指标", "项目资料归档完整率", "=", 100, 100, 1, "%"),
    ("产出指标", "时效指标", "资金支付及时率", "=", 100, 100, 1, "%"),
    ("效益指标", "社会效益指标", "{topic}工作群众知晓率", "≥", 80, 90, 5, "%"),
    ("效益指标", "可持续影响指标", "项目建立长效管护机制数", "≥", 1, 3, 1, "项"),
)

PROJECT_NAMES: dict[str, tuple[str, ...]] = {
    "training": ("{topic}培训项目", "{topic}能力提升培训项目"),
    "construction": ("{town}{facility}建设项目", "{town}{facility}项目"),
    "subsidy": ("{subsidy}补助资金", "{subsidy}奖补资金"),
    "equipment": ("{unit}设备购置项目", "{unit}仪器设备更新项目"),
    "planning": ("{topic}发展规划编制项目", "{topic}专项规划编制项目"),
    "operations": ("{topic}工作经费", "{topic}专项工作经费"),
    "campaign": ("{topic}宣传活动经费", "{topic}宣传教育项目"),
    "monitoring": ("{topic}监测项目", "{topic}监测评估项目"),
}
BASIC_INFO: dict[str, str] = {
    "training": "组织开展{topic}培训，提升{aud}业务能力和服务水平。",
    "construction": "在{town}实施{facility}建设，改善群众生产生活条件。",
    "subsidy": "按规定标准向符合条件的对象发放{subsidy}补助资金，做到应补尽补。",
    "equipment": "为{unit}购置业务所需仪器设备，提升业务保障能力。",
    "planning": "编制{topic}发展规划，明确发展目标和重点任务。",
    "operations": "保障{topic}日常工作和专项检查等工作正常开展。",
    "campaign": "开展{topic}宣传教育活动，提高群众知晓率和参与度。",
    "monitoring": "开展{topic}监测，及时掌握情况、发现和处置风险隐患。",
}
GOALS: dict[str, str] = {
    "training": "组织开展{topic}培训{n}，培训考核合格率达到规定要求",
    "construction": "完成{town}{facility}建设任务，工程验收合格，改善群众生产生活条件",
    "subsidy": "按标准及时足额发放{subsidy}补助资金，惠及{n}",
    "equipment": "完成{unit}仪器设备购置{n}并投入使用，提升业务保障能力",
    "planning": "按期完成{topic}发展规划编制{n}并通过评审",
    "operations": "保障{topic}工作正常运转，开展专项检查{n}，按期完成各项工作任务",
    "campaign": "开展{topic}宣传活动{n}，提高群众知晓率",
    "monitoring": "设置监测点位{n}，按时报送监测报告，及时处置风险隐患",
}
REASONS = (
    "受天气等客观因素影响，部分工作推进较慢，未全部完成。",
    "部分任务受资金拨付时间影响延后实施，年底前未全部完成。",
    "实际需求少于年初预计，完成数低于目标值。",
    "受项目实施周期影响，部分工作顺延至下年度完成。",
)
MEASURES = (
    "加快工作进度，加强过程管理，确保下年度完成。",
    "科学合理设置目标值，加强预算执行和绩效目标跟踪。",
)


# ----------------------------------------------------------------------------------------
# number helpers
# ----------------------------------------------------------------------------------------
_EPS = 1e-9


def _half_up(x: float, digits: int = 2) -> float:
    """Round half up exactly as the scoring rules do (``scoring._round_half_up``)."""
    scale = 10.0**digits
    return math.floor(x * scale + 0.5 + _EPS) / scale


def _num(x: float) -> str:
    """A number as a table writes it: no trailing zeros (``12.5``, ``200``)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _wan(yuan: float) -> float:
    """元 → 万元 with two decimals (amounts are whole hundreds of 元, so this is exact)."""
    return round(yuan / 10_000, 2)


def _grade(total: float) -> str:
    for name, low in (("优", 90), ("良", 80), ("中", 60)):
        if total >= low - _EPS:
            return name
    return "差"


def _draw(rng: random.Random, low: float, high: float, step: float) -> float:
    if high <= low or step <= 0:
        return float(low)
    n = round((high - low) / step)
    return float(low + step * rng.randint(0, n))


def _money(rng: random.Random) -> int:
    """A project's full-year budget in 元 (whole thousands): mostly small, a few large."""
    r = rng.random()
    if r < 0.45:
        low, high = 50_000, 500_000
    elif r < 0.8:
        low, high = 500_000, 2_000_000
    elif r < 0.95:
        low, high = 2_000_000, 8_000_000
    else:
        low, high = 8_000_000, 30_000_000
    return int(round(rng.uniform(low, high), -3))


# ----------------------------------------------------------------------------------------
# the department model (generated first, written out as records at the end)
# ----------------------------------------------------------------------------------------
@dataclass
class _Indicator:
    level1: str
    level2: str
    name: str
    op: str  # ≥ ≤ = 定性
    target: float | None  # None for 定性
    unit: str
    qual_text: str = ""
    actual: float | None = None
    weight: float = 0.0
    score: float = 0.0
    completion: str = ""
    reason: str = ""
    measures: str = ""
    to_date: str = ""
    cumulative: bool = True

    @property
    def target_text(self) -> str:
        if self.op == "定性":
            return self.qual_text
        return f"{self.op}{_num(self.target or 0.0)}{self.unit}"

    @property
    def actual_text(self) -> str:
        if self.op == "定性":
            return "100%-80%(含)"
        return _num(self.actual or 0.0)


@dataclass
class _Subject:
    name: str
    kind: str  # project kind, or "department"
    status: str = "新增"
    initial: bool = True  # in the initial budget (False: added mid-year)
    initial_budget: int = 0
    final_budget: int = 0
    executed: int = 0
    to_date: int = 0
    basic_info: str = ""
    goal: str = ""
    indicators: list[_Indicator] | None = None
    money_weight: float = 10.0
    money_score: float = 0.0
    total: float = 0.0


@dataclass(frozen=True)
class SynthFault:
    """One fault injected into a synthetic department, and the rule that must find it."""

    fault: str  # fault kind (see ``_FAULTS``)
    rule_id: str
    subject: str  # the subject the finding is about
    description: str  # Chinese

    def as_dict(self) -> dict[str, str]:
        return {
            "fault": self.fault,
            "rule_id": self.rule_id,
            "subject": self.subject,
            "description": self.description,
        }


class _Builder:
    def __init__(self, seed: int, n_projects: int, dept_index: int, fault_rate: float) -> None:
        if n_projects < 0:
            raise ValueError("n_projects must be >= 0")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self.rng = random.Random(seed)
        self.n_projects = n_projects
        self.dept_index = dept_index
        self.fault_rate = fault_rate
        self.sector = SECTORS[dept_index % len(SECTORS)]
        self.county = COUNTIES[self.rng.randrange(len(COUNTIES))]
        self.period_end, self.period_label = self.rng.choice(
            [("2024-09-30", "1-9月"), ("2024-09-30", "1-9月"), ("2024-06-30", "1-6月")]
        )
        self.time_share = 0.75 if self.period_end.endswith("09-30") else 0.5
        self.split_style = self.rng.random() < 0.3  # 目标表 with separate 指标值类型/度量单位
        self.unit = "万元" if self.rng.random() < 0.3 else "元"  # money unit of the tables
        self.staff_indicator = self.rng.random() < 0.5
        self.faults: list[SynthFault] = []

    # -- subjects --------------------------------------------------------------------------
    def project_names(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        rng, sec = self.rng, self.sector
        kinds = [k for k, _ in KINDS]
        shares = [w for _, w in KINDS]
        seen: dict[str, int] = {}
        for _ in range(self.n_projects):
            kind = rng.choices(kinds, shares)[0]
            fac = rng.choice(sec.facilities)
            words = {
                "topic": rng.choice(sec.topics),
                "town": rng.choice(TOWNS),
                "facility": fac.name,
                "subsidy": rng.choice(sec.subsidies),
                "unit": rng.choice(sec.equipment),
                "aud": sec.audience,
            }
            name = rng.choice(PROJECT_NAMES[kind]).format(**words)
            n = seen.get(name, 0) + 1
            seen[name] = n
            if n > 1:
                name = f"{name}（第{n}批）"
            yield name, kind, words

    def build(self) -> tuple[Records, list[SynthFault]]:
        rng = self.rng
        projects: list[_Subject] = []
        for name, kind, words in self.project_names():
            budget = _money(rng)
            midyear = rng.random() < 0.1
            p = _Subject(
                name,
                kind,
                status="延续" if (not midyear and rng.random() < 0.4) else "新增",
                initial=not midyear,
            )
            p.final_budget = budget
            p.initial_budget = 0 if midyear else budget
            rate = 1.0 if rng.random() < 0.45 else rng.uniform(0.95, 0.999)
            p.executed = int(round(budget * rate, -2))
            p.to_date = int(
                round(min(budget * 0.98, budget * self.time_share * rng.uniform(0.9, 1.25)), -2)
            )
            p.basic_info = BASIC_INFO[kind].format(**words)
            p.indicators = self._project_indicators(kind, words, p)
            p.goal = self._goal(kind, words, p.indicators)
            self._score(p)
            projects.append(p)
        dept = self._department(projects)
        records = self._records(dept, projects)
        if self.fault_rate > 0:
            self._inject(records, dept, projects)
        return records, self.faults

    def _goal(self, kind: str, words: dict[str, str], inds: list[_Indicator]) -> str:
        first = next(
            (i for i in inds if i.level2 == "数量指标" and i.op != "定性" and i.target), None
        )
        n = f"{_num(first.target or 0)}{first.unit}" if first else ""
        return GOALS[kind].format(n=n, **words)

    def _project_indicators(
        self, kind: str, words: dict[str, str], p: _Subject
    ) -> list[_Indicator]:
        rng = self.rng
        bank = TEMPLATES[kind]
        total = rng.randint(6, 12)
        chosen: list[Template] = []
        # at least one of each category, the cost row first
        for cat in ("成本", "产出", "效益", "满意度"):
            chosen.append(bank[cat][0] if cat != "产出" else rng.choice(bank[cat]))
        pool = [t for cat in ("成本", "产出", "效益") for t in bank[cat] if t not in chosen]
        rng.shuffle(pool)
        qualitative = sum(1 for t in chosen if t[3] == "定性")
        for t in pool:
            if len(chosen) >= total:
                break
            if t[3] == "定性":
                if qualitative:
                    continue
                qualitative += 1
            chosen.append(t)
        # fill up to the drawn size with general indicators every project may have
        fillers = list(FILLERS)
        rng.shuffle(fillers)
        while len(chosen) < total and fillers:
            chosen.append(fillers.pop())
        order = {"成本指标": 1, "产出指标": 0, "效益指标": 2, "满意度指标": 3}
        chosen.sort(key=lambda t: order[t[0]])
        fac = next((f for f in self.sector.facilities if f.name == words["facility"]), None)
        out = []
        for l1, l2, name, op, low, high, step, unit in chosen:
            name = name.format(**words)
            if kind == "construction" and name == words["facility"] and fac is not None:
                name, unit, low, high, step = fac.quantity, fac.unit, fac.low, fac.high, fac.step
            out.append(self._indicator(l1, l2, name, op, low, high, step, unit, p))
        return out

    def _indicator(
        self,
        l1: str,
        l2: str,
        name: str,
        op: str,
        low: float,
        high: float,
        step: float,
        unit: str,
        p: _Subject | None,
    ) -> _Indicator:
        rng = self.rng
        if op == "定性":
            return _Indicator(l1, l2, name, op, None, "", qual_text=unit)
        if low == BUDGET and p is not None:
            target = _wan(p.final_budget)
            actual = _wan(p.executed)
            ind = _Indicator(l1, l2, name, op, target, unit, actual=actual)
            ind.to_date = f"={_num(_wan(p.to_date))}{unit}"
            return ind
        target = _draw(rng, low, high, step)
        ind = _Indicator(l1, l2, name, op, target, unit)
        ind.cumulative = unit != "%" or any(w in name for w in _CUMULATIVE_WORDS)
        if unit in ("年", "元/户", "元"):
            ind.cumulative = False
        short = rng.random() < 0.1
        if op == "≤":
            ind.actual = _num_round(target * rng.uniform(0.85, 1.0), unit)
        elif op == "=" and target == 0:
            ind.actual = 0.0
        elif op == "=":
            ind.actual = target
            if short and unit == "%":
                ind.actual = float(rng.randint(95, 99))
        else:
            factor = rng.uniform(0.85, 0.99) if short else rng.uniform(1.0, 1.15)
            ind.actual = _num_round(target * factor, unit)
            if unit == "%":
                ind.actual = min(ind.actual, 100.0)
                if not short:
                    ind.actual = max(ind.actual, target)
        return ind

    # -- scores ----------------------------------------------------------------------------
    def _weights(self, inds: list[_Indicator], split: dict[str, float]) -> None:
        groups: dict[str, list[_Indicator]] = {}
        for ind in inds:
            key = "产出指标" if ind.level1 == "成本指标" else ind.level1
            groups.setdefault(key, []).append(ind)
        for key, members in groups.items():
            total = split[key]
            base = math.floor(total / len(members))
            rest = int(total - base * len(members))
            for i, ind in enumerate(members):
                ind.weight = float(base + (1 if i < rest else 0))

    def _score_indicator(self, ind: _Indicator) -> None:
        rng = self.rng
        w = ind.weight
        if ind.op == "定性":
            ind.score = _half_up(0.9 * w)
            ind.completion = "90%"
            ind.to_date = "按计划推进"
            return
        t, a = ind.target or 0.0, ind.actual or 0.0
        if ind.op == "≥":
            share = min(a / t, 1.0) if t > 0 else 1.0
            completion = a / t * 100 if t > 0 else 100.0
        elif ind.op == "≤":
            share = 1.0 if a <= t else t / a
            completion = 100.0 if a <= t else t / a * 100
        elif t == 0:
            share = 1.0 if a <= 0 else 0.0
            completion = share * 100
        else:
            share = a / t if a <= t else 1.0
            completion = a / t * 100
        ind.score = _half_up(share * w)
        ind.completion = f"{completion:.2f}%"
        if share < 1.0 - _EPS:
            ind.reason = rng.choice(REASONS)
            ind.measures = rng.choice(MEASURES)
        if not ind.to_date:
            if ind.op == "≤" or not ind.cumulative or t == 0:
                value = a
            else:
                value = min(t, math.ceil(t * self.time_share * rng.uniform(1.0, 1.1)))
                if ind.unit == "%":
                    value = min(t, round(t * self.time_share * rng.uniform(1.0, 1.1), 2))
            ind.to_date = f"={_num(value)}{ind.unit}"

    def _score(self, s: _Subject) -> None:
        assert s.indicators is not None
        if s.kind == "department":
            n_mgmt = sum(1 for i in s.indicators if i.level1 == "部门管理")
            rest = 90 - 10 * n_mgmt
            split = {"部门管理": 10 * n_mgmt, "满意度指标": 10.0}
            split["效益指标"] = float(round((rest - 10) * 0.4))
            split["产出指标"] = float(rest - 10 - split["效益指标"])
        else:
            split = {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}
        self._weights(s.indicators, split)
        for ind in s.indicators:
            self._score_indicator(ind)
        share = min(s.executed / s.final_budget, 1.0) if s.final_budget else 0.0
        s.money_score = _half_up(share * s.money_weight)
        s.total = round(s.money_score + sum(i.score for i in s.indicators), 2)

    # -- the department ----------------------------------------------------------------
    def _department(self, projects: list[_Subject]) -> _Subject:
        rng, sec = self.rng, self.sector
        staff = rng.randint(12, 80)
        self.staff_quota = staff
        self.staff_actual = staff if self.staff_indicator else staff - rng.randint(0, 3)
        personnel = int(round(self.staff_actual * rng.uniform(110_000, 140_000), -2))
        public = int(round(self.staff_actual * rng.uniform(12_000, 20_000), -2))
        self.basic_budget = personnel + public
        self.basic_executed = int(round(self.basic_budget * rng.uniform(0.96, 0.995), -2))
        self.personnel, self.public = personnel, public
        d = _Subject(DEPARTMENT, "department")
        d.initial_budget = self.basic_budget + sum(p.initial_budget for p in projects)
        d.final_budget = self.basic_budget + sum(p.final_budget for p in projects)
        d.executed = self.basic_executed + sum(p.executed for p in projects)
        d.to_date = int(round(self.basic_budget * self.time_share * rng.uniform(0.95, 1.05), -2))
        d.to_date += sum(p.to_date for p in projects)
        inds: list[_Indicator] = []
        basic_rate = round(self.basic_executed / self.basic_budget * 100, 2)
        project_final = sum(p.final_budget for p in projects)
        project_rate = (
            round(sum(p.executed for p in projects) / project_final * 100, 2)
            if project_final
            else 100.0
        )
        for name, rate in (
            ("基本支出预算执行率", basic_rate),
            ("项目支出预算执行率", project_rate),
        ):
            ind = _Indicator("部门管理", "资金投入", name, "=", 100.0, "%", actual=rate)
            ind.to_date = (
                f"={_num(min(100.0, round(100 * self.time_share * rng.uniform(0.98, 1.08), 2)))}%"
            )
            inds.append(ind)
        if self.staff_indicator:
            ind = _Indicator(
                "部门管理", "人员管理", "在职人员控制率", "=", 100.0, "%", actual=100.0
            )
            ind.to_date = "=100%"
            inds.append(ind)
        for l1, l2, name, op, low, high, step, unit in sec.dept_indicators:
            inds.append(self._indicator(l1, l2, name, op, low, high, step, unit, None))
        d.indicators = inds
        self._score(d)
        return d

    # -- records ---------------------------------------------------------------------------
    def _amount(self, yuan: int) -> float | int:
        return _wan(yuan) if self.unit == "万元" else yuan

    def _records(self, d: _Subject, projects: list[_Subject]) -> Records:
        rng, sec = self.rng, self.sector
        dept_id = f"synth-{self.dept_index + 1:03d}"
        name = f"{self.county}{sec.dept}"
        subjects = [d, *projects]
        budget_total = _wan(d.initial_budget)
        approval_day = rng.randint(10, 28)
        publication = approval_day + rng.randint(3, 18)
        info: dict[str, Any] = {
            "部门编码": dept_id,
            "部门名称": name,
            "年度": YEAR,
            "所属地区": self.county,
            "联系人": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "联系电话": f"1390000{rng.randrange(10_000):04d}",
            "三定文件名称": f"《{name}职能配置、内设机构和人员编制规定》",
            "三定文号": f"{self.county[0]}办字〔2019〕{rng.randint(10, 80)}号",
            "部门职能": "；".join(sec.functions) + "；完成县委、县政府交办的其他任务。",
            "核心职能": "；".join(sec.functions),
            "内设机构": "办公室、计划财务股、业务股、监督股",
            "内设机构数": 4,
            "编制数": self.staff_quota,
            "在职人员数": self.staff_actual,
            "人员经费（万元）": _wan(self.personnel),
            "公用经费（万元）": _wan(self.public),
            "基本支出合计（万元）": _wan(self.basic_budget),
            "项目支出合计（万元）": _wan(sum(p.initial_budget for p in projects)),
            "支出预算合计（万元）": budget_total,
            "收入预算合计（万元）": budget_total,
            "评估委托方": f"{self.county}财政局",
            "评估机构": "示范绩效评价咨询有限公司",
            "预算批复文件": f"《关于批复{YEAR}年部门预算的通知》",
            "预算批复文号": f"{self.county[0]}财发〔{YEAR}〕{rng.randint(1, 20)}号",
            "预算批复日期": f"{YEAR}-01-{approval_day:02d}",
            "批复金额（万元）": budget_total,
            "批复绩效目标": "、".join(s.name for s in subjects),
            "预算公开日期": _date_after(YEAR, 1, approval_day, publication - approval_day),
            "公开网址": f"https://example.invalid/{dept_id}/yusuan/{YEAR}",
            "绩效目标是否公开": "是",
            "公开说明": "绩效目标表随部门预算以附件形式公开",
            "编报审核情况": "由计划财务股会同业务股室编制，经局党组会议审定后报财政局审核批复。",
            "监控期间": self.period_label,
            "部门整体自评报告": "是",
            "项目自评报告": "是",
        }
        records: Records = {
            "部门信息": info,
            "评估依据": [{"文件名称": t, "文号": n, "层级": lv} for t, n, lv in BASIS],
            "项目清单": [self._project_row(p) for p in projects],
            "年度目标": self._goal_rows(d, projects),
            "目标表指标": [row for s in subjects for row in self._target_rows(s)],
            "监控资金": [row for s in subjects for row in self._monitor_fund_rows(s)],
            "监控指标": [row for s in subjects for row in self._monitor_rows(s)],
            "自评表": [
                {
                    "对象": s.name,
                    "版式": "部门整体" if s is d else "项目支出",
                    "分值合计": 100,
                    "总分": s.total,
                    "等级": _grade(s.total),
                    "实际完成情况": "全面完成年度绩效目标。"
                    if all(i.score >= i.weight for i in s.indicators or [])
                    else "基本完成年度绩效目标，个别指标未完全达到预期。",
                }
                for s in subjects
            ],
            "自评资金": [row for s in subjects for row in self._selfeval_fund_rows(s, projects)],
            "自评指标": [row for s in subjects for row in self._selfeval_rows(s)],
        }
        return records

    def _project_row(self, p: _Subject) -> dict[str, Any]:
        return {
            "项目名称": p.name,
            "新增或延续": p.status,
            "是否年初预算": "是" if p.initial else "否",
            "年初预算数": self._amount(p.initial_budget),
            "全年预算数": self._amount(p.final_budget),
            "全年执行数": self._amount(p.executed),
            "金额单位": self.unit,
            "项目分类": "2 经济事业发展项目" if p.kind != "operations" else "1 运转类项目",
            "资金用途": "2 政策类" if p.kind == "subsidy" else "3 业务类",
            "基本情况": p.basic_info,
        }

    def _goal_rows(self, d: _Subject, projects: list[_Subject]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i, clause in enumerate(self.sector.functions, start=1):
            text = clause.removeprefix("负责") + "，全面完成年度工作任务"
            rows.append({"对象": DEPARTMENT, "来源表": "目标表", "序号": i, "目标内容": text})
        for p in projects:
            rows.append({"对象": p.name, "来源表": "目标表", "序号": 1, "目标内容": p.goal})
        for i, clause in enumerate(self.sector.functions, start=1):
            text = clause.removeprefix("负责") + "，全面完成年度工作任务"
            rows.append(
                {
                    "对象": DEPARTMENT,
                    "来源表": "自评表",
                    "序号": i,
                    "目标内容": text,
                    "实际完成情况": "已完成",
                }
            )
        return rows

    def _target_rows(self, s: _Subject) -> list[dict[str, Any]]:
        rows = []
        for ind in s.indicators or []:
            row: dict[str, Any] = {
                "对象": s.name,
                "一级指标": ind.level1,
                "二级指标": ind.level2,
                "三级指标": ind.name,
            }
            if ind.op == "定性":
                row.update({"指标值类型": "定性", "指标值": ind.qual_text})
            elif self.split_style:
                row.update(
                    {
                        "指标值类型": ind.op,
                        "指标值": _num(ind.target or 0.0),
                        "度量单位": ind.unit,
                    }
                )
            else:
                row.update({"指标值": ind.target_text, "度量单位": ind.unit})
            rows.append(row)
        return rows

    def _monitor_fund_rows(self, s: _Subject) -> list[dict[str, Any]]:
        rate = round(s.to_date / s.final_budget * 100, 2) if s.final_budget else 0.0
        base = {
            "对象": s.name,
            "监控截止日期": self.period_end,
            "年初预算数": self._amount(s.initial_budget),
            "全年预算数": self._amount(s.final_budget),
            "监控期执行数": self._amount(s.to_date),
            "监控期执行率": rate,
            "全年预计执行数": self._amount(s.final_budget),
            "金额单位": self.unit,
        }
        return [
            {**base, "资金类别": "年度资金总额", "行级别": "合计"},
            {**base, "资金类别": "财政拨款", "行级别": "其中"},
        ]

    def _monitor_rows(self, s: _Subject) -> list[dict[str, Any]]:
        rows = []
        for ind in s.indicators or []:
            rows.append(
                {
                    "对象": s.name,
                    "监控截止日期": self.period_end,
                    "一级指标": ind.level1,
                    "二级指标": ind.level2,
                    "三级指标": ind.name,
                    "年度指标值": ind.target_text,
                    "监控期执行情况": ind.to_date,
                    "全年预计完成情况": ind.target_text,
                    "完成目标可能性": "确定能",
                }
            )
        return rows

    def _selfeval_fund_rows(self, s: _Subject, projects: list[_Subject]) -> list[dict[str, Any]]:
        def line(label: str, level: str, initial: int, final: int, executed: int) -> dict:
            return {
                "对象": s.name,
                "资金类别": label,
                "行级别": level,
                "年初预算数": self._amount(initial),
                "全年预算数": self._amount(final),
                "全年执行数": self._amount(executed),
                "执行率": round(executed / final * 100, 2) if final else None,
                "金额单位": self.unit,
            }

        total = line("年度资金总额", "合计", s.initial_budget, s.final_budget, s.executed)
        total.update({"分值": s.money_weight, "得分": s.money_score})
        if s.kind == "department":
            proj_initial = sum(p.initial_budget for p in projects)
            proj_final = sum(p.final_budget for p in projects)
            proj_exec = sum(p.executed for p in projects)
            rows = [
                total,
                line(
                    "（一）基本支出",
                    "分项",
                    self.basic_budget,
                    self.basic_budget,
                    self.basic_executed,
                ),
            ]
            if proj_final:
                rows.append(line("（二）项目支出", "分项", proj_initial, proj_final, proj_exec))
            return rows
        sub = line("其中：财政拨款", "其中", s.initial_budget, s.final_budget, s.executed)
        return [total, sub]

    def _selfeval_rows(self, s: _Subject) -> list[dict[str, Any]]:
        rows = []
        for ind in s.indicators or []:
            rows.append(
                {
                    "对象": s.name,
                    "一级指标": ind.level1,
                    "二级指标": ind.level2,
                    "三级指标": ind.name,
                    "年度指标值": ind.target_text,
                    "实际完成值": ind.actual_text,
                    "度量单位": ind.unit,
                    "分值": ind.weight,
                    "完成率": ind.completion,
                    "得分": ind.score,
                    "未完成原因分析": ind.reason,
                    "改进措施": ind.measures,
                }
            )
        return rows

    # -- faults ----------------------------------------------------------------------------
    def _inject(self, records: Records, d: _Subject, projects: list[_Subject]) -> None:
        rng = self.rng
        ctx = _FaultContext(records, rng, self)
        for kind in _DEPT_FAULTS:
            if rng.random() < self.fault_rate / 2:
                _apply(kind, ctx, DEPARTMENT, self.faults)
        for p in projects:
            if rng.random() >= self.fault_rate:
                continue
            kinds = list(_PROJECT_FAULTS)
            rng.shuffle(kinds)
            for kind in kinds:
                if _apply(kind, ctx, p.name, self.faults):
                    break


def _num_round(x: float, unit: str) -> float:
    """A generated actual value: whole numbers except for % and 万元 (two decimals)."""
    if unit in ("%", "万元"):
        return round(x, 2)
    return float(round(x))


def _date_after(year: int, month: int, day: int, days: int) -> str:
    return (dt.date(year, month, day) + dt.timedelta(days=days)).isoformat()


# ----------------------------------------------------------------------------------------
# fault injection on records (generalised from evalkit.testing.FAULTS)
# ----------------------------------------------------------------------------------------
class _FaultContext:
    def __init__(self, records: Records, rng: random.Random, builder: _Builder) -> None:
        self.r = records
        self.rng = rng
        self.b = builder

    def rows(self, sheet: str, subject: str) -> list[dict[str, Any]]:
        return [x for x in self.r[sheet] if x.get("对象") == subject]

    def project(self, subject: str) -> dict[str, Any]:
        return next(x for x in self.r["项目清单"] if x["项目名称"] == subject)

    def money(self, value: Any) -> float:
        """A money cell in 元."""
        return float(value) * (10_000 if self.b.unit == "万元" else 1)

    def amount(self, yuan: float) -> float | int:
        return _wan(yuan) if self.b.unit == "万元" else round(yuan)

    def retotal(self, subject: str) -> None:
        """Recompute a table's 总分 and 等级 from its published row scores (as departments do)."""
        total = sum(
            float(x["得分"]) for x in self.rows("自评资金", subject) if x["行级别"] == "合计"
        )
        total += sum(float(x["得分"]) for x in self.rows("自评指标", subject))
        sel = self.rows("自评表", subject)[0]
        sel["总分"] = round(total, 2)
        sel["等级"] = _grade(sel["总分"])

    def indicator(
        self, subject: str, test: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        hits = [x for x in self.rows("自评指标", subject) if test(x)]
        return self.rng.choice(hits) if hits else None

    def same_named(self, subject: str, name: str) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for sheet in ("目标表指标", "监控指标", "自评指标"):
            out += [(sheet, x) for x in self.rows(sheet, subject) if x["三级指标"] == name]
        return out

    def drop_targets(self, subject: str) -> None:
        self.r["目标表指标"] = [x for x in self.r["目标表指标"] if x["对象"] != subject]
        self.r["年度目标"] = [
            x for x in self.r["年度目标"] if not (x["对象"] == subject and x["来源表"] == "目标表")
        ]
        info = self.r["部门信息"]
        approved = [s for s in info["批复绩效目标"].split("、") if s != subject]
        info["批复绩效目标"] = "、".join(approved)


_VALUE = re.compile(r"^(≥|≤|=)([0-9]+(?:\.[0-9]+)?)(.*)$")


def _split_value(text: Any) -> tuple[str, float, str]:
    """A generated quantitative value ``≥500人次`` as (op, number, unit)."""
    m = _VALUE.match(str(text))
    if m is None:
        raise ValueError(f"not a generated quantitative value: {text!r}")
    return m[1], float(m[2]), m[3]


def _is_count_ge(x: dict[str, Any]) -> bool:
    t = str(x["年度指标值"])
    return t.startswith("≥") and not t.endswith("%") and x["一级指标"] != "成本指标"


def _score_of(x: dict[str, Any]) -> float:
    return float(x["得分"])


FaultFunc = Callable[[_FaultContext, str], str | None]


def _f_wrong_score(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: _is_count_ge(x) and _score_of(x) >= float(x["分值"]))
    if row is None:
        return None
    row["得分"] = _half_up(float(row["分值"]) * 0.6)
    row["未完成原因分析"] = "部分工作未完成。"
    c.retotal(s)
    return f"指标“{row['三级指标']}”已完成却只得{_num(row['得分'])}分"


def _f_total_off(c: _FaultContext, s: str) -> str | None:
    sel = c.rows("自评表", s)[0]
    sel["总分"] = round(float(sel["总分"]) - 5, 2)
    sel["等级"] = _grade(sel["总分"])
    return "总分比各行得分之和少5分"


def _f_weight_sum(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: _score_of(x) >= float(x["分值"]) and x["一级指标"] == "产出指标")
    if row is None:
        return None
    row["分值"] = float(row["分值"]) + 10
    row["得分"] = float(row["得分"]) + 10
    c.retotal(s)
    return "分值合计为110"


def _f_band(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: str(x["实际完成值"]).startswith("100%-80%"))
    if row is None:
        return None
    row["得分"] = _half_up(float(row["分值"]) * 0.5)
    c.retotal(s)
    return f"定性指标“{row['三级指标']}”得分不在所选档次内"


def _f_exec_score(c: _FaultContext, s: str) -> str | None:
    row = next(x for x in c.rows("自评资金", s) if x["行级别"] == "合计")
    if float(row["执行率"]) > 99.0:
        return None
    row["得分"] = float(row["分值"])
    c.retotal(s)
    return "预算执行率得分按满分填报"


def _f_grade(c: _FaultContext, s: str) -> str | None:
    sel = c.rows("自评表", s)[0]
    grades = ("优", "良", "中", "差")
    sel["等级"] = grades[(grades.index(sel["等级"]) + 1) % len(grades)]
    return "等级与总分不符"


def _f_no_targets(c: _FaultContext, s: str) -> str | None:
    c.drop_targets(s)
    return "执行项目没有绩效目标表"


def _f_midyear_no_targets(c: _FaultContext, s: str) -> str | None:
    if c.project(s)["是否年初预算"] != "否":
        return None
    c.drop_targets(s)
    return "年中追加项目未编报绩效目标"


def _f_placeholder(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: x["二级指标"] == "数量指标")
    if row is None:
        return None
    for _, x in c.same_named(s, row["三级指标"]):
        x["三级指标"] = "数量"
    return "三级指标只写了“数量”"


def _f_macro(c: _FaultContext, s: str) -> str | None:
    p = c.project(s)
    keyword = any(k in f"{p['项目名称']}{p['基本情况']}" for k in _MACRO_KEYWORDS)
    if c.money(p["全年预算数"]) > 1_000_000 and not keyword:
        return None
    c.r["目标表指标"].append(
        {
            "对象": s,
            "一级指标": "效益指标",
            "二级指标": "经济效益指标",
            "三级指标": "全县规模以上工业增加值增速",
            "指标值": "≥8%",
            "度量单位": "%",
        }
    )
    return "小额项目设置全县宏观指标"


def _f_forecast_below(c: _FaultContext, s: str) -> str | None:
    hits = [x for x in c.rows("监控指标", s) if _is_count_ge(x)]
    if not hits:
        return None
    row = c.rng.choice(hits)
    _, value, unit = _split_value(row["年度指标值"])
    row["全年预计完成情况"] = f"={_num(math.floor(value * 0.7))}{unit}"
    return f"“{row['三级指标']}”预计完成值低于目标但未说明原因"


def _f_zero_spending(c: _FaultContext, s: str) -> str | None:
    for row in c.rows("监控资金", s):
        row["监控期执行数"], row["监控期执行率"] = 0, 0
    for row in c.rows("监控指标", s):
        if row["一级指标"] == "成本指标" and str(row["年度指标值"]).endswith("万元"):
            row["监控期执行情况"] = "=0万元"
    return "监控期零支出仍判断“确定能”且无原因"


def _f_money_mismatch(c: _FaultContext, s: str) -> str | None:
    row = next(x for x in c.rows("监控资金", s) if x["行级别"] == "合计")
    row["全年预算数"] = c.amount(c.money(row["全年预算数"]) + 10_000)
    return "监控表全年预算数与项目清单不一致"


def _f_executed_mismatch(c: _FaultContext, s: str) -> str | None:
    p = c.project(s)
    p["全年执行数"] = c.amount(c.money(p["全年执行数"]) - 5_000)
    return "项目清单全年执行数与自评表不一致"


def _f_changed_target(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, _is_count_ge)
    if row is None:
        return None
    _, value, unit = _split_value(row["年度指标值"])
    lower = math.floor(value * 0.75)
    if lower <= 0 or lower == value:
        return None
    row["年度指标值"] = f"≥{_num(lower)}{unit}"
    actual = float(row["实际完成值"])
    row["完成率"] = f"{actual / lower * 100:.2f}%"
    if actual >= lower:
        row["得分"] = float(row["分值"])
        row["未完成原因分析"] = ""
    c.retotal(s)
    return f"自评表“{row['三级指标']}”的指标值与目标表不一致"


def _f_cost_above(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(
        s, lambda x: x["一级指标"] == "成本指标" and str(x["年度指标值"]).endswith("万元")
    )
    if row is None:
        return None
    executed = c.money(c.project(s)["全年执行数"])
    row["实际完成值"] = _num(_wan(executed * 1.2))
    return "成本指标实际值高于实际支出"


def _f_overrun(c: _FaultContext, s: str) -> str | None:
    p = c.project(s)
    final = c.money(p["全年预算数"])
    executed = round(final * 1.05, -2)
    p["全年执行数"] = c.amount(executed)
    for row in c.rows("自评资金", s):
        row["全年执行数"] = c.amount(executed)
        row["执行率"] = round(executed / final * 100, 2)
        if row["行级别"] == "合计":
            row["得分"] = float(row["分值"])
    c.retotal(s)
    return "全年执行数超过全年预算数"


def _f_rate_wrong(c: _FaultContext, s: str) -> str | None:
    row = next(x for x in c.rows("自评资金", s) if x["行级别"] == "合计")
    rate = float(row["执行率"])
    row["执行率"] = round(rate - 5 if rate > 50 else rate + 5, 2)
    return "公布的执行率与执行数/预算数不符"


def _f_monitor_rate_wrong(c: _FaultContext, s: str) -> str | None:
    row = next(x for x in c.rows("监控资金", s) if x["行级别"] == "合计")
    rate = float(row["监控期执行率"])
    row["监控期执行率"] = round(rate + 8 if rate < 90 else rate - 8, 2)
    return "监控期执行率计算错误"


def _f_copied_actual(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: _is_count_ge(x) and _score_of(x) >= float(x["分值"]))
    if row is None:
        return None
    row["实际完成值"] = row["年度指标值"]
    row["完成率"] = "100.00%"
    return "实际完成值照抄目标值"


def _f_to_date_copies(c: _FaultContext, s: str) -> str | None:
    hits = [x for x in c.rows("监控指标", s) if _is_count_ge(x)]
    if not hits:
        return None
    row = c.rng.choice(hits)
    row["监控期执行情况"] = row["年度指标值"]
    return "监控期执行情况照抄目标值"


def _f_over_achievement(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: _is_count_ge(x) and _score_of(x) >= float(x["分值"]))
    if row is None:
        return None
    _, value, _unit = _split_value(row["年度指标值"])
    actual = math.ceil(value * 1.6)
    row["实际完成值"] = _num(actual)
    row["完成率"] = f"{actual / value * 100:.2f}%"
    row["未完成原因分析"] = ""
    return "完成率超过150%且未说明原因"


def _f_missing_cause(c: _FaultContext, s: str) -> str | None:
    row = c.indicator(s, lambda x: _is_count_ge(x) and _score_of(x) >= float(x["分值"]))
    if row is None:
        return None
    _, value, _unit = _split_value(row["年度指标值"])
    actual = math.floor(value * 0.8)
    if actual <= 0:
        return None
    row["实际完成值"] = _num(actual)
    row["完成率"] = f"{actual / value * 100:.2f}%"
    row["得分"] = _half_up(actual / value * float(row["分值"]))
    row["未完成原因分析"] = ""
    row["改进措施"] = ""
    c.retotal(s)
    return "得分低于分值但未说明偏差原因"


_MACRO_KEYWORDS = ("奖补", "补助", "补贴", "奖励", "工作经费", "运转", "工资")


# department-level faults
def _f_nonbinding(c: _FaultContext, s: str) -> str | None:
    name = "项目支出预算执行率"
    rows = c.same_named(DEPARTMENT, name)
    if not rows:
        return None
    for sheet, x in rows:
        if sheet == "目标表指标":
            if x.get("指标值类型"):
                x["指标值类型"], x["指标值"] = "≤", "100"
            else:
                x["指标值"] = "≤100%"
        else:
            x["年度指标值"] = "≤100%"
            if sheet == "自评指标":
                x["得分"] = float(x["分值"])
                x["完成率"] = "100.00%"
            else:
                x["全年预计完成情况"] = "≤100%"
    c.retotal(DEPARTMENT)
    return "预算执行率指标值为“≤100%”"


def _f_uncovered_function(c: _FaultContext, s: str) -> str | None:
    c.r["部门信息"]["核心职能"] += "；负责地方志编纂和年鉴编辑出版"
    return "部门整体目标未覆盖一项核心职能"


def _f_no_dept_monitoring(c: _FaultContext, s: str) -> str | None:
    c.r["监控资金"] = [x for x in c.r["监控资金"] if x["对象"] != DEPARTMENT]
    c.r["监控指标"] = [x for x in c.r["监控指标"] if x["对象"] != DEPARTMENT]
    return "缺少部门整体绩效监控"


def _f_staff_rate(c: _FaultContext, s: str) -> str | None:
    if not c.same_named(DEPARTMENT, "在职人员控制率"):
        return None
    info = c.r["部门信息"]
    info["在职人员数"] = int(info["编制数"]) - 3
    return "在职人员控制率与编制数、在职人员数不符"


def _f_unpublished(c: _FaultContext, s: str) -> str | None:
    c.r["部门信息"]["绩效目标是否公开"] = "否"
    return "绩效目标未公开"


def _f_late_publication(c: _FaultContext, s: str) -> str | None:
    info = c.r["部门信息"]
    y, m, d = (int(x) for x in str(info["预算批复日期"]).split("-"))
    info["预算公开日期"] = _date_after(y, m, d, 45)
    return "预算批复后45日才公开"


#: fault kind -> (rule that must find it, injector). Project faults take a project name.
_PROJECT_FAULTS: dict[str, tuple[str, FaultFunc]] = {
    "wrong_score": ("SC001", _f_wrong_score),
    "total_off_by_5": ("SC006", _f_total_off),
    "weight_sum_110": ("SC007", _f_weight_sum),
    "qualitative_out_of_band": ("SC002", _f_band),
    "execution_score": ("SC004", _f_exec_score),
    "wrong_grade": ("SC012", _f_grade),
    "project_without_targets": ("CV001", _f_no_targets),
    "midyear_without_targets": ("PR001", _f_midyear_no_targets),
    "placeholder_indicator": ("IQ002", _f_placeholder),
    "macro_indicator": ("RL002", _f_macro),
    "forecast_below_target": ("MN004", _f_forecast_below),
    "zero_spending_certain": ("MN005", _f_zero_spending),
    "money_mismatch": ("XC001", _f_money_mismatch),
    "executed_mismatch": ("XC001", _f_executed_mismatch),
    "changed_target": ("XC002", _f_changed_target),
    "cost_actual_above_spending": ("XC003", _f_cost_above),
    "overrun": ("XC007", _f_overrun),
    "published_rate_wrong": ("SC005", _f_rate_wrong),
    "monitor_rate_wrong": ("MN006", _f_monitor_rate_wrong),
    "copied_actual": ("SC010", _f_copied_actual),
    "to_date_copies_target": ("MN008", _f_to_date_copies),
    "over_achievement": ("SC009", _f_over_achievement),
    "missing_cause": ("SC011", _f_missing_cause),
}
_DEPT_FAULTS: dict[str, tuple[str, FaultFunc]] = {
    "nonbinding_execution_rate": ("IQ001", _f_nonbinding),
    "uncovered_function": ("RL001", _f_uncovered_function),
    "no_department_monitoring": ("MN001", _f_no_dept_monitoring),
    "staff_control_rate": ("XC005", _f_staff_rate),
    "targets_unpublished": ("PR003", _f_unpublished),
    "late_publication": ("PR003", _f_late_publication),
}
#: findings about these faults are reported for 部门整体, not the project.
_DEPT_LEVEL_FINDINGS = frozenset({"midyear_without_targets"})


def _apply(kind: str, ctx: _FaultContext, subject: str, out: list[SynthFault]) -> bool:
    table = _DEPT_FAULTS if subject == DEPARTMENT else _PROJECT_FAULTS
    rule_id, func = table[kind]
    description = func(ctx, subject)
    if description is None:
        return False
    where = DEPARTMENT if kind in _DEPT_LEVEL_FINDINGS else subject
    out.append(SynthFault(kind, rule_id, where, description))
    return True


# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------
def _generate(
    seed: int, n_projects: int, dept_index: int, fault_rate: float
) -> tuple[Records, list[SynthFault]]:
    return _Builder(seed, n_projects, dept_index, fault_rate).build()


def synth_department(
    *, seed: int, n_projects: int, dept_index: int = 0, fault_rate: float = 0.15
) -> dict[str, Any]:
    """Records of one synthetic department (same seed and arguments → identical records).

    ``dept_index`` picks the kind of department (农业农村局, 教育局 …) and the id
    ``synth-<index+1>``; ``fault_rate`` is the share of subjects that get one injected fault
    (0: a clean department whose every table re-scores exactly).
    """
    return _generate(seed, n_projects, dept_index, fault_rate)[0]


def synth_faults(
    *, seed: int, n_projects: int, dept_index: int = 0, fault_rate: float = 0.15
) -> list[SynthFault]:
    """The faults :func:`synth_department` injects for the same arguments."""
    return _generate(seed, n_projects, dept_index, fault_rate)[1]


def _project_counts(rng: random.Random, n: int, low: int, high: int) -> list[int]:
    """Project counts skewed towards small departments (most counties look like this)."""
    return [low + int((high - low) * rng.random() ** 2) for _ in range(n)]


def synth_county(
    out_dir: Path,
    *,
    n: int = 30,
    seed: int = 0,
    min_projects: int = 5,
    max_projects: int = 60,
    fault_rate: float = 0.15,
) -> list[Path]:
    """Write ``n`` synthetic department workbooks and their params files.

    Workbooks go to ``out_dir/data/synth-NNN-2024.xlsx``, params YAML files (keys
    ``workbook`` (absolute path), ``dept_id``, ``year``, ``policy: null``) to
    ``out_dir/params/synth-NNN.yaml``, and the injected faults to ``out_dir/faults.yaml``.
    Returns the params paths, in department order.
    """
    if min_projects < 0 or max_projects < min_projects:
        raise ValueError("need 0 <= min_projects <= max_projects")
    out_dir = Path(out_dir)
    data_dir, params_dir = out_dir / "data", out_dir / "params"
    data_dir.mkdir(parents=True, exist_ok=True)
    params_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts = _project_counts(rng, n, min_projects, max_projects)
    seeds = [rng.randrange(2**31) for _ in range(n)]
    out: list[Path] = []
    manifest: list[dict[str, Any]] = []
    for i, (count, dept_seed) in enumerate(zip(counts, seeds, strict=True)):
        records, faults = _generate(dept_seed, count, i, fault_rate)
        dept_id = records["部门信息"]["部门编码"]
        workbook = write_workbook(data_dir / f"{dept_id}-{YEAR}.xlsx", records).resolve()
        params = {"workbook": str(workbook), "dept_id": dept_id, "year": YEAR, "policy": None}
        path = params_dir / f"{dept_id}.yaml"
        path.write_text(
            f"# 合成部门参数（evalkit.synth，seed={seed}）\n"
            + yaml.safe_dump(params, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        out.append(path)
        manifest.append(
            {
                "dept_id": dept_id,
                "name": records["部门信息"]["部门名称"],
                "seed": dept_seed,
                "projects": count,
                "faults": [f.as_dict() for f in faults],
            }
        )
    (out_dir / "faults.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return out
