"""Self-evaluation re-scoring (自评复核): RULES.md §1, 财预〔2020〕10号.

The family re-scores every 绩效自评表 of a department by the policy's rules and puts the
published and recomputed values side by side. The analysis tables are plain functions of
``(dept, policy)`` so that notebooks can show them; the rules read them through
``ctx.memo``:

* :func:`rescore_indicators` — one row per 自评指标 row (定量 and 定性 scoring);
* :func:`rescore_funds` — one row per scored money row (自评资金 “合计” rows and 年度主要任务
  rows): budget execution rate and its score;
* :func:`recheck_rates` — one row per money row of any level (合计/分项/其中) and per task:
  published 执行率 against 执行数/预算数, and overruns;
* :func:`rescore_totals` — one row per 自评表: published total, sum of the published row
  scores, recomputed total, weight sum and grades.

Decisions where RULES.md is silent (each also a policy option where it is a number or a
choice):

* A published score is accepted when it matches, within ``scoring.tolerance``, ANY
  combination of an accepted rate rounding (``rate_rounding``: exact, whole percent, ...)
  and an accepted score rounding (``score_rounding``: raw, rounded or truncated to two
  decimals). The recomputed score shown is the accepted variant closest to the published
  one; when none matches it is the exact product rounded to two decimals.
* ``>`` is scored like ``≥`` and ``<`` like ``≤`` (the boundary counts as achieved). A
  quantitative target written without any operator is scored like ``=``.
* ``=`` with the actual above the target earns the full weight by default
  (``equal_above_target: full``; ``ratio`` gives target/actual). ``= 0`` and ``≤ 0``
  targets: actual ≤ 0 earns the full weight, anything else 0. ``≥`` with a target ≤ 0, and
  ``≤``/``=`` with a negative target, cannot be scored.
* An actual written without any unit is read in the target's written unit (``20`` against
  ``≤20万元`` is 20 万元).
* Qualitative rows: a score inside the chosen band is the evaluator's legitimate choice and
  is kept when re-scoring (``qualitative_recompute: in_band``); the band factor
  (``qualitative_band_factor`` for the top band, ``lower_band_factors`` for the others)
  re-scores rows outside their band. Band edges are inclusive within the row tolerance.
* A 偏差原因 is required when a quantitative row (or a qualitative row in a band below
  "achieved") falls short of its weight by ``cause_shortfall_tolerance`` or more (a smaller
  shortfall, e.g. an execution rate of 96.5%, needs no cause).
* A blank 分值 on the money “合计” row is inferred as 分值合计 − Σ other weights; the table's
  分值合计 (or the first of ``weight_totals`` when blank) is the base.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import PolicyError
from ..findings import Finding, Source
from ..model import Department, frame_records
from ..policy import Policy, load_policy
from ..registry import Context, rule
from ..values import IndicatorValue

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMN_LABELS",
    "ScoringPolicy",
    "chinese_headers",
    "recheck_rates",
    "rescore_funds",
    "rescore_indicators",
    "rescore_totals",
]

FAMILY = "scoring"
DIMENSION = "自评质量"
SECTION = "scoring"

CONSISTENT = "一致"
INCONSISTENT = "不一致"
UNSCORABLE = "无法计算"

QUANT = "定量"
QUAL = "定性"

_EPS = 1e-9
_SPACES = re.compile(r"\s+")
_OP_SHOWN = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
_BAND_LABELS = {
    "achieved": "达成（100%-80%）",
    "partial": "部分达成（80%-60%）",
    "not_achieved": "未达成（60%-0%）",
}
_SUB_LEVELS = ("分项", "其中")
_EXECUTION_KEY = "预算执行率"  # the key of the money row in ``default_weights``

RATE_METHODS: dict[str, str] = {
    "exact": "按精确比率",
    "whole_percent": "比率四舍五入到整数百分比",
    "whole_percent_down": "比率截位到整数百分比",
    "percent_2dp": "比率四舍五入到0.01%",
    "published_rate": "按表中公布的比率",
}
SCORE_METHODS: dict[str, str] = {
    "none": "",
    "round_2dp": "得分四舍五入到两位小数",
    "truncate_2dp": "得分截位到两位小数",
}

#: Chinese headers for the analysis tables (for notebooks and reports).
COLUMN_LABELS: dict[str, str] = {
    "subject": "对象",
    "_row": "行号",
    "source": "来源表",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "op": "运算符",
    "kind": "类型",
    "target": "年度指标值",
    "actual": "实际完成值",
    "unit": "度量单位",
    "target_number": "目标数值",
    "actual_number": "实际数值",
    "weight": "分值",
    "weight_inferred": "分值为推算",
    "completion_published": "公布完成率",
    "completion_published_pct": "公布完成率（%）",
    "completion": "重算完成率（%）",
    "score_published": "公布得分",
    "score": "重算得分",
    "difference": "差额（公布−重算）",
    "method": "计分方法",
    "formula": "计算过程",
    "status": "复核结论",
    "problem": "无法计算原因",
    "band": "所选档次",
    "band_key": "档次代码",
    "in_band": "得分在档次内",
    "factor_score": "按档次系数得分",
    "reason": "未完成原因分析",
    "line": "资金类别/对应项目",
    "line_level": "行级别",
    "budget": "预算数",
    "executed": "执行数",
    "rate_published": "公布执行率（%）",
    "rate": "重算执行率（%）",
    "rate_difference": "执行率差（百分点）",
    "overrun": "超预算金额",
    "layout": "版式",
    "weight_total": "表中分值合计",
    "weight_sum": "各行分值之和",
    "total_published": "公布总分",
    "sum_published": "公布各行得分之和",
    "sum_with_subrows": "含分项/其中行的得分之和",
    "total_recomputed": "重算总分",
    "total_difference": "总分差额（公布−重算）",
    "unscorable_rows": "无法计算行数",
    "grade_published": "公布等级",
    "grade_of_published_total": "公布总分对应等级",
    "grade_of_recomputed_total": "重算总分对应等级",
    "execution_rate": "预算执行率（%）",
    "indicator_share": "指标得分率（%）",
    "note": "说明",
}


def chinese_headers(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of an analysis table with Chinese column headers (for display)."""
    return df.rename(columns={k: v for k, v in COLUMN_LABELS.items() if k in df.columns})


# ----------------------------------------------------------------------------------------
# policy
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoringPolicy:
    """The ``scoring`` section of a policy, read once and checked."""

    tolerance: float
    total_tolerance: float
    rate_tolerance: float
    completion_tolerance: float
    band_factor: float
    lower_band_factors: Mapping[str, float]
    bands: Mapping[str, tuple[float, float]]
    over_threshold: float
    over_cause_threshold: float
    lower_formula: str
    execution_floor: float | None
    rate_rounding: tuple[str, ...]
    score_rounding: tuple[str, ...]
    ahead_margin: float
    weight_totals: tuple[float, ...]
    default_weights: Mapping[str, float]
    cost_counts_as: str
    grades: tuple[tuple[str, float], ...]
    grade_aliases: Mapping[str, str]
    qualitative_recompute: str
    equal_above_target: str
    cause_shortfall_tolerance: float

    @classmethod
    def from_policy(cls, policy: Policy) -> ScoringPolicy:
        def need(key: str) -> Any:
            value = policy.get(f"{SECTION}.{key}")
            if value is None:
                raise PolicyError(f"政策文件缺少 {SECTION}.{key}")
            return value

        floor = policy.get(f"{SECTION}.execution_floor")
        out = cls(
            tolerance=float(need("tolerance")),
            total_tolerance=float(need("total_tolerance")),
            rate_tolerance=float(need("rate_tolerance")),
            completion_tolerance=float(need("completion_tolerance")),
            band_factor=float(need("qualitative_band_factor")),
            lower_band_factors={k: float(v) for k, v in need("lower_band_factors").items()},
            bands={k: (float(v[0]), float(v[1])) for k, v in need("bands").items()},
            over_threshold=float(need("over_achievement_threshold")),
            over_cause_threshold=float(need("over_achievement_cause_threshold")),
            lower_formula=str(need("lower_is_better_formula")),
            execution_floor=None if floor is None else float(floor),
            rate_rounding=tuple(str(m) for m in need("rate_rounding")),
            score_rounding=tuple(str(m) for m in need("score_rounding")),
            ahead_margin=float(need("results_ahead_of_money_margin")),
            weight_totals=tuple(float(w) for w in need("weight_totals")),
            default_weights={str(k): float(v) for k, v in need("default_weights").items()},
            cost_counts_as=str(need("cost_counts_as")),
            grades=tuple((str(g["grade"]), float(g["min"])) for g in need("grades")),
            grade_aliases={
                str(k): str(v) for k, v in (policy.get(f"{SECTION}.grade_aliases") or {}).items()
            },
            qualitative_recompute=str(need("qualitative_recompute")),
            equal_above_target=str(need("equal_above_target")),
            cause_shortfall_tolerance=float(need("cause_shortfall_tolerance")),
        )
        out._validate()
        return out

    def _validate(self) -> None:
        bad = [m for m in self.rate_rounding if m not in RATE_METHODS]
        bad += [m for m in self.score_rounding if m not in SCORE_METHODS]
        if bad:
            raise PolicyError(f"scoring 中未知的取整方式：{bad}")
        choices = {
            "lower_is_better_formula": (self.lower_formula, ("ratio", "linear")),
            "qualitative_recompute": (self.qualitative_recompute, ("in_band", "band_factor")),
            "equal_above_target": (self.equal_above_target, ("full", "ratio")),
        }
        for key, (value, allowed) in choices.items():
            if value not in allowed:
                raise PolicyError(f"scoring.{key} 应为 {'/'.join(allowed)}，而不是 {value!r}")
        if not self.rate_rounding or not self.score_rounding:
            raise PolicyError("scoring.rate_rounding 和 scoring.score_rounding 不能为空")
        if not self.weight_totals:
            raise PolicyError("scoring.weight_totals 不能为空")

    def factor(self, band: str) -> float:
        if band == "achieved":
            return self.band_factor
        return self.lower_band_factors[band]

    def grade(self, total: float | None) -> str | None:
        if total is None or not math.isfinite(total):
            return None
        for name, low in self.grades:
            if total >= low - _EPS:
                return name
        return self.grades[-1][0] if self.grades else None

    def normal_grade(self, text: str) -> str:
        compact = _SPACES.sub("", text)
        return self.grade_aliases.get(compact, compact)


def _cfg(policy: Policy | None) -> ScoringPolicy:
    return ScoringPolicy.from_policy(policy or load_policy())


# ----------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    """A finite float or None (NaN, None, text)."""
    if type(value) is float:  # the common case first
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _text(value: Any) -> str:
    if type(value) is str:  # the common case first
        return value.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _n(x: float | None, digits: int = 4) -> str:
    """A number for a formula: up to ``digits`` decimals, no trailing zeros."""
    if x is None:
        return "—"
    # weights, targets and scores recur on every row: remember the text (values that compare
    # equal, such as 10 and 10.0 or 0.0 and -0.0, are written alike, so sharing is safe)
    memo = _N_TEXTS.get(digits)
    if memo is None:
        memo = _N_TEXTS[digits] = {}
    try:
        return memo[x]
    except KeyError:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        text = memo[x] = _n_text(x, digits)
        return text
    except TypeError:  # an unhashable number: not remembered
        return _n_text(x, digits)


#: Memos of pure number functions, by ``digits`` then by number (a plain dict lookup is
#: several times cheaper than ``lru_cache``); each is emptied when it reaches _MEMO_SIZE.
_N_TEXTS: dict[int, dict[float, str]] = {}
_ROUNDED: dict[int, dict[float, float]] = {}
_MEMO_SIZE = 1 << 16


def _n_text(x: float, digits: int) -> str:
    if abs(x) >= 1e6 and float(x).is_integer():
        return f"{x:.0f}"
    out = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _r(x: float | None, digits: int = 4) -> float | None:
    if not x:  # None; and zeros are not remembered (0.0 and -0.0 are equal keys)
        return None if x is None else round(x, digits)
    if x.__class__ is not float:  # an int stays an int: only floats are remembered
        return round(x, digits)
    # ``round`` to decimals is correctly rounded, and slow; the same numbers recur
    memo = _ROUNDED.get(digits)
    if memo is None:
        memo = _ROUNDED[digits] = {}
    out = memo.get(x)
    if out is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        out = memo[x] = round(x, digits)
    return out


def _round_half_up(x: float, digits: int) -> float:
    scale = 10.0**digits
    return math.floor(x * scale + 0.5 + _EPS) / scale


def _truncate(x: float, digits: int) -> float:
    scale = 10.0**digits
    return math.floor(x * scale + _EPS) / scale


def _pct(share: float | None) -> float | None:
    return None if share is None else share * 100.0


@lru_cache(maxsize=1 << 14)
def _published_percent(text: str) -> float | None:
    """A published completion written as a percentage (``125.00%``), else None."""
    compact = _SPACES.sub("", text).replace("％", "%")
    if not compact.endswith("%"):
        return None
    return _num(compact[:-1])


class Candidate(NamedTuple):
    """One accepted way of computing a score from a share (rate) and a weight.

    (A named tuple: every re-scored row builds several, so they must be cheap.)
    """

    value: float
    share: float
    rate_method: str
    score_method: str

    def label(self) -> str:
        parts = [RATE_METHODS[self.rate_method]]
        if SCORE_METHODS[self.score_method]:
            parts.append(SCORE_METHODS[self.score_method])
        return "，".join(parts)


def _rate_variants(
    share: float, published_share: float | None, cfg: ScoringPolicy
) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for method in cfg.rate_rounding:
        if method == "exact":
            out.append((method, share))
        elif method == "whole_percent":
            out.append((method, _round_half_up(share * 100, 0) / 100))
        elif method == "whole_percent_down":
            out.append((method, _truncate(share * 100, 0) / 100))
        elif method == "percent_2dp":
            out.append((method, _round_half_up(share * 100, 2) / 100))
        elif method == "published_rate" and published_share is not None:
            out.append((method, published_share))
    return out


def _score_variant(method: str, product: float) -> float:
    if method == "round_2dp":
        return _round_half_up(product, 2)
    if method == "truncate_2dp":
        return _truncate(product, 2)
    return product


def _candidates(
    share: float,
    weight: float,
    cfg: ScoringPolicy,
    *,
    published_share: float | None = None,
    cap: bool = True,
) -> list[Candidate]:
    """Every accepted score for an exact share (capped at 1 after rounding)."""
    return [
        Candidate(*variant) for variant in _score_variants(share, published_share, weight, cfg, cap)
    ]


def _score_variants(
    share: float, published_share: float | None, weight: float, cfg: ScoringPolicy, cap: bool
) -> Iterator[tuple[float, float, str, str]]:
    """``(score, share used, rate method, score method)`` of every accepted way to score,
    in the order of preference."""
    methods = cfg.score_rounding
    for rate_method, s in _rate_variants(share, published_share, cfg):
        used = max(0.0, min(s, 1.0) if cap else s)
        product = used * weight
        for score_method in methods:
            if score_method == "round_2dp":
                value = _round_half_up(product, 2)
            elif score_method == "truncate_2dp":
                value = _truncate(product, 2)
            else:
                value = product
            yield value, used, rate_method, score_method


def _expected(exact: float, published: float | None, tol: float) -> float:
    """The recomputed score shown when no accepted variant matches: two decimals, or four
    when two decimals would hide the difference (a policy tolerance below 0.005)."""
    two = _round_half_up(exact, 2)
    if published is not None and abs(two - published) <= tol + _EPS:
        return round(exact, 4)
    return two


def _match(published: float | None, cands: Sequence[Candidate], tol: float) -> Candidate | None:
    """The candidate closest to the published score, if within the tolerance."""
    if published is None or not cands:
        return None
    best = min(cands, key=lambda c: abs(c.value - published))
    return best if abs(best.value - published) <= tol + _EPS else None


def _matching_candidate(
    published: float | None,
    share: float,
    weight: float,
    cfg: ScoringPolicy,
    *,
    published_share: float | None = None,
) -> Candidate | None:
    """``_match(published, _candidates(share, weight, cfg, ...), cfg.tolerance)`` without
    building every candidate (it runs once per re-scored row): the first candidate closest
    to the published score, if within the tolerance."""
    if published is None:
        return None
    best: tuple[float, float, str, str] | None = None
    best_gap = 0.0
    for variant in _score_variants(share, published_share, weight, cfg, True):
        gap = abs(variant[0] - published)
        if best is None or gap < best_gap:  # as min(): the first smallest wins
            best, best_gap = variant, gap
            if gap == 0.0:
                break  # an exact match: no later candidate comes closer
    if best is None or best_gap > cfg.tolerance + _EPS:
        return None
    return Candidate(*best)


# ----------------------------------------------------------------------------------------
# indicator re-scoring
# ----------------------------------------------------------------------------------------
class _Quant(NamedTuple):
    """The scoring rule applied to one quantitative row (before weights and rounding)."""

    share: float | None  # exact share of the weight earned (0..1), None when not scorable
    completion: float | None  # recomputed completion, in percent
    method: str
    expr: str  # the share, in symbols with numbers
    problem: str
    target_number: float | None
    actual_number: float | None


def _quant_unscorable(problem: str, method: str = "") -> _Quant:
    return _Quant(None, None, method, "", problem, None, None)


