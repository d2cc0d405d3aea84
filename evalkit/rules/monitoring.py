"""Monitoring rules (绩效运行监控, “双监控”): RULES.md §5.

The analysis behind the rules is :func:`monitoring_progress`: one row per monitored money
line (监控资金) and per quantitative indicator (监控指标), with the execution rate published
and recomputed, the time share of the year at the monitoring date, the progress ratio and
its light (绿/黄/红). Rules MN001–MN008 read that table or the monitoring sheets directly.

The small helpers at the top (:func:`normalise_name`, :func:`align`, :func:`time_share`,
:func:`filled`) are shared with :mod:`evalkit.rules.consistency`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import numbers
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..findings import Finding, Severity, Source
from ..model import Department, blanks_as_in_frame
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..schema import DEPARTMENT, SHEETS_BY_KEY, column_header
from ..values import IndicatorValue

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PROGRESS_COLUMNS",
    "align",
    "filled",
    "fmt_in_unit",
    "fmt_money",
    "fmt_num",
    "monitoring_progress",
    "normalise_name",
    "time_share",
]

SECTION = "monitoring"
DIMENSION = "绩效监控"

#: Deviation-cause columns of 监控指标 (偏差原因分析).
CAUSE_COLUMNS: tuple[str, ...] = (
    "cause_funding",
    "cause_system",
    "cause_staff",
    "cause_hardware",
    "cause_other",
    "cause_text",
)
_BLANK_TEXTS = frozenset({"", "无", "-", "--", "—", "——", "/", "null", "none", "nan"})
_HIGHER = frozenset({">=", ">"})
_LOWER = frozenset({"<=", "<"})
_BOUNDS = _HIGHER | _LOWER
_CERTAIN = "确定能"
_IMPOSSIBLE = "完全不可能"
_OP_SHOWN = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}

#: Columns of :func:`monitoring_progress` (``_table``/``_row`` locate the source row).
PROGRESS_COLUMNS: tuple[str, ...] = (
    "对象",
    "监控截止日期",
    "类型",
    "名称",
    "层级",
    "全年目标",
    "全年目标值",
    "计量单位",
    "监控期完成",
    "监控期完成值",
    "公布执行率",
    "计算执行率",
    "时间进度",
    "按进度应完成值",
    "进度比",
    "灯号",
    "说明",
    "完成目标可能性",
    "偏差原因",
    "拟改进措施",
    "_scale",
    "_table",
    "_row",
)


# ----------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------
def normalise_name(text: object) -> str:
    """An indicator name for matching: NFKC, letters and digits only, lower case.

    ``“三公经费”控制率`` and ``“三公”经费 控制率`` both become ``三公经费控制率``.
    """
    return _normalise_name("" if text is None else str(text))


@lru_cache(maxsize=1 << 16)
def _normalise_name(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if ch.isalnum()).lower()


def filled(text: object) -> bool:
    """True when a text cell says something (not blank, 无, -, null ...)."""
    if type(text) is str:  # the common case first
        return bool(text) and text.strip().lower() not in _BLANK_TEXTS
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return False
    return str(text).strip().lower() not in _BLANK_TEXTS


def num(value: object) -> float | None:
    """A float, or None for None/NaN/non-numbers."""
    if type(value) is float:  # the common cases first
        return None if value != value else value
    if type(value) is int:
        return float(value)
    if value is None or isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def fmt_num(value: float | None, digits: int = 2) -> str:
    """A number as a report writes it: no trailing zeros, no thousands separator."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_money(value: float | None) -> str:
    """An amount in 元."""
    return "—" if value is None else f"{fmt_num(value)}元"


def fmt_pct(value: float | None) -> str:
    """A rate already in percent."""
    return "—" if value is None else f"{fmt_num(value)}%"


def fmt_in_unit(value: float | None, scale: float, unit: str) -> str:
    """A base-unit value shown in a written unit: 1.575e9 with (1e8, "亿") -> "15.75亿"."""
    if value is None:
        return "—"
    return f"{fmt_num(value / (scale or 1.0), 4)}{unit}"


def time_share(period_end: object, mode: str = "month") -> float | None:
    """Share of the year elapsed at the monitoring date (0–1).

    ``month``: months elapsed / 12, the month of the date counted by its elapsed days
    (2024-09-30 → 9/12 = 0.75; 2024-09-15 → 8.5/12). ``day``: day of the year / days in
    the year.
    """
    if isinstance(period_end, dt.datetime):  # a pandas Timestamp too
        period_end = period_end.date()
    if not isinstance(period_end, dt.date):
        return None
    return _time_share(period_end, mode)


