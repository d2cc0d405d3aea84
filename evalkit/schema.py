"""The department workbook (部门评估底稿): every sheet and column, declared once.

The loader, the template writer, the records writer and ``docs/workbook.md`` all read
these declarations, so a column added here appears everywhere.

Each table sheet has one header row (row 1) of Chinese column headers; data starts on
row 2. The ``部门信息`` sheet is a field sheet: one row per field (字段 | 值 | 备注).
Internally every column has an English ``key`` used as the DataFrame column name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal[
    "text",  # free text, kept verbatim
    "int",  # whole number
    "number",  # any number (scores, weights, rates written as numbers)
    "money",  # an amount; converted to 元 with the row's 金额单位
    "percent",  # a rate in percent, "95.00%" or 95 -> 95.0
    "date",  # a date, ISO or Chinese forms -> datetime.date
    "indicator",  # an indicator value parsed by evalkit.values.parse_indicator
    "choice",  # one of a closed vocabulary
    "subject",  # 部门整体 or a project name from 项目清单
]

DEPARTMENT = "部门整体"

OPERATORS = ("=", "≥", "≤", ">", "<", "定性")
MONEY_UNITS = ("元", "万元", "亿元")
MONEY_SCALE = {"元": 1.0, "千元": 1_000.0, "万元": 10_000.0, "亿元": 100_000_000.0}
YES_NO = ("是", "否")
PROJECT_STATUS = ("新增", "延续")
LIKELIHOOD = ("确定能", "有可能", "完全不可能")
BANDS = ("100%-80%(含)", "80%-60%(含)", "60%-0%")
LEVEL1 = ("成本指标", "产出指标", "效益指标", "满意度指标")
GOAL_SOURCES = ("目标表", "监控表", "自评表")
SELFEVAL_LAYOUTS = ("项目支出", "部门整体", "年度主要任务")
FUND_ROW_LEVELS = ("合计", "分项", "其中")


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one field of the 部门信息 sheet)."""

    key: str
    header: str
    kind: ColumnKind
    required: bool
    help: str
    example: str = ""
    choices: tuple[str, ...] = ()
    # For money columns: the key of the column that holds the row's unit.
    unit_column: str | None = None
    # For indicator columns: keys of the columns holding a separate operator and unit.
    operator_column: str | None = None
    indicator_unit_column: str | None = None
    # Choices are a suggestion (drop-down) but other text is accepted.
    open_choices: bool = False


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook."""

    key: str
    name: str
    help: str
    columns: tuple[Column, ...]
    required: bool = True
    kind: Literal["table", "fields"] = "table"
    # Columns that together identify a row (duplicates are a problem).
    unique: tuple[str, ...] = field(default=())

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def _note() -> Column:
    return Column(
        "note",
        "备注",
        "text",
        False,
        "录入说明：原文含糊、拆分或有疑义之处，记录读法",
        "原文“29 2.4”读作 292.4",
    )


def _subject() -> Column:
    return Column(
        "subject",
        "对象",
        "subject",
        True,
        "“部门整体”或《项目清单》中的项目名称",
        "新入规企业奖补资金",
    )


def _unit() -> Column:
    return Column("unit", "金额单位", "choice", True, "本行金额的单位", "元", MONEY_UNITS)


def _money(key: str, header: str, required: bool, help: str, example: str) -> Column:
    return Column(key, header, "money", required, help, example, unit_column="unit")


def _levels() -> tuple[Column, ...]:
    return (
        Column(
            "level1", "一级指标", "text", True, "一级指标", "产出指标", LEVEL1, open_choices=True
        ),
        Column("level2", "二级指标", "text", False, "二级指标", "数量指标"),
        Column(
            "level3", "三级指标", "text", True, "三级指标（具体指标名称）", "新增规模以上工业企业"
        ),
    )


# --- 部门信息: one row per field -------------------------------------------------------
INFO_FIELDS: tuple[Column, ...] = (
    Column(
        "dept_id",
        "部门编码",
        "text",
        True,
        "部门标识（字母、数字、连字符），用于输出目录",
        "ningxian-gxj",
    ),
    Column("name", "部门名称", "text", True, "部门（单位）全称", "宁县工业和信息化局"),
    Column("year", "年度", "int", True, "被评估的预算年度", "2024"),
    Column("region", "所属地区", "text", False, "县（市、区）", "宁县"),
    Column("contact", "联系人", "text", False, "目标表填报联系人", "范楷"),
    Column("phone", "联系电话", "text", False, "联系电话", "15294409283"),
    Column(
        "sanding_title",
        "三定文件名称",
        "text",
        False,
        "“三定”方案文件名称",
        "《宁县工业和信息化局职能配置、内设机构和人员编制规定》",
    ),
    Column("sanding_doc_no", "三定文号", "text", False, "“三定”方案文号", "宁办字〔2019〕42号"),
    Column(
        "functions",
        "部门职能",
        "text",
        False,
        "“三定”方案规定的部门职能（原文）",
        "贯彻落实国家和省市县有关工业和信息化法律法规和政策……",
    ),
    Column(
        "core_functions",
        "核心职能",
        "text",
        False,
        "部门核心职能（原文，可用分号分隔多项）",
        "监测和分析工业、信息化产业和生产性服务业运行态势",
    ),
    Column(
        "internal_units",
        "内设机构",
        "text",
        False,
        "内设职能部门名称，用顿号分隔",
        "办公室、企业建设股",
    ),
    Column("internal_unit_count", "内设机构数", "int", False, "内设职能部门个数", "5"),
    Column("direct_units", "直属单位", "text", False, "直属单位名称，用顿号分隔", ""),
    Column("staff_quota", "编制数", "int", False, "人员编制数（人）", "17"),
    Column("staff_actual", "在职人员数", "int", False, "在职人员总数（人）", "22"),
    Column(
        "budget_personnel", "人员经费（万元）", "number", False, "基本支出—人员经费预算", "292.4"
    ),
    Column("budget_public", "公用经费（万元）", "number", False, "基本支出—公用经费预算", "29.07"),
    Column("budget_basic", "基本支出合计（万元）", "number", False, "基本支出预算合计", "321.47"),
    Column("budget_project", "项目支出合计（万元）", "number", False, "项目支出预算合计", "50"),
    Column("budget_total", "支出预算合计（万元）", "number", False, "支出预算合计", "371.47"),
    Column("income_total", "收入预算合计（万元）", "number", False, "收入预算合计", "371.47"),
    Column("commissioner", "评估委托方", "text", False, "委托评估的财政部门", "宁县财政局"),
    Column(
        "evaluator",
        "评估机构",
        "text",
        False,
        "实施评估的第三方机构",
        "国金益通（庆阳）管理咨询有限公司",
    ),
    Column("report_date", "评估报告时间", "date", False, "评估报告落款日期", "2025-06-30"),
    Column(
        "approval_doc",
        "预算批复文件",
        "text",
        False,
        "批复部门预算的文件名称",
        "《关于批复2024年部门预算的通知》",
    ),
    Column("approval_doc_no", "预算批复文号", "text", False, "批复文号", "宁财发〔2024〕5号"),
    Column("approval_date", "预算批复日期", "date", False, "批复日期", "2024-02-18"),
    Column("approved_total", "批复金额（万元）", "number", False, "批复本部门的预算总额", "371.47"),
    Column(
        "approved_targets",
        "批复绩效目标",
        "text",
        False,
        "财政批复的绩效目标（对象名称，用顿号分隔）",
        "部门整体、新入规企业奖补资金",
    ),
    Column("publication_date", "预算公开日期", "date", False, "部门预算公开日期", "2024-03-06"),
    Column(
        "publication_url",
        "公开网址",
        "text",
        False,
        "预算公开网址",
        "https://www.ningxian.gov.cn/…",
    ),
    Column(
        "targets_published",
        "绩效目标是否公开",
        "choice",
        False,
        "绩效目标表是否随预算公开",
        "是",
        YES_NO,
    ),
    Column(
        "publication_note", "公开说明", "text", False, "公开方式说明", "绩效目标表以附件形式公开"
    ),
    Column(
        "drafting",
        "编报审核情况",
        "text",
        False,
        "绩效目标由谁编制、谁审定、如何报送（原文）",
        "由财务人员负责编制，报局党组会议审定",
    ),
    Column("monitoring_periods", "监控期间", "text", False, "开展“双监控”的期间", "1-6月；1-9月"),
    Column(
        "dept_selfeval_report",
        "部门整体自评报告",
        "choice",
        False,
        "是否撰写部门整体自评报告",
        "是",
        YES_NO,
    ),
    Column(
        "project_selfeval_reports",
        "项目自评报告",
        "choice",
        False,
        "是否撰写项目自评报告",
        "否",
        YES_NO,
    ),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "info",
        "部门信息",
        "部门基本信息、“三定”职能、人员与预算、评估委托、预算批复与公开情况。每行一个字段。",
        INFO_FIELDS,
        kind="fields",
    ),
    Sheet(
        "basis",
        "评估依据",
        "本次评估依据的制度文件。",
        (
            Column(
                "title",
                "文件名称",
                "text",
                True,
                "文件全称",
                "《甘肃省省级部门预算绩效目标管理办法》",
            ),
            Column("doc_no", "文号", "text", False, "文号", ""),
            Column(
                "level",
                "层级",
                "choice",
                False,
                "发文层级",
                "省级",
                ("国家", "省级", "市级", "县级", "部门"),
                open_choices=True,
            ),
            _note(),
        ),
        required=False,
        unique=("title",),
    ),
    Sheet(
        "projects",
        "项目清单",
        "本年度实际执行的全部项目（含年中追加）及其预算、执行数。",
        (
            Column(
                "name", "项目名称", "text", True, "项目名称（其他表以此引用）", "新入规企业奖补资金"
            ),
            Column(
                "status", "新增或延续", "choice", True, "新增项目或延续项目", "新增", PROJECT_STATUS
            ),
            Column(
                "in_initial_budget",
                "是否年初预算",
                "choice",
                True,
                "“否”表示年中追加",
                "是",
                YES_NO,
            ),
            _money("initial_budget", "年初预算数", False, "年初预算数", "500000"),
            _money("final_budget", "全年预算数", True, "调整后全年预算数", "500000"),
            _money("executed", "全年执行数", True, "全年实际执行数", "500000"),
            _unit(),
            Column("project_class", "项目分类", "text", False, "项目分类", "2 经济事业发展项目"),
            Column("fund_use", "资金用途", "text", False, "资金用途", "2 政策类"),
            Column(
                "basic_info",
                "基本情况",
                "text",
                False,
                "项目基本情况（原文）",
                "对新入规工业企业，县财政一次性奖励10万元",
            ),
            Column(
                "policy_basis",
                "政策依据",
                "text",
                False,
                "政策依据（原文）",
                "《宁县促进中小微企业高质量发展实施办法》",
            ),
            _note(),
        ),
        unique=("name",),
    ),
    Sheet(
        "goals",
        "年度目标",
        "各表中的年度绩效目标（文字目标），每条目标一行。",
        (
            _subject(),
            Column("source", "来源表", "choice", True, "目标出自哪张表", "目标表", GOAL_SOURCES),
            Column("seq", "序号", "int", False, "目标序号", "1"),
            Column("text", "目标内容", "text", True, "年度绩效目标原文", "促进全县中小企业发展"),
            Column(
                "achieved",
                "实际完成情况",
                "text",
                False,
                "自评表中对应的实际完成情况（原文）",
                "已完成100%支付。",
            ),
            _note(),
        ),
    ),
    Sheet(
        "targets",
        "目标表指标",
        "绩效目标表（申报表）中的指标，每个三级指标一行。",
        (
            _subject(),
            *_levels(),
            Column(
                "operator",
                "指标值类型",
                "choice",
                False,
                "=、≥、≤、>、< 或 定性",
                "≥",
                OPERATORS,
                open_choices=True,
            ),
            Column(
                "value",
                "指标值",
                "indicator",
                True,
                "指标值原文（可含运算符和单位）",
                "5",
                operator_column="operator",
                indicator_unit_column="unit",
            ),
            Column("unit", "度量单位", "text", False, "度量单位", "户"),
            Column("value_content", "指标值内容", "text", False, "指标值内容说明", ""),
            _note(),
        ),
    ),
    Sheet(
        "monitor_funds",
        "监控资金",
        "绩效运行监控表的资金部分，每个对象每个监控期一组行。",
        (
            _subject(),
            Column("period_end", "监控截止日期", "date", True, "监控期截止日期", "2024-09-30"),
            Column(
                "line",
                "资金类别",
                "text",
                True,
                "年度资金总额、财政拨款、上年结转资金、其他资金",
                "年度资金总额",
                ("年度资金总额", "财政拨款", "上年结转资金", "其他资金"),
                open_choices=True,
            ),
            Column(
                "line_level",
                "行级别",
                "choice",
                True,
                "“合计”为年度资金总额行，“其中”为其下的分项",
                "合计",
                FUND_ROW_LEVELS,
            ),
            _money("initial_budget", "年初预算数", False, "年初预算数", "0"),
            _money("final_budget", "全年预算数", False, "全年预算数", "10414"),
            _money("executed_to_date", "监控期执行数", False, "监控期执行数", "10380.95"),
            Column(
                "rate_to_date",
                "监控期执行率",
                "percent",
                False,
                "监控期执行率（%），按原表",
                "99.68",
            ),
            _money("forecast", "全年预计执行数", False, "全年预计执行数", "10414"),
            _unit(),
            _note(),
        ),
        required=False,
    ),
    Sheet(
        "monitor_indicators",
        "监控指标",
        "绩效运行监控表的指标部分，每个三级指标一行。",
        (
            _subject(),
            Column("period_end", "监控截止日期", "date", True, "监控期截止日期", "2024-09-30"),
            *_levels(),
            Column("target", "年度指标值", "indicator", True, "监控表中的年度指标值原文", "≥5户"),
            Column("to_date", "监控期执行情况", "indicator", False, "监控期执行情况原文", "=5"),
            Column(
                "forecast", "全年预计完成情况", "indicator", False, "全年预计完成情况原文", "≥5户"
            ),
            Column(
                "cause_funding", "经费保障", "text", False, "偏差原因：经费保障", "资金到位不及时"
            ),
            Column("cause_system", "制度保障", "text", False, "偏差原因：制度保障", ""),
            Column("cause_staff", "人员保障", "text", False, "偏差原因：人员保障", ""),
            Column("cause_hardware", "硬件条件保障", "text", False, "偏差原因：硬件条件保障", ""),
            Column("cause_other", "其他", "text", False, "偏差原因：其他", ""),
            Column("cause_text", "原因说明", "text", False, "偏差原因说明", "财政资金拨付暂未到位"),
            Column(
                "likelihood",
                "完成目标可能性",
                "choice",
                False,
                "确定能、有可能、完全不可能",
                "确定能",
                LIKELIHOOD,
            ),
            Column("measures", "拟改进措施", "text", False, "拟改进措施", ""),
            _note(),
        ),
        required=False,
    ),
    Sheet(
        "selfeval",
        "自评表",
        "每张绩效自评表一行：总分、等级和实际完成情况。",
        (
            _subject(),
            Column(
                "layout",
                "版式",
                "choice",
                True,
                "项目支出、部门整体或年度主要任务（如朝阳市版式）",
                "项目支出",
                SELFEVAL_LAYOUTS,
            ),
            Column("weight_total", "分值合计", "number", False, "表中“总分”行的分值", "100"),
            Column("total", "总分", "number", True, "公布的总分（得分）", "94"),
            Column("grade", "等级", "text", False, "公布的等级", "优"),
            Column(
                "achieved",
                "实际完成情况",
                "text",
                False,
                "年度目标实际完成情况（原文）",
                "已完成100%支付。",
            ),
            Column("reason", "未完成原因分析", "text", False, "资金部分的未完成原因（原文）", ""),
            _note(),
        ),
        required=False,
        unique=("subject",),
    ),
    Sheet(
        "selfeval_funds",
        "自评资金",
        "绩效自评表的资金部分（年度资金总额及其分项），每行一项。",
        (
            _subject(),
            Column(
                "line",
                "资金类别",
                "text",
                True,
                "年度资金总额、其中：财政拨款……或部门的基本支出、人员经费……",
                "年度资金总额",
            ),
            Column(
                "line_level",
                "行级别",
                "choice",
                True,
                "“合计”计入总分；“分项”“其中”不计入总分",
                "合计",
                FUND_ROW_LEVELS,
            ),
            _money("initial_budget", "年初预算数", False, "年初预算数", "500000"),
            _money("final_budget", "全年预算数", False, "全年预算数", "500000"),
            _money("executed", "全年执行数", False, "全年执行数", "500000"),
            Column("rate", "执行率", "percent", False, "公布的执行率（%）", "100"),
            Column("weight", "分值", "number", False, "分值（权重）", "10"),
            Column("score", "得分", "number", False, "公布的得分", "10"),
            Column("reason", "未完成原因分析", "text", False, "未完成原因（原文）", ""),
            _unit(),
            _note(),
        ),
        required=False,
    ),
    Sheet(
        "selfeval_indicators",
        "自评指标",
        "绩效自评表的指标部分，每个三级指标一行。",
        (
            _subject(),
            *_levels(),
            Column(
                "operator",
                "运算符号",
                "choice",
                False,
                "单独列出的运算符（朝阳市版式），否则留空",
                "=",
                OPERATORS,
                open_choices=True,
            ),
            Column(
                "target",
                "年度指标值",
                "indicator",
                True,
                "年度指标值原文",
                "≥5户",
                operator_column="operator",
                indicator_unit_column="unit",
            ),
            Column(
                "actual",
                "实际完成值",
                "indicator",
                False,
                "实际完成值原文（定性指标为所选档次）",
                "5",
                indicator_unit_column="unit",
            ),
            Column("unit", "度量单位", "text", False, "度量单位", "户"),
            Column("weight", "分值", "number", True, "分值（权重）", "13.33"),
            Column("completion", "完成率", "text", False, "公布的完成率原文", "100.00%"),
            Column("score", "得分", "number", True, "公布的得分", "13.33"),
            Column("reason", "未完成原因分析", "text", False, "偏差原因分析（原文）", ""),
            Column("measures", "改进措施", "text", False, "改进措施（原文）", ""),
            _note(),
        ),
        required=False,
    ),
    Sheet(
        "tasks",
        "年度主要任务",
        "部门整体自评表中按“年度主要任务”计分的预算行（朝阳市版式）。",
        (
            _subject(),
            Column("task", "年度主要任务", "text", True, "年度主要任务", "年度主要任务"),
            Column(
                "item", "对应项目", "text", True, "对应项目", "部门预算基本支出公用经费（保运转）"
            ),
            _money("allocated", "项目下达金额", True, "项目下达金额", "12.79"),
            _money("executed", "项目执行金额", True, "项目执行金额", "12.2"),
            Column("rate", "项目执行率", "percent", False, "公布的执行率（%）", "95.00"),
            Column("weight", "分值", "number", True, "分值", "13.3"),
            Column("score", "得分", "number", True, "公布的得分", "12.63"),
            _unit(),
            _note(),
        ),
        required=False,
    ),
    Sheet(
        "notes",
        "评估人意见",
        "评估人补充的判断，报告将其放入对应章节并标明为评估人意见。",
        (
            Column(
                "section",
                "章节",
                "choice",
                True,
                "放入报告的章节",
                "三、评估结论",
                (
                    "一、绩效目标管理情况",
                    "二、评估思路及目的",
                    "三、评估结论",
                    "四、绩效目标管理分析",
                    "五、存在的问题",
                    "六、意见与建议",
                ),
            ),
            Column("text", "段落", "text", True, "段落原文", ""),
        ),
        required=False,
    ),
)

SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
TABLE_KEYS: tuple[str, ...] = tuple(s.key for s in SHEETS if s.kind == "table")
INFO_BY_LABEL: dict[str, Column] = {c.header: c for c in INFO_FIELDS}

FIELD_SHEET_HEADERS = ("字段", "值", "备注")


_HEADERS: dict[tuple[str, str], str] = {
    (s.key, c.key): c.header for s in SHEETS for c in reversed(s.columns)
}


def column_header(sheet_key: str, column: str) -> str:
    """The Chinese header of a column key of a sheet; ``column`` itself when not a key."""
    return _HEADERS.get((sheet_key, column), column)


def dept_identity(info: dict[str, Any]) -> tuple[str, int]:
    """A department's (部门编码, 年度) from its validated 《部门信息》 fields."""
    return str(info["dept_id"]), int(info["year"])


def sheet(key: str) -> Sheet:
    """The sheet declaration for an internal key (``"projects"``) or a Chinese name."""
    if key in SHEETS_BY_KEY:
        return SHEETS_BY_KEY[key]
    return SHEETS_BY_NAME[key]
