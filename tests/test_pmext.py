"""papermill extensions: the readable translator and the IPC kernel manager."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_notebook

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