@lru_cache(maxsize=256)
def _time_share(period_end: dt.date, mode: str) -> float:
    if mode == "day":
        days = 366 if calendar.isleap(period_end.year) else 365
        return period_end.timetuple().tm_yday / days
    days_in_month = calendar.monthrange(period_end.year, period_end.month)[1]
    return (period_end.month - 1 + period_end.day / days_in_month) / 12


def align(value: object, ref: object) -> tuple[float, float] | None:
    """``(value, ref)`` as numbers in one base, or None when they cannot be compared.

    A side written without a unit is read in the other side's written unit: a monitoring
    value ``=10`` against a target ``≤11 万`` is 10 万; ``>10`` against ``≥10%`` is 10 %.
    Two written units must have the same base unit (元 with 万元 is fine, % with 户 is not).
    """
    if not isinstance(value, IndicatorValue) or not isinstance(ref, IndicatorValue):
        return None
    if value.number is None or ref.number is None:
        return None
    if value.kind not in ("quantitative", "invalid") or ref.kind not in ("quantitative", "invalid"):
        return None
    if value.written_unit and ref.written_unit:
        if value.unit != ref.unit:
            return None
        return value.number * value.scale, ref.number * ref.scale
    if not value.written_unit and not ref.written_unit:
        return value.number, ref.number
    if not value.written_unit:
        return value.number * ref.scale, ref.number * ref.scale
    return value.number * value.scale, ref.number * value.scale


def _compact(text: object) -> str:
    """NFKC text without whitespace (for “same text” comparisons)."""
    return _nfkc_compact("" if text is None else str(text))


@lru_cache(maxsize=1 << 16)
def _nfkc_compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def shown_op(op: object) -> str:
    return _OP_SHOWN.get(str(op), "") if op else ""


def period_label(period_end: object) -> str:
    if isinstance(period_end, dt.date):
        return f"截至{period_end.isoformat()}"
    return "监控期"


def _src(table: str, row: object, column: str | None = None) -> Source:
    """Evidence without a Context (same form as :meth:`Context.src`)."""
    sheet = SHEETS_BY_KEY[table]
    header = column_header(table, column) if column else None
    rowno = num(row)
    return Source(sheet.name, None if rowno is None else int(rowno), header)


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else load_policy()


def _is_na(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class _Progress(NamedTuple):
    """The policy's numbers for the progress table, read once per table."""

    mode: str  # time share: month / day
    green: float
    yellow: float
    cumulative: tuple[str, ...]  # name patterns of rates that accumulate over the year

    @classmethod
    def of(cls, policy: Policy) -> _Progress:
        return cls(
            str(policy.get(f"{SECTION}.time_share") or "month"),
            float(policy.get(f"{SECTION}.green")),
            float(policy.get(f"{SECTION}.yellow")),
            tuple(str(p) for p in policy.get(f"{SECTION}.cumulative_rate_patterns") or []),
        )


def _light(ratio: float | None, cfg: _Progress) -> str:
    if ratio is None:
        return ""
    if ratio >= cfg.green:
        return "绿"
    if ratio >= cfg.yellow:
        return "黄"
    return "红"


_CAUSE_HEADERS: dict[str, str] = {
    key: SHEETS_BY_KEY["monitor_indicators"].column(key).header for key in CAUSE_COLUMNS
}


def _causes(row: Mapping[str, Any]) -> list[str]:
    """The filled deviation causes of a 监控指标 row, as ``header：text``."""
    out = []
    for key in CAUSE_COLUMNS:
        text = row.get(key)
        if filled(text):
            out.append(f"{_CAUSE_HEADERS[key]}：{str(text).strip()}")
    return out


def _is_cumulative(name: str, cfg: _Progress) -> bool:
    return any(p in name for p in cfg.cumulative)


def _fund_total(df: pd.DataFrame) -> pd.DataFrame:
    """The 合计 (年度资金总额) rows of a money table."""
    if df.empty:
        return df
    total = df[df["line_level"] == "合计"]
    if total.empty:
        total = df[df["line"].map(normalise_name) == normalise_name("年度资金总额")]
    return total


# ----------------------------------------------------------------------------------------
# analysis table
# ----------------------------------------------------------------------------------------
def monitoring_progress(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """Progress at each monitoring date: money lines and quantitative indicators.

    One row per 监控资金 row (类型 “资金”; light only for the 合计 row) and per 监控指标 row
    whose 年度指标值 is quantitative (类型 “指标”). 进度比 = (完成 ÷ 全年目标) ÷ 时间进度 for
    money and cumulative quantities; rates that are levels (满意度, 准确率 …) are compared
    with the full target; “越低越好” indicators (≤, <, =0) get a red light only when the
    value so far already exceeds the target.
    """
    import pandas as pd

    rows = _progress_rows(dept, _policy(policy))
    return pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))


