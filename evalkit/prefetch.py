"""Loading a workbook in forked processes while the caller gets ready for it.

``evalkit check`` spends about as long importing pandas, the rules and the policy as it
spends reading and validating a large workbook, and neither needs the other. So the
command starts the reading first, in child processes that read and validate the
worksheets (:func:`evalkit.workbook.share_parts`, which needs no pandas), does its
imports meanwhile, and then joins what they read into the department
(:func:`evalkit.workbook.join_shares`). Each child claims the next worksheet, the largest
first, whenever it has finished one (:class:`~evalkit.forking.Claims`), so the children
finish together even when this process's imports slow one of them; and each sends a
worksheet's validated rows as soon as it has them, so this process unpickles them while
the children read on instead of all of them after the last one is read.

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
import select
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from .forking import ChildFailed, Claims, ForkedStream, can_fork
from .workbook import DEFAULT_LIMITS, Limits, Share, join_shares, load_workbook, share_parts

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
        self._children: list[ForkedStream] = []
        count = default_processes() if processes is None else processes
        if count > 0 and can_fork():
            claims: Claims | None = None
            try:
                # the children claim the worksheets one at a time, the largest first
                claims = Claims()
                for _ in range(count):
                    child = ForkedStream(share_parts, self.path, claims, limits=self.limits)
                    self._children.append(child)
            except OSError:  # no more processes or pipes: read here instead
                self.close()
            finally:
                if claims is not None:
                    claims.close()

    def result(self) -> Department:
        """The department, exactly as :func:`~evalkit.workbook.load_workbook` gives it
        (or its :class:`~evalkit.errors.WorkbookError`)."""
        shares = self._collect()
        dept = join_shares(shares, path=self.path) if shares is not None else None
        return dept if dept is not None else load_workbook(self.path, limits=self.limits)

    def _collect(self) -> list[Share] | None:
        """Every part of every child's share, each unpickled as soon as it comes (while the
        children read on), or None when any child has none to give."""
        if not self._children:
            return None
        parts: list[Share] = []
        children, self._children = self._children, []
        waiting = {child.fileno(): child for child in children}
        try:
            while waiting:
                ready, _, _ = select.select(list(waiting), [], [])
                for fd in ready:
                    items, done = waiting[fd].receive()
                    if None in items:
                        return None
                    parts.extend(items)
                    if done:
                        del waiting[fd]
        except ChildFailed:
            return None
        finally:
            for child in children:
                child.kill()
        return parts

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
