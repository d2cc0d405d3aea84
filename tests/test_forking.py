"""A function in a forked child: its value comes back, any failure is ChildFailed."""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from evalkit.errors import RunError
from evalkit.forking import ChildFailed, Claims, Forked, ForkedStream, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="no os.fork here")


def _value(n: int, *, text: str) -> dict[str, object]:
    return {"n": n, "text": text * 3, "pid": os.getpid(), "big": list(range(n))}


def test_the_value_comes_back_from_another_process() -> None:
    child = Forked(_value, 200_000, text="甲")  # larger than a pipe's buffer
    got = child.result()
    assert got["n"] == 200_000 and got["text"] == "甲甲甲" and got["big"][-1] == 199_999
    assert got["pid"] != os.getpid()
    assert child.pid is None
    with pytest.raises(ChildFailed):
        child.result()


def _raise() -> None:
    raise RunError("规则出错")


def _unpicklable() -> object:
    return lambda: None


def _sleep() -> None:
    time.sleep(60)


@pytest.mark.parametrize("func", [_raise, _unpicklable], ids=["raises", "unpicklable"])
def test_a_child_without_a_value_fails(func: object) -> None:
    child = Forked(func)  # type: ignore[arg-type]
    with pytest.raises(ChildFailed):
        child.result()


def test_a_killed_child_fails() -> None:
    child = Forked(_sleep)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(ChildFailed, match="status"):
        child.result()


def test_kill_stops_and_reaps() -> None:
    child = Forked(_sleep)
    pid = child.pid
    assert pid is not None
    started = time.monotonic()
    child.kill()
    assert time.monotonic() - started < 30
    assert child.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    child.kill()  # again: nothing to do


def test_the_child_runs_no_exit_handlers_of_the_parent(tmp_path: object) -> None:
    """The child leaves with os._exit: the parent's atexit handlers and buffers are its own."""
    import subprocess
    import sys

    code = (
        "import atexit, sys\n"
        "from evalkit.forking import Forked\n"
        "atexit.register(lambda: print('exit handler'))\n"
        "sys.stdout.write('buffered ')\n"
        "print(Forked(sum, [1, 2, 3]).result())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "buffered 6\nexit handler\n"


def _numbers(claims: Claims, pause: float) -> list[int]:
    taken = []
    while (number := claims.next()) is not None:
        taken.append(number)
        time.sleep(pause)
    return taken


def test_each_number_is_claimed_by_exactly_one_process() -> None:
    claims = Claims()
    children = [Forked(_numbers, claims, 0.0005) for _ in range(3)]
    mine = _numbers(claims, 0.0005)
    claims.close()
    theirs = [child.result() for child in children]
    every = sorted(mine + [n for t in theirs for n in t])
    assert every == list(range(Claims.LIMIT))
    assert all(t == sorted(t) for t in [mine, *theirs])  # each in increasing order
    assert sum(1 for t in [mine, *theirs] if t) >= 2  # shared out, not one process's
    assert claims.next() is None  # closed here
    claims.close()  # again: nothing to do


def _one_then_the_rest(claims: Claims, taken: int) -> list[int]:
    first = claims.next()
    os.write(taken, b"x")
    time.sleep(1.0)  # busy with its first piece
    return [first, *_numbers(claims, 0.0)]


def test_a_free_process_takes_the_next_number() -> None:
    claims = Claims()
    read_end, write_end = os.pipe()
    slow = Forked(_one_then_the_rest, claims, write_end)
    assert os.read(read_end, 1) == b"x"  # the child has taken its first number
    fast = _numbers(claims, 0.0)
    claims.close()
    os.close(read_end)
    os.close(write_end)
    assert slow.result() == [0] and fast == list(range(1, Claims.LIMIT))


def _items(n: int, size: int, then: str) -> Iterator[Any]:
    for i in range(n):
        yield {"i": i, "pid": os.getpid(), "big": "甲" * size}
    if then == "raise":
        raise RunError("规则出错")
    if then == "sleep":
        time.sleep(60)
    if then == "unpicklable":
        yield lambda: None


def _receive_all(child: ForkedStream) -> list[Any]:
    got: list[Any] = []
    done = False
    while not done:
        select.select([child.fileno()], [], [])
        items, done = child.receive()
        got += items
    return got


def test_streamed_items_come_back_in_order() -> None:
    child = ForkedStream(_items, 3, 2_000_000, "")  # each item larger than the pipe
    got = _receive_all(child)
    assert [g["i"] for g in got] == [0, 1, 2] and len(got[2]["big"]) == 2_000_000
    assert got[0]["pid"] != os.getpid() and child.pid is None
    with pytest.raises(ChildFailed):
        child.receive()


def test_streamed_items_come_before_the_child_ends() -> None:
    child = ForkedStream(_items, 1, 10, "sleep")
    got: list[Any] = []
    while not got:
        select.select([child.fileno()], [], [])
        items, done = child.receive()
        assert not done
        got += items
    assert got[0]["i"] == 0 and child.pid is not None  # the child still sleeps
    child.kill()
    assert child.pid is None
    child.kill()  # again: nothing to do


@pytest.mark.parametrize("then", ["raise", "unpicklable"])
def test_a_stream_that_fails_midway_fails(then: str) -> None:
    child = ForkedStream(_items, 2, 10, then)
    with pytest.raises(ChildFailed, match="status"):
        _receive_all(child)
    assert child.pid is None


def test_a_killed_stream_fails() -> None:
    child = ForkedStream(_items, 0, 0, "sleep")
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(ChildFailed, match="status"):
        _receive_all(child)
