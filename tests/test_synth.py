"""The synthetic county generator: reproducible, loadable, clean when asked, faulty when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evalkit.check import check
from evalkit.params import load_params
from evalkit.records import department_from_records
from evalkit.rules.scoring import rescore_funds, rescore_indicators, rescore_totals
from evalkit.schema import DEPARTMENT
from evalkit.synth import SECTORS, synth_county, synth_department, synth_faults
from evalkit.workbook import load_workbook


def test_same_seed_gives_identical_records() -> None:
    a = synth_department(seed=7, n_projects=15, dept_index=2, fault_rate=0.3)
    b = synth_department(seed=7, n_projects=15, dept_index=2, fault_rate=0.3)
    assert a == b
    assert synth_faults(seed=7, n_projects=15, dept_index=2, fault_rate=0.3) == synth_faults(
        seed=7, n_projects=15, dept_index=2, fault_rate=0.3
    )
    assert synth_department(seed=8, n_projects=15, dept_index=2, fault_rate=0.3) != a


def test_generation_leaves_global_random_state_alone() -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    synth_department(seed=1, n_projects=5)
    assert random.random() == expected


@pytest.mark.parametrize("n", [0, 1, 5, 60])
def test_department_shape(n: int) -> None:
    records = synth_department(seed=n, n_projects=n, dept_index=3)
    info = records["部门信息"]
    assert info["部门编码"] == "synth-004"
    names = [p["项目名称"] for p in records["项目清单"]]
    assert len(names) == n == len(set(names))
    subjects = {DEPARTMENT, *names}
    for sheet in ("目标表指标", "监控指标", "自评指标", "自评表"):
        assert {r["对象"] for r in records[sheet]} <= subjects
    counts: dict[str, int] = {}
    for row in records["目标表指标"]:
        counts[row["对象"]] = counts.get(row["对象"], 0) + 1
    assert all(6 <= c <= 12 for c in counts.values()), counts


def test_projects_include_midyear_and_continuing() -> None:
    projects = synth_department(seed=11, n_projects=60, fault_rate=0)["项目清单"]
    assert any(p["是否年初预算"] == "否" and p["年初预算数"] == 0 for p in projects)
    assert any(p["新增或延续"] == "延续" for p in projects)
    assert any(p["新增或延续"] == "新增" for p in projects)


@pytest.mark.parametrize("dept_index", range(len(SECTORS)))
def test_clean_department_has_no_error_and_rescores_exactly(dept_index: int) -> None:
    dept = department_from_records(
        synth_department(seed=100 + dept_index, n_projects=12, dept_index=dept_index, fault_rate=0)
    )
    found = check(dept)
    assert found[found["severity"] == "error"].empty, found[["rule_id", "message"]].to_string()
    indicators = rescore_indicators(dept)
    assert set(indicators["status"]) == {"一致"}
    funds = rescore_funds(dept)
    assert set(funds["status"]) == {"一致"}
    totals = rescore_totals(dept, indicators=indicators, funds=funds)
    assert (totals["total_difference"].abs() <= 0.05).all()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_injected_faults_are_found(seed: int) -> None:
    kwargs = {"seed": seed, "n_projects": 25, "dept_index": seed, "fault_rate": 0.4}
    faults = synth_faults(**kwargs)
    assert faults, "a 40% fault rate on 25 projects injects faults"
    found = check(department_from_records(synth_department(**kwargs)))
    assert not found[found["severity"] == "error"].empty
    pairs = set(zip(found["rule_id"], found["subject"], strict=True))
    missed = [f for f in faults if (f.rule_id, f.subject) not in pairs]
    assert not missed, missed


def test_fault_rate_controls_the_share_of_faulty_subjects() -> None:
    few = synth_faults(seed=5, n_projects=60, fault_rate=0.05)
    many = synth_faults(seed=5, n_projects=60, fault_rate=0.5)
    assert len(few) < len(many)
    assert synth_faults(seed=5, n_projects=60, fault_rate=0) == []


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        synth_department(seed=1, n_projects=-1)
    with pytest.raises(ValueError):
        synth_department(seed=1, n_projects=3, fault_rate=1.5)


def test_county_writes_loadable_workbooks_and_params(tmp_path: Path) -> None:
    paths = synth_county(tmp_path, n=3, seed=4, min_projects=2, max_projects=6)
    assert [p.name for p in paths] == ["synth-001.yaml", "synth-002.yaml", "synth-003.yaml"]
    for path in paths:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(raw) == {"workbook", "dept_id", "year", "policy"}
        assert raw["policy"] is None and Path(raw["workbook"]).is_absolute()
        params = load_params(path)
        assert params.workbook.parent == tmp_path / "data"
        dept = load_workbook(params.workbook)  # raises WorkbookError on any problem
        assert dept.id == params.dept_id and dept.year == params.year == 2024
        assert 2 <= len(dept.projects) <= 6
    manifest = yaml.safe_load((tmp_path / "faults.yaml").read_text(encoding="utf-8"))
    assert [m["dept_id"] for m in manifest] == ["synth-001", "synth-002", "synth-003"]


def test_county_is_reproducible(tmp_path: Path) -> None:
    a = synth_county(tmp_path / "a", n=2, seed=9, min_projects=1, max_projects=4)
    b = synth_county(tmp_path / "b", n=2, seed=9, min_projects=1, max_projects=4)
    for pa, pb in zip(a, b, strict=True):
        da = load_workbook(load_params(pa).workbook)
        db = load_workbook(load_params(pb).workbook)
        assert da.info == db.info
        for key, df in da.tables.items():
            cols = [c for c in df.columns if not c.endswith("_parsed")]
            assert df[cols].equals(db.tables[key][cols]), key