#: Columns of :func:`monitoring_progress` that may be blank.
_PROGRESS_BLANKS: tuple[str, ...] = (
    "对象", "监控截止日期", "名称", "层级", "全年目标", "全年目标值", "监控期完成",
    "监控期完成值", "公布执行率", "计算执行率", "时间进度", "按进度应完成值", "进度比",
    "完成目标可能性", "_row",
)  # fmt: skip


def _progress_rows(
    dept: Department, pol: Policy, *, red_indicators_only: bool = False
) -> list[dict[str, Any]]:
    """The rows of :func:`monitoring_progress` as dicts, with the blanks the table holds.

    ``red_indicators_only``: every money row but only the indicator rows with a red light
    (what the rules read); the other rows are not built, and a column blank in every row
    built keeps None.
    """
    cfg = _Progress.of(pol)
    known: dict[tuple[Any, ...], _Measured] = {}
    rows: list[dict[str, Any]] = []
    for rec in dept.records("monitor_funds"):
        rows.append(_money_progress(rec, cfg))
    for row in dept.records("monitor_indicators"):
        parsed = row.get("target_parsed")
        if not isinstance(parsed, IndicatorValue) or parsed.kind != "quantitative":
            continue
        progress = _indicator_progress(row, parsed, cfg, known, red_only=red_indicators_only)
        if progress is not None:
            rows.append(progress)
    blanks_as_in_frame(rows, _PROGRESS_BLANKS)
    return rows


def _money_progress(rec: dict[str, Any], cfg: _Progress) -> dict[str, Any]:
    budget = num(rec.get("final_budget"))
    executed = num(rec.get("executed_to_date"))
    published = num(rec.get("rate_to_date"))
    share = time_share(rec.get("period_end"), cfg.mode)
    calc = executed / budget * 100 if executed is not None and budget else None
    note = ""
    basis = calc
    if basis is None and published is not None and budget:
        basis, note = published, "监控期执行数空白，按公布执行率计算"
    is_total = rec.get("line_level") == "合计" or normalise_name(rec.get("line")) == "年度资金总额"
    ratio = basis / 100 / share if basis is not None and share else None
    if not is_total:
        note = note or "分项行，不判断进度"
    elif not budget:
        note = "全年预算数为0或空白，无法计算执行进度"
    return {
        "对象": rec.get("subject"),
        "监控截止日期": rec.get("period_end"),
        "类型": "资金",
        "名称": rec.get("line"),
        "层级": rec.get("line_level"),
        "全年目标": fmt_money(budget),
        "全年目标值": budget,
        "计量单位": "元",
        "监控期完成": fmt_money(executed),
        "监控期完成值": executed,
        "公布执行率": published,
        "计算执行率": calc,
        "时间进度": share,
        "按进度应完成值": budget * share if budget is not None and share else None,
        "进度比": ratio if is_total else None,
        "灯号": _light(ratio, cfg) if is_total else "",
        "说明": note,
        "完成目标可能性": "",
        "偏差原因": "",
        "拟改进措施": "",
        "_scale": 1.0,
        "_table": "monitor_funds",
        "_row": rec.get("_row"),
    }


class _Measured(NamedTuple):
    """The progress of one quantitative indicator at a monitoring date."""

    share: float | None  # time share
    value: float | None  # value so far, in the target's base
    goal: float | None
    expected: float | None
    ratio: float | None
    light: str
    note: str


def _indicator_progress(
    row: Mapping[str, Any],
    target: IndicatorValue,
    cfg: _Progress,
    known: dict[tuple[Any, ...], _Measured],
    *,
    red_only: bool,
) -> dict[str, Any] | None:
    """The progress row of a 监控指标 row (None when ``red_only`` and the light is not red).

    ``known`` remembers the measures by their inputs (parsed target and value so far, date,
    name): the loader shares a parsed value between the cells of the same text, and the
    department keeps them alive, so their ids identify them.
    """
    period = row.get("period_end")
    name = str(row.get("level3") or "")
    to_date = row.get("to_date_parsed")
    key = (id(target), id(to_date), period, name)
    m = known.get(key)
    if m is None:
        m = known[key] = _measure(target, to_date, time_share(period, cfg.mode), name, cfg)
    if red_only and m.light != "红":
        return None
    share, value, goal, expected, ratio, light, note = m
    return {
        "对象": row.get("subject"),
        "监控截止日期": period,
        "类型": "指标",
        "名称": name,
        "层级": row.get("level1"),
        "全年目标": row.get("target"),
        "全年目标值": goal,
        "计量单位": target.written_unit,
        "监控期完成": row.get("to_date"),
        "监控期完成值": value,
        "公布执行率": None,
        "计算执行率": value / goal * 100 if value is not None and goal else None,
        "时间进度": share,
        "按进度应完成值": expected,
        "进度比": ratio,
        "灯号": light,
        "说明": note,
        "完成目标可能性": row.get("likelihood") or "",
        "偏差原因": "；".join(_causes(row)),
        "拟改进措施": str(row.get("measures") or "").strip(),
        "_scale": target.scale if target.written_unit else 1.0,
        "_table": "monitor_indicators",
        "_row": row.get("_row"),
    }


