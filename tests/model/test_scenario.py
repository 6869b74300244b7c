"""Scenario files: the shipped ones validate; bad ones get one clear message and exit code 2."""

import json
import shutil

import pytest

from sim.core.errors import InputError
from sim.model.scenario import load_scenario
from tests.conftest import SCENARIOS, run_cli

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    result = run_cli("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_the_required_scenarios_ship():
    assert {"sahel_2024.yaml", "joint_patrols_2010.yaml", "no_wagner_2024.yaml", "no_pursuit_2024.yaml"} <= {
        p.name for p in SHIPPED
    }


def test_a_counterfactual_extends_its_factual_scenario():
    factual = load_scenario(SCENARIOS / "sahel_2024.yaml").scenario
    counterfactual = load_scenario(SCENARIOS / "no_pursuit_2024.yaml").scenario
    assert counterfactual.start == factual.start and counterfactual.relations == factual.relations
    assert counterfactual.parameters["pursuit_base"] == -12.0
    assert not any(s.kind == "cross_border_incident" for s in counterfactual.shocks)
    assert (
        load_scenario(SCENARIOS / "no_pursuit_2024.yaml").sha256 != load_scenario(SCENARIOS / "sahel_2024.yaml").sha256
    )


GOOD = (
    (SCENARIOS / "joint_patrols_2010.yaml").read_text().replace("../calibration/", f"{SCENARIOS.parent}/calibration/")
)

BAD = {
    "unknown actor": (
        GOOD.replace("actors: [mali, mauritania,", "actors: [mali, mauritanie,"),
        "actors",
        "unknown actor 'mauritanie'",
    ),
    "unknown shock kind": (
        GOOD.replace("kind: release_detainees", "kind: prisoner_swap"),
        "shocks.0.kind",
        "unknown shock kind 'prisoner_swap'",
    ),
    "end before start": (GOOD.replace("end: 2011-06-30", "end: 2009-06-30"), "end", "must come after start"),
    "typo'd field": (GOOD.replace("replicates: 40", "replicats: 40"), "replicats", "unknown field"),
    "wrong type": (GOOD.replace("seed: 2010", "seed: twenty"), "seed", "'twenty'"),
    "out of range parameter": (
        GOOD.replace("parameters: {}", "parameters: {tension_scale: 500}"),
        "parameters",
        "outside its range",
    ),
    "unknown parameter": (
        GOOD.replace("parameters: {}", "parameters: {tension_scael: 5}"),
        "parameters",
        "unknown parameter",
    ),
    "malformed YAML": (GOOD.replace("actors: [mali,", "actors: [mali,,: ]["), None, "malformed YAML"),
    # what validate passed and run then crashed on
    "infinite magnitude": (GOOD.replace("magnitude: 7", "magnitude: .inf"), "shocks.2.magnitude", "finite number"),
    "huge magnitude": (GOOD.replace("magnitude: 7", "magnitude: 1e308"), "shocks.2.magnitude", "or equal to 1000000"),
    "end beyond pandas' dates": (
        GOOD.replace("end: 2011-06-30", "end: 9999-12-31"),
        "end",
        "expected a date from 1960-01-01 to 2100-12-31",
    ),
    "documented events missing": (
        GOOD.replace(f"{SCENARIOS.parent}/calibration/events.csv", "nowhere.csv"),
        "documented_events",
        "which does not exist",
    ),
    "documented events a folder": (
        GOOD.replace(f"{SCENARIOS.parent}/calibration/events.csv", f"{SCENARIOS.parent}/calibration"),
        "documented_events",
        "which is a folder",
    ),
    "name not a file name": (GOOD.replace("name: joint_patrols_2010", "name: '..'"), "name", "cannot name the results"),
}


@pytest.mark.parametrize("case", sorted(BAD), ids=str)
def test_bad_scenarios_get_one_clear_message_and_exit_2(tmp_path, case):
    text, field, expected = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    out = tmp_path / "results"
    for command in (["validate", str(path)], ["run", str(path), "--out", str(out)]):
        result = run_cli(*command)
        assert result.returncode == 2, (case, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        message = " ".join(result.stderr.split())
        assert str(path) in message and expected in message, message
        if field is not None:
            assert f"field '{field}" in message, message
        assert "line " in message, message
    assert not out.exists()


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "-x", "a/b", "a\\b", "", "x" * 101, "caf\u00e9", "a b"])
def test_a_name_that_cannot_name_a_results_folder_is_refused(tmp_path, name):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("name: joint_patrols_2010", f"name: {json.dumps(name)}"))
    with pytest.raises(InputError, match="cannot name the results folder") as error:
        load_scenario(path)
    assert error.value.field == "name"


@pytest.mark.parametrize("name", ["joint_patrols_2010", "v1.2-test", "_draft", "x" * 100])
def test_a_file_name_is_a_name(tmp_path, name):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD.replace("name: joint_patrols_2010", f"name: {json.dumps(name)}"))
    assert load_scenario(path).scenario.name == name


def test_run_refuses_a_dotted_name_before_writing_anything(tmp_path):
    """Once, ``name: '..'`` made run replace results/.. and leave an empty folder beside the project."""
    project = tmp_path / "project"
    project.mkdir()
    path = project / "dots.yaml"
    path.write_text(GOOD.replace("name: joint_patrols_2010", "name: '..'"))
    result = run_cli("run", str(path), cwd=project)
    assert result.returncode == 2 and "cannot name the results folder" in result.stderr, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["project"]
    assert [p.name for p in project.iterdir()] == ["dots.yaml"]


