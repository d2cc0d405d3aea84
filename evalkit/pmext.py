"""papermill extensions: readable parameters and collision-free kernels.

- :class:`ReadablePythonTranslator` injects Chinese strings as they are (``"宁县"``, not
  ``"\\u5b81\\u53bf"``), so the audit copy of a notebook can be read. ``repr`` of a str is
  a valid, safely quoted Python literal, so an injected value can never break out of its
  string.
- :class:`IPCKernelManager` talks to kernels over Unix sockets in a private folder,
  so parallel worker processes never collide on TCP ports (papermill #511).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from papermill.translators import PythonTranslator, papermill_translators


class ReadablePythonTranslator(PythonTranslator):
    @classmethod
    def translate_str(cls, val: str) -> str:
        return repr(val)


def register_translator() -> None:
    """Register the readable translator for Python kernels (idempotent)."""
    papermill_translators.register("python", ReadablePythonTranslator)


_SOCKET_DIR: str | None = None


def _socket_dir() -> str:
    global _SOCKET_DIR
    if _SOCKET_DIR is None or not os.path.isdir(_SOCKET_DIR):
        _SOCKET_DIR = tempfile.mkdtemp(prefix="evalkit-ipc-")
        atexit.register(_remove_socket_dir, _SOCKET_DIR)
    return _SOCKET_DIR


def _remove_socket_dir(path: str) -> None:
    """At exit: shut down this process's warm kernels, then remove the socket folder
    (one per process; it used to be left behind in the temp folder, empty)."""
    engine = sys.modules.get("evalkit.engine")
    if engine is not None:
        engine.shutdown_kernels()
    shutil.rmtree(path, ignore_errors=True)


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager using the ipc transport with sockets in a private temp folder."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(_socket_dir(), f"k-{uuid.uuid4().hex[:12]}"))
        super().__init__(**kwargs)
