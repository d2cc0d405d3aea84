"""The PDF memory budget shared by processes (evalkit.memgate)."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from evalkit import memgate, procs
from evalkit.memgate import MemoryGate

_FORK = multiprocessing.get_context("fork")


def _hold(ledger: str, budget: float, need: float, seconds: float, log: str, name: str) -> None:
    """In a child process: take ``need`` MB, log when admitted and released."""
    gate = MemoryGate(Path(ledger), budget, poll=0.02)
    with gate.admit(need):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name} start {time.monotonic():.4f}\n")
        time.sleep(seconds)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{name} end {time.monotonic():.4f}\n")


def _start(tmp_path: Path, budget: float, need: float, seconds: float, name: str):  # type: ignore[no-untyped-def]
    proc = _FORK.Process(
        target=_hold,
        args=(str(tmp_path / "ledger"), budget, need, seconds, str(tmp_path / "log"), name),
    )
    proc.start()
    return proc


def _wait_for(tmp_path: Path, text: str) -> None:
    deadline = time.monotonic() + 20
    log = tmp_path / "log"
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(encoding="utf-8"):
            return
        time.sleep(0.01)
    raise AssertionError(f"never logged: {text}")


def _events(tmp_path: Path) -> dict[str, float]:
    events = {}
    for line in (tmp_path / "log").read_text(encoding="utf-8").splitlines():
        name, what, when = line.split()
        events[f"{name} {what}"] = float(when)
    return events


def _ledger(tmp_path: Path) -> list[str]:
    path = tmp_path / "ledger"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_layout_that_does_not_fit_waits_for_the_running_one(tmp_path: Path) -> None:
    a = _start(tmp_path, 800, 600, 0.6, "a")
    _wait_for(tmp_path, "a start")
    b = _start(tmp_path, 800, 300, 0.0, "b")
    a.join(20)
    b.join(20)
    ev = _events(tmp_path)
    assert ev["b start"] >= ev["a end"]
    assert _ledger(tmp_path) == []  # both released


def test_layouts_that_fit_together_run_at_the_same_time(tmp_path: Path) -> None:
    a = _start(tmp_path, 800, 400, 0.6, "a")
    _wait_for(tmp_path, "a start")
    b = _start(tmp_path, 800, 400, 0.0, "b")
    a.join(20)
    b.join(20)
    ev = _events(tmp_path)
    assert ev["b start"] < ev["a end"]


def test_a_layout_larger_than_the_budget_runs_when_nothing_else_does(tmp_path: Path) -> None:
    gate = MemoryGate(tmp_path / "ledger", 100, poll=0.02)
    with gate.admit(5000) as waited:
        assert waited < 1.0
        assert [line.split()[0] for line in _ledger(tmp_path)] == ["running"]
    assert _ledger(tmp_path) == []


def test_waiting_layouts_are_admitted_in_arrival_order(tmp_path: Path) -> None:
    a = _start(tmp_path, 800, 500, 0.6, "a")
    _wait_for(tmp_path, "a start")
    b = _start(tmp_path, 800, 600, 0.2, "b")  # does not fit next to a: waits
    deadline = time.monotonic() + 10
    while not any(line.startswith("waiting") for line in _ledger(tmp_path)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # c would fit next to a (500 + 300), but b came first; nor does c fit next to b, so
    # c starts after b has logged its end (were c to fit next to b, it could be admitted
    # right after b and log its start before b logs its own: the log's order would race)
    c = _start(tmp_path, 800, 300, 0.0, "c")
    for p in (a, b, c):
        p.join(20)
    ev = _events(tmp_path)
    assert ev["a end"] <= ev["b start"] <= ev["b end"] <= ev["c start"]


def test_entries_of_dead_processes_are_dropped(tmp_path: Path) -> None:
    dead = _FORK.Process(target=time.sleep, args=(0,))
    dead.start()
    dead.join()
    assert dead.pid is not None
    (tmp_path / "ledger").write_text(f"running {dead.pid} 1 700.0\n", encoding="utf-8")
    b = _start(tmp_path, 800, 300, 0.3, "b")
    try:
        _wait_for(tmp_path, "b start")
        assert [line.split()[1] for line in _ledger(tmp_path)] == [str(b.pid)]
    finally:
        b.kill()
        b.join()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_entry_of_a_reused_pid_is_dropped(tmp_path: Path) -> None:
    """A live PID with another start time is a later process, not the entry's writer."""
    holder = os.getppid()
    real = procs.start_time(holder)
    assert real
    (tmp_path / "ledger").write_text(
        f"running {holder} 1 700.0 {int(real) + 1}\nrunning {holder} 2 50.0 {real}\n",
        encoding="utf-8",
    )
    b = _start(tmp_path, 800, 300, 0.3, "b")
    try:
        _wait_for(tmp_path, "b start")
        assert [line.split()[2] for line in _ledger(tmp_path)] == ["2", "3"]
    finally:
        b.kill()
        b.join()


def test_a_live_holder_blocks_until_its_entry_goes(tmp_path: Path) -> None:
    """The holder may be any live process (here the test's parent) until it leaves."""
    (tmp_path / "ledger").write_text(f"running {os.getppid()} 1 700.0\n", encoding="utf-8")
    b = _start(tmp_path, 800, 300, 0.0, "b")
    try:
        time.sleep(0.5)
        assert not (tmp_path / "log").exists()  # still waiting
        (tmp_path / "ledger").write_text(
            "".join(line + "\n" for line in _ledger(tmp_path) if not line.startswith("running")),
            encoding="utf-8",
        )
        _wait_for(tmp_path, "b start")
    finally:
        b.join(5)
        b.kill()


def test_an_interrupted_wait_leaves_no_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ledger").write_text(f"running {os.getppid()} 1 700.0\n", encoding="utf-8")
    gate = MemoryGate(tmp_path / "ledger", 800, poll=0.02)

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(memgate.time, "sleep", interrupted)
    with pytest.raises(KeyboardInterrupt), gate.admit(300):
        pass
    assert _ledger(tmp_path) == [f"running {os.getppid()} 1 700.0"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("800:/tmp/x/ledger", (Path("/tmp/x/ledger"), 800.0)),
        ("1.5e3:/a:b/ledger", (Path("/a:b/ledger"), 1500.0)),
        ("", None),
        ("800", None),
        ("abc:/tmp/ledger", None),
        ("0:/tmp/ledger", None),
    ],
)
def test_gate_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: tuple[Path, float] | None
) -> None:
    monkeypatch.setenv(memgate.ENV_VAR, value)
    gate = memgate.from_environment()
    assert (None if gate is None else (gate.ledger, gate.budget_mb)) == expected


def test_process_exists_tells_a_live_process_from_a_gone_one() -> None:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert procs.process_exists(os.getpid()) and procs.process_exists(os.getppid())
    assert not procs.process_exists(gone.pid)
    assert not procs.process_exists(0) and not procs.process_exists(-1)


def test_a_zombie_process_does_not_exist(zombie_pid: int) -> None:
    """A killed batch's workers stay zombies until init reaps them; their records are stale."""
    assert not procs.process_exists(zombie_pid)