def _measure(
    target: IndicatorValue, to_date: object, share: float | None, name: str, cfg: _Progress
) -> _Measured:
    pair = align(to_date, target)
    value = pair[0] if pair else None
    goal = pair[1] if pair else target.value
    expected: float | None = None
    ratio: float | None = None
    light = ""
    lower = target.op in _LOWER or (target.op == "=" and goal == 0)
    if pair is None:
        kind = getattr(to_date, "kind", "empty")
        note = "监控期执行情况未填写" if kind == "empty" else "监控期执行情况不是可比较的数值"
    elif lower:
        expected = goal
        light = "红" if value is not None and goal is not None and value > goal else "绿"
        note = "越低越好：监控期值与全年目标上限比较"
    elif not goal or goal <= 0 or share is None:
        note = "全年目标值为0或监控日期缺失，无法计算进度"
    else:
        level_rate = target.unit in ("%", "‰") and not _is_cumulative(name, cfg)
        expected = goal if level_rate else goal * share
        note = "比率类指标按全年目标比较" if level_rate else "按时间进度折算全年目标"
        ratio = value / expected if value is not None else None
        light = _light(ratio, cfg)
    return _Measured(share, value, goal, expected, ratio, light, note)


def _progress_records(ctx: Context) -> list[dict[str, Any]]:
    """The rows of :func:`monitoring_progress` the rules read (every money row, the red
    indicator rows), computed once per check (shared, read-only)."""
    return ctx.memo(
        "monitoring_progress",
        lambda: _progress_rows(ctx.dept, ctx.policy, red_indicators_only=True),
    )


def _row_causes(ctx: Context, row: Mapping[str, Any]) -> list[str]:
    """:func:`_causes` of a 监控指标 row, computed once per check (shared, read-only)."""
    memo: dict[int, list[str]] = ctx.memo("monitoring.causes", dict)
    key = id(row)
    if key not in memo:
        memo[key] = _causes(row)
    return memo[key]


def _shortfalls(ctx: Context) -> list[tuple[float, float] | None]:
    """:func:`forecast_shortfall` of every 监控指标 row (in table order), computed once per
    check, and once for each pair of parsed target and forecast (the loader shares a parsed
    value between cells of the same text, and the department keeps them alive, so their ids
    identify them)."""

    def compute() -> list[tuple[float, float] | None]:
        known: dict[tuple[int, int], tuple[float, float] | None] = {}
        out = []
        for row in ctx.dept.records("monitor_indicators"):
            key = (id(row.get("target_parsed")), id(row.get("forecast_parsed")))
            if key not in known:
                known[key] = forecast_shortfall(row, ctx.policy)
            out.append(known[key])
        return out

    return ctx.memo("monitoring.shortfalls", compute)


def forecast_shortfall(row: Mapping[str, Any], policy: Policy) -> tuple[float, float] | None:
    """``(forecast, target)`` when the year-end forecast is worse than the target, else None.

    Worse means lower for ≥/>, higher for ≤/<, different for = (beyond the policy's
    ``monitoring.forecast_tolerance``, a share of the target).
    """
    target = row.get("target_parsed")
    forecast = row.get("forecast_parsed")
    if not isinstance(target, IndicatorValue) or target.kind != "quantitative":
        return None
    if not isinstance(forecast, IndicatorValue) or forecast.kind != "quantitative":
        return None
    pair = align(forecast, target)
    if pair is None:
        return None
    f, t = pair
    tol = abs(t) * float(policy.get(f"{SECTION}.forecast_tolerance") or 0.0) + 1e-9 * max(1, abs(t))
    if target.op in _HIGHER:
        worse = f < t - tol
    elif target.op in _LOWER:
        worse = f > t + tol
    else:
        worse = abs(f - t) > tol
    return (f, t) if worse else None


def _subject_period_rows(dept: Department, subject: object, period: object) -> list[dict[str, Any]]:
    """The 监控指标 rows of one subject and monitoring date (``df[(subject) & (period)]``:
    a blank date matches nothing, as in a pandas comparison)."""
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return []
    return [r for r in dept.rows("monitor_indicators", subject) if r["period_end"] == period]


