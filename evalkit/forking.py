"""A function called in a forked child process, its result sent back through a pipe.

The ``evalkit check`` command uses it to read a workbook in several processes while it
imports the rules (:mod:`evalkit.prefetch`: :class:`ForkedStream`, whose child sends each
worksheet's rows as soon as they are validated), and to run the rules in two processes
(:func:`evalkit.check.check_findings`: :class:`Forked`). Both share out their work with
:class:`Claims`: whichever process is free takes the next piece. A child starts with a
copy of the caller's memory (the department, the imported modules), so nothing is sent to
it; only its result comes back, pickled. Whatever goes wrong in a child (an exception, a
signal, a result that does not pickle) is :class:`ChildFailed` in the caller, which then
does the work itself.

Fork only from a process without threads (a command, not a Jupyter kernel); where
``os.fork`` is missing (Windows), :func:`can_fork` is False and callers work in process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO


class ChildFailed(Exception):
    """The child gave no result (it raised, was killed, or its result did not pickle)."""


def can_fork() -> bool:
    return hasattr(os, "fork")


class _Child:
    """A forked child that writes to a pipe and leaves; what the two kinds below share.

    ``send(out)`` runs in the child with the pipe's writing end as a buffered binary file
    (whose ``write`` writes everything, also after a signal cut a system call short). A
    child never returns into the caller's code: it leaves with ``os._exit``, running no
    ``atexit`` handler and flushing none of the caller's buffers; whatever ``send``
    raises makes it exit with status 1. Raises :class:`OSError` when no process or pipe
    can be made (the caller then works in process).
    """

    def __init__(self, send: Callable[[BinaryIO], None]) -> None:
        read_end, write_end = os.pipe()
        _widen(write_end)
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
                with open(write_end, "wb", closefd=True) as out:
                    send(out)
                code = 0
            except BaseException:  # the caller does the work itself
                pass
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid: int | None = pid
        self._pipe = read_end

    def _reap(self) -> None:
        """Wait for the child (its pipe is read to the end); ChildFailed unless it exited
        with status 0."""
        assert self.pid is not None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise ChildFailed(f"child exited with status {status}")

    def kill(self) -> None:
        """Stop and reap the child if it was not collected."""
        if self.pid is None:
            return
        os.close(self._pipe)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.pid = None


def _loads(data: bytes | memoryview) -> Any:
    """A child's pickled value, unpickled with the cyclic collector paused (many small
    objects, none of them garbage); ChildFailed when it does not unpickle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    except Exception as exc:
        raise ChildFailed(f"unreadable result: {exc}") from exc
    finally:
        if was_enabled:
            gc.enable()


class Forked(_Child):
    """``func(*args, **kwargs)`` running in a forked child; :meth:`result` waits for its
    value.

    Raises :class:`OSError` when no process or pipe can be made (the caller then works in
    process). The child leaves with ``os._exit``, running no ``atexit`` handler and
    flushing none of the caller's buffers.
    """

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        def send(out: BinaryIO) -> None:
            out.write(pickle.dumps(func(*args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL))

        super().__init__(send)

    def result(self) -> Any:
        """The child's value (it has exited when this returns)."""
        if self.pid is None:
            raise ChildFailed("already collected")
        with open(self._pipe, "rb", closefd=True) as pipe:
            data = pipe.read()
        self._reap()
        return _loads(data)


_FRAME = struct.Struct(">Q")


class ForkedStream(_Child):
    """``func(*args, **kwargs)``, a generator function, running in a forked child: each
    item it yields is pickled and sent back at once, so the caller unpickles the first
    items while the child makes the next. Call :meth:`receive` whenever the pipe
    (:meth:`fileno`) is readable, as :func:`select.select` tells.

    Like :class:`Forked`: :class:`OSError` when no process or pipe can be made, and
    :class:`ChildFailed` when the child raised or was killed (the items received before
    then are no use).
    """

    def __init__(self, func: Callable[..., Iterator[Any]], *args: Any, **kwargs: Any) -> None:
        def send(out: BinaryIO) -> None:
            for item in func(*args, **kwargs):
                data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_FRAME.pack(len(data)))
                out.write(data)
                out.flush()  # the caller wants each item now

        super().__init__(send)
        self._buffer = bytearray()

    def fileno(self) -> int:
        return self._pipe

    def receive(self) -> tuple[list[Any], bool]:
        """The items completed by what the pipe now holds, and whether the child is done
        (it has exited and every item it made was received). Does not wait for more."""
        if self.pid is None:
            raise ChildFailed("already collected")
        chunk = os.read(self._pipe, 1 << 20)
        if not chunk:
            os.close(self._pipe)
            self._reap()
            if self._buffer:
                raise ChildFailed("the child's last item was cut off")
            return [], True
        buffer = self._buffer
        buffer += chunk
        items: list[Any] = []
        try:
            while len(buffer) >= _FRAME.size:
                (size,) = _FRAME.unpack_from(buffer)
                end = _FRAME.size + size
                if len(buffer) < end:
                    break
                with memoryview(buffer) as view:
                    items.append(_loads(view[_FRAME.size : end]))
                del buffer[:end]
        except ChildFailed:
            self.kill()
            raise
        return items, False


def _widen(fd: int) -> None:
    """Let a pipe hold 1 MiB where Linux allows it, so that a child is seldom held up
    writing while the caller is busy elsewhere."""
    with contextlib.suppress(AttributeError, OSError):
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)


class Claims:
    """Numbered pieces of work (0, 1, 2, ...) that forked processes claim one at a time,
    each number by exactly one process, so that whoever is free takes the next piece.

    Made before the fork: a pipe holding the numbers in order, its writing end closed at
    once; a process claims the next number by reading two bytes (pipe reads of a few bytes
    are atomic, so no two processes read the same number). :meth:`next` gives None once all
    :data:`LIMIT` numbers are taken.
    """

    LIMIT = 2000  # 4,000 bytes: within what a pipe holds and what one write keeps whole

    def __init__(self) -> None:
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, b"".join(i.to_bytes(2, "big") for i in range(self.LIMIT)))
        except OSError:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self._fd: int | None = read_end

    def next(self) -> int | None:
        """The next unclaimed number, or None when all are taken (or closed here)."""
        if self._fd is None:
            return None
        data = os.read(self._fd, 2)
        return int.from_bytes(data, "big") if len(data) == 2 else None

    def close(self) -> None:
        """Give up this process's access (the other processes keep theirs)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
