"""Results folders replace only an earlier result of their command, and a full disk is one paragraph."""

from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import DiskFull, InputError
from sim.core.io import disk_full_guard, earlier_result, results_folder

KIND = "sahelsim run"


def result(folder: Path, kind: str = KIND, extra: tuple[str, ...] = ()) -> dict:
    """A folder as a command leaves it: a manifest of ``kind`` and the files it lists (and ``extra`` ones)."""
    folder.mkdir()
    manifest = {"kind": kind, "scenario": "s", "created_at": "2025-01-01T00:00:00+00:00", "files": ["a.parquet"]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name in ("a.parquet", *extra):
        (folder / name).write_text("earlier")
    return manifest


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_new_or_empty_folder_holds_no_earlier_result(tmp_path):
    assert earlier_result(tmp_path / "new", KIND) is None
    (tmp_path / "empty").mkdir()
    assert earlier_result(tmp_path / "empty", KIND) is None


def test_an_earlier_result_of_the_command_is_recognised(tmp_path):
    manifest = result(tmp_path / "r")
    assert earlier_result(tmp_path / "r", KIND) == manifest


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda out: out.write_text("x"), "exists and is not a folder"),
        (lambda out: result(out, kind="sahelsim batch"), "holds a 'sahelsim batch' result"),
        (lambda out: result(out, extra=("notes.md",)), "and also 1 entry (notes.md), which it did not write"),
        (lambda out: (out.mkdir(), (out / "manifest.json").write_text("[1]")), "holds 1 entry (manifest.json) and no"),
    ],
    ids=["a file", "another command's", "with a file of the user's", "a manifest that is not an object"],
)
def test_anything_else_is_refused_naming_what_it_holds(tmp_path, make, words):
    out = tmp_path / "out"
    make(out)
    with pytest.raises(InputError) as error:
        earlier_result(out, KIND)
    assert error.value.field == "--out" and error.value.path == str(out)
    assert words in error.value.message, error.value.message


def test_a_folder_of_lessons_is_listed_in_the_refusal(tmp_path):
    lessons = tmp_path / "teaching"
    lessons.mkdir()
    for name in ("README.md", "lesson_1.md", "lesson_2.ipynb", "lesson_3.md"):
        (lessons / name).write_text("lesson")
    with pytest.raises(InputError, match=r"holds 4 entries \(README.md, lesson_1.md, lesson_2.ipynb, \.\.\.\)"):
        earlier_result(lessons, KIND)


# names of files and folders a user may keep, manifest.json among them
NAMES = st.one_of(st.just("manifest.json"), st.text("abcdefghij._-", min_size=1, max_size=12)).filter(
    lambda name: name not in (".", "..")
)
MANIFESTS = st.one_of(
    st.binary(max_size=40),
    st.dictionaries(st.sampled_from(["kind", "files", "scenario"]), st.text(max_size=12), max_size=3)
    .filter(lambda data: data.get("kind") != KIND)
    .map(lambda data: json.dumps(data).encode()),
)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=6, unique=True), manifest=MANIFESTS, folders=st.booleans())
def test_overwrite_never_touches_a_folder_that_is_not_a_result(names, manifest, folders):
    """Whatever a folder holds, unless a manifest says it is a run result, --overwrite leaves it byte for byte."""
    with tempfile.TemporaryDirectory() as parent:
        out = Path(parent) / "out"
        out.mkdir()
        for name in names:
            if folders and name != "manifest.json":
                (out / name).mkdir()
                (out / name / "inside").write_bytes(b"kept")
            else:
                (out / name).write_bytes(manifest if name == "manifest.json" else b"kept")
        before = {path.relative_to(out): path.read_bytes() for path in out.rglob("*") if path.is_file()}
        with pytest.raises(InputError), results_folder(out, KIND, overwrite=True) as staging:
            (staging / "a.parquet").write_text("new")
        assert {path.relative_to(out): path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
        assert [path.name for path in Path(parent).iterdir()] == ["out"]  # no staging folder left


def test_an_earlier_result_is_replaced_only_with_overwrite(tmp_path):
    out = tmp_path / "r"
    result(out)
    refusal = "holds an earlier 'sahelsim run' result .* --overwrite to replace it"
    with pytest.raises(InputError, match=refusal), results_folder(out, KIND):
        pytest.fail("the refusal comes before the work")
    assert contents(out)["a.parquet"] == b"earlier"
    with results_folder(out, KIND, overwrite=True) as staging:
        (staging / "manifest.json").write_text(json.dumps({"kind": KIND, "files": []}))
    assert sorted(contents(out)) == ["manifest.json"]
    assert [path.name for path in tmp_path.iterdir()] == ["r"]


def test_a_folder_changed_during_the_work_is_not_replaced(tmp_path):
    out = tmp_path / "r"
    result(out)
    with pytest.raises(InputError, match="notes.md"), results_folder(out, KIND, overwrite=True):
        (out / "notes.md").write_text("written while the run ran")
    assert (out / "notes.md").is_file() and [path.name for path in tmp_path.iterdir()] == ["r"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_one_paragraph_and_keeps_the_earlier_result(tmp_path, code):
    out = tmp_path / "r"
    result(out)
    before = contents(out)
    with pytest.raises(DiskFull) as error, disk_full_guard(out), results_folder(out, KIND, overwrite=True) as staging:
        (staging / "a.parquet").write_text("half")
        raise OSError(code, "No space left\non device")
    assert isinstance(error.value, InputError) and error.value.path == str(out) and error.value.field == "--out"
    assert "the disk is full (No space left on device); nothing was written" in error.value.message
    assert "\n" not in error.value.message
    assert contents(out) == before and [path.name for path in tmp_path.iterdir()] == ["r"]


def test_other_write_errors_pass_through(tmp_path):
    with pytest.raises(PermissionError), disk_full_guard(tmp_path):
        raise PermissionError(errno.EACCES, "Permission denied")