def _cause_sources(rows: list[dict[str, Any]]) -> list[Source]:
    out = []
    for r in rows:
        for key in CAUSE_COLUMNS:
            if filled(r.get(key)):
                out.append(_src("monitor_indicators", r["_row"], key))
    return out


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
@rule(
    "MN001",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="未对部门整体开展绩效监控",
)
def department_not_monitored(ctx: Context) -> Iterator[Finding]:
    """The department as a whole has no monitoring money rows or no monitoring indicators."""
    dept = ctx.dept
    has_money = DEPARTMENT in dept.by_subject("monitor_funds")
    has_targets = DEPARTMENT in dept.by_subject("monitor_indicators")
    if has_money and has_targets:
        return
    if not has_money and not has_targets:
        missing = "既无资金执行监控，也无绩效目标（指标）监控"
        published = "无部门整体监控表"
        sources = [ctx.src("monitor_funds"), ctx.src("monitor_indicators")]
    elif not has_money:
        missing = "只监控了绩效指标，未监控预算资金执行"
        published = "《监控资金》中无部门整体"
        sources = [ctx.src("monitor_funds")]
    else:
        missing = "只监控了预算资金执行，未监控绩效目标（指标）完成情况"
        published = "《监控指标》中无部门整体"
        sources = [ctx.src("monitor_indicators")]
    yield ctx.emit(
        subject=DEPARTMENT,
        message=(
            f"{dept.name}未对部门整体绩效目标开展“双监控”：{missing}。"
            "按绩效运行监控要求，部门整体与各项目均应于年中（1-6月或1-7月、1-9月）"
            "监控预算执行进度和绩效目标实现程度。"
        ),
        published=published,
        expected="部门整体资金与指标“双监控”",
        sources=sources,
    )


@rule(
    "MN002",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="项目未开展绩效监控",
)
def project_not_monitored(ctx: Context) -> Iterator[Finding]:
    """A project with a target table or a self-evaluation but no (or half) monitoring."""
    dept = ctx.dept
    money = dept.by_subject("monitor_funds")  # subjects with rows (as keys)
    indicators = dept.by_subject("monitor_indicators")
    for name in dept.project_names:
        has_money, has_ind = name in money, name in indicators
        if has_money and has_ind:
            continue
        where = [
            (key, dept.rows(key, name)) for key in ("targets", "selfeval", "selfeval_indicators")
        ]
        evidence = [(key, rows) for key, rows in where if rows]
        if not evidence:
            continue
        if not has_money and not has_ind:
            missing, published = "没有任何监控记录（资金与指标均未监控）", "无监控表"
        elif not has_money:
            missing, published = "只监控了指标，未监控资金执行", "《监控资金》中无此项目"
        else:
            missing, published = "只监控了资金执行，未监控绩效指标", "《监控指标》中无此项目"
        basis = "、".join(f"《{dept.sheet_name(key)}》" for key, _ in evidence)
        sources = [ctx.src(key, rows[0]["_row"], "subject") for key, rows in evidence]
        if not has_money:
            sources.append(ctx.src("monitor_funds"))
        if not has_ind:
            sources.append(ctx.src("monitor_indicators"))
        yield ctx.emit(
            subject=name,
            message=(
                f"项目“{name}”在{basis}中有绩效目标或自评记录，但{missing}。"
                "有绩效目标的项目均应开展预算执行与绩效目标“双监控”。"
            ),
            published=published,
            expected="资金与指标“双监控”",
            sources=sources,
        )


