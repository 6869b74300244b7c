"""Every number a lesson states comes from its commands, and a test fails when they drift apart.

``docs/teaching/claims.yaml`` lists each stated number as a phrase of a lesson with the cells of
a ``sahelsim compare`` table it is filled from. One test checks that each phrase, filled from the
committed table as ``compare`` prints figures (three significant digits, a true minus sign), is
in its lesson; the other runs the commands of ``docs/teaching/README.md`` in a scratch folder and
checks that they make the committed tables again, cell for cell.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT

TEACHING = ROOT / "docs" / "teaching"
CLAIMS = yaml.safe_load((TEACHING / "claims.yaml").read_text(encoding="utf-8"))
FIELD = re.compile(r"\{(\w+)\}")


def _figure(value: float) -> str:
    """A number as ``compare`` prints it, with a true minus sign as the lessons write it."""
    return f"{value:.3g}".replace("-", "\N{MINUS SIGN}")


def _table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["pair"] = frame["pair"].fillna("")  # event counts have no pair
    return frame


def _row(table: str, metric: str, pair: str) -> pd.Series:
    frame = _table(TEACHING / f"{table}.csv")
    rows = frame[(frame["metric"] == metric) & (frame["pair"] == pair)]
    assert len(rows) == 1, f"{table}.csv has {len(rows)} rows for {metric} {pair!r}"
    return rows.iloc[0]


def filled(claim: dict[str, str]) -> str:
    """The claim's phrase with its fields replaced by the table's figures."""
    row = _row(claim["table"], claim["metric"], claim.get("pair", ""))
    return FIELD.sub(lambda match: _figure(float(row[match.group(1)])), claim["says"])


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("claim", CLAIMS["claims"], ids=lambda claim: f"{claim['lesson']}:{claim['says'][:40]}")
def test_each_stated_number_is_what_the_table_holds(claim):
    lesson = _words((TEACHING / claim["lesson"]).read_text(encoding="utf-8"))
    assert _words(filled(claim)) in lesson


def test_every_table_a_lesson_shows_has_its_claims():
    assert {claim["table"] for claim in CLAIMS["claims"]} == set(CLAIMS["tables"])


def _commands() -> str:
    """The bash block of docs/teaching/README.md that makes every figure."""
    readme = (TEACHING / "README.md").read_text(encoding="utf-8")
    return readme.split("To make every figure", 1)[1].split("```bash", 1)[1].split("```", 1)[0]


def test_the_lessons_commands_make_the_committed_tables(tmp_path):
    for shipped in ("scenarios", "calibration"):
        (tmp_path / shipped).symlink_to(ROOT / shipped)
    (tmp_path / "docs" / "teaching").mkdir(parents=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _commands()], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for table in CLAIMS["tables"]:
        made, shipped = _table(tmp_path / "docs" / "teaching" / f"{table}.csv"), _table(TEACHING / f"{table}.csv")
        pd.testing.assert_frame_equal(made, shipped, check_exact=False, rtol=1e-9)
        assert (tmp_path / "docs" / "teaching" / f"{table}.png").is_file()