def _score_quantitative(
    target: IndicatorValue, actual: IndicatorValue, cfg: ScoringPolicy
) -> _Quant:
    if actual.kind == "empty":
        return _quant_unscorable("实际完成值为空")
    if actual.kind == "invalid":
        return _quant_unscorable(actual.error or f"实际完成值“{actual.text}”无法识别")
    if actual.kind != "quantitative" or actual.value is None:
        return _quant_unscorable(f"实际完成值“{_text(actual.text)}”不是数值，无法与定量目标比较")
    if target.value is None:
        return _quant_unscorable("年度指标值没有数值")
    t_value = target.value
    a_value = actual.value
    a_unit = actual.unit
    if not actual.written_unit:  # no unit at all: read it in the target's written unit
        a_value = actual.number * target.scale if actual.number is not None else None
        a_unit = target.unit
    if a_value is None:
        return _quant_unscorable("实际完成值没有数值")
    if target.unit and a_unit and target.unit != a_unit:
        return _quant_unscorable(
            f"实际完成值单位“{actual.written_unit or a_unit}”与目标单位“{target.written_unit or target.unit}”不一致"
        )
    scale = target.scale or 1.0
    t = t_value / scale
    a_raw = a_value / scale
    a = max(a_raw, 0.0)
    neg = "（实际值为负，按0计）" if a_raw < 0 else ""
    op = target.op or "="
    unit = target.written_unit

    if op in (">=", ">"):
        method = "≥：min(实际/目标, 1)×分值"
        if t <= 0:
            return _Quant(
                None, None, method, "", f"目标值为{_n(t)}{unit}，无法按“实际/目标”计算完成率", t, a
            )
        return _Quant(
            min(a / t, 1.0), a / t * 100, method, f"min({_n(a)}/{_n(t)}, 1){neg}", "", t, a
        )

    if op in ("<=", "<"):
        if cfg.lower_formula == "ratio":
            method = "≤：实际≤目标得满分，否则 目标/实际×分值"
        else:
            method = "≤：实际≤目标得满分，否则 (1−(实际−目标)/目标)×分值"
        if t < 0:
            return _Quant(None, None, method, "", f"目标值为负数（{_n(t)}{unit}），无法计分", t, a)
        if t == 0:
            share = 1.0 if a <= 0 else 0.0
            expr = f"目标为0：实际{_n(a)}{unit}{'≤0，得满分' if share else '>0，得0分'}{neg}"
            return _Quant(share, share * 100, "≤0：实际≤0得满分，否则0分", expr, "", t, a)
        if a <= t:
            return _Quant(
                1.0, 100.0, method, f"实际{_n(a)}{unit}≤目标{_n(t)}{unit}，得满分{neg}", "", t, a
            )
        if cfg.lower_formula == "ratio":
            share = t / a
            expr = f"{_n(t)}/{_n(a)}"
        else:
            share = max(0.0, 1 - (a - t) / t)
            expr = f"max(0, 1−({_n(a)}−{_n(t)})/{_n(t)})"
        return _Quant(share, share * 100, method, expr, "", t, a)

    # "=" (and a target written without an operator)
    no_op = "" if target.op else "（未写运算符，按“=”计）"
    if t < 0:
        return _Quant(None, None, "=：按比例", "", f"目标值为负数（{_n(t)}{unit}），无法计分", t, a)
    if t == 0:
        share = 1.0 if a <= 0 else 0.0
        expr = f"目标为0：实际{_n(a)}{unit}{'≤0，得满分' if share else '>0，得0分'}{neg}{no_op}"
        return _Quant(share, share * 100, "=0：实际≤0得满分，否则0分", expr, "", t, a)
    if cfg.equal_above_target == "full":
        method = "=：实际/目标×分值，达到或超过目标得满分"
    else:
        method = "=：实际/目标×分值，超过目标按 目标/实际×分值"
    completion = a / t * 100
    if a <= t:
        return _Quant(a / t, completion, method, f"{_n(a)}/{_n(t)}{neg}{no_op}", "", t, a)
    if cfg.equal_above_target == "full":
        return _Quant(
            1.0, completion, method, f"实际{_n(a)}{unit}≥目标{_n(t)}{unit}，得满分{no_op}", "", t, a
        )
    return _Quant(t / a, completion, method, f"{_n(t)}/{_n(a)}（超过目标）{no_op}", "", t, a)


class _Scored(NamedTuple):
    """:func:`_score_quantitative` of a target and an actual, with its rounded numbers."""

    quant: _Quant
    target_number: float | None
    actual_number: float | None
    completion: float | None


#: The text cells of a 自评指标 row copied into its re-scored row.
_ROW_TEXTS: tuple[str, ...] = ("level1", "level2", "level3", "target", "actual", "unit", "reason")


