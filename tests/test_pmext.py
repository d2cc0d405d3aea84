"""papermill extensions: the readable translator and the IPC kernel manager."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_notebook

from evalkit import pmext
from evalkit.pmext import ReadablePythonTranslator

_RUN_AND_EXIT = """
import sys
import papermill as pm
from evalkit import engine, pmext
engine.register_engine()
pm.execute_notebook(
    sys.argv[1], sys.argv[2], kernel_name="python3", progress_bar=False,
    engine_name=engine.ENGINE_NAME, kernel_manager_class=pmext.IPCKernelManager,
    execution_timeout=60,
)
print(pmext._SOCKET_DIR)
"""


def test_the_socket_folder_is_removed_when_the_process_exits(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "nb.ipynb", "print('ran')")
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_EXIT, str(nb), str(tmp_path / "out.ipynb")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("evalkit-ipc-")
    assert not folder.exists()  # the warm kernel was shut down, its sockets removed
    assert "ran" in (tmp_path / "out.ipynb").read_text(encoding="utf-8")


def test_strings_are_injected_readably_and_safely() -> None:
    assert ReadablePythonTranslator.translate_str("宁县") == "'宁县'"
    assert ReadablePythonTranslator.translate_str("a'\"\\n") == repr("a'\"\\n")


_MAKE_FOLDER_AND_DIE = """
import os, signal
from evalkit import pmext
print(os.getpid(), pmext._socket_dir(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_s_socket_folder_is_removed_by_the_next_one() -> None:
    killed = subprocess.run(
        [sys.executable, "-c", _MAKE_FOLDER_AND_DIE], capture_output=True, text=True, timeout=60
    )
    assert killed.returncode == -9
    pid, folder = killed.stdout.split(maxsplit=1)
    left = Path(folder.strip())
    assert left.is_dir() and left.name.startswith(f"evalkit-ipc-{pid}-")
    assert pmext.socket_dir_owner(left.name) == int(pid)
    nxt = subprocess.run(
        [sys.executable, "-c", "from evalkit import pmext; print(pmext._socket_dir())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert not left.exists()
    assert not Path(nxt.stdout.strip()).exists()  # removed at its own exit


def test_only_folders_of_processes_that_are_gone_are_removed(tmp_path: Path) -> None:
    import os

    from evalkit.pmext import remove_stale_socket_dirs

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"evalkit-ipc-{gone.pid}-x1y2"
    alive = tmp_path / f"evalkit-ipc-{os.getpid()}-a_b"
    unnamed = tmp_path / "evalkit-ipc-k3j_9z"  # an older version's folder: whose is unknown
    other = tmp_path / f"other-ipc-{gone.pid}-x1y2"
    for folder in (dead, alive, unnamed, other):
        folder.mkdir()
        (folder / "k-1").write_text("")
    a_file = tmp_path / f"evalkit-ipc-{gone.pid}-file"
    a_file.write_text("")
    assert remove_stale_socket_dirs(str(tmp_path)) == [str(dead)]
    assert not dead.exists()
    assert all(p.exists() for p in (alive, unnamed, other, a_file))
    assert remove_stale_socket_dirs(str(tmp_path / "missing")) == []
    assert pmext.socket_dir_owner(unnamed.name) is None


def test_a_zombie_workers_folder_is_removed(tmp_path: Path, zombie_pid: int) -> None:
    """A killed batch's workers are zombies until init reaps them (seconds, on our VMs):
    a resumed batch starting meanwhile removes their folders all the same."""
    from evalkit.pmext import remove_stale_socket_dirs

    folder = tmp_path / f"evalkit-ipc-{zombie_pid}-z0"
    folder.mkdir()
    assert remove_stale_socket_dirs(str(tmp_path)) == [str(folder)]
