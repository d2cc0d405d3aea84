"""Helpers shared by the rule families (not part of the public API).

The analysis tables are built as lists of row dicts; the rules read those rows and the
public functions wrap the same rows in a DataFrame. :func:`blanks_as_in_frame` gives the
rows the blanks the DataFrame (and so ``frame_records`` of it) would hold, so that a rule
sees exactly the values it saw when it read the records of the DataFrame. Neither needs
pandas: a check runs without importing it.
"""

from __future__ import annotations

from ..model import blanks_as_in_frame, text_na

__all__ = ["blanks_as_in_frame", "text_na"]
