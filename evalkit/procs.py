"""Whether a process still exists, and when it started.

For records that name a process and outlive it when it is killed: the PDF memory ledger
(:mod:`evalkit.memgate`) and the kernel socket folders (:mod:`evalkit.pmext`).
"""

from __future__ import annotations

import os

__all__ = ["process_exists", "start_time"]


def process_exists(pid: int) -> bool:
    """True while a process with this id exists (another user's included); False for a
    non-positive id. Where that cannot be told, True: the caller keeps what it holds."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's process; or no way to tell
        return True
    return True


def start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), or "" if unknown (no
    ``/proc``), which tells a process from a later one given the same id."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""
