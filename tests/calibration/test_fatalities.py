"""The per-event fatality fit (sim/calibration/fatalities.py): it recovers what it is given; the default is its fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calibration.fatalities import fit_fatalities
from sim.core.errors import InputError
from sim.core.parameters import parameter_specs
from sim.records.datasets import import_file
from tests.conftest import ROOT

UCDP = ROOT.parent / "shared" / "data" / "ucdp_ged231_sample_sahel.csv"


@settings(max_examples=10, deadline=None)
@given(mean=st.floats(1.0, 20.0), size=st.floats(0.3, 3.0), seed=st.integers(0, 2**16))
def test_the_fit_recovers_a_negative_binomial(mean, size, seed):
    deaths = np.random.default_rng(seed).negative_binomial(size, size / (size + mean), 4000)
    fit = fit_fatalities(pd.Series(deaths))
    assert fit.events == 4000
    assert fit.mean == pytest.approx(deaths.mean())
    assert fit.dispersion == pytest.approx(size, rel=0.2)


def test_the_parameter_files_dispersion_is_the_fit_on_the_ucdp_sample():
    frame, _ = import_file(UCDP)
    fit = fit_fatalities(frame["fatalities"], source=UCDP.name)
    assert fit.events == len(frame)
    assert round(fit.dispersion, 1) == parameter_specs()["deaths_dispersion"].default


def test_a_record_without_deaths_is_refused_in_one_paragraph():
    with pytest.raises(InputError, match=r"x\.csv: fatalities: expected at least two events"):
        fit_fatalities(pd.Series([0, 0, None]), source="x.csv")
