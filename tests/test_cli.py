"""The command line: Chinese output, exit code 2 for bad input, 0 when the evaluation ran."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.records import write_workbook
from evalkit.testing import FAULTS, clean_records, inject


@pytest.fixture
def clean_xlsx(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "clean.xlsx", clean_records())


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "部门评估底稿" in out and "显示帮助" in out


def test_usage_error_exits_2_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_check_table_json_csv(
    clean_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_workbook(tmp_path / "bad.xlsx", inject(FAULTS[0]))
    assert main(["check", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "评估发现" in out and "SC001" in out
    out_json = tmp_path / "f.json"
    assert main(["check", str(bad), "--format", "json", "--output", str(out_json)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["schema"] == "evalkit.findings/1" and data["department"]["id"] == "test-dept"
    assert any(f["rule_id"] == "SC001" for f in data["findings"])
    assert main(["check", str(clean_xlsx), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("rule_id,")


def test_invalid_workbook_exits_2_with_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = clean_records()
    records["项目清单"][0]["全年执行数"] = "abc"
    records["目标表指标"][0]["指标值"] = "≥"
    path = write_workbook(tmp_path / "bad.xlsx", records)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "2 个问题" in err and "工作表“项目清单”，第2行，“全年执行数”列" in err
    assert "Traceback" not in err


def test_bad_policy_exits_2(
    clean_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("scoring: [unclosed", encoding="utf-8")
    assert main(["check", str(clean_xlsx), "--policy", str(policy)]) == 2
    assert "不是有效的 YAML" in capsys.readouterr().err


def test_template_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path)]) == 0
    before = path.read_bytes()
    assert main(["template", str(path)]) == 2
    assert path.read_bytes() == before
    assert "已存在" in capsys.readouterr().err


def test_summary_validate_rules(clean_xlsx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(clean_xlsx)]) == 0
    assert "执行项目 2 个" in capsys.readouterr().out
    assert main(["validate", str(clean_xlsx)]) == 0
    assert "校验通过" in capsys.readouterr().out
    assert main(["rules"]) == 0
    assert "SC001" in capsys.readouterr().out


def test_console_script_is_installed(clean_xlsx: Path) -> None:
    exe = shutil.which("evalkit", path=str(Path(sys.executable).parent))
    assert exe, "the evalkit console script is not installed next to this Python"
    proc = subprocess.run(
        [exe, "validate", str(clean_xlsx)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_console_script_check_output_is_complete_after_its_quick_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The console script leaves ``check`` with ``os._exit``: stdout (larger than a pipe's
    buffer), stderr, the output file and the exit code must all be there."""
    exe = shutil.which("evalkit", path=str(Path(sys.executable).parent))
    assert exe
    seed = str(Path(__file__).resolve().parent.parent / "data" / "ningxian-gxj-2024.xlsx")
    assert main(["check", seed, "--format", "json"]) == 0
    expected = capsys.readouterr().out
    assert len(expected.encode()) > 1 << 16
    proc = subprocess.run(
        [exe, "check", seed, "--format", "json"], capture_output=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.decode() == expected
    out = tmp_path / "f.json"
    proc = subprocess.run(
        [exe, "check", seed, "--format", "json", "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and out.read_text(encoding="utf-8") == expected.rstrip("\n")
    assert f"已写入 {out}" in proc.stderr
    proc = subprocess.run(
        [exe, "check", str(tmp_path / "missing.xlsx")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "文件不存在" in proc.stderr


@pytest.mark.parametrize(
    ("argv", "warm"),
    [
        (["run", "params/ningxian-gxj-2024.yaml"], True),
        (["run", "params/ningxian-gxj-2024.yaml", "--fresh-kernels"], False),
        (["batch", "params"], True),
        (["batch", "params", "--fresh-kernels"], False),
    ],
)
def test_fresh_kernels_option_reaches_the_runner(
    argv: list[str], warm: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from evalkit import batch, runner

    seen: list[bool] = []

    class Stopped(Exception):
        pass

    def fake(*args: object, warm_kernel: bool, **kwargs: object) -> None:
        seen.append(warm_kernel)
        raise Stopped

    monkeypatch.setattr(runner, "run_department", fake)
    monkeypatch.setattr(batch, "run_batch", fake)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    with pytest.raises(Stopped):
        main(argv)
    assert seen == [warm]


@pytest.mark.parametrize(
    ("argv", "budget"),
    [(["batch", "params"], None), (["batch", "params", "--pdf-memory", "800"], 800.0)],
)
def test_pdf_memory_option_reaches_the_batch(
    argv: list[str], budget: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evalkit import batch

    seen: list[float | None] = []

    class Stopped(Exception):
        pass

    def fake(*args: object, pdf_memory_mb: float | None, **kwargs: object) -> None:
        seen.append(pdf_memory_mb)
        raise Stopped

    monkeypatch.setattr(batch, "run_batch", fake)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    with pytest.raises(Stopped):
        main(argv)
    assert seen == [budget]


def test_non_positive_pdf_memory_is_invalid_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "params", "--pdf-memory", "0"]) == 2
    assert "--pdf-memory" in capsys.readouterr().err


def test_check_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_workbook(tmp_path / "bad.xlsx", inject(FAULTS[0]))
    outputs = []
    for n in ("1", "2", "3"):
        assert main(["check", str(bad), "--format", "json", "--jobs", n]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2] and "SC001" in outputs[0]
    assert main(["check", str(bad), "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err
