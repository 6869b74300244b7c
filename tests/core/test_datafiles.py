"""Strict YAML reading.

Impossible dates, keys given twice, hostile documents and unreadable files are clear input errors.
"""

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


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
)

HOSTILE = {
    "ten thousand nested lists": ("[" * 10_000 + "]" * 10_000, 1, "nests deeper than"),
    "ten thousand nested mappings": ("a: " + "{a: " * 10_000 + "1" + "}" * 10_000, 1, "nests deeper than"),
    "an alias bomb": (BOMB, None, "expands (through its aliases)"),
    "an alias bomb with a key given twice": (BOMB + "a: 1\n", None, "expands (through its aliases)"),
    "an alias bomb with a bad date": (BOMB + "z: 2024-02-30\n", None, "expands (through its aliases)"),
    "a list holding itself": ("a: &x [1, *x]\n", 1, "contains itself through an alias"),
    "a mapping holding itself": ("a: &x {b: *x}\n", 1, "contains itself through an alias"),
    "a cycle through two lists": ("a: &x [1, &y [2, *x]]\nb: *y\n", 1, "contains itself through an alias"),
    "!!int on a word": ("seed: !!int x\n", 1, "'x' cannot be read as int"),
    "!!float on a word": ("seed: !!float abc\n", 1, "'abc' cannot be read as float"),
    "!!bool on a word": ("seed: !!bool maybe\n", 1, "'maybe' cannot be read as bool"),
    "!!timestamp on a word": ("start: !!timestamp yesterday\n", 1, "'yesterday' cannot be read as timestamp"),
    "a list as a key": ("? [a, b]\n: 1\n", 1, "a key is a list or a mapping"),
    "a mapping as a key": ("? {a: 1}\n: 1\n", 1, "a key is a list or a mapping"),
    "a python tag": ("a: !!python/object:os.system ls\n", 1, "malformed YAML"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_document_is_one_input_error_with_its_line(tmp_path, case):
    text, line, problem = HOSTILE[case]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_yaml(path)
    assert problem in str(error.value) and str(path) in str(error.value)
    if line is not None:
        assert f"line {line}" in str(error.value)


def test_a_shared_alias_within_the_bounds_reads_as_usual(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    assert read_yaml(path)[0] == {"a": [1, 2], "b": [1, 2]}


def test_a_file_too_big_is_refused_before_it_is_parsed(tmp_path):
    from sim.core.datafiles import MAX_BYTES

    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (MAX_BYTES + 1) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="is larger than"):
        read_yaml(path)


@pytest.mark.parametrize("kind", ["symlink loop", "name too long"])
def test_a_file_that_cannot_be_opened_is_named_with_the_reason(tmp_path, kind):
    path = tmp_path / ("x" * 300 + ".yaml" if kind == "name too long" else "a.yaml")
    if kind == "symlink loop":
        path.symlink_to(path)
    with pytest.raises(InputError, match="cannot be read"):
        read_yaml(path)


@pytest.mark.parametrize("chain", [("a", "a"), ("a", "b", "a"), ("a", "b", "c", "b")])
def test_a_chain_of_extends_that_comes_back_is_refused(tmp_path, chain):
    for name, parent in zip(chain, chain[1:], strict=False):  # each name with the next: one pair fewer
        (tmp_path / f"{name}.yaml").write_text(f"extends: {parent}.yaml\nname: {name}\n", encoding="utf-8")
    result = run_cli("validate", str(tmp_path / "a.yaml"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "comes back to a file already in the chain" in result.stderr and "field 'extends'" in result.stderr
