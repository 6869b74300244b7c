"""Hostile input to the dataset import: one InputError naming the file, data row and column, never a traceback.

Through the CLI that is exit 2 with nothing written.

Every ACLED row here is invented (ACLED's terms forbid redistributing its data); the UCDP rows are
the real sample of ``../shared/data``.
"""

from __future__ import annotations

import bz2
import csv
import datetime as dt
import gzip
import lzma
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.core.events import validate_frame
from sim.records.datasets import Selection, coding, import_events, matched_share
from tests.conftest import ROOT, run_cli, run_here

UCDP = ROOT.parent / "shared" / "data" / "ucdp_ged231_sample_sahel.csv"
ARMY, JNIM, CIVILIANS = (
    "Military Forces of Mali (2021-)",
    "JNIM: Group for Support of Islam and Muslims",
    "Civilians (Mali)",
)
# Invented rows in the columns of ACLED's export tool that the import reads, plus notes and timestamp.
HEADER = [
    *("event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2"),
    *("country", "location", "latitude", "longitude", "fatalities", "notes", "timestamp"),
]
ROWS = [
    ["SYN001", "2021-02-03", "2021", "1", "Battles", "Armed clash", ARMY, JNIM, "Mali", "Town A", "14.5", "-4.2", "3"],
    ["SYN002", "2021-03-09", "2021", "2", "Violence against civilians", "Attack", JNIM, CIVILIANS, "Mali", "Village B"]
    + ["14.1", "-3.6", "5"],
    ["SYN003", "2022-05-20", "2022", "1", "Protests", "Peaceful protest", "Protesters (Niger)", "", "Niger", "Town C"]
    + ["13.5", "2.1", "0"],
    ["SYN004", "2022-07-01", "2022", "3", "Strategic developments", "Arrests", ARMY, "", "Burkina Faso", "Town D"]
    + ["12.4", "-1.5", "0"],
]
ROWS = [row + ["Invented test row.", "1700000000"] for row in ROWS]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def acled(tmp_path: Path, changes: dict[str, str] | None = None, row: int = 1, name: str = "acled.csv") -> Path:
    """The synthetic export, with ``changes`` (column -> value) in data row ``row``."""
    rows = [list(cells) for cells in ROWS]
    for column, value in (changes or {}).items():
        rows[row - 1][HEADER.index(column)] = value
    return write_csv(tmp_path / name, rows)


def ucdp(tmp_path: Path, changes: dict[str, str], row: int = 1) -> Path:
    """The real UCDP sample, with ``changes`` in data row ``row``."""
    rows = list(csv.DictReader(UCDP.open(encoding="utf-8")))
    rows[row - 1].update(changes)
    path = tmp_path / "ged231.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def refused(paths: list[Path], *words: str) -> str:
    """The message of the InputError that importing ``paths`` raises; it names the last file and has ``words``."""
    with pytest.raises(InputError) as error:
        import_events(paths)
    message = error.value.message
    assert paths[-1].name in message
    for word in words:
        assert word in message
    return message


def test_the_synthetic_export_imports(tmp_path):
    table = import_events([acled(tmp_path)])
    assert list(table["original_id"]) == ["SYN001", "SYN002", "SYN003", "SYN004"]
    assert table.attrs["import"]["bad_optional_values"] == {}


# --- dates and timestamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "1500-06-01", "1988-12-31", "2999-01-01", "1 January 1200"]
)
def test_acled_dates_outside_the_plausible_range_are_refused(tmp_path, value):
    refused([acled(tmp_path, {"event_date": value}, row=2)], "data row 2 has event_date", repr(value), "1989-01-01")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1970-01-01"])
def test_ucdp_dates_outside_the_plausible_range_are_refused(tmp_path, value):
    refused([ucdp(tmp_path, {"date_start": value}, row=3)], "data row 3 has date_start", repr(value))


def test_the_date_range_is_data_and_ends_a_year_after_today(tmp_path):
    earliest, latest = coding().date_range.bounds()
    assert earliest == dt.date(1989, 1, 1) and (latest - dt.date.today()).days in (365, 366)
    table = import_events([acled(tmp_path, {"event_date": "1989-01-01"})])
    assert table["date"].min() == pd.Timestamp("1989-01-01")


