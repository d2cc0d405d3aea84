"""Parse indicator values (指标值) as published in Chinese budget-performance tables.

Target tables (绩效目标表), monitoring tables (监控表) and self-evaluation tables (自评表)
write an indicator's target and actual value as free text. This module turns such a text
into an :class:`IndicatorValue` and never raises while doing so.

Accepted notation
-----------------
Quantitative values are ``[operator] number [unit]``:

* Operators: ``=``, ``≥``, ``≤``, ``>``, ``<`` and their look-alikes ``≧ ≦ ⩾ ⩽ ═``,
  full-width ``＝ ＞ ＜``, two-character forms ``>= <= => =< ≥= ≤= ＞＝`` (spaces between the
  characters are allowed) and LaTeX ``\\geq \\leq \\ge \\le \\geqslant \\leqslant \\gt \\lt``
  (``$...$`` and ``\\%`` are understood as well). They normalise to ``=``, ``>=``, ``<=``,
  ``>``, ``<``.
* Numbers: ASCII or full-width digits, a decimal point, a leading ``+``/``-``/``－``/``−``,
  thousands separators (``1,800``) and an optional exponent (``1e5``). Digits split by spaces
  in extracted text are joined again: ``1 00 %`` is 100 %, ``20 00 万元`` is 2000 万元.
* Units: anything short made of letters or unit symbols (``% ‰ / · ² ³ ㎡ ℃ °``), with spaces
  removed. 元/千元/万元/百万元/千万元/亿元 are money (``unit == "元"``) with a scale;
  bare 万/亿/千/百万/千万/万亿 scale a count (``unit == ""``); a 万/亿 prefix before another
  unit is a scale too (``万吨`` is 吨 × 10000, ``万元/公里`` is 元/公里 × 10000). After an
  operator a unit of up to four characters (or a ratio ``a/b`` of two such) is accepted;
  without an operator the unit must be a known one or at most two characters long, so that
  ``2024年完成`` or ``26户砖瓦企业`` stay qualitative.
* A trailing ``以上``/``及以上`` implies ``>=``, ``以下``/``及以下``/``以内``/``之内`` imply
  ``<=`` when no operator is written; ``左右`` and ``(含)`` after a unit are ignored.

Qualitative results are reported as one of three bands, optionally preceded by text
(``全部或基本达成预期指标 100%-80% (含)``) and with or without the ``(含)`` note or its
closing parenthesis: ``100%-80%(含)`` achieved (0.8–1.0), ``80%-60%(含)`` partly achieved
(0.6–0.8), ``60%-0%`` not achieved (0–0.6).

Empty values: ``None``, blank or whitespace, ``null``/``NULL``/``None``/``nan``, dashes
(``-``, ``--``, ``—``, ``——``), ``/`` and ``无``.

Everything else is qualitative (健全, 规范, 提升, 促进发展, 全部公开 ...), except a text that
writes an operator but no usable single number (``≥ 健全``, ``≥abc``, ``≥10%~20%``) or a
bare range of numbers (``10%~20%``): those are ``invalid`` and carry a Chinese ``error``.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

__all__ = [
    "IndicatorValue",
    "Kind",
    "Op",
    "normalise_operator",
    "parse_indicator",
    "parse_number",
]

_T = TypeVar("_T")
Kind = Literal["quantitative", "qualitative", "band", "empty", "invalid"]
Op = Literal["=", ">=", "<=", ">", "<"]
BandName = Literal["achieved", "partial", "not_achieved"]


@dataclass(frozen=True)
class IndicatorValue:
    """One parsed indicator value; ``text`` keeps the original verbatim."""

    text: str
    kind: Kind
    op: Op | None = None
    number: float | None = None
    unit: str = ""
    scale: float = 1.0
    written_unit: str = ""
    band: BandName | None = None
    band_low: float | None = None
    band_high: float | None = None
    error: str | None = None

    def __reduce__(self) -> tuple[type[IndicatorValue], tuple[object, ...]]:
        # pickled as its fields, given back to __init__: a third faster to load than the
        # default (a state dict) for the thousands a share of a workbook holds
        # (evalkit.prefetch sends them between processes)
        return (IndicatorValue, _indicator_fields(self))

    @property
    def value(self) -> float | None:
        """The number in the base unit (``number * scale``), None without a number."""
        if self.number is None:
            return None
        return self.number * self.scale

    @property
    def is_money(self) -> bool:
        """True when the value is an amount of money (元, 万元, 亿元 ...)."""
        return self.unit == "元"


_indicator_fields = operator.attrgetter(*IndicatorValue.__dataclass_fields__)


# ---------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------

_CHAR_MAP: dict[int, str] = {
    0x3000: " ",  # ideographic space
    0x2212: "-",  # minus sign
    0x2010: "-",  # hyphen
    0x2011: "-",  # non-breaking hyphen
    0xFE63: "-",  # small hyphen-minus
    0xFE64: "<",  # small less-than
    0xFE65: ">",  # small greater-than
    0xFE66: "=",  # small equals
    0x301C: "~",  # wave dash
    0x200B: "",  # zero-width space
    0x200C: "",
    0x200D: "",
    0x2060: "",  # word joiner
    0xFEFF: "",  # byte-order mark
}

_LATEX_WRAPPER = re.compile(r"\\(?:text|mathrm|textrm|mbox|rm)\s*\{([^{}]*)\}")
_LATEX_COMMAND = re.compile(
    r"\\(geqslant|leqslant|geq|leq|ge|le|gt|lt|sim|%|,|;|:|!| )(?![A-Za-z])"
)
_LATEX_REPLACEMENT = {
    "geqslant": ">=",
    "geq": ">=",
    "ge": ">=",
    "leqslant": "<=",
    "leq": "<=",
    "le": "<=",
    "gt": ">",
    "lt": "<",
    "sim": "~",
    "%": "%",
}

_SPACES = re.compile(r"\s+")
_SPLIT_DIGITS = re.compile(r"(?<=[0-9.])\s+(?=[0-9.])")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_TRAILING_PUNCT = " 。;,、"
_DASHES = frozenset("-—–―/")
_EMPTY_WORDS = frozenset({"null", "none", "无", "n/a"})


def _safe_str(obj: object) -> str:
    """``str(obj)`` that never raises ("" for None)."""
    if obj is None:
        return ""
    if type(obj) is str:
        return obj
    try:
        return str(obj)
    except Exception:
        try:
            return repr(obj)
        except Exception:
            return f"<{type(obj).__name__}>"


class _FoldTable(dict[int, str]):
    """``str.translate`` table for :func:`_fold`, filled in per character on first use."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if 0xFF01 <= code <= 0xFF5E:
            out = chr(code - 0xFEE0)
        elif code in _CHAR_MAP:
            out = _CHAR_MAP[code]
        elif ch.isspace():
            out = " "
        elif code > 0x7F and (digit := unicodedata.decimal(ch, None)) is not None:
            out = str(digit)
        else:
            out = ch
        if len(self) < 1 << 16:  # bounded, whatever the input
            self[code] = out
        return out


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """Map full-width forms, Unicode digits, spaces and minus look-alikes to ASCII."""
    return text.translate(_FOLD_TABLE)


