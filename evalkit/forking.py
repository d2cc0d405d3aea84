"""A function called in a forked child process, its result sent back through a pipe.

The ``evalkit check`` command uses it to read a workbook in several processes while it
imports the rules (:mod:`evalkit.prefetch`), and to run the rules in two processes
(:func:`evalkit.check.check_findings`). A child starts with a copy of the caller's memory
(the department, the imported modules), so nothing is sent to it; only its result comes
back, pickled. Whatever goes wrong in a child (an exception, a signal, a result that does
not pickle) is :class:`ChildFailed` in the caller, which then does the work itself.

Fork only from a process without threads (a command, not a Jupyter kernel); where
``os.fork`` is missing (Windows), :func:`can_fork` is False and callers work in process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any


class ChildFailed(Exception):
    """The child gave no result (it raised, was killed, or its result did not pickle)."""


def can_fork() -> bool:
    return hasattr(os, "fork")


class Forked:
    """``func(*args, **kwargs)`` running in a forked child; :meth:`result` waits for its
    value.

    Raises :class:`OSError` when no process or pipe can be made (the caller then works in
    process). A child never returns into the caller's code: it leaves with ``os._exit``,
    running no ``atexit`` handler and flushing none of the caller's buffers.
    """

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read_end)
                gc.disable()  # short-lived: nothing to collect that exit does not free
                data = pickle.dumps(func(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                with open(write_end, "wb", closefd=True) as out:
                    out.write(data)
                code = 0
            except BaseException:  # the caller does the work itself
                pass
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid: int | None = pid
        self._pipe = read_end

    def result(self) -> Any:
        """The child's value (it has exited when this returns)."""
        if self.pid is None:
            raise ChildFailed("already collected")
        with open(self._pipe, "rb", closefd=True) as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise ChildFailed(f"child exited with status {status}")
        was_enabled = gc.isenabled()
        gc.disable()  # many small objects, none of them garbage
        try:
            return pickle.loads(data)
        except Exception as exc:
            raise ChildFailed(f"unreadable result: {exc}") from exc
        finally:
            if was_enabled:
                gc.enable()

    def kill(self) -> None:
        """Stop and reap the child if its result was not collected."""
        if self.pid is None:
            return
        os.close(self._pipe)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.pid = None


def spread(sizes: Sequence[int], k: int) -> list[int]:
    """Which of ``k`` processes each piece of work goes to, given the pieces' sizes: the
    largest first, each to the process with the least work so far (ties to the lower
    piece and the lower process), so that the processes finish at about the same time."""
    loads = [0] * k
    owner = [0] * len(sizes)
    for idx in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        process = min(range(k), key=lambda j: (loads[j], j))
        owner[idx] = process
        loads[process] += sizes[idx]
    return owner


def completed(children: Sequence[Forked]) -> Iterator[Forked]:
    """The children not yet collected, each as soon as it has a result to give (it has
    written its result or exited), so that the first to finish is read first."""
    waiting = {child._pipe: child for child in children if child.pid is not None}
    while waiting:
        ready, _, _ = select.select(list(waiting), [], [])
        for fd in ready:
            yield waiting.pop(fd)