@pytest.mark.parametrize("value", ["1e30", "-1e30", "99999999999999999999999", "inf", "-inf", "nan", "soon", "-5"])
def test_a_bad_timestamp_is_a_counted_bad_optional_value(tmp_path, value):
    table = import_events([acled(tmp_path, {"timestamp": value}, row=2)])
    assert len(table) == len(ROWS) and table.attrs["import"]["bad_optional_values"] == {"timestamp": 1}
    assert (table["dataset"] == "ACLED (export updated 2023-11-14)").all()  # from the other rows' timestamps


def test_an_export_whose_timestamps_are_all_bad_has_no_edition(tmp_path):
    rows = [row[:-1] + ["1e30"] for row in ROWS]
    table = import_events([write_csv(tmp_path / "acled.csv", rows)])
    assert (table["dataset"] == "ACLED").all() and table.attrs["import"]["bad_optional_values"] == {"timestamp": 4}


# --- counts -----------------------------------------------------------------------------------------


HUGE = ["1e19", "1e300", "9223372036854775808", "99999999999999999999999999", "inf"]


@pytest.mark.parametrize("value", HUGE)
def test_acled_fatalities_above_the_bound_are_refused(tmp_path, value):
    refused([acled(tmp_path, {"fatalities": value}, row=3)], "data row 3 has fatalities", "from 0 to 1000000")


@pytest.mark.parametrize("column", ["best", "low", "high"])
@pytest.mark.parametrize("value", HUGE)
def test_ucdp_counts_above_the_bound_are_refused(tmp_path, column, value):
    refused([ucdp(tmp_path, {column: value}, row=2)], f"data row 2 has {column}", "from 0 to 1000000")


def test_the_largest_allowed_count_imports(tmp_path):
    bound = coding().max_count
    table = import_events([acled(tmp_path, {"fatalities": str(bound)})])
    assert table["fatalities"].max() == bound


# --- ids ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "NA"])
def test_an_empty_acled_id_is_refused(tmp_path, value):
    refused([acled(tmp_path, {"event_id_cnty": value}, row=4)], "data row 4 has event_id_cnty None", "an event id")


def test_an_empty_ucdp_id_is_refused(tmp_path):
    refused([ucdp(tmp_path, {"id": ""}, row=5)], "data row 5 has id None", "an event id")


def test_an_id_given_twice_with_different_content_is_refused(tmp_path):
    rows = [list(cells) for cells in ROWS]
    rows[3][0] = rows[1][0]  # data row 4 reuses the id of data row 2
    path = write_csv(tmp_path / "acled.csv", rows)
    refused([path], "data rows 2 and 4", "'SYN002'", "event_id_cnty")


def test_an_id_in_two_files_of_one_edition_with_different_content_is_refused(tmp_path):
    first = acled(tmp_path, name="first.csv")
    second = acled(tmp_path, {"fatalities": "9"}, row=1, name="second.csv")
    message = refused([first, second], "'SYN001'", "data row 1 of first.csv", "data row 1 of second.csv")
    assert "event_id_cnty" in message


def test_exact_repeats_are_kept_once_and_counted(tmp_path):
    rows = [list(cells) for cells in ROWS] + [list(ROWS[0])]
    path = write_csv(tmp_path / "acled.csv", rows)
    table = import_events([path, acled(tmp_path, name="overlap.csv")])
    record = table.attrs["import"]
    assert len(table) == len(ROWS) and record["rows_read"] == 2 * len(ROWS) + 1
    assert record["dropped"] == {"repeats a row earlier in its file": 1, "repeats a row of another file": len(ROWS)}
    assert record["repeated_ids_dropped"] == len(ROWS) + 1


def test_an_older_edition_is_dropped_and_counted(tmp_path):
    newer = acled(tmp_path, {"fatalities": "7", "timestamp": "1800000000"}, name="newer.csv")
    table = import_events([acled(tmp_path), newer]).set_index("original_id")
    assert table.loc["SYN001", "fatalities"] == 7
    assert table.attrs["import"]["dropped"] == {"older edition of an event read": len(ROWS)}


