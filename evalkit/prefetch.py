"""Loading a workbook in forked processes while the caller gets ready for it.

``evalkit check`` spends about as long importing pandas, the rules and the policy as it
spends reading and validating a large workbook, and neither needs the other. So the
command starts the reading first, in child processes that each read and validate a share
of the worksheets (:func:`evalkit.workbook.read_share`, which needs no pandas), does its
imports meanwhile, and then joins the shares into the department
(:func:`evalkit.workbook.join_shares`).

The result is the department :func:`~evalkit.workbook.load_workbook` returns, or its
error: whenever a share is not plain (any problem in the workbook, a file the fast reader
does not read, a child that failed or was killed), the workbook is loaded again as a
whole in this process, which reports exactly what it always reports. Where ``os.fork``
is missing (Windows), or when asked for no processes, the workbook is simply loaded in
this process when the result is asked for.

Fork only from a process without threads (a command's start, not a Jupyter kernel).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .forking import ChildFailed, Forked, can_fork, completed
from .workbook import DEFAULT_LIMITS, Limits, Share, join_shares, load_workbook, read_share

if TYPE_CHECKING:
    from .model import Department


def default_processes() -> int:
    """One reading process per core, two at least (the caller's imports run beside them)
    and four at most (each share re-reads the package's small parts); none on a single
    core (or when the count is unknown), where they would only add work."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(4, cores)


class PendingWorkbook:
    """A workbook being read by child processes; :meth:`result` waits for it.

    Use it as a context manager (or call :meth:`close`): children not waited for are
    killed and reaped on exit.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        limits: Limits = DEFAULT_LIMITS,
        processes: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.limits = limits
        self._children: list[Forked] = []
        count = default_processes() if processes is None else processes
        if count > 0 and can_fork():
            try:
                for index in range(count):
                    child = Forked(read_share, self.path, (index, count), limits=self.limits)
                    self._children.append(child)
            except OSError:  # no more processes or pipes: read here instead
                self.close()

    def result(self) -> Department:
        """The department, exactly as :func:`~evalkit.workbook.load_workbook` gives it
        (or its :class:`~evalkit.errors.WorkbookError`)."""
        shares = self._collect()
        dept = join_shares(shares, path=self.path) if shares is not None else None
        return dept if dept is not None else load_workbook(self.path, limits=self.limits)

    def _collect(self) -> list[Share] | None:
        """Every child's share, or None when any child has none to give."""
        if not self._children:
            return None
        shares: list[Share] = []
        children, self._children = self._children, []
        for child in completed(children):  # the first to finish is unpickled first
            try:
                share = child.result()
            except ChildFailed:
                share = None
            if share is None:
                for other in children:
                    other.kill()
                return None
            shares.append(share)
        return shares

    def close(self) -> None:
        """Stop and reap the children not yet waited for."""
        children, self._children = self._children, []
        for child in children:
            child.kill()

    def __enter__(self) -> PendingWorkbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def prefetch_workbook(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, processes: int | None = None
) -> PendingWorkbook:
    """Start reading a workbook in ``processes`` child processes (default
    :func:`default_processes`; 0 reads it in this process when the result is asked for)."""
    return PendingWorkbook(path, limits=limits, processes=processes)
