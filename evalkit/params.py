"""Run parameters: one YAML file per department (the papermill parameters)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ParamsError

#: Parameter name -> (type, required, Chinese help). Declared once; notebooks take the same names.
PARAMETERS: dict[str, tuple[type, bool, str]] = {
    "workbook": (str, True, "部门评估底稿（.xlsx）路径，相对路径以参数文件所在项目根目录为准"),
    "dept_id": (str, True, "部门编码（字母、数字、下划线、连字符），须与底稿一致"),
    "year": (int, True, "评估年度，须与底稿一致"),
    "policy": (str, False, "政策口径文件（YAML）；留空使用内置默认口径"),
}

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class RunParams:
    """Validated parameters of one department run; paths are absolute."""

    workbook: Path
    dept_id: str
    year: int
    policy: Path | None
    source: Path | None  # the params file, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "workbook": str(self.workbook),
            "dept_id": self.dept_id,
            "year": self.year,
            "policy": None if self.policy is None else str(self.policy),
        }


def project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding pyproject.toml (else ``start``)."""
    for folder in [start, *start.parents]:
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return start


def resolve_path(value: str, *, base: Path) -> Path:
    """A path as written in a params file: absolute, or relative to cwd, else to ``base``."""
    p = Path(value)
    if p.is_absolute():
        return p
    if p.exists():
        return p.resolve()
    return (base / p).resolve()


def load_params(path: str | Path) -> RunParams:
    """Load and validate a params YAML file (safe loader; unknown keys are errors)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParamsError(f"无法读取参数文件“{path}”：{exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(f"参数文件“{path}”不是有效的 YAML：{exc}") from None
    if not isinstance(data, dict):
        raise ParamsError(f"参数文件“{path}”的顶层应为映射（参数名: 值）")
    return params_from_dict(data, base=project_root(path.resolve().parent), source=path.resolve())


def params_from_dict(data: dict[str, Any], *, base: Path, source: Path | None = None) -> RunParams:
    where = f"参数文件“{source}”" if source else "参数"
    problems = []
    unknown = sorted(set(data) - set(PARAMETERS))
    if unknown:
        problems.append(
            f"未知参数：{'、'.join(map(str, unknown))}（可用参数：{'、'.join(PARAMETERS)}）"
        )
    for name, (typ, required, _help) in PARAMETERS.items():
        value = data.get(name)
        if value is None:
            if required:
                problems.append(f"缺少必填参数“{name}”")
            continue
        if typ is int and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"参数“{name}”应为整数，实际为“{value}”")
        elif typ is str and not isinstance(value, str):
            problems.append(f"参数“{name}”应为文本，实际为“{value}”")
    dept_id = data.get("dept_id")
    if isinstance(dept_id, str) and not _ID.fullmatch(dept_id):
        problems.append(f"参数“dept_id”只能包含字母、数字、下划线和连字符：“{dept_id[:80]}”")
    if problems:
        raise ParamsError(f"{where}有误：" + "；".join(problems))
    workbook = resolve_path(data["workbook"], base=base)
    policy = resolve_path(data["policy"], base=base) if data.get("policy") else None
    return RunParams(workbook, data["dept_id"], int(data["year"]), policy, source)


def params_for_workbook(workbook: str | Path, *, policy: str | Path | None = None) -> RunParams:
    """Parameters read from a workbook itself (``evalkit run 底稿.xlsx``)."""
    from .schema import dept_identity
    from .workbook import validate_workbook

    dept_id, year = dept_identity(validate_workbook(workbook))
    return RunParams(
        Path(workbook).resolve(),
        dept_id,
        year,
        None if policy is None else Path(policy).resolve(),
        None,
    )
