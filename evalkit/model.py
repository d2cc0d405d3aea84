"""The loaded department: one typed object per workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

try:  # the boxing ``DataFrame.to_dict`` applies (pandas >= 2; a private helper)
    from pandas.core.dtypes.cast import maybe_box_native
except ImportError:  # pragma: no cover - moved in a future pandas: same result, slower

    def maybe_box_native(value: Any) -> Any:
        return pd.DataFrame({"v": [value]}, dtype=object).to_dict("records")[0]["v"]


from .schema import DEPARTMENT, SHEETS_BY_KEY, dept_identity


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")``, built column by column (several times faster).

    Same values of the same types: numpy columns give Python scalars; object and extension
    columns (pandas' ``str`` included) are boxed to native types exactly as ``to_dict``
    boxes them (``maybe_box_native``), except that a ``str`` needs no boxing.
    """
    columns = tuple(df.columns.tolist())
    values: list[list[Any]] = []
    for i, dtype in enumerate(df.dtypes.tolist()):
        column = df.iloc[:, i]
        boxed = dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype)
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
            boxed = False  # str or NaN: nothing to box
            if dtype.storage == "python":
                # the stored objects themselves (str, and NaN for a blank), as ``tolist``
                # gives them, without its per-value pass
                values.append(column.to_numpy(dtype=object).tolist())
                continue
        col = column.tolist()
        if boxed and any(_boxable_type(t) for t in set(map(type, col))):
            col = [maybe_box_native(v) if _boxable(v) else v for v in col]
        values.append(col)
    # each row: a copy of a dict with every key (no resizing), then its values
    copy = dict.fromkeys(columns).copy
    out: list[dict[str, Any]] = []
    append = out.append
    for row in zip(*values, strict=True):
        rec = copy()
        rec.update(zip(columns, row, strict=False))  # a row has a value per column
        append(rec)
    return out


_NATIVE = frozenset({str, float, int, bool, type(None)})


def _boxable(value: Any) -> bool:
    """Whether ``maybe_box_native`` changes ``value``: numpy scalars, ``pd.NA`` and
    subclasses of float/int (a str, a Python float/int/bool, a date or any other object
    comes back as it is)."""
    return _boxable_type(type(value))


def _boxable_type(cls: type) -> bool:
    if cls in _NATIVE:
        return False
    return issubclass(cls, (float, int, np.generic)) or cls is type(pd.NA)


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

    The tables are read-only once loaded. :meth:`records` and :meth:`by_subject` give
    their rows as dicts, computed once per table and shared by every rule of a check (so a
    check reads each table once instead of filtering it per subject); the cache follows
    the table object, so assigning a new DataFrame to ``tables[key]`` is picked up.
    """

    path: str
    sha256: str
    info: dict[str, Any]
    info_text: dict[str, str]
    info_rows: dict[str, int]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    _cache: dict[tuple[str, ...], tuple[pd.DataFrame, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # -- identity ---------------------------------------------------------------------
    @property
    def id(self) -> str:
        return dept_identity(self.info)[0]

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @property
    def year(self) -> int:
        return dept_identity(self.info)[1]

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

    # -- cached row views ---------------------------------------------------------------
    def _cached(self, cache_key: tuple[str, ...], compute: Callable[[pd.DataFrame], Any]) -> Any:
        """``compute(table)`` for the table ``cache_key[0]``, kept until the table object is
        replaced."""
        df = self.tables[cache_key[0]]
        hit = self._cache.get(cache_key)
        if hit is None or hit[0] is not df:
            hit = (df, compute(df))
            self._cache[cache_key] = hit
        return hit[1]

    def records(self, key: str) -> list[dict[str, Any]]:
        """The rows of a table as dicts (``DataFrame.to_dict("records")``), computed once.

        The list and its dicts are shared: read them, never modify them.
        """
        return self._cached((key, "records"), frame_records)

    def grouped(self, key: str, column: str) -> dict[Any, list[dict[str, Any]]]:
        """The rows of a table (as :meth:`records`) grouped by one column's value, computed
        once: values in order of first appearance, rows in table order; a value with no row
        is absent. Empty for a table without that column. Shared: never modify.
        """

        hit = self._cache.get((key, "grouped", column))
        if hit is not None and hit[0] is self.tables[key]:
            return hit[1]  # the common case, kept cheap: rules ask once per subject

        def group(df: pd.DataFrame) -> dict[Any, list[dict[str, Any]]]:
            out: dict[Any, list[dict[str, Any]]] = {}
            if column in df.columns:
                for rec in self.records(key):
                    out.setdefault(rec[column], []).append(rec)
            return out

        return self._cached((key, "grouped", column), group)

    def by_subject(self, key: str) -> dict[str, list[dict[str, Any]]]:
        """The rows of a table grouped by subject (:meth:`grouped` on ``subject``)."""
        return self.grouped(key, "subject")

    def rows(self, key: str, subject: str) -> list[dict[str, Any]]:
        """A subject's rows of a table as dicts (see :meth:`by_subject`); [] when none."""
        return self.by_subject(key).get(subject, [])

    def _positions(self, key: str) -> dict[Any, list[int]]:
        def positions(df: pd.DataFrame) -> dict[Any, list[int]]:
            out: dict[Any, list[int]] = {}
            for i, subject in enumerate(df["subject"].tolist()):
                out.setdefault(subject, []).append(i)
            return out

        return self._cached((key, "positions"), positions)

    # -- helpers ----------------------------------------------------------------------
    def subjects(self, key: str) -> list[str]:
        """The distinct subjects (部门整体 / project names) present in a table, in order."""
        df = self.tables[key]
        if "subject" not in df.columns:
            return []
        return list(self.by_subject(key))

    def rows_of(self, key: str, subject: str) -> pd.DataFrame:
        """A subject's rows of a table as a DataFrame (a new frame on every call)."""
        df = self.tables[key]
        return df.iloc[self._positions(key).get(subject, [])]

    @property
    def project_names(self) -> list[str]:
        return self.projects["name"].tolist()

    def sheet_name(self, key: str) -> str:
        """The Chinese sheet name for a table key (for evidence and messages)."""
        return SHEETS_BY_KEY[key].name

    def header(self, key: str, column: str) -> str:
        """The Chinese column header for a table key and column key."""
        return SHEETS_BY_KEY[key].column(column).header


__all__ = ["DEPARTMENT", "Department", "frame_records"]