def _delatex(text: str) -> str:
    """Replace the LaTeX that PDF extraction leaves behind (``$\\geq 10\\%$``)."""
    if "\\" not in text and "$" not in text:
        return text
    text = _LATEX_WRAPPER.sub(r"\1", text)
    text = _LATEX_COMMAND.sub(lambda m: _LATEX_REPLACEMENT.get(m.group(1), " "), text)
    return text.replace("$", " ").replace("{", "").replace("}", "")


@functools.lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    """Fold, de-LaTeX, collapse spaces, rejoin split digits and drop thousands separators.

    Remembered per text: operators and units repeat on every row of a table."""
    text = _SPACES.sub(" ", _delatex(_fold(text))).strip().rstrip(_TRAILING_PUNCT)
    text = _SPLIT_DIGITS.sub("", text)
    return _THOUSANDS.sub("", text)


def _is_empty(text: str, *, nan_is_empty: bool) -> bool:
    """True for the empty forms; ``text`` is already folded."""
    compact = _SPACES.sub("", text).lower()
    if not compact or compact in _EMPTY_WORDS:
        return True
    if nan_is_empty and compact == "nan":
        return True
    return len(compact) <= 4 and all(ch in _DASHES for ch in compact)


def _shown(text: str) -> str:
    """The text as quoted in a message, shortened."""
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= 40 else text[:40] + "…"


# ---------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------

_GREATER = frozenset(">≥≧⩾")
_LESS = frozenset("<≤≦⩽")
_WITH_EQUAL = frozenset("=═≥≧⩾≤≦⩽")
_OP_CLASS = "<>=≥≤≧≦⩾⩽═"
_OP_RUN = re.compile(rf"[{_OP_CLASS}](?:\s*[{_OP_CLASS}])*")
_WORD_OPS: dict[str, Op] = {
    "大于等于": ">=",
    "大于或等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "小于等于": "<=",
    "小于或等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不多于": "<=",
    "等于": "=",
    "大于": ">",
    "高于": ">",
    "小于": "<",
    "低于": "<",
}


