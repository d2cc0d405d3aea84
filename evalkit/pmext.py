"""papermill extensions: readable parameters and collision-free kernels.

- :class:`ReadablePythonTranslator` injects Chinese strings as they are (``"宁县"``, not
  ``"\\u5b81\\u53bf"``), so the audit copy of a notebook can be read. ``repr`` of a str is
  a valid, safely quoted Python literal, so an injected value can never break out of its
  string.
- :class:`IPCKernelManager` talks to kernels over Unix sockets in a private folder,
  so parallel worker processes never collide on TCP ports (papermill #511). The folder
  is named with its process's id; a process removes its own at exit, and the folders of
  killed processes are removed by the next one that starts a kernel.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import stat
import sys
import tempfile
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from papermill.translators import PythonTranslator, papermill_translators

from .procs import process_exists


class ReadablePythonTranslator(PythonTranslator):
    @classmethod
    def translate_str(cls, val: str) -> str:
        return repr(val)


def register_translator() -> None:
    """Register the readable translator for Python kernels (idempotent)."""
    papermill_translators.register("python", ReadablePythonTranslator)


_SOCKET_DIR: str | None = None
#: A socket folder's name: the prefix, the creating process's id, a random part.
SOCKET_DIR_PREFIX = "evalkit-ipc-"
_OWNED_DIR = re.compile(re.escape(SOCKET_DIR_PREFIX) + r"(\d+)-[A-Za-z0-9_]+")


def _socket_dir() -> str:
    global _SOCKET_DIR
    if _SOCKET_DIR is None or not os.path.isdir(_SOCKET_DIR):
        remove_stale_socket_dirs()
        _SOCKET_DIR = tempfile.mkdtemp(prefix=f"{SOCKET_DIR_PREFIX}{os.getpid()}-")
        atexit.register(_remove_socket_dir, _SOCKET_DIR)
    return _SOCKET_DIR


def socket_dir_owner(name: str) -> int | None:
    """The id of the process that made the socket folder named ``name`` (None: not one
    of ours, or made by an older version, which did not name its process)."""
    match = _OWNED_DIR.fullmatch(name)
    return None if match is None else int(match.group(1))


def remove_stale_socket_dirs(root: str | None = None) -> list[str]:
    """Remove the socket folders of evalkit processes that no longer exist; the removed paths.

    A process removes its folder when it exits, but not when it is killed (``kill -9``,
    the out-of-memory killer): a killed batch left one folder per worker in the temp
    folder. Its kernels are gone with it (a kernel exits when its parent does), so nothing
    listens there any more. Only folders named with a process id (this version's) and
    owned by this user are considered; a folder whose process is alive is kept.
    """
    removed: list[str] = []
    if os.name == "nt":  # no Unix sockets (and os.kill would end the process)
        return removed
    root = root or tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        owner = socket_dir_owner(entry.name)
        if owner is None or process_exists(owner):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


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
