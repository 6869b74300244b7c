"""The atomic writers' helpers: debris of killed writes cleared, a full disk told as one paragraph."""

import errno

import pytest

from sim.core.errors import InputError
from sim.core.io import disk_full_guard, remove_stale_temporaries, write_text


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
