"""verify: an archived run re-executes identically; any edited file is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from evalkit.cli import main
from evalkit.errors import InputError
from evalkit.params import load_params
from evalkit.runner import RunResult, run_department
from evalkit.verify import verify_run


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    out = tmp_path_factory.mktemp("outputs")
    result = run_department(load_params(ROOT / "params" / "ningxian-gxj-2024.yaml"), outputs=out)
    assert result.ok, result.error
    return result


def _copy(run: RunResult, tmp_path: Path) -> Path:
    target = tmp_path / run.run_dir.name
    shutil.copytree(run.run_dir, target)
    return target


def test_fresh_run_verifies_by_re_execution(
    seed_run: RunResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(seed_run.run_dir)]) == 0
    out = capsys.readouterr().out
    assert "全部归档文件哈希一致" in out and "完全一致" in out and "结论：通过" in out


@pytest.mark.parametrize(
    "rel",
    [
        "inputs/workbook.xlsx",
        "inputs/policy.yaml",
        "findings.json",
        "05_自评复核.ipynb",
        "html/06_评估报告.html",
    ],
)
def test_any_edited_file_is_named(seed_run: RunResult, tmp_path: Path, rel: str) -> None:
    run = _copy(seed_run, tmp_path)
    with (run / rel).open("ab") as fh:
        fh.write(b"\n")
    result = verify_run(run, reexecute=False)
    assert not result.ok and result.changed_files == [f"{rel}（内容已改变）"]


def test_deleted_file_is_named(seed_run: RunResult, tmp_path: Path) -> None:
    run = _copy(seed_run, tmp_path)
    (run / "findings.csv").unlink()
    assert verify_run(run, reexecute=False).changed_files == ["findings.csv（缺失）"]


def test_changed_findings_are_detected_by_re_execution(
    seed_run: RunResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _copy(seed_run, tmp_path)
    text = (run / "findings.json").read_text(encoding="utf-8")
    (run / "findings.json").write_text(text.replace('"SC001"', '"SC999"', 1), encoding="utf-8")
    assert main(["verify", str(run)]) == 1
    out = capsys.readouterr().out
    assert (
        "findings.json（内容已改变）" in out and "评估发现不一致" in out and "结论：未通过" in out
    )


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不是 evalkit 运行目录"):
        verify_run(tmp_path)
    assert main(["verify", str(tmp_path)]) == 2


def test_run_command_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "outputs"
    assert (
        main(["run", str(ROOT / "data" / "chaoyang-gxfwzx-2024.xlsx"), "--outputs", str(out)]) == 0
    )
    text = capsys.readouterr().out
    assert "评估完成" in text and "06_评估报告：完成" in text
    run = next((out / "2024" / "chaoyang-gxfwzx").glob("2*"))
    assert (run / "findings.json").is_file() and (run / "html" / "01_导入与校验.html").is_file()


def test_report_text_ignores_markup_and_timestamps(tmp_path: Path) -> None:
    from evalkit.verify import report_text

    a, b, c = tmp_path / "a.html", tmp_path / "b.html", tmp_path / "c.html"
    a.write_text(
        "<p>生成时间：<time>2026-11-23T11:40:02+08:00</time></p>\n<p>总分 91.44</p>",
        encoding="utf-8",
    )
    b.write_text(
        "<p>生成时间：<time>2031-01-02T03:04:05.123Z</time></p> <p>总分  91.44</p>",
        encoding="utf-8",
    )
    c.write_text(
        "<p>生成时间：<time>2031-01-02T03:04:05Z</time></p><p>总分 91.45</p>", encoding="utf-8"
    )
    assert report_text(a) == report_text(b) != report_text(c)


def _outputs(nb_path: Path) -> list[list[str]]:
    """Each code cell's count and text outputs, without run-specific volatile text."""
    import re

    import nbformat

    volatile = re.compile(
        r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?|\d+(\.\d+)? ?秒|\S*outputs\S*|0x[0-9a-f]+"
    )
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts = [str(cell.execution_count)]
        for out in cell.outputs:
            data = {k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")}
            texts.append(volatile.sub("", "".join(out.get("text", "")) + str(sorted(data.items()))))
        cells.append(texts)
    return cells


def test_batch_with_warm_kernels_is_reproduced_by_fresh_kernels(tmp_path: Path) -> None:
    """One worker evaluates both seeds in one reused kernel; verify (fresh kernels) agrees."""
    from evalkit.batch import run_batch

    result = run_batch([ROOT / "params"], outputs=tmp_path / "warm", jobs=1, progress=False)
    assert result.ok and result.count("ok") == 2, result.summary()
    reused = []
    for outcome in result.outcomes:
        run = Path(str(outcome.run_dir))
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["kernel"] == "warm"
        reused.append(manifest["stages"][0]["kernel_notebooks_before"])
        verified = verify_run(run)
        assert verified.reexecuted and verified.ok, verified.report()
    assert max(reused) >= 6  # the second department ran in the first one's kernel
    # the archived notebooks read the same as with a fresh kernel per notebook
    second = next(
        Path(str(o.run_dir)) for o, n in zip(result.outcomes, reused, strict=True) if n >= 6
    )
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    fresh = run_department(
        load_params(ROOT / "params" / f"{manifest['dept_id']}-{manifest['year']}.yaml"),
        outputs=tmp_path / "fresh",
        warm_kernel=False,
    )
    assert fresh.ok and fresh.manifest["kernel"] == "fresh"
    for stage in manifest["stages"]:
        assert _outputs(second / stage["notebook"]) == _outputs(fresh.run_dir / stage["notebook"])