def _op_from_run(run: str) -> Op | None:
    """Normalise a run of operator glyphs; None when it mixes greater and less."""
    greater = not _GREATER.isdisjoint(run)
    less = not _LESS.isdisjoint(run)
    equal = not _WITH_EQUAL.isdisjoint(run)
    if greater and less:
        return None
    if greater:
        return ">=" if equal else ">"
    if less:
        return "<=" if equal else "<"
    return "="


def normalise_operator(text: object) -> Op | Literal["定性"] | None:
    """Normalise a 指标值类型 / 运算符号 cell.

    Look-alikes (``≧ ≦ ═ ＞ ＜ ＝ ⩾ ⩽ >= <= => =< ≥=`` and LaTeX) map to ``=``, ``>=``, ``<=``,
    ``>``, ``<``; ``定性`` (also with spaces) to ``"定性"``; the words 大于等于, 不低于,
    不超过 ... to their operator; blank, None and anything else to None. Never raises.
    """
    try:
        if isinstance(text, float) and math.isnan(text):
            return None
        compact = _SPACES.sub("", _normalise(_safe_str(text)))
        if not compact:
            return None
        if compact == "定性":
            return "定性"
        if compact in _WORD_OPS:
            return _WORD_OPS[compact]
        if _OP_RUN.fullmatch(compact):
            return _op_from_run(compact)
        return None
    except Exception:  # pragma: no cover - defensive: the contract is "never raises"
        return None


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------

_EXACT_SCALE: dict[str, tuple[str, float]] = {
    "元": ("元", 1.0),
    "千元": ("元", 1e3),
    "万元": ("元", 1e4),
    "百万元": ("元", 1e6),
    "千万元": ("元", 1e7),
    "亿元": ("元", 1e8),
    "万亿元": ("元", 1e12),
    "千": ("", 1e3),
    "万": ("", 1e4),
    "百万": ("", 1e6),
    "千万": ("", 1e7),
    "亿": ("", 1e8),
    "万亿": ("", 1e12),
}
_SCALE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("万亿", 1e12),
    ("千万", 1e7),
    ("百万", 1e6),
    ("亿", 1e8),
    ("万", 1e4),
)
_KNOWN_UNIT_WORDS = (
    "% ‰ 元 户 人 座 天 个 次 家 项 件 年 月 日 周 时 小时 分钟 工作日 个工作日 个月 公里 千米"
    " 米 km m 平方米 立方米 平方公里 m² ㎡ 亩 公顷 吨 千克 公斤 kg t 台 套 辆 场 人次 户次 篇"
    " 份 所 处 条 册 本 名 批 期 间 栋 张 株 棵 头 只 盏 分 千瓦 千瓦时 kw kwh 个百分点 百分点"
)
_KNOWN_UNITS = frozenset(_KNOWN_UNIT_WORDS.split())
_UNIT_SYMBOLS = frozenset("%‰/·²³㎡㎞℃°")
_TAIL_QUALIFIERS: tuple[tuple[str, Op | None], ...] = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("左右", None),
    ("(含)", None),
)
_TAIL_WORDS = tuple(word for word, _ in _TAIL_QUALIFIERS)


@functools.lru_cache(maxsize=4096)
def _split_scale(written: str) -> tuple[str, float]:
    """Split a written unit into (base unit, scale): 万元 -> (元, 1e4), 亿 -> ("", 1e8)."""
    if written in _EXACT_SCALE:
        return _EXACT_SCALE[written]
    if "/" in written:
        numerator, _, denominator = written.partition("/")
        base, scale = _split_scale(numerator)
        if base:
            return f"{base}/{denominator}", scale
        return written, 1.0
    for prefix, factor in _SCALE_PREFIXES:
        if written.startswith(prefix) and len(written) > len(prefix):
            return written[len(prefix) :], factor
    return written, 1.0


@functools.lru_cache(maxsize=4096)
def _unit_ok(unit: str, *, strict: bool) -> bool:
    """Whether ``unit`` (spaces removed) can be a unit; ``strict`` when no operator is written."""
    if not all(ch.isalpha() or ch in _UNIT_SYMBOLS for ch in unit):
        return False
    if "/" in unit:
        parts = unit.split("/")
        return len(parts) == 2 and all(part and _unit_ok(part, strict=strict) for part in parts)
    base, _ = _split_scale(unit)
    if unit.lower() in _KNOWN_UNITS or base.lower() in _KNOWN_UNITS or base == "":
        return True
    return len(unit) <= (2 if strict else 4)


