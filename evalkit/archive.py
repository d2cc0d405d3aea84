"""Run folders and their manifest: hashing, versions, atomic publication.

A run is built in ``<dept folder>/.tmp-<run id>/`` and renamed to ``<run id>/`` when it
is complete (finished or failed), so a folder without the ``.tmp-`` prefix is never half
written. ``latest.json`` in the department folder names the latest successful run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
LATEST = "latest.json"
TMP_PREFIX = ".tmp-"
VERSIONED_PACKAGES = (
    "evalkit",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "pandas",
    "openpyxl",
    "ipykernel",
)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_tree(root: Path, paths: Iterable[Path]) -> dict[str, str]:
    """sha256 of each file, keyed by its path relative to ``root`` (posix form)."""
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(paths) if p.is_file()}


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            out[name] = "未安装"
    return out


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(3)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def publish(tmp_dir: Path, final_dir: Path) -> Path:
    """Atomically rename a finished temporary run folder to its final name (never overwrite)."""
    if final_dir.exists():
        raise FileExistsError(f"运行目录已存在，拒绝覆盖：{final_dir}")
    os.rename(tmp_dir, final_dir)
    return final_dir


def mark_latest(dept_dir: Path, run_id: str) -> None:
    write_json_atomic(dept_dir / LATEST, {"run_id": run_id, "updated": now_iso()})


def latest_run(dept_dir: Path) -> Path | None:
    marker = dept_dir / LATEST
    if not marker.is_file():
        return None
    run = dept_dir / read_json(marker)["run_id"]
    return run if run.is_dir() else None


def finished_runs(dept_dir: Path) -> list[Path]:
    """Completed run folders (ok or failed), oldest first; unfinished ``.tmp-`` folders excluded."""
    if not dept_dir.is_dir():
        return []
    runs = [
        p
        for p in dept_dir.iterdir()
        if p.is_dir() and not p.name.startswith(TMP_PREFIX) and (p / MANIFEST).is_file()
    ]
    return sorted(runs, key=lambda p: p.name)


def remove_stale_tmp(dept_dir: Path) -> list[Path]:
    """Delete unfinished ``.tmp-`` run folders left by a crash; returns what was removed."""
    removed = []
    if dept_dir.is_dir():
        for p in dept_dir.iterdir():
            if p.is_dir() and p.name.startswith(TMP_PREFIX):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed
