"""Review of candidates against the curated record, atomic accept, and the CLI end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration.fitting import load_config, observed_statistics
from sim.core.actors import UNMATCHED, load_catalogue
from sim.core.errors import InputError
from sim.core.events import Event, events_to_frame, load_events
from sim.documents.review import accept, review, select, write_record
from tests.conftest import DOCUMENTED, ROOT, SEEDS, run_cli, run_here

SEED = SEEDS / "000_61a0112944c6305f.txt"


def candidate(event_id: str, **fields) -> Event:
    base = dict(
        event_id=event_id,
        date="2024-04-19",
        date_precision="day",
        date_inferred=True,
        source="mauritania",
        target="mali",
        event_type="summon_ambassador",
        origin="extracted",
        source_file="a.txt",
        rule="en.summon",
        span="10-60",
        evidence="An article sentence.",
        confidence=0.9,
    )
    return Event.model_validate(base | fields)


@pytest.fixture
def curated(tmp_path) -> Path:
    copy = tmp_path / "events.csv"
    shutil.copy(DOCUMENTED, copy)
    return copy


def test_candidates_are_new_duplicate_or_in_conflict(curated):
    table = events_to_frame(
        [
            candidate("C001"),  # D038: same pair, type and day
            candidate(
                "C002",
                source="mali",
                target="mauritania",
                event_type="accusation",
                date="2024-04-15",
                date_precision="week",
            ),
            candidate("C003", source="mali", target="burkina_faso", event_type="joint_operation", date="2024-08-20"),
            candidate("C004", source="niger", target="algeria", event_type="visit"),
        ]
    )
    verdicts = {v.candidate: v for v in review(table, load_events(curated))}
    assert (verdicts["C001"].status, verdicts["C001"].curated) == ("duplicate", "D038")
    assert verdicts["C002"].status == "duplicate"  # the unordered pair and the protest family, April 2024
    assert (verdicts["C003"].status, verdicts["C003"].curated) == ("conflict", "D048")  # three weeks after it
    assert verdicts["C004"].status == "new"


def test_accept_appends_with_fresh_ids_keeps_provenance_and_never_duplicates(curated):
    table = events_to_frame([candidate("C001", source="niger", target="algeria", event_type="visit")])
    before = curated.read_text(encoding="utf-8")
    fresh = f"D{load_events(curated)['event_id'].str[1:].astype(int).max() + 1:03d}"  # after the last id
    chosen, refused = select(review(table, load_events(curated)), table, ["C001"], accept_new=False)
    assert (chosen, refused) == (["C001"], [])
    write_record(accept(table, chosen, curated))
    grown = load_events(curated, load_catalogue().ids)
    added = grown.iloc[-1]
    assert curated.read_text(encoding="utf-8").startswith(before)  # existing lines untouched
    assert (added["event_id"], added["rule"], added["span"], added["confidence"]) == (fresh, "en.summon", "10-60", 0.9)
    assert pd.isna(added["evidence"]) and added["origin"] == "extracted"
    again, refused = select(review(table, grown), table, ["C001"], accept_new=True)
    assert again == [] and refused == [f"C001: not accepted, duplicate of {fresh}"]
    assert len(load_events(curated)) == len(grown)


def test_unmatched_actors_and_unknown_ids_are_refused(curated):
    table = events_to_frame([candidate("C001", source=UNMATCHED, source_name="ECOWAS", date="2023-07-30")])
    verdicts = review(table, load_events(curated))
    chosen, refused = select(verdicts, table, ["C001"], accept_new=True)
    assert chosen == [] and "ECOWAS" in refused[0] and "actors.yaml" in refused[0]
    with pytest.raises(InputError, match="no candidate with id"):
        select(verdicts, table, ["C999"], accept_new=False)


def test_interrupted_accept_leaves_the_curated_file_as_it_was(curated, monkeypatch):
    table = events_to_frame([candidate("C001", source="niger", target="algeria", event_type="visit")])
    before = curated.read_bytes()

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_record(accept(table, ["C001"], curated))
    assert curated.read_bytes() == before
    assert sorted(p.name for p in curated.parent.iterdir()) == ["events.csv"]


def test_grown_record_loads_into_the_calibration_config(curated, tmp_path):
    """The config reads the grown file as its documented events and measures its targets on it."""
    table = events_to_frame([candidate("C001", source="niger", target="algeria", event_type="visit")])
    write_record(accept(table, ["C001"], curated))
    added = load_events(curated)["event_id"].iloc[-1]
    folder = tmp_path / "calibration"
    folder.mkdir()
    shutil.copy(ROOT / "calibration" / "sahel.yaml", folder / "sahel.yaml")
    shutil.move(curated, folder / "events.csv")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (folder / "fitted").symlink_to(ROOT / "calibration" / "fitted")
    loaded = load_config(folder / "sahel.yaml")
    assert added in set(loaded.documented_events()["event_id"])
    assert set(observed_statistics(loaded)) == {target.name for target in loaded.config.targets}


def test_extract_review_accept_end_to_end(tmp_path, curated, monkeypatch, capsys):
    out = tmp_path / "candidates.csv"
    first = run_cli("extract", str(SEED), "--out", str(out))
    assert first.returncode == 0, first.stderr
    written = out.read_bytes()
    assert run_here(monkeypatch, capsys, "extract", str(SEED), "--out", str(out))[0] == 0
    assert out.read_bytes() == written  # same input, same output, byte for byte
    table = load_events(out)
    assert (table["origin"] == "extracted").all() and table["evidence"].notna().all() and table["rule"].notna().all()
    text = SEED.read_text(encoding="utf-8")
    for row in table.to_dict(orient="records"):
        start, end = map(int, row["span"].split("-"))
        assert text[start:end] == row["evidence"]

    code, listed, _ = run_here(monkeypatch, capsys, "events", "review", str(out), "--curated", str(curated))
    assert code == 0 and "duplicate of D038" in listed and "nothing accepted" in listed
    assert curated.read_bytes() == DOCUMENTED.read_bytes()

    accepted = run_cli("events", "review", str(out), "--curated", str(curated), "--accept-new")
    assert accepted.returncode == 0, accepted.stderr
    grown = load_events(curated, load_catalogue().ids)
    assert len(grown) > 55 and grown["evidence"].isna().all()
    code, again, _ = run_here(
        monkeypatch, capsys, "events", "review", str(out), "--curated", str(curated), "--accept-new"
    )
    assert code == 0 and "nothing accepted" in again
    assert len(load_events(curated)) == len(grown)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (b"", [], "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [], "is a binary file"),
        (
            b"Die Regierung hat den Botschafter einbestellt und die Truppen ausgewiesen.",
            [],
            "does not read as English or French",
        ),
        (b"date 2024-13-45 Mali summoned the ambassador.", [], "date marker 'date 2024-13-45' does not parse"),
        (b"Mali summoned the ambassador on Friday.", ["--published", "2999-01-01"], "is in the future"),
        (b"Mali summoned the Algerian ambassador on Friday.", [], "relative date"),
    ],
    ids=["empty", "binary", "other-language", "bad-marker", "future", "no-publication-date"],
)
def test_bad_articles_exit_2_naming_the_file_and_write_nothing(tmp_path, monkeypatch, capsys, content, extra, message):
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    out = tmp_path / "out.csv"
    code, _, err = run_here(monkeypatch, capsys, "extract", str(article), *extra, "--out", str(out))
    assert code == 2 and "Traceback" not in err
    assert "article.txt" in err and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt"]


def test_output_in_a_missing_folder_is_refused(tmp_path):
    result = run_cli("extract", str(SEED), "--out", str(tmp_path / "missing" / "out.csv"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "does not exist" in result.stderr and "out.csv" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_extract_writes_parquet_and_lists_candidate_new_actors(tmp_path, monkeypatch, capsys):
    article = tmp_path / "ecowas.txt"
    article.write_text(
        "date 2023-08-01 The Economic Community of West African States condemned Niger on Sunday.\n", encoding="utf-8"
    )
    out = tmp_path / "candidates.parquet"
    code, printed, _ = run_here(monkeypatch, capsys, "extract", str(article), "--out", str(out))
    assert code == 0 and "candidate new actors" in printed and "Economic Community of West African States" in printed
    table = load_events(out)
    assert list(table[["source", "target", "event_type"]].iloc[0]) == [UNMATCHED, "niger", "accusation"]


def test_review_needs_neither_spacy_nor_dateparser(tmp_path):
    """The review of candidates runs without the extract extra: its imports load neither spaCy nor dateparser."""
    candidates = tmp_path / "candidates.csv"
    events_to_frame([candidate("C001")]).to_csv(candidates, index=False)
    code = (
        "import sys\n"
        "sys.modules['spacy'] = sys.modules['dateparser'] = None  # as if not installed: importing them fails\n"
        "from sim.core.actors import UNMATCHED, load_catalogue\n"
        "from sim.core.events import load_events\n"
        "from sim.documents import accept, review, select\n"
        f"table = load_events({str(candidates)!r}, [*load_catalogue().ids, UNMATCHED])\n"
        f"print(review(table, load_events({str(DOCUMENTED)!r}))[0].status)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["duplicate"]


# --- accepting is data; the command writes it, and says when nothing asked for was accepted -------


def test_accept_returns_the_grown_record_and_touches_nothing(curated):
    table = events_to_frame([candidate("C001", source="niger", target="algeria", event_type="visit")])
    before = curated.read_bytes()
    grown = accept(table, ["C001"], curated)
    assert curated.read_bytes() == before  # nothing written until write_record
    assert isinstance(grown.content, str) and grown.content.startswith(before.decode("utf-8"))
    assert list(grown.added["event_id"]) == [grown.content.splitlines()[-1].split(",")[0]]
    write_record(grown)
    assert curated.read_text(encoding="utf-8") == grown.content


def test_accept_into_a_parquet_record_returns_its_table(curated, tmp_path):
    record = tmp_path / "events.parquet"
    load_events(curated).to_parquet(record, index=False)
    table = events_to_frame([candidate("C001", source="niger", target="algeria", event_type="visit")])
    grown = accept(table, ["C001"], record)
    assert isinstance(grown.content, pd.DataFrame) and len(grown.content) == len(load_events(curated)) + 1
    write_record(grown)
    assert list(load_events(record)["event_id"])[-1] == grown.added["event_id"].iloc[0]


def _candidates_file(tmp_path: Path, *events: Event) -> Path:
    path = tmp_path / "candidates.csv"
    events_to_frame(list(events)).to_csv(path, index=False)
    return path


def test_review_exits_2_when_nothing_asked_for_is_accepted(curated, tmp_path, monkeypatch, capsys):
    candidates = _candidates_file(tmp_path, candidate("C001"))  # D038: same pair, type and day
    before = curated.read_bytes()
    code, _, err = run_here(
        monkeypatch, capsys, "events", "review", str(candidates), "--curated", str(curated), "--accept", "C001"
    )
    assert code == 2 and "Traceback" not in err
    assert (
        "field '--accept'" in err and "nothing was accepted" in err and "C001: not accepted, duplicate of D038" in err
    )
    assert curated.read_bytes() == before


def test_review_exits_2_when_every_new_candidate_is_refused(curated, tmp_path, monkeypatch, capsys):
    candidates = _candidates_file(
        tmp_path, candidate("C001", source=UNMATCHED, source_name="ECOWAS", date="2023-07-30")
    )
    code, _, err = run_here(
        monkeypatch, capsys, "events", "review", str(candidates), "--curated", str(curated), "--accept-new"
    )
    assert code == 2 and "field '--accept-new'" in err and "ECOWAS" in err


def test_review_accepts_what_it_can_and_says_why_not_the_rest(curated, tmp_path, monkeypatch, capsys):
    candidates = _candidates_file(
        tmp_path, candidate("C001"), candidate("C002", source="niger", target="algeria", event_type="visit")
    )
    code, printed, _ = run_here(
        monkeypatch, capsys, "events", "review", str(candidates), "--curated", str(curated), "--accept", "C001,C002"
    )
    assert code == 0 and "C001: not accepted, duplicate of D038" in printed and "1 events appended" in printed
    assert load_events(curated)["target"].iloc[-1] == "algeria"


def test_review_clears_what_a_killed_review_left_beside_the_record(curated, tmp_path, monkeypatch, capsys):
    (tmp_path / ".events.csv.k1ll3d00").write_text("half a record")  # a review killed while writing
    candidates = _candidates_file(tmp_path, candidate("C001", source="niger", target="algeria", event_type="visit"))
    code, _, err = run_here(
        monkeypatch, capsys, "events", "review", str(candidates), "--curated", str(curated), "--accept", "C001"
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidates.csv", "events.csv"]


def test_review_that_cannot_write_the_record_exits_2_and_leaves_it(curated, tmp_path, monkeypatch, capsys):
    import errno

    from sim.core import io

    candidates = _candidates_file(tmp_path, candidate("C001", source="niger", target="algeria", event_type="visit"))
    before = curated.read_bytes()

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(io.os, "replace", full)
    code, _, err = run_here(
        monkeypatch, capsys, "events", "review", str(candidates), "--curated", str(curated), "--accept", "C001"
    )
    assert code == 2 and "Traceback" not in err and "field '--curated'" in err and "No space left on device" in err
    assert curated.read_bytes() == before and sorted(p.name for p in curated.parent.iterdir()) == [
        "candidates.csv",
        "events.csv",
    ]


# --- extract --out: checked before the articles are read ------------------------------------------


def test_extract_out_a_folder_is_refused_before_the_work(tmp_path, monkeypatch, capsys):
    import sim.documents

    folder = tmp_path / "candidates.csv"
    folder.mkdir()

    def not_now(*_args, **_kwargs):
        raise AssertionError("the articles were read before --out was checked")

    monkeypatch.setattr(sim.documents, "read_article", not_now, raising=False)
    code, _, err = run_here(monkeypatch, capsys, "extract", str(SEED), "--out", str(folder))
    assert code == 2 and "Traceback" not in err and "is a folder" in err and "field '--out'" in err


def test_extract_out_in_a_read_only_place_is_refused_before_the_work(tmp_path, monkeypatch, capsys):
    import errno
    import tempfile

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, _, err = run_here(monkeypatch, capsys, "extract", str(SEED), "--out", str(tmp_path / "out.csv"))
    assert code == 2 and "Traceback" not in err and "Read-only file system" in err and "out.csv" in err
