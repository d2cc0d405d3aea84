"""A papermill engine that keeps one warm kernel per process, cleaned between notebooks.

papermill starts a fresh kernel for every notebook: about 1.2 s to start and stop it,
and again 1–2 s for the kernel to import pandas, matplotlib and evalkit — six times per
department. :class:`WarmKernelEngine` (registered as ``"evalkit-warm"``) is papermill's
own nbclient engine with one difference: the kernel and its client outlive the notebook.
Before each notebook the kernel is cleaned with one silent request:

* every figure is closed and the user namespace, ``In``/``Out`` history and execution
  counter are reset (``InteractiveShell.reset(new_session=True)``), so cells are numbered
  from 1 and no variable of an earlier notebook (or department) is visible;
* the working directory is set to papermill's ``cwd`` (a reused kernel cannot inherit it);
* Python's "warning already shown" registries are invalidated, so a warning prints in
  every notebook exactly as it would in a fresh kernel.

Imported modules stay imported — that is the saving. evalkit keeps no mutable state
between calls except memo tables of pure functions, so a notebook sees the same results
as in a fresh kernel; ``evalkit verify`` re-executes with fresh kernels and compares
(tests/test_engine.py checks it on the seed departments).

A kernel that failed in any way (a cell raised, timed out, or the kernel died) is shut
down and the next notebook gets a new one. Kernels are shut down when the process exits.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

__all__ = [
    "ENGINE_NAME",
    "PARTIAL_PATH",
    "WarmKernelEngine",
    "notebooks_before_last",
    "register_engine",
    "shutdown_kernels",
    "warm_kernels",
]

#: Engine keyword: where to save a partly executed notebook if execution aborts (kernel
#: died, cell timed out). papermill then need not save after every cell
#: (``request_save_on_cell_execute=False``); a cell that raises is saved by papermill.
PARTIAL_PATH = "evalkit_partial_path"

#: The name evalkit registers its engine under (``papermill.execute_notebook(engine_name=…)``).
ENGINE_NAME = "evalkit-warm"

# Run silently in the kernel before each notebook. ``{cwd!r}`` is a Python literal.
_PREPARE = """\
import os as _ek_os, warnings as _ek_warnings, sys as _ek_sys
if "matplotlib.pyplot" in _ek_sys.modules:
    _ek_sys.modules["matplotlib.pyplot"].close("all")
_ek_os.chdir({cwd!r})
_ek_warnings._filters_mutated()
get_ipython().reset(new_session=True)
"""


@dataclass
class _Kernel:
    km: Any
    kc: Any
    notebooks: int = 0


_lock = threading.Lock()
_kernels: dict[tuple[int, str, type], _Kernel] = {}


_last_reuse: dict[int, int] = {}


def notebooks_before_last() -> int | None:
    """How many notebooks the kernel had run before the last notebook of this thread.

    0 means the last notebook got a new kernel; ``None`` that this thread has not run
    a notebook with this engine. Recorded in each run's manifest for auditors.
    """
    return _last_reuse.get(threading.get_ident())


def warm_kernels() -> int:
    """How many warm kernels this process holds (for tests and diagnostics)."""
    return len(_kernels)


def _key(kernel_name: str, km_class: type | None) -> tuple[int, str, type]:
    from jupyter_client.manager import AsyncKernelManager

    # keyed by thread: a kernel client belongs to the event loop of the thread using it
    return (threading.get_ident(), kernel_name, km_class or AsyncKernelManager)


async def _prepare(kernel: _Kernel, code: str, timeout: float) -> None:
    """Run ``code`` silently; raise if the kernel is gone or does not answer in time."""
    if not await kernel.km.is_alive():
        raise RuntimeError("内核进程已退出")
    kc = kernel.kc
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("内核清理超时")
        # poll in short steps so a kernel dying meanwhile is noticed at once
        try:
            reply = await kc.get_shell_msg(timeout=min(remaining, 0.5))
        except queue.Empty:
            if not await kernel.km.is_alive():
                raise RuntimeError("内核进程已退出") from None
            continue
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            break
    content = reply.get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(f"内核清理失败：{content.get('ename', '')}: {content.get('evalue', '')}")


async def _shutdown(kernel: _Kernel) -> None:
    try:
        kernel.kc.stop_channels()
    finally:
        if await kernel.km.is_alive():
            await kernel.km.shutdown_kernel(now=True)
        await _maybe_await(kernel.km.cleanup_resources())


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


def _discard(key: tuple[int, str, type]) -> None:
    kernel = _kernels.pop(key, None)
    if kernel is None:
        return
    try:
        run_sync(_shutdown)(kernel)
    except Exception as exc:  # the kernel may already be gone
        logger.debug("warm kernel shutdown: %s", exc)


def shutdown_kernels() -> None:
    """Shut down every warm kernel of this process (also runs at interpreter exit)."""
    with _lock:
        for key in list(_kernels):
            _discard(key)


atexit.register(shutdown_kernels)


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, reusing one cleaned kernel per process and thread."""

    @classmethod
    def execute_managed_notebook(  # type: ignore[override]
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = 60,
        execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        partial_path = kwargs.pop(PARTIAL_PATH, None)
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        km_class = kwargs.get("kernel_manager_class")
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        key = _key(kernel_name, km_class)
        with _lock:
            kernel = _kernels.get(key)
            if kernel is not None:
                try:
                    run_sync(_prepare)(
                        kernel, _PREPARE.format(cwd=os.getcwd()), float(start_timeout)
                    )
                except Exception as exc:  # dead or wedged: start afresh
                    logger.info("warm kernel unusable, starting a new one: %s", exc)
                    _discard(key)
                    kernel = None
            client = PapermillNotebookClient(
                nb_man,
                km=kernel.km if kernel else (km_class or _default_km())(kernel_name=kernel_name),
                **final_kwargs,
            )
            if kernel is not None:
                client.kc = kernel.kc
            ok = False
            try:
                nb = client.execute()
                ok = not nb_man.nb.metadata.get("papermill", {}).get("exception")
            except BaseException:
                if partial_path:  # the kernel died or timed out: keep what ran
                    _save_partial(nb_man, partial_path)
                raise
            finally:
                if kernel is None and client.kc is not None:
                    kernel = _kernels[key] = _Kernel(client.km, client.kc)
                _last_reuse[threading.get_ident()] = kernel.notebooks if kernel else 0
                if kernel is not None:
                    kernel.notebooks += 1
                if not ok:  # a failed notebook may leave anything behind: never reuse
                    _discard(key)
            return nb


def _save_partial(nb_man: Any, path: str) -> None:
    from papermill.iorw import write_ipynb

    try:
        nb_man.notebook_complete()
        write_ipynb(nb_man.nb, path)
    except Exception as exc:  # never hide the original failure
        logger.debug("could not save the partly executed notebook: %s", exc)


def _default_km() -> type:
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


def register_engine() -> None:
    """Register :class:`WarmKernelEngine` with papermill as ``"evalkit-warm"`` (idempotent)."""
    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
