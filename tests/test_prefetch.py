"""Loading a workbook in forked processes: the same department or the same error as
``load_workbook``, whatever the workbook and whatever happens to the children."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import assert_same_records

from evalkit import prefetch
from evalkit.errors import WorkbookError
from evalkit.forking import Claims, Forked
from evalkit.model import Department
from evalkit.prefetch import PendingWorkbook, prefetch_workbook
from evalkit.records import write_workbook
from evalkit.synth import synth_department
from evalkit.testing import clean_records
from evalkit.workbook import Limits, Share, join_shares, load_workbook, share_parts
from evalkit.xlsxread import iter_values

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data").glob("*.xlsx"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


def assert_same_department(a: Department, b: Department) -> None:
    """Same identity, fields, DataFrames (dtypes included) and rows (types included)."""
    assert (a.path, a.sha256) == (b.path, b.sha256)
    assert (repr(a.info), a.info_text, a.info_rows) == (repr(b.info), b.info_text, b.info_rows)
    assert list(a.tables) == list(b.tables)
    for key in b.tables:
        assert_same_records(a.records(key), b.records(key))
        pd.testing.assert_frame_equal(a.tables[key], b.tables[key], check_exact=True)


@pytest.fixture(scope="module")
def synth_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = synth_department(seed=4, n_projects=30, fault_rate=0.0)
    return write_workbook(tmp_path_factory.mktemp("synth") / "synth.xlsx", records)


# ---------------------------------------------------------------------------------------
# shares of the worksheets
# ---------------------------------------------------------------------------------------
def read_share(path: Path, claims: Claims) -> Share | None:
    """The parts of :func:`share_parts` as one share (None when any is None)."""
    records = {}
    last: Share | None = None
    for last in share_parts(path, claims):
        if last is None:
            return None
        records.update(last.records)
    return None if last is None else Share(last.titles, last.fields, records)


def _titles_read(path: Path, claims: Claims) -> list[str]:
    return [s.title for s in iter_values(path, max_rows=20_000, max_columns=80, claims=claims)]


def _read_together(func: Any, path: Path, k: int, *args: Any) -> list[Any]:
    """``func(path, claims, *args)`` in ``k`` forked processes sharing one Claims."""
    claims = Claims()
    children = [Forked(func, path, claims, *args) for _ in range(k)]
    claims.close()
    return [child.result() for child in children]


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_processes_with_one_claims_read_every_worksheet_once(synth_path: Path, k: int) -> None:
    whole = [s.title for s in iter_values(synth_path, max_rows=20_000, max_columns=80)]
    parts = _read_together(_titles_read, synth_path, k)
    assert sorted(t for part in parts for t in part) == sorted(whole)


def test_worksheets_are_claimed_largest_first(synth_path: Path) -> None:
    import zipfile

    claimed = list(iter_values(synth_path, max_rows=20_000, max_columns=80, claims=Claims()))
    whole = {s.title: s for s in iter_values(synth_path, max_rows=20_000, max_columns=80)}
    assert all(whole[s.title] == s for s in claimed) and len(claimed) == len(whole)
    with zipfile.ZipFile(synth_path) as archive:  # sheetN.xml is the Nth worksheet
        sizes = {
            title: archive.getinfo(f"xl/worksheets/sheet{i}.xml").file_size
            for i, title in enumerate(whole, start=1)
        }
    assert [sizes[s.title] for s in claimed] == sorted(sizes.values(), reverse=True)


def test_no_number_left_to_claim_is_unsupported(
    synth_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evalkit.xlsxread import Unsupported

    monkeypatch.setattr(Claims, "LIMIT", 3)  # fewer numbers than worksheets
    with pytest.raises(Unsupported, match="claim"):
        list(iter_values(synth_path, max_rows=20_000, max_columns=80, claims=Claims()))
    assert read_share(synth_path, Claims()) is None


def test_the_parts_of_a_share_are_its_tables_then_its_titles(synth_path: Path) -> None:
    parts = list(share_parts(synth_path, Claims()))
    assert all(p is not None for p in parts)
    *tables, last = parts
    assert all(p.titles == () and p.fields is None and len(p.records) == 1 for p in tables)
    assert last.records == {} and last.fields is not None
    whole = read_share(synth_path, Claims())
    assert whole is not None and whole.titles == last.titles
    assert whole.records == {k: v for p in tables for k, v in p.records.items()}


@pytest.mark.parametrize("k", [1, 2, 3])
def test_joined_shares_are_the_loaded_department(synth_path: Path, k: int) -> None:
    shares = _read_together(read_share, synth_path, k)  # pickled across the pipe
    assert all(s is not None for s in shares)
    dept = join_shares(shares, path=synth_path)
    assert dept is not None
    assert_same_department(dept, load_workbook(synth_path))


def test_the_parts_joined_as_they_come_are_the_loaded_department(synth_path: Path) -> None:
    parts = [p for ps in _read_together(_parts, synth_path, 2) for p in ps]
    whole = [s.title for s in iter_values(synth_path, max_rows=20_000, max_columns=80)]
    assert sorted(t for p in parts for t in p.titles) == sorted(whole)
    dept = join_shares(parts, path=synth_path)
    assert dept is not None
    assert_same_department(dept, load_workbook(synth_path))


def _parts(path: Path, claims: Claims) -> list[Share | None]:
    return list(share_parts(path, claims))


def test_a_share_with_a_problem_is_none(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][0]["全年执行数"] = "abc"
    path = write_workbook(tmp_path / "bad.xlsx", records)
    assert None in _read_together(read_share, path, 2)
    parts = list(share_parts(path, Claims()))
    assert parts[-1] is None and None not in parts[:-1]  # nothing after the None


def test_a_cross_sheet_problem_makes_the_join_none(tmp_path: Path) -> None:
    records = clean_records()
    records["自评指标"][0]["对象"] = "不存在的项目"  # only the join sees all subjects
    path = write_workbook(tmp_path / "bad.xlsx", records)
    shares = _read_together(read_share, path, 3)
    assert all(s is not None for s in shares)
    assert join_shares(shares, path=path) is None


def test_a_missing_share_makes_the_join_none(synth_path: Path) -> None:
    whole = read_share(synth_path, Claims())
    assert whole is not None and join_shares([whole], path=synth_path) is not None
    records = dict(whole.records)
    del records["projects"]  # as if the process that read 项目清单 sent nothing
    titles = tuple(t for t in whole.titles if t != "项目清单")
    partial = Share(titles, whole.fields, records)
    assert join_shares([partial], path=synth_path) is None  # a required sheet is missing


def test_a_title_in_two_shares_makes_the_join_none(synth_path: Path) -> None:
    share = read_share(synth_path, Claims())
    assert share is not None
    assert join_shares([share, share], path=synth_path) is None


# ---------------------------------------------------------------------------------------
# the pending workbook
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
@pytest.mark.parametrize("processes", [0, 1, 2, 4])
def test_the_result_is_the_loaded_department(path: Path, processes: int) -> None:
    with prefetch_workbook(path, processes=processes) as pending:
        dept = pending.result()
    assert_same_department(dept, load_workbook(path))


def test_children_do_the_reading(synth_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent joins the shares the children read; it loads nothing itself."""

    def no_load(*args: Any, **kwargs: Any) -> Department:
        raise AssertionError("the parent loaded the workbook")

    monkeypatch.setattr(prefetch, "load_workbook", no_load)
    with prefetch_workbook(synth_path, processes=2) as pending:
        assert len(pending._children) == 2
        dept = pending.result()
    assert dept.id == "synth-001" and len(dept.records("projects")) == 30