@rule(
    "MN003",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="监控期预算执行进度滞后",
)
def execution_behind(ctx: Context) -> Iterator[Finding]:
    """Money progress ratio yellow (notice) or red (warning; notice with cause and measure)."""
    money = [r for r in _progress_records(ctx) if r["类型"] == "资金" and r["灯号"] in ("黄", "红")]
    green = float(ctx.policy.get(f"{SECTION}.green"))
    yellow = float(ctx.policy.get(f"{SECTION}.yellow"))
    for r in money:
        subject, period = r["对象"], r["监控截止日期"]
        rows = _subject_period_rows(ctx.dept, subject, period)
        causes = [c for x in rows for c in _row_causes(ctx, x)]
        measures = [str(x["measures"]).strip() for x in rows if filled(x["measures"])]
        rate = r["计算执行率"] if num(r["计算执行率"]) is not None else r["公布执行率"]
        share = float(r["时间进度"])
        light = r["灯号"]
        if light == "黄":
            severity: Severity = "notice"
            judged = f"介于{fmt_num(yellow * 100, 0)}%与{fmt_num(green * 100, 0)}%之间（黄灯）"
        else:
            severity = "notice" if causes and measures else "warning"
            judged = f"低于{fmt_num(yellow * 100, 0)}%（红灯）"
        if causes and measures:
            explained = (
                f"已说明偏差原因（{'；'.join(causes)}）并提出拟改进措施（{'；'.join(measures)}）。"
            )
        elif causes:
            explained = f"已说明偏差原因（{'；'.join(causes)}），但未提出拟改进措施。"
        elif measures:
            explained = f"已提出拟改进措施（{'；'.join(measures)}），但未说明偏差原因。"
        else:
            explained = "监控表既未说明偏差原因，也未提出拟改进措施。"
        executed = num(r["监控期完成值"])
        budget = num(r["全年目标值"])
        formula = (
            f"{fmt_num(executed)} ÷ {fmt_num(budget)} = {fmt_pct(rate)}；"
            f"{fmt_pct(rate)} ÷ {fmt_pct(share * 100)} = {fmt_num(r['进度比'] * 100)}%"
            if executed is not None
            else f"{fmt_pct(rate)} ÷ {fmt_pct(share * 100)} = {fmt_num(r['进度比'] * 100)}%"
        )
        sources = [
            ctx.src("monitor_funds", r["_row"], "executed_to_date"),
            ctx.src("monitor_funds", r["_row"], "final_budget"),
            ctx.src("monitor_funds", r["_row"], "period_end"),
            *_cause_sources(rows),
        ]
        yield ctx.emit(
            subject=str(subject),
            indicator="监控期预算执行率",
            message=(
                f"“{subject}”{period_label(period)}监控期执行数{fmt_money(executed)}，"
                f"全年预算数{fmt_money(budget)}，执行率{fmt_pct(rate)}，"
                f"时间进度{fmt_pct(share * 100)}，执行进度比{fmt_num(r['进度比'] * 100)}%，"
                f"{judged}。{explained}"
            ),
            published=fmt_pct(rate),
            expected=f"≥{fmt_pct(green * share * 100)}（时间进度{fmt_pct(share * 100)}×{fmt_num(green * 100, 0)}%）",
            formula=formula,
            sources=sources,
            severity=severity,
        )


@rule(
    "MN004",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="预计不能完成目标但未说明原因或措施",
)
def forecast_without_cause(ctx: Context) -> Iterator[Finding]:
    """Forecast worse than target with blank cause columns or blank 拟改进措施."""
    rows = ctx.dept.records("monitor_indicators")
    for row, gap in zip(rows, _shortfalls(ctx), strict=True):
        if gap is None:
            continue
        causes = _row_causes(ctx, row)
        has_measure = filled(row.get("measures"))
        if causes and has_measure:
            continue
        if not causes and not has_measure:
            lack = "未分析偏差原因（经费、制度、人员、硬件、其他均空白），也未提出拟改进措施"
        elif not causes:
            lack = "未分析偏差原因（经费、制度、人员、硬件、其他均空白）"
        else:
            lack = "未提出拟改进措施"
        target = row["target_parsed"]
        f, t = gap
        direction = {">=": "低于", ">": "低于", "<=": "高于", "<": "高于"}.get(
            str(target.op), "不等于"
        )
        yield ctx.emit(
            subject=str(row["subject"]),
            indicator=str(row["level3"]),
            message=(
                f"“{row['subject']}”{period_label(row['period_end'])}监控表中，“{row['level3']}”"
                f"全年预计完成“{row['forecast']}”{direction}年度指标值“{row['target']}”，"
                f"预计不能完成目标，但{lack}。"
            ),
            published=str(row["forecast"]),
            expected=str(row["target"]),
            formula=f"预计 {fmt_num(f)} {direction} 目标 {fmt_num(t)}",
            sources=[
                ctx.src("monitor_indicators", row["_row"], "forecast"),
                ctx.src("monitor_indicators", row["_row"], "target"),
                ctx.src("monitor_indicators", row["_row"], "cause_text"),
                ctx.src("monitor_indicators", row["_row"], "measures"),
            ],
        )


