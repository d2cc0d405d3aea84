"""Findings: what the checks report, one row each, with evidence.

The constants (severities, dimensions, families) are read by light modules such as the
run summary of a batch worker, so pandas is imported only by the functions that build
or read a DataFrame.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "notice": "提示"}

#: Review dimensions, in report order (四、绩效目标管理分析 and 自评).
DIMENSIONS: tuple[str, ...] = (
    "完整性",
    "相关性",
    "适当性",
    "可行性",
    "编报审核",
    "批复调整",
    "公开应用",
    "绩效监控",
    "自评质量",
)

#: Rule families (id prefix, Chinese label).
FAMILIES: dict[str, str] = {
    "scoring": "自评复核",
    "coverage": "目标覆盖与完整性",
    "relevance": "相关性",
    "quality": "指标质量",
    "monitoring": "绩效监控",
    "consistency": "跨表一致性",
    "process": "过程管理",
}


@dataclass(frozen=True)
class Source:
    """One cell (or row) a finding used."""

    sheet: str  # Chinese sheet name
    row: int | None = None  # Excel row number
    column: str | None = None  # Chinese column header

    def __str__(self) -> str:
        out = f"《{self.sheet}》"
        if self.row is not None:
            out += f"第{self.row}行"
        if self.column:
            out += f"“{self.column}”"
        return out


@dataclass(frozen=True)
class Finding:
    """One finding of one rule about one subject (and indicator)."""

    rule_id: str
    family: str
    severity: Severity
    dimension: str
    subject: str
    message: str
    indicator: str | None = None
    published: str | None = None
    expected: str | None = None
    formula: str | None = None
    clause: str = ""
    policy_version: str = ""
    sources: tuple[Source, ...] = field(default=())
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        # what ``dataclasses.asdict`` gives (every field is a str, None or the sources), built
        # directly: ``asdict`` deep-copies each value and was most of the findings frame
        d = {name: getattr(self, name) for name in FINDING_COLUMNS}
        d["sources"] = [{name: getattr(s, name) for name in _SOURCE_FIELDS} for s in self.sources]
        return d


FINDING_COLUMNS: tuple[str, ...] = tuple(Finding.__dataclass_fields__)
_SOURCE_FIELDS: tuple[str, ...] = tuple(Source.__dataclass_fields__)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in report order: by dimension (:data:`DIMENSIONS`, unknown ones last),
    severity, rule id and subject; a rule's findings about one subject keep their order."""
    dims = _DIMENSION_ORDER
    sevs = _SEVERITY_ORDER
    return sorted(
        findings, key=lambda f: (dims.get(f.dimension, 99), sevs[f.severity], f.rule_id, f.subject)
    )


_DIMENSION_ORDER = {d: i for i, d in enumerate(DIMENSIONS)}
_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as one DataFrame, one row per finding, in report order
    (:func:`sort_findings`)."""
    import pandas as pd

    rows = [f.to_dict() for f in sort_findings(findings)]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def frame_to_findings(df: pd.DataFrame) -> list[Finding]:
    import pandas as pd

    out = []
    for rec in df.to_dict("records"):
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()}
        rec["sources"] = tuple(Source(**s) for s in rec["sources"])
        out.append(Finding(**rec))
    return out


def findings_to_json(
    findings: pd.DataFrame | Sequence[Finding], *, department: dict[str, Any] | None = None
) -> str:
    """Serialise findings (see ``docs/findings.md``)."""
    items = frame_to_findings(findings) if _is_frame(findings) else list(findings)
    payload = {
        "schema": "evalkit.findings/1",
        "department": department or {},
        "count": len(items),
        "findings": [f.to_dict() for f in items],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False)


def _is_frame(obj: object) -> bool:
    """A DataFrame? (Without importing pandas: if it is not imported, nothing is one.)"""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(obj, pandas.DataFrame)


def findings_from_json(text: str) -> pd.DataFrame:
    data = json.loads(text)
    items = [
        Finding(**{**f, "sources": tuple(Source(**s) for s in f["sources"])})
        for f in data["findings"]
    ]
    return findings_frame(items)


def findings_to_csv(findings: pd.DataFrame | Sequence[Finding]) -> str:
    """Findings as CSV: the columns of :func:`findings_frame`, the sources joined as text
    (``《自评指标》第12行“得分”；…``), a blank for None.

    A list is written in its order, a frame in its row order, without pandas (the
    ``evalkit check`` command imports none), exactly as ``DataFrame.to_csv`` writes the
    frame: the same ``csv`` writer, quoting and line ends.
    """
    items = frame_to_findings(findings) if _is_frame(findings) else findings
    import csv
    import io
    import os

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=os.linesep)  # DataFrame.to_csv's defaults
    writer.writerow(FINDING_COLUMNS)
    for f in items:
        row = [getattr(f, name) for name in FINDING_COLUMNS]
        row[_SOURCES_AT] = "；".join(str(s) for s in f.sources)
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


_SOURCES_AT = FINDING_COLUMNS.index("sources")