def test_a_bad_workbook_raises_what_load_workbook_raises(tmp_path: Path) -> None:
    records = clean_records()
    records["项目清单"][1]["全年执行数"] = "abc"
    records["目标表指标"][0]["指标值"] = "≥"
    records["自评指标"][3]["对象"] = "不存在的项目"
    path = write_workbook(tmp_path / "bad.xlsx", records)
    with pytest.raises(WorkbookError) as expected:
        load_workbook(path)
    with prefetch_workbook(path, processes=2) as pending, pytest.raises(WorkbookError) as got:
        pending.result()
    assert list(got.value.problems) == list(expected.value.problems)
    assert str(got.value) == str(expected.value)


def test_a_file_level_problem_raises_what_load_workbook_raises(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(WorkbookError) as expected:
        load_workbook(path)
    with prefetch_workbook(path, processes=2) as pending, pytest.raises(WorkbookError) as got:
        pending.result()
    assert list(got.value.problems) == list(expected.value.problems)


def test_the_row_bound_is_the_loaders(synth_path: Path) -> None:
    limits = Limits(max_rows=50)
    with pytest.raises(WorkbookError) as expected:
        load_workbook(synth_path, limits=limits)
    with (
        prefetch_workbook(synth_path, limits=limits) as pending,
        pytest.raises(WorkbookError) as got,
    ):
        pending.result()
    assert list(got.value.problems) == list(expected.value.problems)


def test_a_killed_child_means_a_reload(synth_path: Path) -> None:
    pending = PendingWorkbook(synth_path, processes=2)
    pid = pending._children[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    dept = pending.result()
    assert_same_department(dept, load_workbook(synth_path))
    assert pending._children == []


def test_a_child_that_fails_means_a_reload(
    synth_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(prefetch, "share_parts", broken)  # the children inherit it
    with prefetch_workbook(synth_path, processes=2) as pending:
        dept = pending.result()
    assert_same_department(dept, load_workbook(synth_path))


def test_a_child_that_fails_after_sending_parts_means_a_reload(
    synth_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = prefetch.share_parts

    def half(*args: Any, **kwargs: Any) -> Iterator[Share | None]:
        parts = real(*args, **kwargs)
        yield next(parts)  # a table the parent receives
        raise RuntimeError("boom")

    monkeypatch.setattr(prefetch, "share_parts", half)
    with prefetch_workbook(synth_path, processes=2) as pending:
        dept = pending.result()
    assert_same_department(dept, load_workbook(synth_path))


def test_close_kills_and_reaps_the_children(synth_path: Path) -> None:
    with prefetch_workbook(synth_path, processes=3) as pending:
        pids = [child.pid for child in pending._children]
        assert len(pids) == 3
    assert pending._children == []
    for pid in pids:  # reaped: no such child any more
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_no_processes_reads_in_this_process(synth_path: Path) -> None:
    pending = prefetch_workbook(synth_path, processes=0)
    assert pending._children == []
    assert pending.result().id == "synth-001"


def test_without_fork_the_workbook_is_read_here(
    synth_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "fork")
    with prefetch_workbook(synth_path) as pending:
        assert pending._children == []
        assert pending.result().id == "synth-001"


def test_default_processes_are_two_to_four_and_none_on_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cores, expected in ((None, 0), (1, 0), (2, 2), (3, 3), (16, 4)):
        monkeypatch.setattr(os, "cpu_count", lambda c=cores: c)
        assert prefetch.default_processes() == expected


def test_the_check_command_imports_no_pandas(tmp_path: Path) -> None:
    """``evalkit check`` (json, table and csv) reads, checks and prints without pandas."""
    records = clean_records()
    records["自评指标"][0]["得分"] = 99  # a finding to print
    path = write_workbook(tmp_path / "d.xlsx", records)
    for fmt in ("json", "table", "csv"):
        code = (
            "import sys\n"
            "from evalkit.cli import main\n"
            f"rc = main(['check', {str(path)!r}, '--format', {fmt!r}, "
            f"'--output', {str(tmp_path / ('out.' + fmt))!r}])\n"
            "print(rc, sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        assert out.strip().splitlines()[-1] == "0 []", out
    assert "评估发现" in (tmp_path / "out.table").read_text(encoding="utf-8")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("rule_id,family,")
