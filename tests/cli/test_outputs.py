"""Output files checked before the work, and a failed write told as one paragraph."""

from __future__ import annotations

import errno
import os

import pytest

from sim.cli.outputs import check_out_file, writing
from sim.core.errors import InputError


def test_a_writable_out_passes_and_leaves_nothing_behind(tmp_path):
    check_out_file(tmp_path / "out.parquet")
    (tmp_path / "old.csv").write_text("kept", encoding="utf-8")
    check_out_file(tmp_path / "old.csv")  # an existing file is replaced later, atomically
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize(
    ("name", "words"),
    [("missing/out.csv", "does not exist"), ("folder", "is a folder; expected the path of a file")],
)
def test_an_out_that_cannot_be_a_file_is_refused(tmp_path, name, words):
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError) as error:
        check_out_file(tmp_path / name)
    assert error.value.field == "--out" and words in error.value.message


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "could not be written: the disk is full (No space left on device); nothing was written"),
        (errno.EDQUOT, "could not be written: the disk is full (Disk quota exceeded); nothing was written"),
        (errno.ENOENT, "could not be written (No such file or directory); nothing was written"),
    ],
)
def test_a_failed_write_is_one_paragraph_naming_the_file(tmp_path, code, words):
    with pytest.raises(InputError) as error, writing(tmp_path / "out.csv", "--curated"):
        raise OSError(code, os.strerror(code).replace(" ", "\n", 1))  # pyarrow's messages have line breaks
    assert error.value.field == "--curated" and error.value.path == str(tmp_path / "out.csv")
    assert words in error.value.message
