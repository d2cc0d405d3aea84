"""Re-checking an archived run: hashes, then a fresh re-execution from the archived inputs.

What an auditor runs years later: every file recorded in the manifest must still hash
the same, and re-executing the archived notebooks on the archived inputs with fresh
kernels must give identical findings and report content (timestamps and durations
aside).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archive
from .errors import InputError
from .runner import FINDINGS_JSON, execute_stages


@dataclass
class VerifyResult:
    run_dir: Path
    changed_files: list[str] = field(default_factory=list)  # edited or missing since the run
    differences: list[str] = field(default_factory=list)  # re-execution differs
    reexecuted: bool = False

    @property
    def ok(self) -> bool:
        return not self.changed_files and not self.differences

    def report(self) -> str:
        lines = [f"核验运行目录：{self.run_dir}"]
        if self.changed_files:
            lines.append("以下文件与归档时的哈希不一致（被修改或缺失）：")
            lines += [f"  - {c}" for c in self.changed_files]
        else:
            lines.append("全部归档文件哈希一致。")
        if self.reexecuted:
            if self.differences:
                lines.append("重新执行结果与归档结果不一致：")
                lines += [f"  - {d}" for d in self.differences]
            else:
                lines.append("用全新内核重新执行：评估发现与报告内容完全一致。")
        lines.append("结论：" + ("通过" if self.ok else "未通过"))
        return "\n".join(lines)


def check_hashes(run_dir: Path, manifest: dict[str, Any]) -> list[str]:
    changed = []
    for section in ("inputs", "outputs"):
        for rel, digest in manifest.get(section, {}).items():
            path = run_dir / rel
            if not path.is_file():
                changed.append(f"{rel}（缺失）")
            elif archive.sha256_file(path) != digest:
                changed.append(f"{rel}（内容已改变）")
    return changed


def comparable_findings(path: Path) -> Any:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("findings", [])


_VOLATILE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def report_text(path: Path) -> str:
    """Report content without markup and timestamps."""
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    text = _VOLATILE.sub("<时间>", text)
    return re.sub(r"\s+", " ", text).strip()


def verify_run(run_dir: Path, *, reexecute: bool = True) -> VerifyResult:
    manifest_path = run_dir / archive.MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"“{run_dir}”不是 evalkit 运行目录（缺少 {archive.MANIFEST}）")
    manifest = archive.read_json(manifest_path)
    result = VerifyResult(run_dir, changed_files=check_hashes(run_dir, manifest))
    if not reexecute or manifest.get("status") != "ok":
        return result
    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp_name:
        tmp = Path(tmp_name)
        shutil.copytree(run_dir / "inputs", tmp / "inputs")
        notebooks = [tmp / "inputs" / "notebooks" / s["notebook"] for s in manifest["stages"]]
        scratch: dict[str, Any] = {"stages": []}
        error = execute_stages(tmp, notebooks, manifest["parameters"], scratch)
        result.reexecuted = True
        if error:
            result.differences.append(
                f"重新执行失败：阶段“{error['stage']}”{error['ename']}: {error['evalue']}"
            )
            return result
        if comparable_findings(tmp / FINDINGS_JSON) != comparable_findings(run_dir / FINDINGS_JSON):
            result.differences.append("findings.json：评估发现不一致")
        for report in ("report.html",):
            a, b = run_dir / report, tmp / report
            if a.is_file() != b.is_file():
                result.differences.append(f"{report}：一方缺失")
            elif a.is_file() and report_text(a) != report_text(b):
                result.differences.append(f"{report}：报告内容不一致")
    return result