@pytest.mark.parametrize(
    "written",
    ["[mali-mauritania, 'Mauritania:JNIM_AQIM', mali \u2013 jnim_aqim, algeria/mali]", "['mali : mauritania']"],
)
def test_key_pairs_and_relations_may_be_written_as_users_type_pairs(tmp_path, written):
    lists = load_scenario(write(tmp_path, GOOD)).scenario
    text = GOOD.replace("{pair: [mali, mauritania],", "{pair: Mali-Mauritania,")
    text = text[: text.index("key_pairs:")] + f"key_pairs: {written}\n"
    typed = load_scenario(write(tmp_path, text)).scenario
    assert typed.relations == lists.relations
    assert [set(pair) for pair in typed.key_pairs] == [set(pair) for pair in lists.key_pairs][: len(typed.key_pairs)]


@pytest.mark.parametrize(
    ("key_pairs", "expected"),
    [
        ("[mali-mauritanie]", "field 'key_pairs.0'.*unknown actor 'mauritanie'; did you mean 'mauritania'?"),
        ("[mali-russia]", "field 'key_pairs.0'.*unknown actor 'russia'"),  # not taking part
        ("[mali]", "'mali' is not a pair of actors"),
        ("[[mali, mali]]", "a key pair needs two different actors"),
        ("[mali-mauritania, [mauritania, mali]]", "is given twice"),
    ],
)
def test_a_bad_key_pair_is_refused(tmp_path, key_pairs, expected):
    text = GOOD[: GOOD.index("key_pairs:")] + f"key_pairs: {key_pairs}\n"
    with pytest.raises(InputError, match=expected):
        load_scenario(write(tmp_path, text))


@pytest.mark.parametrize(
    ("before", "after", "field", "expected"),
    [
        ("source: mali\n    target: jnim_aqim", "source: mail\n    target: jnim_aqim", "shocks.0.source", "'mali'"),
        ("kind: release_detainees", "kind: release_detainee", "shocks.0.kind", "'release_detainees'"),
        ("parameters: {}", "parameters: {pledge_losess: 1}", "parameters", "'pledge_losses'"),
        ("actors: [mali, mauritania,", "actors: [mali, mauritanie,", "actors", "'mauritania'"),
    ],
)
def test_an_unknown_name_is_refused_with_the_nearest_one(tmp_path, before, after, field, expected):
    with pytest.raises(InputError, match=f"; did you mean {expected}\\?") as error:
        load_scenario(write(tmp_path, GOOD.replace(before, after)))
    assert error.value.field == field


def write(folder, text: str):
    path = folder / "scenario.yaml"
    path.write_text(text)
    return path


def test_the_line_of_the_bad_field_is_named(tmp_path):
    text, _, _ = BAD["unknown shock kind"]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "prisoner_swap" in row)
    result = run_cli("validate", str(path))
    assert f"line {line}," in " ".join(result.stderr.split())


def test_a_missing_file_is_named(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    result = run_cli("run", str(missing), "--out", str(tmp_path / "results"))
    assert result.returncode == 2
    assert "file not found" in result.stderr and "nowhere.yaml" in " ".join(result.stderr.split())
    assert not (tmp_path / "results").exists()


def test_yaml_is_read_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text(GOOD.replace("name: joint_patrols_2010", "name: !!python/object/apply:os.system ['echo pwned']"))
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "malformed YAML" in result.stderr


def test_an_extended_scenarios_documented_events_are_found_from_anywhere(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SCENARIOS / 'sahel_2024.yaml'}\nname: child\n")
    loaded = load_scenario(child)
    assert loaded.documented_events_path == (SCENARIOS.parent / "calibration" / "events.csv").resolve()


def test_a_missing_parameter_set_is_named(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(GOOD.replace(f"{SCENARIOS.parent}/calibration/fitted/sahel.yaml", "fitted/nothing.yaml"))
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert str(path) in message and "field 'parameter_set'" in message and "does not exist" in message


def test_a_scenarios_hash_does_not_depend_on_where_the_repository_is(tmp_path):
    """The same files in two clones hash equal, so ``batch --resume`` survives a moved folder."""
    hashes = []
    for clone in ("one", "elsewhere/two"):
        for folder in ("scenarios", "calibration"):
            shutil.copytree(SCENARIOS.parent / folder, tmp_path / clone / folder)
        factual = load_scenario(tmp_path / clone / "scenarios" / "sahel_2024.yaml")
        counterfactual = load_scenario(tmp_path / clone / "scenarios" / "no_pursuit_2024.yaml")
        assert factual.parameter_set_path == tmp_path / clone / "calibration" / "fitted" / "sahel.yaml"
        assert counterfactual.documented_events_path == tmp_path / clone / "calibration" / "events.csv"
        assert counterfactual.parameter_set_path == factual.parameter_set_path
        hashes.append((factual.sha256, counterfactual.sha256))
    assert hashes[0] == hashes[1]
    assert hashes[0][0] == load_scenario(SCENARIOS / "sahel_2024.yaml").sha256
