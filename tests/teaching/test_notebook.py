"""The teaching notebook runs from top to bottom (nbclient, a real kernel), so it cannot rot."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK = ROOT / "docs" / "teaching" / "lesson_2_tinzaouaten.ipynb"


def test_the_tinzaouaten_notebook_runs_and_finds_the_pledges(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "commit it without outputs"
    )
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    text = "\n".join(
        output.get("text", "") + output.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "only in the factual scenario: 2024-07-25 attack tuareg_separatists -> mali" in text
    assert "share of runs with a pledge" in text
    assert "week 31 (29 Jul 2024):" in text  # the feed of one run, the week after Tinzaouaten
    assert not [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"
    ]
    figures = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(figures) == 2
