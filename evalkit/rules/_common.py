"""Helpers shared by the rule families (not part of the public API).

The analysis tables are built as lists of row dicts; the rules read those rows and the
public functions wrap the same rows in a DataFrame. :func:`blanks_as_in_frame` gives the
rows the blanks the DataFrame (and so ``frame_records`` of it) would hold, so that a rule
sees exactly the values it saw when it read the records of the DataFrame.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..model import frame_records

__all__ = ["TEXT_NA", "blanks_as_in_frame"]

#: What a DataFrame holds for None in a column of texts (NaN when pandas infers its ``str``
#: dtype, as pandas 3 does by default; None in an ``object`` column).
TEXT_NA: Any = frame_records(pd.DataFrame({"x": ["a", None]}))[1]["x"]


def blanks_as_in_frame(rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
    """Give ``columns`` of ``rows`` (in place) the values ``pd.DataFrame(rows)`` holds.

    Texts, numbers and other objects are kept, except that None becomes :data:`TEXT_NA` in
    a column of texts and NaN in a column of numbers, and the ints of a column of numbers
    become floats when it also holds floats or None (the column is float64). A column that
    is all None, or mixes texts with numbers, is an ``object`` column and keeps its values.
    Any other mix (dates, numpy scalars ...) is converted by pandas itself.
    """
    for column in columns:
        values = [r[column] for r in rows]
        types = set(map(type, values))
        blank = _NONE in types
        types.discard(_NONE)
        if not types or types <= _KEPT or (types <= _MIXED and str in types and len(types) > 1):
            continue  # an object (or bool) column: values as they are
        if types == {str} or types == {float}:
            if blank:
                na = TEXT_NA if str in types else math.nan
                for r in rows:
                    if r[column] is None:
                        r[column] = na
        elif types <= {int, float}:
            if blank or len(types) == 2:
                for r in rows:
                    v = r[column]
                    r[column] = math.nan if v is None else float(v)
        else:
            frame = pd.DataFrame.from_records([{column: v} for v in values], columns=[column])
            for r, converted in zip(rows, frame_records(frame), strict=True):
                r[column] = converted[column]


_NONE = type(None)
_KEPT: set[type] = {bool, dt.date, tuple, list}  # pandas keeps these (and None) in object columns
_MIXED: set[type] = {str, int, float}
