"""Reference copies of the executed stage notebooks, for regression tests.

``tests/notebooks/<dept_id>/<stage>.ipynb`` are the stage notebooks executed by papermill
with each seed department's parameters. ``tests/test_notebooks.py`` re-executes them
with pytest-notebook and diffs every output against the stored copy, so an unintended
change to any computed output fails a test.

Regenerate after an intended change::

    .venv/bin/python -m evalkit.nbref
"""

from __future__ import annotations

import sys
from pathlib import Path

from .params import load_params, project_root
from .runner import stage_notebooks

SEEDS = ("ningxian-gxj-2024", "chaoyang-gxfwzx-2024")

#: Parts of a notebook that legitimately differ between runs and machines.
DIFF_IGNORE = (
    "/metadata/papermill",
    "/metadata/language_info",
    "/metadata/widgets",
    "/cells/*/metadata/papermill",
    "/cells/*/metadata/execution",
    "/cells/*/execution_count",
    "/cells/*/outputs/*/execution_count",
    "/cells/*/outputs/*/data/image/png",
    "/cells/*/outputs/*/data/image/svg+xml",
)


#: (path, regex, replacement): object reprs carry memory addresses.
DIFF_REPLACE = (("/cells/*/outputs/*/data/text/plain", r"at 0x[0-9a-fA-F]+", "at 0x…"),)


def reference_dir(root: Path | None = None) -> Path:
    return (root or project_root(Path.cwd())) / "tests" / "notebooks"


def parameters_for(seed: str, root: Path) -> dict[str, object]:
    """Notebook parameters for a seed, with paths relative to the project root."""
    p = load_params(root / "params" / f"{seed}.yaml")
    return {
        "workbook": p.workbook.relative_to(root).as_posix(),
        "dept_id": p.dept_id,
        "year": p.year,
        "policy": None,
        "run_dir": None,
    }


def regenerate(root: Path | None = None) -> list[Path]:
    """Execute every stage notebook for every seed department and store the results."""
    import papermill as pm

    from .pmext import register_translator

    register_translator()
    root = root or project_root(Path.cwd())
    written = []
    for seed in SEEDS:
        params = parameters_for(seed, root)
        out_dir = reference_dir(root) / str(params["dept_id"])
        out_dir.mkdir(parents=True, exist_ok=True)
        for nb in stage_notebooks(root / "notebooks"):
            out = out_dir / nb.name
            pm.execute_notebook(
                str(nb),
                str(out),
                parameters=params,
                cwd=str(out_dir),
                kernel_name="python3",
                progress_bar=False,
            )
            written.append(out)
    return written


if __name__ == "__main__":
    for path in regenerate():
        print(path)
    sys.exit(0)
