"""The loaded department: one typed object per workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .schema import DEPARTMENT, SHEETS_BY_KEY


@dataclass
class Department:
    """Everything the evaluation needs about one department and one year.

    ``tables`` maps a sheet key (see :mod:`evalkit.schema`) to a DataFrame with one row
    per data row of that sheet. Every DataFrame has ``_row`` (the Excel row number) and,
    for each column of the sheet, the parsed value under the column key; number, money,
    percent and date columns also keep the verbatim published text as ``<key>_text``;
    indicator columns keep the verbatim text under the key and the parsed parts as
    ``<key>_op``, ``<key>_num``, ``<key>_value`` (number × scale), ``<key>_unit``,
    ``<key>_kind``, ``<key>_band`` and the :class:`~evalkit.values.IndicatorValue` as
    ``<key>_parsed``. Money is converted to 元 using the row's 金额单位.
    """

    path: str
    sha256: str
    info: dict[str, Any]
    info_text: dict[str, str]
    info_rows: dict[str, int]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    # -- identity ---------------------------------------------------------------------
    @property
    def id(self) -> str:
        return str(self.info["dept_id"])

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @property
    def year(self) -> int:
        return int(self.info["year"])

    # -- tables -----------------------------------------------------------------------
    def table(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    @property
    def projects(self) -> pd.DataFrame:
        return self.tables["projects"]

    @property
    def targets(self) -> pd.DataFrame:
        return self.tables["targets"]

    @property
    def goals(self) -> pd.DataFrame:
        return self.tables["goals"]

    @property
    def monitor_funds(self) -> pd.DataFrame:
        return self.tables["monitor_funds"]

    @property
    def monitor_indicators(self) -> pd.DataFrame:
        return self.tables["monitor_indicators"]

    @property
    def selfeval(self) -> pd.DataFrame:
        return self.tables["selfeval"]

    @property
    def selfeval_funds(self) -> pd.DataFrame:
        return self.tables["selfeval_funds"]

    @property
    def selfeval_indicators(self) -> pd.DataFrame:
        return self.tables["selfeval_indicators"]

    @property
    def tasks(self) -> pd.DataFrame:
        return self.tables["tasks"]

    @property
    def notes(self) -> pd.DataFrame:
        return self.tables["notes"]

    @property
    def basis(self) -> pd.DataFrame:
        return self.tables["basis"]

    # -- helpers ----------------------------------------------------------------------
    def subjects(self, key: str) -> list[str]:
        """The distinct subjects (部门整体 / project names) present in a table, in order."""
        df = self.tables[key]
        if "subject" not in df.columns:
            return []
        return list(dict.fromkeys(df["subject"].tolist()))

    def rows_of(self, key: str, subject: str) -> pd.DataFrame:
        df = self.tables[key]
        return df[df["subject"] == subject]

    @property
    def project_names(self) -> list[str]:
        return self.projects["name"].tolist()

    def sheet_name(self, key: str) -> str:
        """The Chinese sheet name for a table key (for evidence and messages)."""
        return SHEETS_BY_KEY[key].name

    def header(self, key: str, column: str) -> str:
        """The Chinese column header for a table key and column key."""
        return SHEETS_BY_KEY[key].column(column).header


__all__ = ["DEPARTMENT", "Department"]