# --- encodings, compressions and the shape of the CSV ----------------------------------------------


def _with_bad_byte(tmp_path: Path, padding: int) -> Path:
    """The synthetic export with a Latin-1 é in data row 3's notes, after ``padding`` bytes of notes in row 1."""
    path = acled(tmp_path, {"notes": "x" * padding}, row=1)
    text = path.read_bytes()
    at = text.index(b"Invented test row.", text.index(b"SYN003"))
    path.write_bytes(text[:at] + b"caf\xe9 " + text[at:])
    return path


@pytest.mark.parametrize("padding", [0, 70_000])
def test_a_non_utf8_byte_is_refused_wherever_it_is(tmp_path, padding):
    path = _with_bad_byte(tmp_path, padding)
    refused([path], "data row 3", "notes", "not UTF-8", "0xe9")


def test_a_non_utf8_byte_in_a_read_column_is_refused_with_its_row(tmp_path):
    path = acled(tmp_path, {"location": "Tomb-ou-c-tou"}, row=2)
    path.write_bytes(path.read_bytes().replace(b"Tomb-ou-c-tou", b"Tombouctou \xff"))
    refused([path], "data row 2", "location", "not UTF-8")


def test_a_non_utf8_header_is_refused(tmp_path):
    path = acled(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"notes", b"n\xf6tes", 1))
    refused([path], "not UTF-8", "line 1")


def test_a_multibyte_character_across_the_header_buffer_is_accepted(tmp_path):
    """The header is read from the first 64 KB; a two-byte character cut there (at one shift) is no error."""
    rows = [list(cells) for cells in ROWS]
    for shift in (0, 1):
        rows[0][HEADER.index("notes")] = "y" * shift + "é" * (1 << 15)
        assert len(import_events([write_csv(tmp_path / "acled.csv", rows)])) == len(ROWS)


@pytest.mark.parametrize(
    ("compress", "suffix", "kind", "command"),
    [
        (gzip.compress, ".csv.gz", "a gzip archive", "gunzip"),
        (bz2.compress, ".csv.bz2", "a bzip2 archive", "bunzip2"),
        (lzma.compress, ".csv.xz", "an xz archive", "unxz"),
    ],
)
def test_compressed_files_are_named_with_how_to_unpack_them(tmp_path, compress, suffix, kind, command):
    path = tmp_path / f"acled{suffix}"
    path.write_bytes(compress(b"event_id_cnty\nSYN1\n"))
    refused([path], f"is {kind}; unpack it ({command} {path.name}) and import the CSV inside")


def test_a_column_the_import_reads_named_twice_is_refused(tmp_path):
    path = write_csv(tmp_path / "acled.csv", [row + ["9"] for row in ROWS], [*HEADER, "Fatalities"])
    refused([path], "line 1", "['fatalities'] more than once")
    write_csv(path, [row + ["x"] for row in ROWS], [*HEADER, "notes"])  # one it does not read is no matter
    assert len(import_events([path])) == len(ROWS)


def test_a_non_utf8_byte_in_a_file_that_does_not_parse_is_refused_with_its_line(tmp_path):
    path = acled(tmp_path, {"location": "Tomb-ou-c-tou"}, row=2)
    path.write_bytes(path.read_bytes().replace(b"Tomb-ou-c-tou", b"Tombouctou \xff") + b"SYN9,2021\n")
    refused([path], "line 3: has byte 0xff, which is not UTF-8")


@pytest.mark.parametrize(
    ("tail", "words"),
    [
        (b"SYN9,2021-01-01\n", "data row 5 has 2 values where the header has 15"),
        (b",".join([b"SYN9", *[b"x"] * 15]) + b"\n", "data row 5 has 16 values where the header has 15"),
        (b'SYN9,"2021-01-01\n', "data row 5 has 2 values where the header has 15"),
    ],
)
def test_a_row_that_does_not_fit_the_header_is_named(tmp_path, tail, words):
    path = acled(tmp_path)
    path.write_bytes(path.read_bytes() + tail)
    refused([path], words, "a comma or a quote out of place")


