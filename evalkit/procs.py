"""Whether a process still exists, and when it started.

For records that name a process and outlive it when it is killed: the PDF memory ledger
(:mod:`evalkit.memgate`) and the kernel socket folders (:mod:`evalkit.pmext`).
"""

from __future__ import annotations

import os

__all__ = ["process_exists", "start_time"]


def process_exists(pid: int) -> bool:
    """True while a process with this id exists and runs (another user's included); False
    for a non-positive id and for a zombie. Where that cannot be told, True: the caller
    keeps what it holds.

    A zombie has ended: only its exit status is left for its parent to collect. When a
    batch is killed, its workers become zombies of the init process until it reaps them,
    which can take seconds (1.4–1.9 s on our VMs); ``os.kill(pid, 0)`` succeeds on them.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's process; or no way to tell
        return True
    return _state(pid) not in ("Z", "X")


def _state(pid: int) -> str:
    """Process ``pid``'s state letter ("R", "S", "Z" ...), or "" if unknown."""
    return _stat_field(pid, 0)


def start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), or "" if unknown (no
    ``/proc``), which tells a process from a later one given the same id."""
    return _stat_field(pid, 19)


def _stat_field(pid: int, index: int) -> str:
    """Field ``index`` of ``/proc/PID/stat`` after the command name (0: the state), or ""
    if unknown (no such process, no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[index]
    except (OSError, IndexError):
        return ""
