"""The evalkit exception tree.

::

    EvalkitError                 base of everything evalkit raises on purpose
    ├── InputError               bad input: the CLI exits with code 2
    │   ├── WorkbookError        a department workbook has problems (all listed at once)
    │   ├── PolicyError          a policy file is missing, unreadable or malformed
    │   └── ParamsError          a params file is missing, unreadable or malformed
    └── RunError                 a stage or a run failed

Every error pickles (so it crosses process boundaries in a batch) and carries structured
fields; its ``str()`` is a Chinese message a consultant can read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One validation problem at one place in one input file."""

    code: str  # stable reason code, e.g. "missing_sheet"
    message: str  # Chinese, for the consultant
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}：{self.message}"


PROBLEM_COLUMNS = tuple(Problem.__dataclass_fields__)


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a DataFrame, one row each (pandera-style failure cases)."""
    import pandas as pd

    return pd.DataFrame([asdict(p) for p in problems], columns=list(PROBLEM_COLUMNS))


class EvalkitError(Exception):
    """Base class of every error evalkit raises on purpose."""


class InputError(EvalkitError):
    """An input (workbook, policy, params) is not usable; the CLI exits with code 2."""


class WorkbookError(InputError):
    """A department workbook has one or more problems; all of them are listed."""

    def __init__(self, path: str, problems: Iterable[Problem]) -> None:
        self.path = str(path)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.path, self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problems))

    def to_frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def __str__(self) -> str:
        lines = [f"工作簿“{self.path}”有 {len(self.problems)} 个问题："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class PolicyError(InputError):
    """A policy file cannot be used."""


class ParamsError(InputError):
    """A params file cannot be used."""


class RunError(EvalkitError):
    """A run or one of its stages failed."""

    def __init__(self, message: str, *, stage: str | None = None, cell: int | None = None) -> None:
        self.message = message
        self.stage = stage
        self.cell = cell
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_run_error, (type(self), self.message, self.stage, self.cell))

    def __str__(self) -> str:
        where = []
        if self.stage:
            where.append(f"阶段“{self.stage}”")
        if self.cell is not None:
            where.append(f"第{self.cell}个单元格")
        return ("，".join(where) + "：" if where else "") + self.message


def _rebuild_run_error(
    cls: type[RunError], message: str, stage: str | None, cell: int | None
) -> RunError:
    return cls(message, stage=stage, cell=cell)
