"""What the stage notebooks call: open the inputs, run a stage's rules, hand results on.

Stages hand results to the next through files in the run folder:
``stages/<stage>.json`` holds a stage's findings; the last stage collects them into
``findings.json`` and ``findings.csv``. Any stage can be re-executed alone from the
archived inputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .check import check
from .findings import (
    DIMENSIONS,
    FAMILIES,
    SEVERITIES,
    SEVERITY_LABELS,
    findings_frame,
    findings_from_json,
    findings_to_csv,
    findings_to_json,
)
from .model import Department
from .params import project_root
from .policy import Policy, load_policy
from .registry import registered_rules
from .workbook import load_workbook

STAGE_DIR = "stages"

#: Which rule families each stage runs (stage id = the notebook's two-digit prefix).
STAGE_FAMILIES: dict[str, tuple[str, ...]] = {
    "01": (),
    "02": ("coverage", "relevance", "process"),
    "03": ("quality",),
    "04": ("monitoring",),
    "05": ("scoring", "consistency"),
}

FINDING_LABELS = {
    "severity": "级别",
    "dimension": "维度",
    "rule_id": "规则",
    "subject": "对象",
    "indicator": "指标",
    "message": "问题",
    "published": "公布值",
    "expected": "重算值",
    "formula": "计算",
    "sources": "出处",
}


def locate(path: str | Path) -> Path:
    """A path as given, or relative to the project root when it is not found from here."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return project_root(Path.cwd()) / p


def open_department(
    workbook: str | Path, policy: str | Path | None = None
) -> tuple[Department, Policy]:
    """Load (and validate) the workbook and the policy named by the notebook's parameters."""
    return load_workbook(locate(workbook)), load_policy(None if policy is None else locate(policy))


def output_dir(run_dir: str | Path | None, dept_id: str) -> Path:
    """Where a notebook writes: the run folder, or ``outputs/interactive/<dept>`` by default."""
    folder = (
        locate(run_dir)
        if run_dir
        else project_root(Path.cwd()) / "outputs" / "interactive" / dept_id
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rules_of(families: Iterable[str]) -> list[str]:
    fams = set(families)
    return [r.id for r in registered_rules() if r.family in fams]


def run_stage(dept: Department, policy: Policy, stage: str) -> pd.DataFrame:
    """The findings of one stage's rule families."""
    return check(dept, policy=policy, rules=rules_of(STAGE_FAMILIES[stage]))


def save_stage(
    folder: Path, stage: str, findings: pd.DataFrame, *, extra: dict[str, Any] | None = None
) -> Path:
    """Write a stage's findings for the next stages (``stages/<stage>.json``)."""
    out = folder / STAGE_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stage}.json"
    payload = json.loads(findings_to_json(findings))
    payload["stage"] = stage
    payload["extra"] = extra or {}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return f"已写入 {STAGE_DIR}/{stage}.json：{len(findings)} 条发现"


def collect(folder: Path, stages: Sequence[str] | None = None) -> pd.DataFrame:
    """All findings written by earlier stages, in report order."""
    frames = []
    for path in sorted((folder / STAGE_DIR).glob("*.json")):
        if stages is None or path.stem in stages:
            frames.append(findings_from_json(path.read_text(encoding="utf-8")))
    if not frames:
        return findings_frame([])
    from .findings import frame_to_findings

    return findings_frame([f for df in frames for f in frame_to_findings(df)])


def finalize(folder: Path, dept: Department, findings: pd.DataFrame) -> str:
    """Write the department's findings as JSON and CSV into the run folder; says what it wrote."""
    meta = {"id": dept.id, "name": dept.name, "year": dept.year, "workbook_sha256": dept.sha256}
    json_path = folder / "findings.json"
    csv_path = folder / "findings.csv"
    json_path.write_text(findings_to_json(findings, department=meta), encoding="utf-8")
    csv_path.write_text(findings_to_csv(findings), encoding="utf-8-sig")
    return f"已写入 {json_path.name}、{csv_path.name}：{len(findings)} 条发现"


def findings_view(
    findings: pd.DataFrame,
    *,
    columns: Sequence[str] = (
        "severity",
        "dimension",
        "rule_id",
        "subject",
        "indicator",
        "message",
        "published",
        "expected",
    ),
) -> pd.DataFrame:
    """Findings with Chinese column names, for display."""
    if findings.empty:
        return pd.DataFrame(columns=[FINDING_LABELS[c] for c in columns])
    view = findings[list(columns)].copy()
    if "severity" in view:
        view["severity"] = view["severity"].map(SEVERITY_LABELS)
    if "sources" in view:
        view["sources"] = view["sources"].map(
            lambda ss: "；".join(f"《{s['sheet']}》第{s['row']}行" for s in ss)
        )
    return view.rename(columns=FINDING_LABELS).fillna("")


def counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Finding counts by dimension (rows) and severity (columns)."""
    table = pd.DataFrame(
        0, index=list(DIMENSIONS), columns=[SEVERITY_LABELS[s] for s in SEVERITIES]
    )
    for (dim, sev), n in (
        findings.groupby(["dimension", "severity"]).size().items() if len(findings) else []
    ):
        table.loc[dim, SEVERITY_LABELS[sev]] = int(n)
    table["合计"] = table.sum(axis=1)
    table.index.name = "维度"
    return table


def highlight_differences(
    df: pd.DataFrame, published: str, recomputed: str, *, tolerance: float = 0.05
) -> Any:
    """A styled table: rows where published and recomputed differ are highlighted."""

    def style(row: pd.Series) -> list[str]:
        a, b = row.get(published), row.get(recomputed)
        try:
            differ = a is not None and b is not None and abs(float(a) - float(b)) > tolerance
        except (TypeError, ValueError):
            differ = False
        return ["background-color: #fde2e1" if differ else "" for _ in row]

    styled = df.style.apply(style, axis=1).format(precision=2, na_rep="—").hide(axis="index")
    import hashlib

    key = "|".join(map(str, df.columns)) + f"|{len(df)}"
    return styled.set_uuid(
        hashlib.sha1(key.encode()).hexdigest()[:12]
    )  # stable, per-table HTML ids


def family_label(family: str) -> str:
    return FAMILIES[family]


def check_identity(dept: Department, *, dept_id: str, year: int) -> None:
    """The parameters must describe the workbook they point at."""
    from .errors import ParamsError

    if dept.id != dept_id or dept.year != int(year):
        raise ParamsError(
            f"参数与底稿不一致：参数为 {dept_id}（{year}年度），底稿为 {dept.id}（{dept.year}年度）"
        )


def info_view(dept: Department) -> pd.DataFrame:
    """The 部门信息 fields as published (verbatim), with their Excel rows."""
    from .schema import INFO_FIELDS

    rows = [
        {
            "字段": c.header,
            "值（原文）": dept.info_text.get(c.key, ""),
            "行号": dept.info_rows.get(c.key),
        }
        for c in INFO_FIELDS
        if dept.info_text.get(c.key)
    ]
    return pd.DataFrame(rows)


def table_view(dept: Department, key: str, *, subject: str | None = None) -> pd.DataFrame:
    """A sheet as published: verbatim text under the Chinese headers, with Excel row numbers."""
    from .schema import SHEETS_BY_KEY

    sheet = SHEETS_BY_KEY[key]
    df = dept.tables[key]
    if subject is not None and "subject" in df:
        df = df[df["subject"] == subject]
    out = pd.DataFrame({"行号": df["_row"].astype(int)})
    for col in sheet.columns:
        source = f"{col.key}_text" if f"{col.key}_text" in df else col.key
        values = df[source].fillna("").astype(str)
        if values.str.strip().any():
            out[col.header] = values
    return out.reset_index(drop=True)


def evidence_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A rule's intermediate table as an auditor reads it.

    The rules' tables carry internal ``_`` columns for the rules and the report (table
    keys, row numbers, the cells behind a figure). Here they are hidden, and the cells
    they point at come back as one Chinese 出处 column, e.g.
    ``《项目清单》第2行“年初预算数”；《监控资金》第2行“年初预算数”``. Every other column
    is unchanged.
    """
    internal = [c for c in frame.columns if str(c).startswith("_")]
    out = frame.drop(columns=internal)
    if not internal or frame.empty:
        return out
    refs = ["；".join(_cell_refs(row)) for row in frame[internal].to_dict("records")]
    if any(refs):
        out["出处"] = refs
    elif "_row" in frame and "行号" not in out:
        out["行号"] = frame["_row"].to_numpy()
    return out


def _cell_refs(row: dict[str, Any]) -> list[str]:
    """The cells an internal-column row points at, as ``《表》第N行“列”`` texts."""
    from .findings import Source

    refs: list[str] = []
    for value in row.get("_entries") or ():  # money figures: each with its evidence
        evidence = getattr(value, "evidence", None)
        if isinstance(evidence, Source):
            refs.append(str(evidence))
    refs += [str(s) for s in row.get("_sources") or () if isinstance(s, Source)]
    rows = row.get("_rows")
    table = row.get("_table")
    if isinstance(rows, dict):  # label -> (table key, row, column key)
        for table_key, number, column in rows.values():
            refs.append(str(_source(table_key, number, column)))
    elif isinstance(table, str) and isinstance(rows, (list, tuple)) and len(rows):
        listed = "、".join(str(int(n)) for n in rows)
        refs.append(f"《{_sheet_name(table)}》第{listed}行")
    elif isinstance(table, str) and _present(row.get("_row")):
        refs.append(str(_source(table, row["_row"], row.get("_column"))))
    return refs


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _sheet_name(table_key: str) -> str:
    from .schema import SHEETS_BY_KEY

    sheet = SHEETS_BY_KEY.get(table_key)
    return sheet.name if sheet else table_key


def _source(table_key: str, number: Any, column: Any) -> Any:
    from .findings import Source
    from .schema import SHEETS_BY_KEY

    sheet = SHEETS_BY_KEY.get(table_key)
    header = None
    if sheet is not None and isinstance(column, str):
        header = next((c.header for c in sheet.columns if c.key == column), None)
    return Source(_sheet_name(table_key), int(number), header)


def totals_summary(totals: pd.DataFrame) -> list[dict[str, Any]]:
    """Published vs recomputed totals per self-evaluation table (for the county index)."""
    out = []
    for rec in totals.to_dict("records"):
        pub, rec_total = rec.get("total_published"), rec.get("total_recomputed")
        out.append(
            {
                "subject": rec.get("subject"),
                "published": None if pub is None or pub != pub else round(float(pub), 2),
                "recomputed": None
                if rec_total is None or rec_total != rec_total
                else round(float(rec_total), 2),
            }
        )
    return out


def audit_links() -> dict[str, str]:
    """Stage name -> relative href of its HTML audit copy in a run folder."""
    from .runner import stage_notebooks

    return {nb.stem.split("_", 1)[-1]: f"html/{nb.stem}.html" for nb in stage_notebooks()}


def write_report(
    folder: Path, dept: Department, policy: Policy, findings: pd.DataFrame, *, pdf: bool = True
) -> str:
    """Render the assessment report (HTML, and PDF) into the run folder; says what it wrote."""
    from .report import write_report as _write

    written = _write(folder, dept, findings, policy=policy, audit_links=audit_links(), pdf=pdf)
    return "已生成评估报告：" + "、".join(sorted(p.name for p in written.values()))
