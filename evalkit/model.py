"""The loaded department: one typed object per workbook."""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .schema import DEPARTMENT, SHEETS_BY_KEY, dept_identity

if TYPE_CHECKING:
    import pandas as pd

#: One table's rows as dicts (a DataFrame's records).
Records = list[dict[str, Any]]


def _maybe_box_native(value: Any) -> Any:
    """The boxing ``DataFrame.to_dict`` applies (pandas >= 2; a private helper)."""
    try:
        from pandas.core.dtypes.cast import maybe_box_native
    except ImportError:  # pragma: no cover - moved in a future pandas: same result, slower
        import pandas as pd

        return pd.DataFrame({"v": [value]}, dtype=object).to_dict("records")[0]["v"]
    return maybe_box_native(value)


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")``, built column by column (several times faster).

    Same values of the same types: numpy columns give Python scalars; object and extension
    columns (pandas' ``str`` included) are boxed to native types exactly as ``to_dict``
    boxes them (``maybe_box_native``), except that a ``str`` needs no boxing.
    """
    import numpy as np
    import pandas as pd
    from pandas.api.extensions import ExtensionDtype

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
            col = [_maybe_box_native(v) if _boxable(v) else v for v in col]
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
    import numpy as np
    import pandas as pd

    return issubclass(cls, (float, int, np.generic)) or cls is type(pd.NA)


def frame_of(columns: Sequence[str], records: Records) -> pd.DataFrame:
    """The DataFrame of a loaded table: its rows with these columns (object columns when
    there is no row)."""
    import pandas as pd

    if not records:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.DataFrame.from_records(records, columns=list(columns))


def text_na() -> Any:
    """What a DataFrame holds for None in a column of texts: NaN when pandas infers its
    ``str`` dtype (pandas 3 by default), None in an ``object`` column (pandas 2).

    Asked of pandas when it is imported (its options decide), else the default of the
    installed pandas, read from its version without importing it; the first answer is kept.
    """
    if not _TEXT_NA:
        pandas = sys.modules.get("pandas")
        if pandas is not None:
            _TEXT_NA.append(frame_records(pandas.DataFrame({"x": ["a", None]}))[1]["x"])
        else:
            _TEXT_NA.append(math.nan if _installed_major("pandas") >= 3 else None)
    return _TEXT_NA[0]


def _installed_major(dist: str) -> int:
    """The major version of an installed distribution, as ``importlib.metadata.version``
    gives it (the first ``dist-info`` on ``sys.path``), read from the folder's name:
    ``importlib.metadata`` itself takes longer to import than a check reads a sheet."""
    prefix = f"{dist}-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing folder
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(".dist-info"):
                head = name[len(prefix) :].split(".", 1)[0]
                if head.isdigit():
                    return int(head)
    from importlib.metadata import version

    return int(version(dist).split(".")[0])


_TEXT_NA: list[Any] = []


def blanks_as_in_frame(rows: Records, columns: Iterable[str]) -> None:
    """Give ``columns`` of ``rows`` (in place) the values ``pd.DataFrame(rows)`` holds.

    Texts, numbers and other objects are kept, except that None becomes :func:`text_na` in
    a column of texts and NaN in a column of numbers, and the ints of a column of numbers
    become floats when it also holds floats or None (the column is float64). A column that
    is all None, or mixes texts with numbers, is an ``object`` column and keeps its values.
    Any other mix (numpy scalars ...) is converted by pandas itself.
    """
    text_blank = text_na()
    for column in columns:
        values = [r[column] for r in rows]
        types = set(map(type, values))
        blank = _NONE in types
        types.discard(_NONE)
        if not types or types <= _KEPT or (types <= _MIXED and str in types and len(types) > 1):
            continue  # an object (or bool) column: values as they are
        if types == {str} or types == {float}:
            if blank:
                value = text_blank if str in types else math.nan
                for r in rows:
                    if r[column] is None:
                        r[column] = value
        elif types <= {int, float}:
            if blank or len(types) == 2:
                for r in rows:
                    v = r[column]
                    r[column] = math.nan if v is None else float(v)
        else:
            import pandas as pd

            frame = pd.DataFrame.from_records([{column: v} for v in values], columns=[column])
            for r, converted in zip(rows, frame_records(frame), strict=True):
                r[column] = converted[column]


_NONE = type(None)
#: pandas keeps these (and None) in object columns
_KEPT: set[type] = {bool, dt.date, tuple, list, dict}
_MIXED: set[type] = {str, int, float}


class Tables(MutableMapping[str, "pd.DataFrame"]):
    """A department's tables by sheet key: DataFrames, or rows that become one when read.

    The loader gives each table as its rows (the values ``frame_records`` of the
    DataFrame gives: see :func:`blanks_as_in_frame`) and the DataFrame is built on first
    access, so a check, which reads rows, builds none and needs no pandas. Assigning a
    DataFrame replaces the table (and its rows); :meth:`token` changes with it.
    """

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame] | None = None,
        *,
        rows: Mapping[str, tuple[Sequence[str], Records]] | None = None,
    ) -> None:
        self._tokens: dict[str, object] = {}
        self._frames: dict[str, pd.DataFrame] = {}
        self._rows: dict[str, tuple[Sequence[str], Records]] = {}
        for key, (columns, records) in (rows or {}).items():
            self._rows[key] = (tuple(columns), records)
            self._tokens[key] = object()
        for key, df in (frames or {}).items():
            self[key] = df

    def __getitem__(self, key: str) -> pd.DataFrame:
        try:
            return self._frames[key]
        except KeyError:
            columns, records = self._rows[key]  # KeyError: no such table
            df = self._frames[key] = frame_of(columns, records)
            return df

    def __setitem__(self, key: str, df: pd.DataFrame) -> None:
        self._frames[key] = df
        self._rows.pop(key, None)
        self._tokens[key] = object()

    def __delitem__(self, key: str) -> None:
        del self._tokens[key]
        self._frames.pop(key, None)
        self._rows.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens)

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, key: object) -> bool:
        return key in self._tokens

    def __repr__(self) -> str:
        return f"Tables({list(self._tokens)})"

    def token(self, key: str) -> object:
        """An object that stays the same until the table is replaced."""
        return self._tokens[key]

    def loaded_rows(self, key: str) -> Records | None:
        """The loader's rows of a table not replaced since, else None."""
        entry = self._rows.get(key)
        return None if entry is None else entry[1]

    def columns(self, key: str) -> list[str]:
        """A table's column names (without building its DataFrame)."""
        entry = self._rows.get(key)
        if entry is not None:
            return list(entry[0])
        return [str(c) for c in self[key].columns]


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
    ``<key>_parsed``. Money is converted to 元 using the row's 金额单位. A loaded
    department builds each DataFrame when it is first read (:class:`Tables`).

    The tables are read-only once loaded. :meth:`records` and :meth:`by_subject` give
    their rows as dicts, computed once per table (for a loaded table, the loader's rows
    themselves) and shared by every rule of a check, so a check reads each table once
    instead of filtering it per subject, and never needs its DataFrame. The cache follows
    the table, so assigning a new DataFrame to ``tables[key]`` is picked up.
    """

    path: str
    sha256: str
    info: dict[str, Any]
    info_text: dict[str, str]
    info_rows: dict[str, int]
    tables: Tables = field(default_factory=Tables)
    _cache: dict[tuple[str, ...], tuple[object, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.tables, Tables):
            self.tables = Tables(self.tables)

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
    def _cached(self, cache_key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` for the table ``cache_key[0]``, kept until the table is replaced."""
        token = self.tables.token(cache_key[0])
        hit = self._cache.get(cache_key)
        if hit is None or hit[0] is not token:
            hit = (token, compute())
            self._cache[cache_key] = hit
        return hit[1]

    def records(self, key: str) -> list[dict[str, Any]]:
        """The rows of a table as dicts (``DataFrame.to_dict("records")``), computed once.

        The list and its dicts are shared: read them, never modify them.
        """
        rows = self.tables.loaded_rows(key)
        if rows is not None:
            return rows
        return self._cached((key, "records"), lambda: frame_records(self.tables[key]))

    def grouped(self, key: str, column: str) -> dict[Any, list[dict[str, Any]]]:
        """The rows of a table (as :meth:`records`) grouped by one column's value, computed
        once: values in order of first appearance, rows in table order; a value with no row
        is absent. Empty for a table without that column. Shared: never modify.
        """

        hit = self._cache.get((key, "grouped", column))
        if hit is not None and hit[0] is self.tables.token(key):
            return hit[1]  # the common case, kept cheap: rules ask once per subject

        def group() -> dict[Any, list[dict[str, Any]]]:
            out: dict[Any, list[dict[str, Any]]] = {}
            if column in self.tables.columns(key):
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
        def positions() -> dict[Any, list[int]]:
            out: dict[Any, list[int]] = {}
            for i, rec in enumerate(self.records(key)):
                out.setdefault(rec["subject"], []).append(i)
            return out

        return self._cached((key, "positions"), positions)

    # -- helpers ----------------------------------------------------------------------
    def subjects(self, key: str) -> list[str]:
        """The distinct subjects (部门整体 / project names) present in a table, in order."""
        if "subject" not in self.tables.columns(key):
            return []
        return list(self.by_subject(key))

    def rows_of(self, key: str, subject: str) -> pd.DataFrame:
        """A subject's rows of a table as a DataFrame (a new frame on every call)."""
        df = self.tables[key]
        return df.iloc[self._positions(key).get(subject, [])]

    @property
    def project_names(self) -> list[str]:
        return [r["name"] for r in self.records("projects")]

    def sheet_name(self, key: str) -> str:
        """The Chinese sheet name for a table key (for evidence and messages)."""
        return SHEETS_BY_KEY[key].name

    def header(self, key: str, column: str) -> str:
        """The Chinese column header for a table key and column key."""
        return SHEETS_BY_KEY[key].column(column).header


__all__ = [
    "DEPARTMENT",
    "Department",
    "Records",
    "Tables",
    "blanks_as_in_frame",
    "frame_of",
    "frame_records",
    "text_na",
]
