"""HTML report → PDF with WeasyPrint, bounded in time, failing loudly.

Why WeasyPrint and not headless Chromium (both are installed; Chromium is used by the
browser tests):

* fonts: WeasyPrint embeds a subset of the named CJK font (``pdffonts`` lists
  ``…+Noto-Sans-CJK-SC``); Chromium 156 turns the CFF outlines of Noto Sans CJK into
  some 200 unnamed Type 3 fonts (2.7 MB instead of 1 MB for the seed report, no font
  name an archive check can verify);
* page numbers and table of contents: WeasyPrint implements CSS paged media —
  ``@page { @bottom-center { content: counter(page) } }`` and
  ``target-counter(attr(href url), page)`` — so the TOC gets its page numbers in one
  pass; Chromium prints margin boxes but has no ``target-counter``, which would need a
  second render and a text search of the first PDF;
* nothing is fetched: the fetcher accepts ``data:`` URLs only, and WeasyPrint runs no
  JavaScript.

The cost is time (about 12 s for the seed department's 45 pages against 2–4 s for
Chromium) and memory (≈ 5 MB per page while laying out), bounded by a timeout. Where the
OS can fork (``mode="fork"``, the default on Linux), a copy of the calling process — a
warm kernel, with WeasyPrint, its fonts and the report's CSS already loaded — renders the
PDF and exits, so none of the layout's memory stays in a kernel that evaluates department
after department (rendered in the kernel itself, a warm kernel grew by ≈ 10–15 MB per
department). ``mode="process"`` renders in a new interpreter; ``mode="inline"`` in the
calling process, interrupted by a ``SIGALRM`` timer (main thread only; elsewhere a new
interpreter is used). A child is killed on timeout.
Before rendering, the CJK font is checked (``fc-list :lang=zh``): without it WeasyPrint
silently drops the Chinese glyphs, and evalkit raises
:class:`~evalkit.charts.FontMissingError` instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Literal

from . import memgate
from .charts import FontMissingError
from .errors import EvalkitError

__all__ = [
    "REQUIRED_FONT",
    "FontMissingError",
    "PdfEngineMissingError",
    "PdfError",
    "PdfTimeoutError",
    "check_cjk_font",
    "cjk_families",
    "html_to_pdf",
]

#: The font the report's CSS names first; WeasyPrint needs it to draw Simplified Chinese.
REQUIRED_FONT = "Noto Sans CJK SC"
DEFAULT_TIMEOUT = 300.0

#: Where the PDF is laid out: a forked copy of this process, a new interpreter, or here.
Mode = Literal["fork", "process", "inline"]

#: The memory of one PDF layout is estimated as ``LAYOUT_BASE_MB + LAYOUT_MB_PER_KB`` per KB
#: of report HTML: the peak RSS of WeasyPrint 70 laying out seven synthetic reports of
#: 156–1,040 KB in a fresh interpreter (280–900 MB) fits 174 + 0.70 × KB within ± 4 MB.
#: A layout forked from a kernel shares part of that with it, so the estimate errs high.
#: (A single rate of 0.8 MB per KB, used before, was ≈ 140 MB low for a 400 KB report.)
LAYOUT_BASE_MB = 175.0
LAYOUT_MB_PER_KB = 0.7


def layout_estimate_mb(html_bytes: int) -> float:
    """Estimated peak memory (MB) of laying out a report of ``html_bytes`` bytes of HTML."""
    return LAYOUT_BASE_MB + html_bytes / 1024 * LAYOUT_MB_PER_KB


class PdfError(EvalkitError):
    """The PDF could not be made (engine failure)."""


class PdfEngineMissingError(PdfError):
    """WeasyPrint (or the Pango library it needs) is not installed."""


class PdfTimeoutError(PdfError):
    """Rendering took longer than the timeout."""


def cjk_families() -> list[str]:
    """Font families fontconfig offers for Chinese (``fc-list :lang=zh family``)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families = set()
    for line in out.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return sorted(families)


def check_cjk_font() -> str:
    """The CJK font the PDF will use; raises :class:`FontMissingError` when it is missing."""
    families = cjk_families()
    if REQUIRED_FONT in families:
        return REQUIRED_FONT
    found = (
        f"（已安装的中文字体：{'、'.join(families)}）" if families else "（系统中没有任何中文字体）"
    )
    raise FontMissingError(
        f"未找到中文字体“{REQUIRED_FONT}”，生成的 PDF 中汉字将显示为空白或方框{found}。"
        "请安装 Debian 软件包 fonts-noto-cjk（make sysdeps）后重试。"
    )