def _texts(row: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    """:func:`_text` of several cells of a row."""
    return [v.strip() if type(v) is str else _text(v) for v in map(row.get, keys)]


def _indicator_record(
    row: Mapping[str, Any],
    cfg: ScoringPolicy,
    known: dict[tuple[Any, ...], dict[str, Any]] | None = None,
    quant: dict[tuple[int, int], _Scored] | None = None,
) -> dict[str, Any]:
    """One row of :func:`rescore_indicators`.

    ``known`` remembers the rows already scored by the scoring inputs (parsed target and
    actual, weight, published score and completion): a row with the same inputs is a copy
    of that row with its own cells (subject, row, names, texts) filled in. ``quant``
    remembers the quantitative scoring of each pair of parsed target and actual (see
    :func:`_score_indicator`).
    """
    target: IndicatorValue = row["target_parsed"]
    actual: IndicatorValue = row["actual_parsed"]
    weight = _num(row.get("weight"))
    published = _num(row.get("score"))
    completion_text = _text(row.get("completion"))
    key = None
    # parsed values are shared by every cell of the same text, so their ids identify them
    # while the department is alive; a zero weight or score is not shared (0.0 == -0.0)
    if known is not None and weight != 0 and published != 0:
        key = (id(target), id(actual), weight, published, completion_text)
        scored = known.get(key)
        if scored is not None:
            rec = scored.copy()
            rec["subject"] = row["subject"]
            rec["_row"] = int(row["_row"])
            rec.update(zip(_ROW_TEXTS, _texts(row, _ROW_TEXTS), strict=True))
            return rec
    rec = _score_indicator(row, target, actual, weight, published, completion_text, cfg, quant)
    if key is not None and known is not None:
        known[key] = rec
    return rec


def _score_indicator(
    row: Mapping[str, Any],
    target: IndicatorValue,
    actual: IndicatorValue,
    weight: float | None,
    published: float | None,
    completion_text: str,
    cfg: ScoringPolicy,
    quant: dict[tuple[int, int], _Scored] | None = None,
) -> dict[str, Any]:
    """A re-scored indicator row (see :func:`_indicator_record`).

    ``quant`` remembers :func:`_score_quantitative` (and its rounded numbers) by the ids of
    the parsed target and actual: the loader shares a parsed value between the cells of the
    same text and the department keeps them alive, so their ids identify them while the
    caller's rows are alive.
    """
    completion_pct = _published_percent(completion_text)
    level1, level2, level3, target_text, actual_text, unit, reason = _texts(row, _ROW_TEXTS)
    rec: dict[str, Any] = {
        "subject": row["subject"],
        "_row": int(row["_row"]),
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "op": _OP_SHOWN.get(target.op or "", QUAL if target.kind == "qualitative" else ""),
        "kind": "",
        "target": target_text,
        "actual": actual_text,
        "unit": unit,
        "target_number": None,
        "actual_number": None,
        "weight": weight,
        "completion_published": completion_text,
        "completion_published_pct": completion_pct,
        "completion": None,
        "score_published": published,
        "score": None,
        "difference": None,
        "method": "",
        "formula": "",
        "status": UNSCORABLE,
        "problem": "",
        "band": "",
        "band_key": None,
        "in_band": None,
        "factor_score": None,
        "reason": reason,
    }
    if weight is None:
        rec["problem"] = "分值为空"
        return rec

    if actual.kind == "band" or target.kind == "qualitative":
        rec["kind"] = QUAL
        _score_qualitative(rec, actual, weight, published, cfg)
        return rec
    if target.kind in ("empty", "invalid", "band"):
        rec["kind"] = QUANT if target.kind == "invalid" else ""
        rec["problem"] = {
            "empty": "年度指标值为空",
            "band": "年度指标值写成了档次，无法计分",
        }.get(target.kind, target.error or "年度指标值无法识别")
        return rec

    rec["kind"] = QUANT
    pair = (id(target), id(actual))
    scored = None if quant is None else quant.get(pair)
    if scored is None:
        q = _score_quantitative(target, actual, cfg)
        scored = _Scored(q, _r(q.target_number, 6), _r(q.actual_number, 6), _r(q.completion, 4))
        if quant is not None:
            quant[pair] = scored
    q = scored.quant
    rec["method"] = q.method
    rec["target_number"] = scored.target_number
    rec["actual_number"] = scored.actual_number
    rec["completion"] = scored.completion
    if q.share is None:
        rec["problem"] = q.problem
        return rec
    published_share = None if completion_pct is None else completion_pct / 100
    hit = _matching_candidate(published, q.share, weight, cfg, published_share=published_share)
    exact = q.share * weight
    if hit is not None:
        rec["score"] = _r(hit.value)
        rec["status"] = CONSISTENT
        used = hit
    else:
        rec["score"] = _expected(exact, published, cfg.tolerance)
        rec["status"] = INCONSISTENT if published is not None else UNSCORABLE
        if published is None:
            rec["problem"] = "公布得分为空"
        used = None
    formula = f"{q.expr} × {_n(weight)} = {_n(exact)}"
    if used is not None and abs(used.value - exact) > _EPS:
        formula += f"；{used.label()}：{_n(used.share)} × {_n(weight)} ≈ {_n(used.value)}"
    rec["formula"] = formula
    if published is not None:
        rec["difference"] = _r(published - rec["score"])
    return rec


def _score_qualitative(
    rec: dict[str, Any],
    actual: IndicatorValue,
    weight: float,
    published: float | None,
    cfg: ScoringPolicy,
) -> None:
    band = actual.band if actual.kind == "band" else None
    if band is None:
        rec["problem"] = (
            f"定性指标未选择档次（实际完成值“{_text(actual.text)}”）"
            if actual.kind != "empty"
            else "定性指标的实际完成值（档次）为空"
        )
        return
    factor = cfg.factor(band)
    low, high = cfg.bands[band]
    factor_score = _round_half_up(factor * weight, 2)
    rec["band"] = _BAND_LABELS[band]
    rec["band_key"] = band
    rec["factor_score"] = factor_score
    rec["method"] = (
        f"定性：档次[{_n(low * 100)}%, {_n(high * 100)}%]内自评，重算取档次系数{_n(factor)}"
        if cfg.qualitative_recompute == "band_factor"
        else f"定性：档次[{_n(low * 100)}%, {_n(high * 100)}%]内自评得分有效，越档按系数{_n(factor)}重算"
    )
    if published is None:
        rec["score"] = factor_score
        rec["problem"] = "公布得分为空"
        rec["formula"] = f"{_n(factor)} × {_n(weight)} = {_n(factor * weight)}"
        return
    in_band = (
        low * weight - cfg.tolerance - _EPS <= published <= high * weight + cfg.tolerance + _EPS
    )
    rec["in_band"] = in_band
    share = published / weight if weight else 0.0
    band_text = f"档次区间 {_n(low * weight)}～{_n(high * weight)} 分"
    if in_band and cfg.qualitative_recompute == "in_band":
        rec["score"] = _r(published)
        rec["status"] = CONSISTENT
        rec["formula"] = (
            f"{_n(published)}/{_n(weight)} = {_n(share * 100, 2)}%，在{band_text}内"
            f"（系数{_n(factor)} × {_n(weight)} = {_n(factor * weight)}）"
        )
    else:
        cands = [
            Candidate(_score_variant(m, factor * weight), factor, "exact", m)
            for m in cfg.score_rounding
        ]
        hit = _match(published, cands, cfg.tolerance)
        rec["score"] = _r(hit.value) if hit is not None else factor_score
        rec["status"] = CONSISTENT if (hit is not None and in_band) else INCONSISTENT
        where = "内" if in_band else "外"
        rec["formula"] = (
            f"{_n(published)}/{_n(weight)} = {_n(share * 100, 2)}%，在{band_text}{where}；"
            f"重算 {_n(factor)} × {_n(weight)} = {_n(factor * weight)}"
        )
    rec["difference"] = _r(published - rec["score"])


_INDICATOR_COLUMNS = (
    "subject", "_row", "level1", "level2", "level3", "op", "kind", "target", "actual", "unit",
    "target_number", "actual_number", "weight", "completion_published",
    "completion_published_pct", "completion", "score_published", "score", "difference",
    "method", "formula", "status", "problem", "band", "band_key", "in_band", "factor_score",
    "reason",
)  # fmt: skip


def rescore_indicators(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """Re-score every 自评指标 row: published and recomputed completion and score.

    One row per indicator, in workbook order. ``score`` is None when the row cannot be
    scored (``problem`` says why); ``status`` is 一致 / 不一致 / 无法计算.
    """
    return _frame(_indicator_rows(dept, _cfg(policy)), _INDICATOR_COLUMNS)


def _indicator_rows(dept: Department, cfg: ScoringPolicy) -> list[dict[str, Any]]:
    """The rows of :func:`rescore_indicators` as dicts (the rules read these)."""
    known: dict[tuple[Any, ...], dict[str, Any]] = {}
    quant: dict[tuple[int, int], _Scored] = {}
    return [_indicator_record(r, cfg, known, quant) for r in dept.records("selfeval_indicators")]


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """An analysis table of object columns, None for blanks.

    ``frame_records`` of the result gives back ``rows`` as they are (every column is object
    dtype), except that a column mixing ints with floats or None holds floats: the builders
    below never mix them, or say where they do.
    """
    import pandas as pd

    out = pd.DataFrame(rows, columns=list(columns))
    return out.astype(object).where(out.notna(), None) if not out.empty else out


# ----------------------------------------------------------------------------------------
# money rows
# ----------------------------------------------------------------------------------------
_RATE_COLUMNS = (
    "subject", "_row", "source", "line", "line_level", "budget", "executed", "rate_published",
    "rate", "rate_difference", "overrun",
)  # fmt: skip


def _money_rows(dept: Department) -> Iterator[dict[str, Any]]:
    """Every money row (自评资金 of any level, then 年度主要任务) in a common shape."""
    for r in dept.records("selfeval_funds"):
        yield {
            "table": "selfeval_funds",
            "subject": r["subject"],
            "_row": int(r["_row"]),
            "source": "自评资金",
            "line": _text(r.get("line")),
            "line_level": _text(r.get("line_level")),
            "budget": _num(r.get("final_budget")),
            "executed": _num(r.get("executed")),
            "rate_published": _num(r.get("rate")),
            "weight": _num(r.get("weight")),
            "score_published": _num(r.get("score")),
            "reason": _text(r.get("reason")),
            "budget_col": "final_budget",
            "rate_col": "rate",
        }
    for r in dept.records("tasks"):
        yield {
            "table": "tasks",
            "subject": r["subject"],
            "_row": int(r["_row"]),
            "source": "年度主要任务",
            "line": _text(r.get("item")) or _text(r.get("task")),
            "line_level": "年度主要任务",
            "budget": _num(r.get("allocated")),
            "executed": _num(r.get("executed")),
            "rate_published": _num(r.get("rate")),
            "weight": _num(r.get("weight")),
            "score_published": _num(r.get("score")),
            "reason": "",
            "budget_col": "allocated",
            "rate_col": "rate",
        }


def _exact_rate(budget: float | None, executed: float | None) -> float | None:
    if budget is None or executed is None or budget <= 0:
        return None
    return executed / budget


def recheck_rates(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """Every money row of every level (合计/分项/其中) and every 年度主要任务 row: the
    published 执行率 against 执行数/预算数 (percent), and the amount spent above budget."""
    _cfg(policy)  # validates the policy section
    return _frame(_rate_rows_of(dept), _RATE_COLUMNS)


def _rate_rows_of(
    dept: Department, money: Iterable[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The rows of :func:`recheck_rates` as dicts (``money``: :func:`_money_rows`)."""
    rows = []
    for m in _money_rows(dept) if money is None else money:
        share = _exact_rate(m["budget"], m["executed"])
        rate = _pct(share)
        diff = None
        if rate is not None and m["rate_published"] is not None:
            diff = m["rate_published"] - rate
        overrun = None
        if m["budget"] is not None and m["executed"] is not None and m["executed"] > m["budget"]:
            overrun = m["executed"] - m["budget"]
        rows.append(
            {
                **{k: m[k] for k in _RATE_COLUMNS if k in m},
                "rate": _r(rate, 4),
                "rate_difference": _r(diff, 4),
                "overrun": _r(overrun, 2),
            }
        )
    return rows


_FUND_COLUMNS = (
    "subject", "_row", "source", "line", "budget", "executed", "rate_published", "rate",
    "weight", "weight_inferred", "score_published", "score", "difference", "method", "formula",
    "status", "problem", "overrun", "reason",
)  # fmt: skip


def _weight_base(sel: Mapping[str, Any] | None, cfg: ScoringPolicy) -> tuple[float, str]:
    total = _num(sel.get("weight_total")) if sel is not None else None
    if total is not None:
        return total, "表中分值合计"
    return cfg.weight_totals[0], "规定总分"


def rescore_funds(dept: Department, policy: Policy | None = None) -> pd.DataFrame:
    """Re-score the budget-execution rows: one row per 自评资金 “合计” row and per
    年度主要任务 row. score = min(执行数/预算数, 1) × 分值 (``execution_floor`` applies)."""
    return _frame(_fund_rows_of(dept, _cfg(policy)), _FUND_COLUMNS)


def _fund_rows_of(
    dept: Department, cfg: ScoringPolicy, money: Iterable[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The rows of :func:`rescore_funds` as dicts (``money``: :func:`_money_rows`)."""
    selfeval = {r["subject"]: r for r in dept.records("selfeval")}
    scored = [
        m
        for m in (_money_rows(dept) if money is None else money)
        if m["table"] == "tasks" or m["line_level"] == "合计"
    ]
    scored_by_subject: dict[str, list[dict[str, Any]]] = {}
    for m in scored:
        scored_by_subject.setdefault(m["subject"], []).append(m)
    rows = []
    for m in scored:
        subject = m["subject"]
        weight = m["weight"]
        inferred = False
        note = ""
        if weight is None and m["table"] == "selfeval_funds":
            base, base_label = _weight_base(selfeval.get(subject), cfg)
            others = sum(
                w
                for w in (_num(x["weight"]) for x in dept.rows("selfeval_indicators", subject))
                if w is not None
            )
            others += sum(
                o["weight"] or 0.0
                for o in scored_by_subject[subject]
                if o is not m and o["weight"] is not None
            )
            guess = base - others
            if guess > cfg.tolerance:
                weight, inferred = _r(guess, 4), True
                note = f"分值未填，按{base_label}{_n(base)} − 其他各行分值{_n(others)} = {_n(guess)}推算；"
        rows.append(_fund_record(m, weight, inferred, note, cfg))
    return rows


def _fund_record(
    m: Mapping[str, Any], weight: float | None, inferred: bool, note: str, cfg: ScoringPolicy
) -> dict[str, Any]:
    share = _exact_rate(m["budget"], m["executed"])
    published = m["score_published"]
    overrun = None
    if m["budget"] is not None and m["executed"] is not None and m["executed"] > m["budget"]:
        overrun = _r(m["executed"] - m["budget"], 2)
    rec: dict[str, Any] = {
        "subject": m["subject"],
        "_row": m["_row"],
        "source": m["source"],
        "line": m["line"],
        "budget": m["budget"],
        "executed": m["executed"],
        "rate_published": m["rate_published"],
        "rate": _r(_pct(share), 4),
        "weight": weight,
        "weight_inferred": inferred,
        "score_published": published,
        "score": None,
        "difference": None,
        "method": "min(执行数/预算数, 1)×分值",
        "formula": note,
        "status": UNSCORABLE,
        "problem": "",
        "overrun": overrun,
        "reason": m["reason"],
    }
    if share is None:
        rec["problem"] = "预算数为空或为0，无法计算执行率"
        return rec
    if weight is None:
        rec["problem"] = "分值为空且无法推算"
        return rec
    expr = f"min({_n(m['executed'], 2)}/{_n(m['budget'], 2)}, 1)"
    floor = cfg.execution_floor
    if floor is not None and share < floor - _EPS:
        hit = _match(published, [Candidate(0.0, 0.0, "exact", "none")], cfg.tolerance)
        exact = 0.0
        formula = f"执行率{_n(share * 100, 2)}%低于下限{_n(floor * 100)}%，得0分"
        rec["method"] += f"；执行率低于{_n(floor * 100)}%得0分"
    else:
        published_share = None if m["rate_published"] is None else m["rate_published"] / 100
        hit = _matching_candidate(published, share, weight, cfg, published_share=published_share)
        exact = min(share, 1.0) * weight
        formula = f"{expr} × {_n(weight)} = {_n(exact)}"
    if overrun is not None:
        formula += f"（执行数超过预算数{_n(overrun, 2)}，得分以分值为上限）"
    if hit is not None:
        rec["score"] = _r(hit.value)
        rec["status"] = CONSISTENT
        if abs(hit.value - exact) > _EPS:
            formula += f"；{hit.label()}：{_n(hit.share)} × {_n(weight)} ≈ {_n(hit.value)}"
            rec["method"] += f"（{hit.label()}）"
    else:
        rec["score"] = _expected(exact, published, cfg.tolerance)
        if published is None:
            rec["problem"] = "公布得分为空"
        else:
            rec["status"] = INCONSISTENT
    rec["formula"] = note + formula
    if published is not None:
        rec["difference"] = _r(published - rec["score"])
    return rec


# ----------------------------------------------------------------------------------------
# totals
# ----------------------------------------------------------------------------------------
_TOTAL_COLUMNS = (
    "subject", "_row", "layout", "weight_total", "weight_sum", "total_published",
    "sum_published", "sum_with_subrows", "total_recomputed", "total_difference",
    "unscorable_rows", "grade_published", "grade_of_published_total",
    "grade_of_recomputed_total", "execution_rate", "indicator_share", "note",
)  # fmt: skip


def _group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by ``subject`` (first-appearance order, rows in order)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["subject"], []).append(r)
    return out


def _sum(values: Iterable[Any]) -> float:
    """The sum of the finite numbers among ``values`` (as ``sum``: 0 when there is none)."""
    total = 0
    for x in values:
        v = x if type(x) is float and math.isfinite(x) else _num(x)
        if v is not None:
            total += v
    return total


def rescore_totals(
    dept: Department,
    policy: Policy | None = None,
    *,
    indicators: pd.DataFrame | None = None,
    funds: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per 自评表: published total, the sum of the published row scores (money
    “合计” rows + 年度主要任务 + indicators, never 分项/其中), the total recomputed by the
    rules, the weight sum and the grades implied by each total."""
    cfg = _cfg(policy)
    ind = indicators if indicators is not None else rescore_indicators(dept, policy)
    fnd = funds if funds is not None else rescore_funds(dept, policy)
    rows = _total_rows_of(dept, cfg, frame_records(ind), frame_records(fnd))
    return _frame(rows, _TOTAL_COLUMNS)


def _total_rows_of(
    dept: Department,
    cfg: ScoringPolicy,
    ind_rows: list[dict[str, Any]],
    fnd_rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows of :func:`rescore_totals` (as dicts) from the rows of the indicator and
    money tables."""
    sub_scores: dict[str, list[Any]] = {}
    for r in dept.records("selfeval_funds"):
        if r["line_level"] in _SUB_LEVELS:
            sub_scores.setdefault(r["subject"], []).append(r["score"])
    subjects = list(
        dict.fromkeys(
            [
                *(r["subject"] for r in dept.records("selfeval")),
                *(r["subject"] for r in fnd_rows),
                *(r["subject"] for r in ind_rows),
            ]
        )
    )
    by_subject = {r["subject"]: r for r in dept.records("selfeval")}
    ind_by_subject = _group(ind_rows)
    fnd_by_subject = _group(fnd_rows)
    rows = []
    for subject in subjects:
        s = by_subject.get(subject)
        i_rows = ind_by_subject.get(subject, [])
        f_rows = fnd_by_subject.get(subject, [])
        # one pass over the money rows, then the indicator rows: each sum adds the same
        # numbers in the same order as ``_sum`` of its column would (from the int 0)
        published_sum: float = 0
        weight_sum: float = 0
        recomputed = 0.0
        unscorable = 0
        budget: float = 0
        executed: float = 0
        i_weights: float = 0
        i_published: float = 0
        for p in f_rows:
            if (v := _num(p["budget"])) is not None:
                budget += v
            if (v := _num(p["executed"])) is not None:
                executed += v
        for i, p in enumerate((*f_rows, *i_rows)):
            published = _num(p["score_published"])
            weight = _num(p["weight"])
            if published is not None:
                published_sum += published
            if weight is not None:
                weight_sum += weight
            value = _num(p["score"])
            if value is None:
                unscorable += 1
                value = published or 0.0
            recomputed += value
            if i >= len(f_rows):
                if weight is not None:
                    i_weights += weight
                if published is not None:
                    i_published += published
        total = _num(s.get("total")) if s is not None else None
        sub_sum = _sum(sub_scores.get(subject, []))
        notes = []
        if unscorable:
            notes.append(f"{unscorable}行无法重算，按公布得分计入重算总分")
        for r in f_rows:
            if r["weight_inferred"]:
                notes.append(f"“{r['line']}”分值为推算值{_n(r['weight'])}")
        rows.append(
            {
                "subject": subject,
                "_row": None if s is None else int(s["_row"]),
                "layout": "" if s is None else _text(s.get("layout")),
                "weight_total": None if s is None else _num(s.get("weight_total")),
                "weight_sum": _r(weight_sum),
                "total_published": total,
                "sum_published": _r(published_sum),
                "sum_with_subrows": _r(published_sum + sub_sum) if sub_sum else None,
                "total_recomputed": _r(recomputed),
                "total_difference": None if total is None else _r(total - recomputed),
                "unscorable_rows": unscorable,
                "grade_published": "" if s is None else _text(s.get("grade")),
                "grade_of_published_total": cfg.grade(total),
                "grade_of_recomputed_total": cfg.grade(recomputed),
                "execution_rate": _r(executed / budget * 100, 4) if budget > 0 else None,
                "indicator_share": _r(i_published / i_weights * 100, 4) if i_weights > 0 else None,
                "note": "；".join(notes),
            }
        )
    if any(r["_row"] is None for r in rows):  # as in the table: ints beside None are floats
        for r in rows:
            if r["_row"] is not None:
                r["_row"] = float(r["_row"])
    return rows


# ----------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------
def _policy(ctx: Context) -> ScoringPolicy:
    return ctx.memo("scoring.policy", lambda: ScoringPolicy.from_policy(ctx.policy))


# The analysis tables as row dicts, built once per check and shared (read-only): the rows
# ``frame_records`` would give for the public tables, without building the DataFrames.
def _ind_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo("scoring.indicators", lambda: _indicator_rows(ctx.dept, _policy(ctx)))


def _money(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo("scoring.money", lambda: list(_money_rows(ctx.dept)))


def _fund_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo("scoring.funds", lambda: _fund_rows_of(ctx.dept, _policy(ctx), _money(ctx)))


def _rate_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo("scoring.rates", lambda: _rate_rows_of(ctx.dept, _money(ctx)))


def _total_rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.memo(
        "scoring.totals",
        lambda: _total_rows_of(ctx.dept, _policy(ctx), _ind_rows(ctx), _fund_rows(ctx)),
    )


def _ind_groups(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    """The re-scored indicator rows by subject (subjects in table order)."""
    return ctx.memo("scoring.indicators.by_subject", lambda: _group(_ind_rows(ctx)))


def _ind_of(ctx: Context, subject: str) -> list[dict[str, Any]]:
    return _ind_groups(ctx).get(subject, [])


def _fund_of(ctx: Context, subject: str) -> list[dict[str, Any]]:
    grouped = ctx.memo("scoring.funds.by_subject", lambda: _group(_fund_rows(ctx)))
    return grouped.get(subject, [])


def _ind_sources(ctx: Context, r: Mapping[str, Any], *cols: str) -> list[Source]:
    return [ctx.src("selfeval_indicators", r["_row"], c) for c in cols]


def _money_table(r: Mapping[str, Any]) -> str:
    return "tasks" if r["source"] == "年度主要任务" else "selfeval_funds"


def _money_sources(ctx: Context, r: Mapping[str, Any], *cols: str) -> list[Source]:
    table = _money_table(r)
    names = {"budget": "allocated" if table == "tasks" else "final_budget"}
    return [ctx.src(table, r["_row"], names.get(c, c)) for c in cols]


def _money_label(r: Mapping[str, Any]) -> str:
    if r["source"] == "年度主要任务":
        return f"年度主要任务“{r['line']}”"
    return f"资金“{r['line']}”"


def _pct_text(x: float | None, digits: int = 2) -> str | None:
    return None if x is None else f"{_n(x, digits)}%"


def _gap(difference: float) -> str:
    """“多计/少计 N 分” for a published-minus-expected difference."""
    return f"{'多计' if difference > 0 else '少计'}{_n(abs(difference))}分"


def _selfeval_sources(ctx: Context, subject: str, col: str) -> list[Source]:
    return [ctx.src("selfeval", int(x["_row"]), col) for x in ctx.dept.rows("selfeval", subject)]


@rule("SC001", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="定量指标得分与评分规则不符")  # fmt: skip
def quantitative_score(ctx: Context) -> Iterator[Finding]:
    for r in _ind_rows(ctx):
        if r["kind"] != QUANT or r["status"] != INCONSISTENT:
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=r["level3"],
            message=(
                f"“{r['subject']}”指标“{r['level3']}”（年度指标值“{r['target']}”，实际完成值"
                f"“{r['actual']}”，分值{_n(r['weight'])}）公布得分{_n(r['score_published'])}，"
                f"按评分规则应得{_n(r['score'])}分（{_gap(r['difference'])}）。"
            ),
            published=r["score_published"],
            expected=r["score"],
            formula=f"{r['method']}：{r['formula']}",
            sources=_ind_sources(ctx, r, "target", "actual", "weight", "score"),
        )


@rule("SC002", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="定性指标得分超出所选档次")  # fmt: skip
def qualitative_out_of_band(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for r in _ind_rows(ctx):
        if r["kind"] != QUAL or r["in_band"] is not False:
            continue
        low, high = cfg.bands[r["band_key"]]
        w = r["weight"]
        yield ctx.emit(
            subject=r["subject"],
            indicator=r["level3"],
            message=(
                f"“{r['subject']}”定性指标“{r['level3']}”选择档次“{r['actual']}”"
                f"（分值{_n(w)}，应得{_n(low * w)}～{_n(high * w)}分），公布得分"
                f"{_n(r['score_published'])}超出该档次；按档次系数应得{_n(r['score'])}分。"
            ),
            published=r["score_published"],
            expected=f"{_n(low * w)}～{_n(high * w)}",
            formula=r["formula"],
            sources=_ind_sources(ctx, r, "actual", "weight", "score"),
        )


@rule("SC003", family=FAMILY, severity="notice", dimension=DIMENSION, section=SECTION,
      title="定性指标得分与政策档次系数不同")  # fmt: skip
def qualitative_factor(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    in_band: dict[str, list[dict[str, Any]]] = {}  # qualitative rows scored within their band
    for r in _ind_rows(ctx):
        if r["kind"] == QUAL and r["in_band"] is True:
            in_band.setdefault(r["subject"], []).append(r)
    for subject in _ind_groups(ctx):  # subjects in table order
        hits = []
        for r in in_band.get(subject, []):
            factor = cfg.factor(r["band_key"])
            cands = [_score_variant(m, factor * r["weight"]) for m in cfg.score_rounding]
            if min(abs(c - r["score_published"]) for c in cands) > cfg.tolerance + _EPS:
                hits.append(r)
        if not hits:
            continue
        listed = "；".join(
            f"“{r['level3']}”分值{_n(r['weight'])}得{_n(r['score_published'])}分"
            f"（系数{_n(cfg.factor(r['band_key']))}计{_n(r['factor_score'])}分）"
            for r in hits
        )
        published = sum(r["score_published"] for r in hits)
        expected = sum(r["factor_score"] for r in hits)
        yield ctx.emit(
            subject=subject,
            message=(
                f"“{subject}”有{len(hits)}个定性指标的得分在所选档次内，但与政策档次系数"
                f"（达成档{_n(cfg.band_factor)}）计算的得分不同：{listed}。"
                f"合计{_n(published)}分，按系数计{_n(expected)}分。"
            ),
            published=_r(published),
            expected=_r(expected),
            formula="定性得分 = 档次系数 × 分值",
            sources=[s for r in hits for s in _ind_sources(ctx, r, "actual", "weight", "score")],
        )


@rule("SC004", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="预算执行率得分与规则不符")  # fmt: skip
def execution_score(ctx: Context) -> Iterator[Finding]:
    for r in _fund_rows(ctx):
        if r["status"] != INCONSISTENT:
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=f"预算执行率（{r['line']}）",
            message=(
                f"“{r['subject']}”{_money_label(r)}执行率{_n(r['rate'], 2)}%"
                f"（执行数{_n(r['executed'], 2)}元/预算数{_n(r['budget'], 2)}元），分值"
                f"{_n(r['weight'])}{'（推算）' if r['weight_inferred'] else ''}，公布得分"
                f"{_n(r['score_published'])}，按规则应得{_n(r['score'])}分。"
            ),
            published=r["score_published"],
            expected=r["score"],
            formula=f"{r['method']}：{r['formula']}",
            sources=_money_sources(ctx, r, "budget", "executed", "weight", "score"),
        )


@rule("SC005", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="公布的执行率与执行数/预算数不符")  # fmt: skip
def published_rate(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for r in _rate_rows(ctx):
        rate, published = r["rate"], r["rate_published"]
        if rate is None or published is None:
            continue
        accepted = [rate, min(rate, 100.0)]
        if min(abs(published - a) for a in accepted) <= cfg.rate_tolerance + _EPS:
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=f"执行率（{r['line']}）",
            message=(
                f"“{r['subject']}”{_money_label(r)}公布执行率{_n(published, 2)}%，"
                f"按执行数{_n(r['executed'], 2)}元/预算数{_n(r['budget'], 2)}元应为"
                f"{_n(rate, 2)}%（相差{_n(published - rate, 2)}个百分点）。"
            ),
            published=_pct_text(published),
            expected=_pct_text(rate),
            formula=f"{_n(r['executed'], 2)} / {_n(r['budget'], 2)} × 100% = {_n(rate, 2)}%",
            sources=_money_sources(ctx, r, "budget", "executed", "rate"),
        )


@rule("SC006", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="总分不等于各行得分之和")  # fmt: skip
def total_is_sum(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for t in _total_rows(ctx):
        total, parts = t["total_published"], t["sum_published"]
        if total is None or abs(total - parts) <= cfg.total_tolerance + _EPS:
            continue
        extra = ""
        with_sub = t["sum_with_subrows"]
        if with_sub is not None and abs(total - with_sub) <= cfg.total_tolerance + _EPS:
            extra = (
                f"公布总分等于把“分项/其中”行得分也计入后的合计{_n(with_sub)}，"
                "疑将资金分项得分重复计入总分。"
            )
        subject = t["subject"]
        sources = _selfeval_sources(ctx, subject, "total")
        sources += [
            s
            for r in _fund_of(ctx, subject)
            if r["score_published"] is not None
            for s in _money_sources(ctx, r, "score")
        ]
        sources += [
            ctx.src("selfeval_indicators", r["_row"], "score") for r in _ind_of(ctx, subject)
        ]
        yield ctx.emit(
            subject=subject,
            indicator="总分",
            message=(
                f"“{subject}”自评表公布总分{_n(total)}，资金（年度资金总额/年度主要任务）与各指标"
                f"公布得分之和为{_n(parts)}，相差{_n(total - parts)}分。{extra}"
            ),
            published=total,
            expected=parts,
            formula=f"Σ 各行公布得分 = {_n(parts)}",
            sources=sources,
        )


@rule("SC007", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="分值合计不等于规定总分")  # fmt: skip
def weight_sum(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    allowed = "或".join(_n(w) for w in cfg.weight_totals)
    for t in _total_rows(ctx):
        subject, wsum, wtotal = t["subject"], t["weight_sum"], t["weight_total"]
        in_policy = any(abs(wsum - w) <= cfg.tolerance + _EPS for w in cfg.weight_totals)
        if wtotal is not None and abs(wsum - wtotal) > cfg.tolerance + _EPS:
            expected: float | str = wtotal
            why = f"与表中“总分”行的分值{_n(wtotal)}不符"
        elif not in_policy:
            expected = allowed
            why = f"不是规定总分{allowed}"
        else:
            continue
        f_rows = _fund_of(ctx, subject)
        i_rows = _ind_of(ctx, subject)
        sources = [
            s for r in f_rows if not r["weight_inferred"] for s in _money_sources(ctx, r, "weight")
        ]
        sources += [ctx.src("selfeval_indicators", r["_row"], "weight") for r in i_rows]
        sources += _selfeval_sources(ctx, subject, "weight_total")
        parts = "、".join(
            f"{r['line']}{_n(r['weight'])}分" for r in f_rows if r["weight"] is not None
        )
        yield ctx.emit(
            subject=subject,
            indicator="分值合计",
            message=(
                f"“{subject}”自评表各行分值合计为{_n(wsum)}（资金{parts or '无'}，"
                f"指标{_n(_sum([r['weight'] for r in i_rows]))}），{why}。"
            ),
            published=wsum,
            expected=expected,
            formula=f"Σ 分值 = {_n(wsum)}",
            sources=sources,
        )


@rule("SC008", family=FAMILY, severity="notice", dimension=DIMENSION, section=SECTION,
      title="权重分配偏离默认比例")  # fmt: skip
def default_split(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    money_key = _EXECUTION_KEY
    for t in _total_rows(ctx):
        if t["layout"] != "项目支出":
            continue
        subject = t["subject"]
        sums: dict[str, float] = dict.fromkeys(cfg.default_weights, 0.0)
        other: dict[str, float] = {}
        money = _sum([r["weight"] for r in _fund_of(ctx, subject)])
        if money_key in sums:
            sums[money_key] = money
        elif money:
            other[money_key] = money
        i_rows = _ind_of(ctx, subject)
        for r in i_rows:
            level = _compact(r["level1"])
            key = cfg.cost_counts_as if level == "成本指标" else level
            if key in sums and key != money_key:
                sums[key] += r["weight"] or 0.0
            else:
                other[level or "（空）"] = other.get(level or "（空）", 0.0) + (r["weight"] or 0.0)
        off = {
            k: v for k, v in sums.items() if abs(v - cfg.default_weights[k]) > cfg.tolerance + _EPS
        }
        if not off and not other:
            continue

        def show(k: str, v: float) -> str:
            name = f"{k}（含成本指标）" if k == cfg.cost_counts_as else k
            return f"{name}{_n(v)}分"

        published = "、".join(show(k, v) for k, v in sums.items())
        if other:
            published += "、" + "、".join(f"{k}{_n(v)}分" for k, v in other.items())
        expected = "、".join(f"{k}{_n(v)}分" for k, v in cfg.default_weights.items())
        yield ctx.emit(
            subject=subject,
            message=(
                f"“{subject}”项目自评表的权重分配为{published}，偏离默认比例（{expected}）。"
                "特殊情况下可以调整，请核实调整理由。"
            ),
            published=published,
            expected=expected,
            formula="按一级指标汇总分值（成本指标并入产出指标）",
            sources=[ctx.src("selfeval_indicators", r["_row"], "weight") for r in i_rows],
        )


@rule("SC009", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="完成率过高，目标可能设置偏低")  # fmt: skip
def over_achievement(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    limit = cfg.over_threshold * 100
    for r in _ind_rows(ctx):
        if r["kind"] != QUANT or r["op"] not in ("≥", ">") or r["completion"] is None:
            continue
        if r["completion"] < limit - _EPS:
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=r["level3"],
            message=(
                f"“{r['subject']}”指标“{r['level3']}”年度指标值{r['target']}，实际完成"
                f"{r['actual']}，完成率{_n(r['completion'], 2)}%，达到或超过{_n(limit)}%，"
                "目标可能设置偏低；因目标偏低造成的超额完成应酌情扣分。"
            ),
            published=_pct_text(r["completion"]),
            expected=f"<{_n(limit)}%",
            formula=f"{_n(r['actual_number'])} / {_n(r['target_number'])} × 100% = {_n(r['completion'], 2)}%",
            sources=_ind_sources(ctx, r, "target", "actual"),
        )


@lru_cache(maxsize=1 << 16)
def _compact(text: str) -> str:
    return _SPACES.sub("", text)


@rule("SC010", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="实际完成值照抄目标值")  # fmt: skip
def copied_actual(ctx: Context) -> Iterator[Finding]:
    compacted: dict[str, str] = {}  # text -> _compact(_text(text)): the texts recur

    def compact_cell(value: Any) -> str:
        if value.__class__ is not str:  # a blank or a number: not remembered
            return _compact(_text(value))
        out = compacted.get(value)
        if out is None:
            out = compacted[value] = _compact(_text(value))
        return out

    for r in ctx.dept.records("selfeval_indicators"):
        target, actual = compact_cell(r.get("target")), compact_cell(r.get("actual"))
        if not actual or actual != target:
            continue
        parsed: IndicatorValue = r["target_parsed"]
        has_op = re.search(r"[<>=≥≤≧≦＞＜＝═]", target) is not None or any(
            w in target for w in ("以上", "以下", "以内", "不低于", "不超过", "不少于")
        )
        if not (has_op or parsed.kind == "qualitative"):
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=_text(r.get("level3")),
            message=(
                f"“{r['subject']}”指标“{_text(r.get('level3'))}”的实际完成值“{_text(r.get('actual'))}”"
                f"与年度指标值“{_text(r.get('target'))}”完全相同，未填写实际完成的数值或情况。"
            ),
            published=_text(r.get("actual")),
            expected="实际完成的数值或所选档次",
            formula="实际完成值 = 年度指标值（去除空格后逐字相同）",
            sources=[
                ctx.src("selfeval_indicators", r["_row"], "target"),
                ctx.src("selfeval_indicators", r["_row"], "actual"),
            ],
        )


@rule("SC011", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="得分低于分值但未说明偏差原因")  # fmt: skip
def missing_cause(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    limit = cfg.over_cause_threshold * 100
    for r in _ind_rows(ctx):
        if r["reason"] or not r["weight"]:
            continue
        w = r["weight"]
        pub, rec = r["score_published"], r["score"]
        low = pub if rec is None else rec if pub is None else min(pub, rec)
        exempt = r["kind"] == QUAL and r["band_key"] == "achieved"
        if (
            r["kind"] in (QUANT, QUAL)
            and not exempt
            and low is not None
            and 1 - low / w > _EPS
            and 1 - low / w >= cfg.cause_shortfall_tolerance - _EPS
        ):
            if pub is not None and pub <= low + _EPS:
                detail = f"公布得分{_n(pub)}低于分值{_n(w)}"
            else:
                detail = f"公布得分{_n(pub)}，但按评分规则应得{_n(rec)}分，低于分值{_n(w)}"
            completion = f"，完成率{_n(r['completion'], 2)}%" if r["completion"] is not None else ""
            short = 1 - low / w
            yield ctx.emit(
                subject=r["subject"],
                indicator=r["level3"],
                message=(
                    f"“{r['subject']}”指标“{r['level3']}”年度指标值{r['target']}，实际完成"
                    f"{r['actual']}{completion}，{detail}，未填写偏差原因分析。"
                ),
                published=low,
                expected=w,
                formula=(
                    f"{_n(low)} / {_n(w)} = {_n(low / w * 100, 2)}%，较分值少{_n(short * 100, 2)}%"
                    f"（≥{_n(cfg.cause_shortfall_tolerance * 100)}%须说明偏差原因）"
                ),
                sources=_ind_sources(ctx, r, "score", "weight", "reason"),
            )
            continue
        if (
            r["kind"] == QUANT
            and r["op"] in ("≥", ">", "=")
            and r["completion"] is not None
            and r["completion"] > limit + _EPS
        ):
            yield ctx.emit(
                subject=r["subject"],
                indicator=r["level3"],
                message=(
                    f"“{r['subject']}”指标“{r['level3']}”年度指标值{r['target']}，实际完成"
                    f"{r['actual']}，完成率{_n(r['completion'], 2)}%，超过{_n(limit)}%，"
                    "但未填写超额完成的原因分析。"
                ),
                published=_pct_text(r["completion"]),
                expected=f"≤{_n(limit)}%或说明原因",
                formula=f"{_n(r['actual_number'])} / {_n(r['target_number'])} × 100% = {_n(r['completion'], 2)}%",
                sources=_ind_sources(ctx, r, "target", "actual", "reason"),
            )


@rule("SC012", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="等级与总分不符")  # fmt: skip
def grade_matches(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    bands = "，".join(f"{g}≥{_n(m)}" for g, m in cfg.grades)
    for t in _total_rows(ctx):
        grade, expected = t["grade_published"], t["grade_of_published_total"]
        if not grade or expected is None:
            continue
        if cfg.normal_grade(grade) == expected:
            continue
        yield ctx.emit(
            subject=t["subject"],
            indicator="等级",
            message=(
                f"“{t['subject']}”自评表公布总分{_n(t['total_published'])}，等级为“{grade}”，"
                f"按评分等级（{bands}）应为“{expected}”。"
            ),
            published=grade,
            expected=expected,
            formula=f"总分{_n(t['total_published'])} → {expected}（{bands}）",
            sources=_selfeval_sources(ctx, t["subject"], "total")
            + _selfeval_sources(ctx, t["subject"], "grade"),
        )


@rule("SC013", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="执行数超过预算数")  # fmt: skip
def overrun(ctx: Context) -> Iterator[Finding]:
    for r in _rate_rows(ctx):
        if r["overrun"] is None:
            continue
        rate = f"，执行率{_n(r['rate'], 2)}%" if r["rate"] is not None else ""
        yield ctx.emit(
            subject=r["subject"],
            indicator=f"执行数（{r['line']}）",
            message=(
                f"“{r['subject']}”{_money_label(r)}执行数{_n(r['executed'], 2)}元超过预算数"
                f"{_n(r['budget'], 2)}元，超支{_n(r['overrun'], 2)}元{rate}；"
                "执行率得分以分值为上限，超预算支出需说明依据。"
            ),
            published=r["executed"],
            expected=f"≤{_n(r['budget'], 2)}",
            formula=f"{_n(r['executed'], 2)} − {_n(r['budget'], 2)} = {_n(r['overrun'], 2)}",
            sources=_money_sources(ctx, r, "budget", "executed"),
        )


@rule("SC014", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="指标无法计分")  # fmt: skip
def unscorable(ctx: Context) -> Iterator[Finding]:
    for r in _ind_rows(ctx):
        if r["status"] != UNSCORABLE or not r["problem"] or r["problem"] == "公布得分为空":
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=r["level3"],
            message=(
                f"“{r['subject']}”指标“{r['level3']}”（年度指标值“{r['target']}”，实际完成值"
                f"“{r['actual']}”）无法按评分规则计分：{r['problem']}；公布得分"
                f"{_n(r['score_published'])}无法复核。"
            ),
            published=r["score_published"],
            expected=None,
            formula=r["method"] or None,
            sources=_ind_sources(ctx, r, "target", "actual", "score"),
        )


@rule("SC015", family=FAMILY, severity="notice", dimension=DIMENSION, section=SECTION,
      title="结果快于资金")  # fmt: skip
def results_ahead(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for t in _total_rows(ctx):
        rate, share = t["execution_rate"], t["indicator_share"]
        if rate is None or share is None:
            continue
        used = min(rate, 100.0)
        if share - used <= cfg.ahead_margin * 100 + _EPS:
            continue
        subject = t["subject"]
        f_rows = _fund_of(ctx, subject)
        yield ctx.emit(
            subject=subject,
            message=(
                f"“{subject}”预算执行率仅{_n(used, 2)}%，而各指标得分合计占分值的"
                f"{_n(share, 2)}%，高出{_n(share - used, 2)}个百分点（提示阈值"
                f"{_n(cfg.ahead_margin * 100)}个百分点）：自评结果快于资金使用，请核实指标完成情况。"
            ),
            published=_pct_text(share),
            expected=f"≤{_n(used + cfg.ahead_margin * 100, 2)}%",
            formula=f"指标得分率 {_n(share, 2)}% − 预算执行率 {_n(used, 2)}% = {_n(share - used, 2)}个百分点",
            sources=[s for r in f_rows for s in _money_sources(ctx, r, "budget", "executed")]
            + [
                ctx.src("selfeval_indicators", r["_row"], c)
                for r in _ind_of(ctx, subject)
                for c in ("weight", "score")
            ],
        )


def _accepted_completions(r: Mapping[str, Any]) -> list[float]:
    """Completion conventions accepted for a published percentage (in percent)."""
    c, t, a = r["completion"], r["target_number"], r["actual_number"]
    out = [c, min(c, 100.0)]
    if r["op"] in ("≤", "<") and t is not None and a is not None:
        if t > 0:
            out.append(a / t * 100)
        if a > 0:
            out.append(t / a * 100)
    return out


@rule("SC016", family=FAMILY, severity="error", dimension=DIMENSION, section=SECTION,
      title="公布的完成率与实际值/目标值不符")  # fmt: skip
def published_completion(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for r in _ind_rows(ctx):
        published = r["completion_published_pct"]
        if r["kind"] != QUANT or published is None or r["completion"] is None:
            continue
        if abs(published - r["completion"]) <= cfg.completion_tolerance + _EPS:
            continue  # the first accepted convention (cheap, and the common case)
        accepted = _accepted_completions(r)
        if min(abs(published - a) for a in accepted) <= cfg.completion_tolerance + _EPS:
            continue
        yield ctx.emit(
            subject=r["subject"],
            indicator=r["level3"],
            message=(
                f"“{r['subject']}”指标“{r['level3']}”年度指标值{r['target']}，实际完成"
                f"{r['actual']}，公布完成率{r['completion_published']}，按实际值/目标值应为"
                f"{_n(r['completion'], 2)}%。"
            ),
            published=_pct_text(published),
            expected=_pct_text(r["completion"]),
            formula=f"{r['method']}；完成率 = {_n(r['completion'], 2)}%",
            sources=_ind_sources(ctx, r, "target", "actual", "completion"),
        )


@rule("SC017", family=FAMILY, severity="warning", dimension=DIMENSION, section=SECTION,
      title="按规则重算的总分与公布总分不同")  # fmt: skip
def recomputed_total(ctx: Context) -> Iterator[Finding]:
    cfg = _policy(ctx)
    for t in _total_rows(ctx):
        total, recomputed = t["total_published"], t["total_recomputed"]
        if total is None or abs(total - recomputed) <= cfg.total_tolerance + _EPS:
            continue
        subject = t["subject"]
        changed = [
            r
            for r in (
                *_fund_of(ctx, subject),
                *_ind_of(ctx, subject),
            )
            if r["difference"] is not None and abs(r["difference"]) > _EPS
        ]
        rows = "；".join(
            f"“{r.get('level3') or r.get('line')}”公布{_n(r['score_published'])}、重算{_n(r['score'])}"
            for r in changed
        )
        note = f"（{t['note']}）" if t["note"] else ""
        yield ctx.emit(
            subject=subject,
            indicator="总分",
            message=(
                f"“{subject}”自评表公布总分{_n(total)}（等级{t['grade_of_published_total']}），"
                f"按评分规则重算为{_n(recomputed)}（等级{t['grade_of_recomputed_total']}），"
                f"{_gap(total - recomputed)}。差异来自：{rows or '—'}{note}。"
            ),
            published=total,
            expected=recomputed,
            formula=f"Σ 重算得分 = {_n(recomputed)}",
            sources=_selfeval_sources(ctx, subject, "total")
            + [
                s
                for r in changed
                for s in (
                    _money_sources(ctx, r, "score")
                    if "source" in r
                    else _ind_sources(ctx, r, "score")
                )
            ],
        )