@rule(
    "MN005",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="完成可能性判断与监控数据不符",
)
def likelihood_inconsistent(ctx: Context) -> Iterator[Finding]:
    """确定能 despite zero spending, an indicator far behind or a forecast below target;
    完全不可能 without measures."""
    dept = ctx.dept
    progress = _progress_records(ctx)
    # (a) zero spending at the monitoring date, 确定能 and no cause anywhere
    for r in progress:
        if r["类型"] != "资金" or r["灯号"] == "":
            continue
        executed = num(r["监控期完成值"])
        rate = executed if executed is not None else num(r["公布执行率"])
        if rate is None or rate > 0 or not num(r["全年目标值"]):
            continue
        rows = _subject_period_rows(dept, r["对象"], r["监控截止日期"])
        certain = [x for x in rows if x["likelihood"] == _CERTAIN]
        if not certain or any(_row_causes(ctx, x) for x in rows):
            continue
        names = "、".join(f"“{x['level3']}”" for x in certain)
        yield ctx.emit(
            subject=str(r["对象"]),
            indicator="监控期预算执行率",
            message=(
                f"“{r['对象']}”{period_label(r['监控截止日期'])}监控期执行数为0"
                f"（全年预算数{fmt_money(num(r['全年目标值']))}），但{names}仍判断“确定能”"
                "完成目标，且未分析任何偏差原因，可能性判断缺乏依据。"
            ),
            published="执行数0元；确定能",
            expected="说明偏差原因，或调整完成目标可能性判断",
            formula=f"监控期执行数 0 ÷ {fmt_num(num(r['全年目标值']))} = 0%",
            sources=[
                ctx.src("monitor_funds", r["_row"], "executed_to_date"),
                *[ctx.src("monitor_indicators", x["_row"], "likelihood") for x in certain],
            ],
        )
    # (b)-(d) per indicator row
    lights = {
        int(r["_row"]): r
        for r in progress
        if r["_table"] == "monitor_indicators" and num(r["_row"]) is not None
    }
    indicator_rows = dept.records("monitor_indicators")
    for row, gap in zip(indicator_rows, _shortfalls(ctx), strict=True):
        likelihood = str(row.get("likelihood") or "").strip()
        reasons: list[str] = []
        formulas: list[str] = []
        expected = ""
        p = lights.get(int(row["_row"])) if likelihood == _CERTAIN else None
        if p is not None and p["灯号"] == "红" and not _row_causes(ctx, row):
            scale, unit = float(p["_scale"]), str(p["计量单位"] or "")
            done = fmt_in_unit(num(p["监控期完成值"]), scale, unit)
            due = fmt_in_unit(num(p["按进度应完成值"]), scale, unit)
            if num(p["进度比"]) is not None:
                pct = fmt_num(p["进度比"] * 100)
                reasons.append(
                    f"监控期完成“{row['to_date']}”（{done}），"
                    f"仅为按时间进度应完成{due}的{pct}%（红灯）"
                )
                formulas.append(f"{done} ÷ {due} = {pct}%")
            else:
                reasons.append(f"监控期值“{row['to_date']}”已超过目标上限“{row['target']}”")
                formulas.append(f"{done} > {fmt_in_unit(num(p['全年目标值']), scale, unit)}")
            expected = "有可能（并说明偏差原因）"
        if likelihood == _CERTAIN and gap is not None:
            reasons.append(f"全年预计完成“{row['forecast']}”未达到年度指标值“{row['target']}”")
            formulas.append(f"预计 {fmt_num(gap[0])} 对比 目标 {fmt_num(gap[1])}")
            expected = "有可能或完全不可能"
        if likelihood == _IMPOSSIBLE and not filled(row.get("measures")):
            reasons.append("判断“完全不可能”完成，却未提出拟改进（整改）措施")
            expected = "提出整改措施"
        if not reasons:
            continue
        if likelihood == _CERTAIN:
            tail = "且未说明偏差原因。" if not _row_causes(ctx, row) else "。"
            body = "；".join(reasons) + "，却判断“确定能”完成目标" + tail
        else:
            body = "；".join(reasons) + "。"
        yield ctx.emit(
            subject=str(row["subject"]),
            indicator=str(row["level3"]),
            message=(
                f"“{row['subject']}”{period_label(row['period_end'])}监控表中，"
                f"“{row['level3']}”（年度指标值“{row['target']}”）：{body}"
            ),
            published=likelihood,
            expected=expected,
            formula="；".join(formulas) or None,
            sources=[
                ctx.src("monitor_indicators", row["_row"], "likelihood"),
                ctx.src("monitor_indicators", row["_row"], "to_date"),
                ctx.src("monitor_indicators", row["_row"], "forecast"),
                ctx.src("monitor_indicators", row["_row"], "target"),
            ],
        )


