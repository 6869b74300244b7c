"""The teaching tests read the repository's scenarios, whatever `sahelsim app --scenarios` a shell set."""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS


@pytest.fixture(autouse=True)
def _scenarios_folder(monkeypatch):
    monkeypatch.setenv("SAHELSIM_SCENARIOS", str(SCENARIOS))
    monkeypatch.delenv("SAHELSIM_SCENARIO", raising=False)