# --- selections and what the import says it dropped ----------------------------------------------


def test_since_after_until_is_refused():
    with pytest.raises(InputError) as error:
        Selection((), dt.date(2023, 1, 1), dt.date(2020, 1, 1))
    assert (
        error.value.field == "--since" and "2023-01-01" in error.value.message and "2020-01-01" in error.value.message
    )


def test_since_equal_to_until_is_one_day():
    Selection((), dt.date(2021, 2, 3), dt.date(2021, 2, 3))


def test_matched_share_of_an_empty_table_is_none(tmp_path):
    table = import_events([acled(tmp_path)], selection=Selection(("SEN",)))
    assert table.empty and matched_share(table) is None
    assert matched_share(import_events([acled(tmp_path, {"actor1": "An Invented Militia"})])) == 7 / 8


def test_dropped_rows_are_counted_by_reason(tmp_path):
    selection = Selection(("MLI", "NER"), dt.date(2021, 3, 1), dt.date(2022, 6, 30))
    rows = [list(cells) for cells in ROWS] + [list(ROWS[1])]
    table = import_events([write_csv(tmp_path / "acled.csv", rows)], selection=selection)
    record = table.attrs["import"]
    assert set(table["original_id"]) == {"SYN002", "SYN003"}
    assert record["dropped"] == {
        "outside the selected countries": 1,  # SYN004 (Burkina Faso)
        "before the selected start": 1,  # SYN001
        "repeats a row earlier in its file": 1,  # the second SYN002
    }
    assert sum(record["dropped"].values()) == record["rows_read"] - record["rows_kept"]


def test_the_newest_edition_decides_whether_an_event_is_selected(tmp_path):
    revised = [ROWS[0][0], "2020-12-30", *ROWS[0][2:-1], "1800000000"]  # a later export moves SYN001 before --since
    newer = write_csv(tmp_path / "newer.csv", [revised])
    table = import_events([acled(tmp_path), newer], selection=Selection(since=dt.date(2021, 1, 1)))
    assert "SYN001" not in set(table["original_id"])
    assert table.attrs["import"]["dropped"] == {"older edition of an event read": 1, "before the selected start": 1}


def test_nothing_dropped_is_an_empty_mapping(tmp_path):
    assert import_events([acled(tmp_path)]).attrs["import"]["dropped"] == {}