@rule(
    "MN006",
    family="monitoring",
    severity="error",
    dimension=DIMENSION,
    section=SECTION,
    title="监控期执行率计算错误",
)
def rate_miscomputed(ctx: Context) -> Iterator[Finding]:
    """Published 监控期执行率 differs from 监控期执行数 ÷ 全年预算数."""
    tol = float(ctx.policy.get(f"{SECTION}.rate_tolerance"))
    for r in _progress_records(ctx):
        if r["类型"] != "资金":
            continue
        pub, calc = num(r["公布执行率"]), num(r["计算执行率"])
        if pub is None or calc is None or abs(pub - calc) <= tol:
            continue
        executed, budget = num(r["监控期完成值"]), num(r["全年目标值"])
        yield ctx.emit(
            subject=str(r["对象"]),
            indicator=f"监控期执行率（{r['名称']}）",
            message=(
                f"“{r['对象']}”{period_label(r['监控截止日期'])}监控表“{r['名称']}”行公布的执行率为"
                f"{fmt_pct(pub)}，按监控期执行数{fmt_money(executed)} ÷ 全年预算数{fmt_money(budget)}"
                f"计算应为{fmt_pct(calc)}，相差{fmt_num(abs(pub - calc))}个百分点。"
            ),
            published=fmt_pct(pub),
            expected=fmt_pct(calc),
            formula=f"{fmt_num(executed)} ÷ {fmt_num(budget)} × 100% = {fmt_pct(calc)}（容差{fmt_num(tol)}个百分点）",
            sources=[
                ctx.src("monitor_funds", r["_row"], "rate_to_date"),
                ctx.src("monitor_funds", r["_row"], "executed_to_date"),
                ctx.src("monitor_funds", r["_row"], "final_budget"),
            ],
        )


@rule(
    "MN007",
    family="monitoring",
    severity="notice",
    dimension=DIMENSION,
    section=SECTION,
    title="未判断完成目标可能性",
)
def likelihood_missing(ctx: Context) -> Iterator[Finding]:
    """Quantitative indicators with a blank 完成目标可能性, one finding per monitoring table."""
    tables: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for row in ctx.dept.records("monitor_indicators"):
        if row["target_kind"] != "quantitative":
            continue
        subject, period = row["subject"], row["period_end"]
        if (subject is None or (isinstance(subject, float) and math.isnan(subject))) or (
            period is None or (isinstance(period, float) and math.isnan(period))
        ):
            continue  # groupby leaves out rows whose key is blank (as ``_is_na``)
        tables.setdefault((subject, period), []).append(row)
    for (subject, period), rows in tables.items():
        blank = [x for x in rows if not filled(x["likelihood"])]
        if not blank:
            continue
        names = "、".join(f"“{x['level3']}”" for x in blank)
        yield ctx.emit(
            subject=str(subject),
            indicator=None if len(blank) > 1 else str(blank[0]["level3"]),
            message=(
                f"“{subject}”{period_label(period)}的监控表中，{len(rows)}个定量指标有"
                f"{len(blank)}个未判断完成目标可能性（确定能/有可能/完全不可能）：{names}。"
            ),
            published=f"{len(blank)}/{len(rows)}个定量指标未填写",
            expected="逐项判断完成目标可能性",
            sources=[ctx.src("monitor_indicators", x["_row"], "likelihood") for x in blank],
        )


@rule(
    "MN008",
    family="monitoring",
    severity="warning",
    dimension=DIMENSION,
    section=SECTION,
    title="监控期执行情况照抄目标值",
)
def to_date_copies_target(ctx: Context) -> Iterator[Finding]:
    """监控期执行情况 written as a target: with ≥/≤, or the inequality target's own text."""
    ops = {str(x) for x in (ctx.policy.get(f"{SECTION}.result_ops_not_values") or [])}
    for row in ctx.dept.records("monitor_indicators"):
        to_date = str(row.get("to_date") or "")
        if not filled(to_date):
            continue
        target = row.get("target_parsed")
        t_op = target.op if isinstance(target, IndicatorValue) else None
        same_text = t_op in _BOUNDS and _compact(to_date) == _compact(row.get("target"))
        op = row.get("to_date_op")
        if not same_text and op not in ops:
            continue
        why = (
            "与年度指标值完全相同（照抄目标值）"
            if same_text
            else f"带有“{shown_op(op)}”号，写的是目标而不是实际完成的数值"
        )
        yield ctx.emit(
            subject=str(row["subject"]),
            indicator=str(row["level3"]),
            message=(
                f"“{row['subject']}”{period_label(row['period_end'])}监控表中，“{row['level3']}”"
                f"的监控期执行情况填写为“{to_date}”，{why}；年度指标值为“{row['target']}”。"
                "监控期执行情况应填写截至监控日的实际值。"
            ),
            published=to_date,
            expected="截至监控日的实际数值（如“=92%”）",
            sources=[
                ctx.src("monitor_indicators", row["_row"], "to_date"),
                ctx.src("monitor_indicators", row["_row"], "target"),
            ],
        )
