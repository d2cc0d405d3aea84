"""A function in a forked child: its value comes back, any failure is ChildFailed."""

from __future__ import annotations

import os
import signal
import time

import pytest

from evalkit.errors import RunError
from evalkit.forking import ChildFailed, Forked, can_fork

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


def _after(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def test_completed_gives_the_first_to_finish_first() -> None:
    from evalkit.forking import completed

    slow, fast = Forked(_after, 1.5, "slow"), Forked(_after, 0.0, "fast")
    order = [child.result() for child in completed([slow, fast])]
    assert order == ["fast", "slow"]
    assert list(completed([slow, fast])) == []  # collected: nothing left to wait for


def test_spread_gives_the_largest_first_to_the_least_loaded() -> None:
    from evalkit.forking import spread

    assert spread([10, 50, 30, 20, 5], 2) == [0, 0, 1, 1, 1]  # 60 and 55
    assert spread([1, 1, 1], 1) == [0, 0, 0]
    assert spread([7, 7], 3) == [0, 1]  # ties: the lower process
    assert spread([], 2) == []