def _column_unit(unit: object) -> str | None:
    """The 度量单位 column value, normalised, or None when blank or unusable."""
    if unit is None or (isinstance(unit, float) and not math.isfinite(unit)):
        return None
    folded = _normalise(_safe_str(unit))
    if _is_empty(folded, nan_is_empty=True):
        return None
    compact = _SPACES.sub("", folded).strip("()[]【】")
    if compact and _unit_ok(compact, strict=False):
        return compact
    return None


# ---------------------------------------------------------------------------
# Numbers and quantities
# ---------------------------------------------------------------------------

_NUMBER = re.compile(r"([+-]?)\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_ANY_DIGIT = re.compile(r"[0-9]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?")
_RANGE_NUM = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_RANGE_UNIT = r"[^0-9\s~\-—–至到、,;]{0,4}"
_RANGE = re.compile(
    rf"{_RANGE_NUM}\s*{_RANGE_UNIT}\s*[~\-—–至到、,;]{{1,2}}\s*{_RANGE_NUM}\s*{_RANGE_UNIT}"
)
_BAND = re.compile(
    r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*%\s*[-~—–至到]{1,2}\s*([0-9]+(?:\.[0-9]+)?)\s*%"
    r"\s*(?:\(\s*含\s*\)?)?$"
)
_BANDS: dict[tuple[float, float], tuple[BandName, float, float]] = {
    (100.0, 80.0): ("achieved", 0.8, 1.0),
    (80.0, 60.0): ("partial", 0.6, 0.8),
    (60.0, 0.0): ("not_achieved", 0.0, 0.6),
}

_NO_NUMBER = "有运算符但没有数值"
_MANY_NUMBERS = "含有多个数值，无法作为一个指标值"
_OUT_OF_RANGE = "数值超出范围"


@dataclass(frozen=True)
class _Quantity:
    number: float
    written_unit: str
    implied_op: Op | None


def _read_quantity(body: str, *, strict: bool) -> _Quantity | str:
    """Read ``number [unit]`` filling all of ``body``; a Chinese reason when it cannot."""
    match = _NUMBER.match(body)
    if match is None:
        return _NO_NUMBER
    tail = body[match.end() :]
    if _ANY_DIGIT.search(tail):
        return _MANY_NUMBERS
    number = float(match.group(1) + match.group(2))
    if not math.isfinite(number):
        return _OUT_OF_RANGE
    written = _SPACES.sub("", tail)
    implied: Op | None = None
    if written.endswith(_TAIL_WORDS):
        for word, op in _TAIL_QUALIFIERS:
            if written.endswith(word):
                written = written[: -len(word)]
                implied = op
                break
    if written and not _unit_ok(written, strict=strict):
        return f"单位“{_shown(written)}”过长或无效"
    return _Quantity(number, written, implied)


def _match_band(text: str) -> tuple[BandName, float, float] | None:
    """The qualitative result band written in ``text`` (name, low, high), if any."""
    match = _BAND.search(text)
    if match is None:
        return None
    first, second = float(match.group(1)), float(match.group(2))
    return _BANDS.get((max(first, second), min(first, second)))


def _invalid(raw: str, reason: str, op: Op | None = None) -> IndicatorValue:
    return IndicatorValue(
        text=raw,
        kind="invalid",
        op=op,
        error=f"无法识别的指标值：“{_shown(raw)}”（{reason}）",
    )


def _quantitative(
    raw: str, op: Op | None, quantity: _Quantity, column_unit: str | None
) -> IndicatorValue:
    written = quantity.written_unit
    if written:
        unit, scale = _split_scale(written)
        if unit == "" and column_unit is not None:
            column_base, _ = _split_scale(column_unit)
            if column_base not in ("%", "‰"):
                unit = column_base
    elif column_unit is not None:
        written = column_unit
        unit, scale = _split_scale(column_unit)
    else:
        unit, scale = "", 1.0
    if not math.isfinite(quantity.number * scale):
        return _invalid(raw, _OUT_OF_RANGE, op)
    return IndicatorValue(
        text=raw,
        kind="quantitative",
        op=op,
        number=quantity.number,
        unit=unit,
        scale=scale,
        written_unit=written,
    )


def _by_value(func: Callable[[object], _T]) -> Callable[[object], _T]:
    """``func`` (pure, one argument) remembered per type and value of its argument: the
    operator and unit columns repeat a few values on every row."""
    cached = functools.lru_cache(maxsize=1024)(lambda _cls, arg: func(arg))

    def wrapper(arg: object) -> _T:
        try:
            return cached(arg.__class__, arg)
        except TypeError:  # unhashable
            return func(arg)

    return wrapper


_operator_of_column = _by_value(normalise_operator)
_unit_of_column = _by_value(_column_unit)


def _parse(value: object, operator: object, unit: object) -> IndicatorValue:
    raw = _safe_str(value)
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return IndicatorValue(text=raw, kind="empty")
        return _invalid(raw, _OUT_OF_RANGE)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return _invalid(raw, _OUT_OF_RANGE)

    text = _normalise(raw)
    if _is_empty(text, nan_is_empty=True):
        return IndicatorValue(text=raw, kind="empty")
    band = _match_band(text)
    if band is not None:
        name, low, high = band
        return IndicatorValue(text=raw, kind="band", band=name, band_low=low, band_high=high)
    column_op = _operator_of_column(operator)
    if column_op == "定性":
        return IndicatorValue(text=raw, kind="qualitative")
    column_unit = _unit_of_column(unit)

    run = _OP_RUN.match(text)
    if run is not None:
        op = _op_from_run(run.group())
        if op is None:
            return _invalid(raw, f"运算符“{run.group()}”无法识别")
        found = _read_quantity(text[run.end() :].lstrip(), strict=False)
        if isinstance(found, str):
            return _invalid(raw, found, op)
        return _quantitative(raw, op, found, column_unit)

    if not _ANY_DIGIT.search(text):
        return IndicatorValue(text=raw, kind="qualitative")
    found = _read_quantity(text, strict=True)
    if isinstance(found, str):
        if found == _OUT_OF_RANGE:
            return _invalid(raw, found)
        if found == _MANY_NUMBERS and _RANGE.fullmatch(text):
            return _invalid(raw, found)
        return IndicatorValue(text=raw, kind="qualitative")
    op_used = found.implied_op or column_op
    return _quantitative(raw, op_used, found, column_unit)


def parse_indicator(
    text: object, *, operator: object = None, unit: object = None
) -> IndicatorValue:
    """Parse one indicator value (指标值 or 实际完成值). Never raises.

    ``operator`` is a separate 指标值类型 / 运算符号 cell: used when the text writes no
    operator (the text's own operator wins when both are present); ``定性`` makes the value
    qualitative unless it is a band or empty. ``unit`` is a separate 度量单位 cell, used when
    the text writes no unit (or only a bare scale such as 万 or 亿).
    """
    try:
        return _parse(text, operator, unit)
    except Exception as exc:  # pragma: no cover - defensive: the contract is "never raises"
        raw = _safe_str(text)
        return _invalid(raw, f"内部错误：{type(exc).__name__}")


def parse_number(text: object) -> float | None:
    """Read a money or score cell: ``1,800``, ``104 14``, ``９５``, ``95.00%``, ``－5``.

    Returns None for the empty forms (None, blank, ``null``, ``—``, ``-``, ``--``, ``/``,
    ``无``); a trailing ``%`` is dropped (``95.00%`` -> 95.0). Raises ValueError with a
    Chinese message for anything else, including nan, inf and booleans; never raises any
    other exception.
    """
    try:
        return _parse_number(text)
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"不是数字：“{_shown(_safe_str(text))}”") from exc


def _parse_number(text: object) -> float | None:
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(f"不是数字：“{text}”（布尔值）")
    if isinstance(text, (int, float)):
        try:
            number = float(text)
        except OverflowError:
            raise ValueError(f"不是数字：“{_shown(_safe_str(text))}”（{_OUT_OF_RANGE}）") from None
        if not math.isfinite(number):
            raise ValueError(f"不是数字：“{text}”")
        return number
    raw = _safe_str(text)
    folded = _fold(raw)
    if _is_empty(folded, nan_is_empty=False):
        return None
    compact = _THOUSANDS.sub("", _SPACES.sub("", folded))
    if not _PLAIN_NUMBER.fullmatch(compact):
        raise ValueError(f"不是数字：“{_shown(raw)}”")
    number = float(compact.removesuffix("%"))
    if not math.isfinite(number):
        raise ValueError(f"不是数字：“{_shown(raw)}”（{_OUT_OF_RANGE}）")
    return number
