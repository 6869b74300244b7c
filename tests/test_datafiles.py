"""Strict YAML reading: impossible dates and keys given twice are clear input errors."""

from __future__ import annotations

import pytest

from sim.core.datafiles import read_yaml
from sim.core.errors import InputError
from tests.conftest import SCENARIOS, run_cli


def _scenario_with(tmp_path, old: str, new: str):
    """The shipped 2024 scenario with one edit, beside a copy of the files it names."""
    text = (SCENARIOS / "sahel_2024.yaml").read_text(encoding="utf-8")
    assert old in text
    root = SCENARIOS.parent
    text = text.replace("../calibration", str(root / "calibration")).replace(old, new, 1)
    path = tmp_path / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text[: text.index(new)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("start: 2024-01-01", "start: 2024-02-30", "start"),
        (
            "  - date: 2024-04-01\n    kind: cross_border_incident",
            "  - date: 2024-13-25\n    kind: cross_border_incident",
            "shocks.3.date",
        ),
    ],
)
def test_an_impossible_date_is_named_with_its_line_and_field(tmp_path, old, new, field):
    path, line = _scenario_with(tmp_path, old, new)
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}, line {line}, field '{field}'" in result.stderr
    assert "not a real date" in result.stderr


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    path, line = _scenario_with(tmp_path, "replicates: 40\n", "replicates: 40\nseed: 7\n")
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"line {line + 1}, field 'seed'" in result.stderr
    assert "'seed' is given twice" in result.stderr


def test_nested_duplicates_are_found_and_real_dates_still_read(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("a:\n  when: 2024-02-29\n  b: 1\n  b: 2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert (caught.value.line, caught.value.field) == (4, "a.b")
    path.write_text("a:\n  when: 2024-02-29\n  b: 1\n", encoding="utf-8")
    data, _ = read_yaml(path)
    assert str(data["a"]["when"]) == "2024-02-29"
