"""A memory budget shared by processes that lay out PDFs at the same time.

``evalkit batch --pdf-memory MB`` lets each worker's kernel lay out a report only while
the estimated memory of all layouts running at once stays within ``MB``. The processes
are not related to one another (each kernel is started by its own worker), so they agree
through a small ledger file: one line ``running PID SEQ MB START`` per layout under way and one
line ``waiting PID SEQ MB START`` per layout waiting its turn, read and rewritten under an
exclusive ``flock``. Entries of processes that no longer exist are dropped (START, the
process's start time from ``/proc``, tells a reused PID from the process that wrote the
entry), so a kernel that dies mid-layout never holds the budget. Waiting layouts are admitted in arrival
order (a large report is not overtaken for ever by small ones), and a layout larger than
the whole budget still runs when nothing else does: the budget delays, it never refuses.

The batch hands the ledger to the kernels through the environment variable
:data:`ENV_VAR` (``"MB:PATH"``), which :func:`from_environment` reads; without it there
is no budget. Only timing changes: the PDF and every notebook output are the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .procs import process_exists, start_time

__all__ = ["ENV_VAR", "MemoryGate", "from_environment"]

#: ``"BUDGET_MB:LEDGER_PATH"``, set by ``evalkit batch --pdf-memory`` for its kernels.
ENV_VAR = "EVALKIT_PDF_MEMORY"

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Entry:
    state: str  # "running" or "waiting"
    pid: int
    seq: int
    mb: float
    start: str = ""  # the process's start time ("" where /proc is not available)

    def line(self) -> str:
        return f"{self.state} {self.pid} {self.seq} {self.mb:.1f} {self.start}".rstrip() + "\n"


def _alive(entry: _Entry) -> bool:
    if not process_exists(entry.pid):
        return False
    if entry.start:  # the same process, not a later one given the same PID
        now = start_time(entry.pid)
        return not now or now == entry.start
    return True


@dataclass(frozen=True)
class MemoryGate:
    """Admission of work by estimated memory, across processes sharing ``ledger``."""

    ledger: Path
    budget_mb: float
    poll: float = 0.2

    @contextlib.contextmanager
    def admit(self, need_mb: float) -> Iterator[float]:
        """Wait until ``need_mb`` fits the budget, hold it for the ``with`` block, and
        yield the seconds waited."""
        started = time.monotonic()
        pid = os.getpid()
        seq = self._update(lambda entries: self._enqueue(entries, pid, need_mb))
        try:
            while not self._update(lambda entries: self._try_start(entries, pid, seq, need_mb)):
                time.sleep(self.poll)
        except BaseException:
            self._update(lambda entries: self._remove(entries, pid, seq))
            raise
        try:
            yield time.monotonic() - started
        finally:
            self._update(lambda entries: self._remove(entries, pid, seq))

    # -- the ledger ----------------------------------------------------------------------
    def _update(self, change: Callable[[list[_Entry]], tuple[list[_Entry], _T]]) -> _T:
        """Apply ``change(entries) -> (entries, result)`` under the lock; return result."""
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        with open(self.ledger, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            entries = [e for e in _parse(fh.read()) if _alive(e)]
            entries, result = change(entries)
            fh.seek(0)
            fh.truncate()
            fh.write("".join(e.line() for e in entries))
            fh.flush()
            return result

    @staticmethod
    def _enqueue(entries: list[_Entry], pid: int, mb: float) -> tuple[list[_Entry], int]:
        seq = max((e.seq for e in entries), default=0) + 1
        return [*entries, _Entry("waiting", pid, seq, mb, start_time(pid))], seq

    def _try_start(
        self, entries: list[_Entry], pid: int, seq: int, mb: float
    ) -> tuple[list[_Entry], bool]:
        mine = next((e for e in entries if e.pid == pid and e.seq == seq), None)
        if mine is None:  # the ledger file was removed or emptied: queue again
            return [*entries, _Entry("waiting", pid, seq, mb, start_time(pid))], False
        waiting = [e for e in entries if e.state == "waiting"]
        running = [e for e in entries if e.state == "running"]
        first = min(waiting, key=lambda e: e.seq)
        used = sum(e.mb for e in running)
        if first is not mine or (running and used + mine.mb > self.budget_mb):
            return entries, False
        started = _Entry("running", pid, seq, mine.mb, mine.start)
        return [started if e is mine else e for e in entries], True

    @staticmethod
    def _remove(entries: list[_Entry], pid: int, seq: int) -> tuple[list[_Entry], None]:
        return [e for e in entries if not (e.pid == pid and e.seq == seq)], None


def _parse(text: str) -> list[_Entry]:
    entries = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) in (4, 5) and parts[0] in ("running", "waiting"):
            start = parts[4] if len(parts) == 5 else ""
            with contextlib.suppress(ValueError):
                entries.append(
                    _Entry(parts[0], int(parts[1]), int(parts[2]), float(parts[3]), start)
                )
    return entries


def from_environment() -> MemoryGate | None:
    """The gate the batch set up for this process, or None outside such a batch."""
    value = os.environ.get(ENV_VAR, "")
    budget, sep, path = value.partition(":")
    if not sep or not path:
        return None
    try:
        mb = float(budget)
    except ValueError:
        return None
    return MemoryGate(Path(path), mb) if mb > 0 else None
