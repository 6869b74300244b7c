"""Atomic outputs: a results folder replaces only its command's earlier result, debris is cleared.

A full disk is one paragraph naming the output.
"""

from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import DiskFull, InputError
from sim.core.io import disk_full_guard, earlier_result, remove_stale_temporaries, results_folder, write_text

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
    with (
        pytest.raises(DiskFull) as error,
        disk_full_guard(out, field="--out"),
        results_folder(out, KIND, overwrite=True) as staging,
    ):
        (staging / "a.parquet").write_text("half")
        raise OSError(code, "No space left\non device")
    assert isinstance(error.value, InputError) and error.value.path == str(out) and error.value.field == "--out"
    assert "the disk is full (No space left on device); nothing was written" in error.value.message
    assert "\n" not in error.value.message
    assert contents(out) == before and [path.name for path in tmp_path.iterdir()] == ["r"]


def test_other_write_errors_pass_through(tmp_path):
    with pytest.raises(PermissionError), disk_full_guard(tmp_path):
        raise PermissionError(errno.EACCES, "Permission denied")


def test_stale_temporaries_are_removed_and_a_retired_result_restored(tmp_path):
    record = tmp_path / "events.csv"
    record.write_text("kept")
    for name in (".events.csv.a1b2c3d4", ".events.csv.partial-zz99yy88"):
        (tmp_path / name).mkdir() if "partial" in name else (tmp_path / name).write_text("")
    (tmp_path / ".events.csv.lock").write_text("")  # not a name the writers make: left alone
    (tmp_path / ".other.csv.a1b2c3d4").write_text("")  # another output's
    removed = remove_stale_temporaries(record)
    assert sorted(p.name for p in removed) == [".events.csv.a1b2c3d4", ".events.csv.partial-zz99yy88"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".events.csv.lock", ".other.csv.a1b2c3d4", "events.csv"]
    results = tmp_path / "results"  # killed between moving the old results aside and the new ones in
    (tmp_path / ".results.old-abcd1234" / "results").mkdir(parents=True)
    (tmp_path / ".results.old-abcd1234" / "results" / "manifest.json").write_text("old")
    (tmp_path / ".results.partial-efgh5678").mkdir()
    remove_stale_temporaries(results)
    assert (results / "manifest.json").read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


def test_a_full_disk_is_one_paragraph_naming_the_output_and_what_was_written(tmp_path):
    out = tmp_path / "out.txt"
    with pytest.raises(InputError) as error, disk_full_guard(out, "the report (2.0 MB)", "the old one is kept"):
        raise OSError(errno.ENOSPC, "No space left\non device")
    assert error.value.message == (
        f"{out}: could not be written: the disk is full (No space left on device) while writing the report (2.0 MB); "
        "the old one is kept"
    )


def test_other_write_errors_pass_through_the_guard(tmp_path):
    with pytest.raises(PermissionError), disk_full_guard(tmp_path / "out.txt", "the report"):
        raise PermissionError(errno.EACCES, "Permission denied")


def test_an_interrupted_atomic_write_leaves_only_debris_the_next_writer_removes(tmp_path):
    out = tmp_path / "out.txt"
    write_text("first", out)
    leftover = tmp_path / ".out.txt.zz11yy22"  # as a SIGKILL inside atomic_path leaves it
    leftover.write_text("half")
    assert remove_stale_temporaries(out) == [leftover]
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"] and out.read_text() == "first"
