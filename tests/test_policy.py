"""Policy files: shipped default, overrides merged, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import PolicyError
from evalkit.policy import load_policy


def test_default_policy_has_version_and_the_rules_numbers() -> None:
    p = load_policy()
    assert p.version
    assert p.get("scoring.qualitative_band_factor") == 0.9
    assert p.get("scoring.default_weights") == {
        "预算执行率": 10,
        "产出指标": 50,
        "效益指标": 30,
        "满意度指标": 10,
    }
    assert p.get("scoring.tolerance") == 0.05
    assert [g["min"] for g in p.get("scoring.grades")] == [90, 80, 60, 0]
    assert p.clause("scoring").startswith("财政部")


def test_custom_policy_merges_over_default(tmp_path: Path) -> None:
    path = tmp_path / "gansu.yaml"
    path.write_text(
        'version: "gansu-2024"\nscoring:\n  qualitative_band_factor: 1.0\n', encoding="utf-8"
    )
    p = load_policy(path)
    assert p.version == "gansu-2024" and p.get("scoring.qualitative_band_factor") == 1.0
    assert p.get("scoring.tolerance") == 0.05  # inherited


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("scoring: {}\n", "缺少 version"),
        ("- a\n- b\n", "顶层应为映射"),
        ("a: [", "不是有效的 YAML"),
    ],
)
def test_bad_policy_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_policy_is_loaded_with_a_safe_loader(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        'version: "x"\nevil: !!python/object/apply:os.system ["echo pwned"]\n', encoding="utf-8"
    )
    with pytest.raises(PolicyError):
        load_policy(path)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="无法读取"):
        load_policy(tmp_path / "nope.yaml")


def test_the_shipped_policy_reads_the_same_with_the_pure_python_loader() -> None:
    """libyaml (when installed) only reads faster: the same mapping, values and types."""
    import yaml

    from evalkit import policy

    text = (Path(policy.__file__).parent / "policy" / "default.yaml").read_text(encoding="utf-8")
    fast = yaml.load(text, Loader=policy._SAFE_LOADER)
    pure = yaml.load(text, Loader=yaml.SafeLoader)

    def typed(value: object) -> object:
        if isinstance(value, dict):
            return {k: typed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [typed(v) for v in value]
        return (type(value).__name__, value)

    assert typed(fast) == typed(pure)