def _engine_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


def html_to_pdf(
    html_path: str | Path,
    pdf_path: str | Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    mode: Mode | None = None,
    gate: memgate.MemoryGate | None = None,
) -> Path:
    """Render an HTML file to PDF (A4, page numbers, TOC page numbers) and return its path.

    Raises :class:`FontMissingError` without the CJK font, :class:`PdfEngineMissingError`
    without WeasyPrint/Pango, :class:`PdfTimeoutError` after ``timeout`` seconds and
    :class:`PdfError` if rendering fails. The PDF is written atomically: on failure no
    (partial) file is left at ``pdf_path``. ``mode`` (default ``"fork"`` where the OS
    can fork, else ``"inline"``) says where the layout runs: see the module docstring.
    ``"inline"`` outside the main thread, where no timer signal can interrupt, becomes
    ``"process"``. ``gate`` (default: the one ``evalkit batch --pdf-memory`` set up, if
    any) delays the layout until its estimated memory (:func:`layout_estimate_mb`) fits the
    budget shared with other processes; the timeout counts from the start of the layout.
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"找不到要转换的 HTML 文件：{html_path}")
    check_cjk_font()
    if not _engine_available():
        raise PdfEngineMissingError(
            "未安装 PDF 排版引擎 WeasyPrint，无法生成 PDF 报告。"
            "请在虚拟环境中运行 pip install weasyprint（make setup 会自动安装）。"
        )
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    # written next to the target (same file system) and renamed when complete
    tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.{time.monotonic_ns()}.part")
    if mode is None:
        mode = "fork" if hasattr(os, "fork") else "inline"
    if mode not in ("fork", "process", "inline"):
        raise ValueError(f"unknown PDF mode: {mode!r}")
    if mode == "inline" and threading.current_thread() is not threading.main_thread():
        mode = "process"
    gate = gate or memgate.from_environment()
    if gate is None:
        return _html_to_pdf(html_path, pdf_path, tmp, timeout, mode)
    with gate.admit(layout_estimate_mb(html_path.stat().st_size)):
        return _html_to_pdf(html_path, pdf_path, tmp, timeout, mode)


def _html_to_pdf(html_path: Path, pdf_path: Path, tmp: Path, timeout: float, mode: Mode) -> Path:
    try:
        if mode != "process":
            if mode == "fork":
                _render_forked(html_path, tmp, timeout)
            else:
                _render_with_timer(html_path, tmp, timeout)
            if not tmp.is_file() or tmp.stat().st_size == 0:
                raise PdfError(f"生成 PDF 失败：{html_path}：排版引擎没有写出文件")
            tmp.replace(pdf_path)
            return pdf_path
        cmd = [sys.executable, "-m", "evalkit.pdf", str(html_path), str(tmp)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise _timeout_error(html_path, timeout) from None
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            last = detail[-1] if detail else f"退出码 {proc.returncode}"
            if "cannot load library" in (proc.stderr or "") or "ENGINE-MISSING" in last:
                raise _pango_missing(last)
            raise PdfError(f"生成 PDF 失败：{html_path}：{last}")
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise PdfError(f"生成 PDF 失败：{html_path}：排版引擎没有写出文件")
        tmp.replace(pdf_path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return pdf_path


def _timeout_error(html_path: Path, timeout: float) -> PdfTimeoutError:
    return PdfTimeoutError(
        f"生成 PDF 超时（超过 {timeout:g} 秒）：{html_path}。可调大 timeout 参数后重试。"
    )


def _pango_missing(detail: str) -> PdfEngineMissingError:
    return PdfEngineMissingError(
        f"PDF 排版引擎 WeasyPrint 无法启动（缺少 Pango 等系统库）：{detail}。"
        "请安装 Debian 软件包 libpango-1.0-0 libpangoft2-1.0-0（make sysdeps）。"
    )


class _Expired(BaseException):
    """Raised by the timer inside WeasyPrint (BaseException: no handler swallows it)."""


def _import_engine() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise _pango_missing(f"{type(exc).__name__}: {exc}") from None


def _render_forked(html_path: Path, pdf_path: Path, timeout: float) -> None:
    """Lay out and write the PDF in a forked copy of this process, killed on timeout."""
    _import_engine()  # imported here, so that every child starts with it loaded
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python >= 3.12 warns that forking a multi-threaded process (a kernel) may
        # deadlock the child: the child only runs WeasyPrint and leaves with os._exit.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its work is checked through the parent)
        status = 1
        try:
            os.close(read_fd)
            signal.setitimer(signal.ITIMER_REAL, 0)
            _die_with(parent)
            _render(html_path, pdf_path)
            status = 0
        except BaseException as exc:
            with contextlib.suppress(BaseException):
                os.write(write_fd, f"{type(exc).__name__}: {exc}".encode()[-2000:])
        finally:
            os._exit(status)
    os.close(write_fd)
    finished = False
    try:
        finished = _wait_child(pid, timeout)
        if not finished:
            raise _timeout_error(html_path, timeout)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            chunks = []
            while chunk := os.read(read_fd, 4096):
                chunks.append(chunk)
            detail = b"".join(chunks).decode("utf-8", "replace").strip() or f"退出码 {code}"
            raise PdfError(f"生成 PDF 失败：{html_path}：{detail}")
    finally:
        os.close(read_fd)
        if not finished:  # timed out or interrupted: the child must not outlive the call
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _die_with(parent: int) -> None:  # pragma: no cover - runs in the forked child
    """Have the kernel ask Linux to kill this child when ``parent`` ends.

    A kernel killed mid-layout (out of memory, ``kill -9``, a batch interrupted) would
    otherwise leave its layout running on, holding CPU and memory for a PDF no one waits
    for. Elsewhere than Linux nothing is done.
    """
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _wait_child(pid: int, timeout: float) -> bool:
    """Whether the child ``pid`` ended within ``timeout`` seconds (it is not reaped)."""
    if hasattr(os, "pidfd_open"):
        fd = os.pidfd_open(pid)
        try:
            ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
            return bool(ready)
        finally:
            os.close(fd)
    deadline = time.monotonic() + timeout  # pragma: no cover - not Linux
    while time.monotonic() < deadline:  # pragma: no cover
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.02)
    return False  # pragma: no cover


def _render_with_timer(html_path: Path, pdf_path: Path, timeout: float) -> None:
    _import_engine()  # imported before the timer starts

    armed = [True]

    def expire(signum: int, frame: Any) -> None:
        if armed[0]:
            # An exception raised where Python ignores it (a gc callback, a __del__) would
            # be lost and the render would run on: fire again shortly, until one lands.
            signal.setitimer(signal.ITIMER_REAL, _RETRY)
            raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
    try:
        try:
            _render(html_path, pdf_path)
        finally:
            armed[0] = False  # from here on the handler never raises
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        armed[0] = False
        raise _timeout_error(html_path, timeout) from None
    except PdfError:
        raise
    except Exception as exc:
        raise PdfError(f"生成 PDF 失败：{html_path}：{type(exc).__name__}: {exc}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        _release_memory()


#: Seconds between repeated timer signals once the timeout has passed.
_RETRY = 0.05


def _release_memory() -> None:
    """Give the layout's memory back to the system (a large report takes ~0.5 GB).

    Without this a warm kernel keeps the freed heap of its last PDF, and two workers
    hold two such heaps while a third render peaks.
    """
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _render(html_path: Path, pdf_path: Path) -> None:
    """In the child process: WeasyPrint, ``data:`` resources only, relative links kept."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        print(f"ENGINE-MISSING: {type(exc).__name__}: {exc}", file=sys.stderr)
        raise SystemExit(3) from None
    fetcher = URLFetcher(allowed_protocols=("data",))
    text = html_path.read_text(encoding="utf-8")
    # base_url=None keeps relative links (audit notebooks) relative in the PDF, so the
    # PDF still points at them after the run folder is moved or archived.
    document = weasyprint.HTML(string=text, base_url=None, url_fetcher=fetcher)
    document.write_pdf(pdf_path)


def _main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m evalkit.pdf REPORT.html OUT.pdf", file=sys.stderr)
        return 2
    started = time.monotonic()
    _render(Path(argv[0]), Path(argv[1]))
    print(f"pdf: {argv[1]} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through html_to_pdf
    raise SystemExit(_main(sys.argv[1:]))