# --- through the CLI: exit 2, one paragraph, nothing written ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"event_date": "9999-12-31"}, "event_date"),
        ({"fatalities": "1e300"}, "fatalities"),
        ({"event_id_cnty": ""}, "event_id_cnty"),
    ],
)
def test_the_cli_refuses_with_exit_2_and_writes_nothing(tmp_path, changes, words):
    out = tmp_path / "out.parquet"
    done = run_cli("events", "import", str(acled(tmp_path, changes, row=2)), "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "data row 2" in done.stderr and words in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_the_cli_refuses_since_after_until(tmp_path):
    out = tmp_path / "out.parquet"
    done = run_cli(
        "events", "import", str(acled(tmp_path)), "--out", str(out), "--since", "2023-01-01", "--until", "2020-01-01"
    )
    assert done.returncode == 2 and "--since" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_the_cli_says_which_rows_it_left_out_and_why(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.parquet"
    code, printed, _ = run_here(
        monkeypatch, capsys, "events", "import", str(acled(tmp_path)), "--out", str(out), "--countries", "MLI,NER"
    )
    assert code == 0 and "imported 3 of 4 rows" in printed and "(left out: 1 outside the selected countries)" in printed


def test_the_cli_imports_an_empty_selection_without_a_share_of_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.parquet"
    code, printed, _ = run_here(
        monkeypatch, capsys, "events", "import", str(acled(tmp_path)), "--out", str(out), "--countries", "SEN"
    )
    assert code == 0 and "imported 0 of 4 rows" in printed and "no events kept, so no actor slots to match" in printed
    assert "nan" not in printed and out.exists()


def _not_imported(monkeypatch) -> None:
    """Make the import itself fail the test: --out must be refused before it."""
    import sim.records.datasets

    def not_now(*_args, **_kwargs):
        raise AssertionError("the files were imported before --out was checked")

    monkeypatch.setattr(sim.records.datasets, "import_events", not_now)


def test_the_cli_refuses_an_out_that_is_a_folder_before_the_import(tmp_path, monkeypatch, capsys):
    _not_imported(monkeypatch)
    folder = tmp_path / "out.parquet"
    folder.mkdir()
    code, _, err = run_here(monkeypatch, capsys, "events", "import", str(acled(tmp_path)), "--out", str(folder))
    assert code == 2 and "Traceback" not in err and "field '--out': is a folder" in err


def test_the_cli_refuses_an_out_in_a_read_only_place_before_the_import(tmp_path, monkeypatch, capsys):
    import errno
    import tempfile

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    _not_imported(monkeypatch)
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, _, err = run_here(
        monkeypatch, capsys, "events", "import", str(acled(tmp_path)), "--out", str(tmp_path / "o.parquet")
    )
    assert code == 2 and "Traceback" not in err and "o.parquet, field '--out': cannot be written there" in err
    assert "Read-only file system" in err


def test_the_cli_reports_a_failed_write_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import errno

    import pyarrow.parquet

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyarrow.parquet, "write_table", full)
    source = acled(tmp_path)
    out = tmp_path / "out.parquet"
    code, _, err = run_here(monkeypatch, capsys, "events", "import", str(source), "--out", str(out))
    assert code == 2 and "Traceback" not in err and "out.parquet, field '--out': could not be written" in err
    assert "No space left on device" in err and "nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


# --- any mutation of a valid file: a valid table or one InputError -------------------------------


HOSTILE = (
    st.sampled_from(
        [
            "",
            " ",
            "NA",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "1e19",
            "1e300",
            "-1e300",
            "-1",
            "0.5",
            "99999999999999999999999999",
            "9223372036854775808",
            "0001-01-01",
            "9999-12-31",
            "2021-02-30",
            "31 February 2021",
            "1 January 1200",
            '"',
            '""',
            'a"b',
            "a,b",
            "line\nbreak",
            "#hxl",
            "é",
            "x" * 5000,
            "x" * 70_000,  # pushes what follows past the header's 64 KB read
            "\r",
            "1e-300",
            "0x10",
            "\x00",
            "\ufeff",
        ]
    ).map(str.encode)
    | st.sampled_from([b"\xe9", b"\xff\xfe", b"caf\xe9", b"\x80", b"\xc3"])
    | st.text(max_size=8).map(str.encode)
)


def _render(cell: bytes, quoted: bool) -> bytes:
    return b'"' + cell.replace(b'"', b'""') + b'"' if quoted else cell


@st.composite
def mutated_exports(draw: st.DrawFn) -> bytes:
    """The synthetic export as bytes, with a few cells replaced by hostile values (quoted or raw).

    A row may first be repeated, so that a mutation can give one id two contents.
    """
    rows = [[cell.encode() for cell in row] for row in ROWS]
    if draw(st.booleans()):
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
    for _ in range(draw(st.integers(1, 4))):
        row, column = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(HEADER) - 1))
        rows[row][column] = draw(HOSTILE)
    quoted = draw(st.booleans())
    lines = [b",".join(name.encode() for name in HEADER)]
    lines += [b",".join(_render(cell, quoted) for cell in row) for row in rows]
    return b"\n".join(lines) + b"\n"


@given(content=mutated_exports())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_mutated_export_imports_valid_or_is_one_input_error(tmp_path, content):
    path = tmp_path / "mutated.csv"
    path.write_bytes(content)
    try:
        table = import_events([path])
    except InputError as error:
        assert path.name in error.message
        return
    content.decode("utf-8")  # a file that is not UTF-8 anywhere is refused
    validate_frame(table)
    record = table.attrs["import"]
    assert sum(record["dropped"].values()) == record["rows_read"] - record["rows_kept"]
    assert table["event_id"].is_unique and table["fatalities"].dropna().between(0, coding().max_count).all()
    assert not math.isnan(matched_share(table) or 0.0)
