"""Importing conflict datasets: ACLED (plain and HXL portal variant) and UCDP GED into the event schema."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.actors import UNMATCHED
from sim.core.errors import InputError
from sim.core.events import frame_to_events
from sim.records.datasets import haversine_km, import_events, load_imported, match_actors, matched_share, read_file
from tests.conftest import ROOT, run_cli

DATA = ROOT / "tests" / "data"
ACLED = DATA / "acled_sahel_export.csv"
PORTAL = DATA / "acled_portal_hxl.csv"
UCDP = ROOT.parent / "shared" / "data" / "ucdp_ged231_sample_sahel.csv"


@pytest.fixture(scope="module")
def imported() -> pd.DataFrame:
    return import_events([ACLED, PORTAL, UCDP])


def test_formats_are_detected_and_the_hxl_row_is_skipped():
    assert read_file(ACLED).layout.name == "acled"
    portal = read_file(PORTAL)
    assert portal.layout.name == "acled" and portal.first_row == 2
    assert not portal.columns["event_date"].str.startswith("#").any()
    assert len(portal.columns) == 5
    assert read_file(UCDP).layout.name == "ucdp"


def test_ucdp_rows_keep_ids_deaths_and_provenance(imported):
    row = imported.set_index("event_id").loc["ucdp:12989"]
    assert (row["source"], row["target"], row["event_type"]) == ("mali", "civilians", "attack_civilians")
    assert (row["fatalities"], row["fatalities_low"], row["fatalities_high"]) == (20, 20, 48)
    assert row["dataset"] == "UCDP GED 23.1" and row["original_id"] == "12989"
    assert (
        row["source_file"] == UCDP.name and row["origin"] == "imported" and row["source_name"] == "Government of Mali"
    )
    multi_line = imported.set_index("event_id").loc["ucdp:431002", "location"]
    assert "\n" not in multi_line and "Denga-Ouro" in multi_line
    assert imported.set_index("event_id").loc["ucdp:352268", "date_precision"] == "week"


def test_acled_coding_dates_and_actors(imported):
    rows = imported.set_index("event_id")
    assert rows.loc["acled:MLI90001", ["source", "target", "event_type"]].tolist() == [
        "mali",
        "jnim_aqim",
        "counterinsurgency_operation",
    ]
    assert rows.loc["acled:MLI90003", ["source", "event_type"]].tolist() == ["jnim_aqim", "attack"]
    assert rows.loc["acled:MLI90009", "event_type"] == "kidnapping"
    assert rows.loc["acled:MLI90005", ["date", "date_precision"]].tolist() == [pd.Timestamp("2022-05-01"), "month"]
    assert rows.loc["acled:MLI80001", "date"] == pd.Timestamp("2013-01-11")  # '11 January 2013' in the portal file
    assert rows.loc["acled:MLI80003", "target"] == "mali"
    assert (
        rows.loc["acled:MRT90001", ["target", "target_name"]].tolist()[0] == "mauritania"
    )  # no actor2: the country's state
    assert rows.loc["acled:MLI90011", "source"] == "wagner"
    assert rows.loc["acled:MLI80002", "source"] == "tuareg_separatists"


def test_unmatched_names_are_kept_not_dropped(imported):
    unmatched = imported[imported["source"] == UNMATCHED]
    assert set(unmatched["source_name"]) == {
        "Dan Na Ambassagou",
        "Unidentified Armed Group (Mali)",
        "Koglweogo",
        "GATIA, MSA",
    }
    assert 0.85 < matched_share(imported) < 1.0


def test_the_table_passes_the_event_schema(imported):
    assert len(frame_to_events(imported.head(40))) == len(imported)


def test_cross_dataset_duplicates_are_flagged_once(imported):
    flagged = imported.dropna(subset=["duplicate_of"]).set_index("event_id")["duplicate_of"].to_dict()
    assert flagged == {"acled:MLI90001": "ucdp:431002", "acled:MLI80004": "ucdp:237564"}


def test_importing_twice_gives_the_same_rows(imported):
    again = import_events([ACLED, PORTAL, UCDP, ACLED])
    assert again.attrs["import"]["repeated_ids_dropped"] == 14
    pd.testing.assert_frame_equal(again, imported)


def test_selection_by_country_and_date():
    from sim.records.datasets import Selection

    table = import_events([ACLED, UCDP], selection=Selection(("NER", "BFA"), None, pd.Timestamp("2022-01-01").date()))
    assert set(table["country"]) == {"NER", "BFA"} and table["date"].max() <= pd.Timestamp("2022-01-01")


def test_na_cells_of_exports_written_from_r_are_empty(tmp_path):
    table = import_events([_copy_with(tmp_path, {"actor2": "NA", "assoc_actor_1": "NA"})])
    row = table.set_index("event_id").loc["acled:MLI90004"]
    assert row["target"] == "mali" and pd.isna(row["target_name"])  # no second actor: the country's state


def test_bad_optional_value_is_kept_empty_and_counted(imported):
    assert pd.isna(imported.set_index("event_id").loc["acled:MLI90010", "latitude"])
    assert imported.attrs["import"]["bad_optional_values"] == {"latitude": 1}


@given(st.text(min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_every_name_maps_to_an_actor_or_unmatched(name):
    from sim.core.actors import load_catalogue

    result = match_actors(pd.Series([name], dtype="string")).iloc[0]
    assert result in set(load_catalogue().ids) | {UNMATCHED}


@given(st.integers(0, 2000), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3))
@settings(max_examples=30, deadline=None)
def test_regime_dated_army_names_map_to_their_state(year, _):
    names = pd.Series(
        [
            f"Military Forces of Mali ({1960 + year % 60}-)",
            f"Military Forces of Niger ({1960 + year % 60}-{2000 + year % 24})",
        ],
        dtype="string",
    )
    assert match_actors(names).tolist() == ["mali", "niger"]


@given(st.floats(-60, 60), st.floats(-170, 170), st.floats(-1, 1), st.floats(-1, 1))
@settings(max_examples=50)
def test_haversine_is_symmetric_and_zero_on_the_spot(lat, lon, dlat, dlon):
    a, b = (pd.Series([lat]), pd.Series([lon])), (pd.Series([lat + dlat]), pd.Series([lon + dlon]))
    assert haversine_km(*a, *a)[0] == pytest.approx(0, abs=1e-6)
    assert haversine_km(*a, *b)[0] == pytest.approx(haversine_km(*b, *a)[0])
    assert haversine_km(*a, *b)[0] <= 112 * (abs(dlat) + abs(dlon)) + 1e-6


def _copy_with(tmp_path: Path, row_change: dict[str, str], name: str = "acled.csv") -> Path:
    rows = list(csv.DictReader(ACLED.open(encoding="utf-8")))
    rows[3].update(row_change)
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"event_date": "2022-13-45"}, "data row 4 has event_date '2022-13-45'"),
        ({"fatalities": "many"}, "data row 4 has fatalities 'many'"),
        ({"time_precision": "9"}, "data row 4 has time_precision '9'"),
        ({"event_type": "Parades"}, "data row 4 has event_type 'Parades'"),
    ],
)
def test_bad_required_values_name_the_row_and_column(tmp_path, change, expected):
    with pytest.raises(InputError) as error:
        import_events([_copy_with(tmp_path, change)])
    assert expected in error.value.message and "acled.csv" in error.value.message


def test_bad_files_get_one_message_exit_2_and_nothing_written(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    archive = tmp_path / "acled.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(ACLED, ACLED.name)
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n")
    missing = tmp_path / "missing_column.csv"
    missing.write_text(ACLED.read_text(encoding="utf-8").replace("fatalities", "deaths", 1))
    header_only = tmp_path / "header.csv"
    header_only.write_text(ACLED.read_text(encoding="utf-8").splitlines()[0] + "\n")
    out = tmp_path / "out.parquet"
    for path, words in (
        (empty, "is empty"),
        (archive, "zip archive"),
        (other, "neither an ACLED"),
        (missing, "lacks the ACLED column(s) ['fatalities']"),
        (header_only, "no events"),
    ):
        done = run_cli("events", "import", str(path), "--out", str(out))
        assert done.returncode == 2, done.stderr
        assert words in done.stderr and path.name in done.stderr and "Traceback" not in done.stderr
        assert not out.exists()
    done = run_cli("events", "import", str(ACLED), "--out", str(tmp_path / "nowhere" / "out.parquet"))
    assert done.returncode == 2 and "--out" in done.stderr


def test_import_then_summary_through_the_cli(tmp_path):
    out = tmp_path / "events.parquet"
    done = run_cli("events", "import", str(ACLED), str(PORTAL), str(UCDP), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "imported 31 of 31 rows" in done.stdout and "2 cross-dataset duplicates" in done.stdout
    assert "Dan Na Ambassagou" in done.stdout
    first = out.read_bytes()
    assert load_imported(out).attrs["import"]["rows_kept"] == 31
    done = run_cli("events", "summary", str(out))
    assert done.returncode == 0, done.stderr
    for words in ("by year", "by actor pair", "by event type", "mali → jnim_aqim", "latitude 1", "Koglweogo"):
        assert words in done.stdout
    run_cli("events", "import", str(ACLED), str(PORTAL), str(UCDP), "--out", str(out))
    assert out.read_bytes() == first


def test_country_codes_are_checked():
    from sim.records.datasets import Selection

    with pytest.raises(InputError, match="ISO 3166 alpha-3"):
        Selection(("MALI",))


def test_an_event_in_two_exports_is_kept_as_the_newer_export_reports_it(tmp_path):
    lines = ACLED.read_text(encoding="utf-8").splitlines()
    newer = tmp_path / "acled_newer.csv"
    header, first = lines[0], lines[1].split(",")
    first[-3], first[-1] = "9", "1800000000"  # revised deaths, a later export
    newer.write_text("\n".join([header, ",".join(first)]) + "\n", encoding="utf-8")
    for order in ([ACLED, newer], [newer, ACLED]):
        table = import_events(order).set_index("event_id")
        assert table.loc["acled:MLI90001", "fatalities"] == 9
        assert table.loc["acled:MLI90001", "source_file"] == newer.name
