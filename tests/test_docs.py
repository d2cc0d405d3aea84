"""docs/workbook.md is generated from the schema and must stay in sync."""

from __future__ import annotations

from pathlib import Path

from evalkit.docgen import workbook_markdown
from evalkit.schema import SHEETS

ROOT = Path(__file__).resolve().parent.parent


def test_workbook_doc_is_in_sync_with_schema() -> None:
    on_disk = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert on_disk.strip() == workbook_markdown().strip(), (
        "run: evalkit docs --output docs/workbook.md"
    )


def test_workbook_doc_has_one_table_per_sheet() -> None:
    text = workbook_markdown()
    for sh in SHEETS:
        assert f"## {sh.name}（`{sh.key}`）" in text
        for col in sh.columns:
            assert f"| {col.header} | `{col.key}` |" in text
