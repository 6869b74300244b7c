"""Observed series, --observed plots, CRPS scores against the VIEWS benchmarks, dataset targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scoringrules
import yaml

from sim.calibration.fitting import load_config, observed_statistics
from sim.calibration.scoring import MODEL, Design, evaluate, table
from sim.records.datasets import import_events
from sim.records.observed import Observed, country_monthly, months, pair_monthly
from tests.conftest import ROOT, run_cli
from tests.records.test_datasets import ACLED, PORTAL, UCDP


@pytest.fixture(scope="module")
def imported() -> pd.DataFrame:
    return import_events([ACLED, PORTAL, UCDP])


def test_duplicates_count_once_in_monthly_series(imported):
    march = months("2022-03-01", "2022-03-31")
    # UCDP 431002 (2 deaths) is reported by ACLED MLI90001 too: counted once
    assert pair_monthly(imported, ("mali", "jnim_aqim"), march).tolist() == [2]  # and MLI90003
    assert pair_monthly(imported, ("jnim_aqim", "mali"), march, "fatalities").tolist() == [5]  # 2 + 3 (MLI90003)
    table = country_monthly(imported, ["MLI", "NER"], march, "events")
    assert table.loc[march[0]].tolist() == [4, 0]


def _run(dates: list[str], country: str, deaths: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(dates),
            "date_precision": "week",
            "source": "jnim_aqim",
            "target": "mali",
            "event_type": "attack",
            "country": country,
            "fatalities": deaths,
        }
    )


def test_crps_matches_scoringrules_and_the_benchmarks_behave():
    observed = _run([f"2023-{m:02d}-10" for m in range(1, 13)] + ["2024-01-10", "2024-02-10", "2024-03-10"], "MLI", 4)
    runs = [_run(["2024-02-05", "2024-03-05"], "MLI", 4), _run(["2024-02-05"], "MLI", 8)]
    design = Design(("MLI",), horizon=1, history=3, draws=50)
    scores = evaluate(observed, runs, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31"), design)
    fatal = scores[(scores["measure"] == "fatalities")].set_index(["forecaster", "origin"])["crps"]
    # persistence of a steady record is perfect; zeros miss by the whole value
    assert fatal[("last month", "2024-01")] == 0 and fatal[("zeros", "2024-01")] == 4
    assert fatal[(MODEL, "2024-01")] == pytest.approx(float(scoringrules.crps_ensemble(4.0, np.array([4.0, 8.0]))))
    assert fatal[("bootstrap", "2024-02")] == 0
    summary = table(scores)
    assert set(summary["forecaster"]) == {MODEL, "zeros", "last month", "bootstrap"}
    assert (summary["cells"] == 2).all()


def test_no_overlap_is_a_clear_error(imported):
    from sim.core.errors import InputError

    with pytest.raises(InputError, match="no forecast origin"):
        evaluate(imported, [], pd.Timestamp("2030-01-01"), pd.Timestamp("2030-12-31"))


def test_countries_the_file_does_not_cover_are_left_out_not_scored_as_zeros(imported):
    from sim.calibration.scoring import covered
    from sim.core.errors import InputError

    assert covered(imported, ("MLI", "TCD", "NER")) == (("MLI", "NER"), ("TCD",))
    with pytest.raises(InputError, match="no events in any of the countries TCD"):
        covered(imported, ("TCD",), "x.parquet")


def test_a_calibration_target_measured_on_an_imported_dataset(tmp_path, imported):
    imported.to_parquet(tmp_path / "sahel_events.parquet")
    config = yaml.safe_load((ROOT / "calibration" / "sahel.yaml").read_text())
    config["events"] = str(ROOT / "calibration" / "events.csv")
    config["scenarios"] = [str(ROOT / "scenarios" / path) for path in config["scenarios"]]
    config["datasets"] = {"sample": "sahel_events.parquet"}
    config["targets"].append(
        {
            "name": "attacks_on_mali_2022",
            "scenario": "sahel_2024",
            "kind": "count",
            "observed_in": "sample",
            "then": {
                "types": ["attack", "state_based_fight", "counterinsurgency_operation"],
                "pair": ["mali", "jnim_aqim"],
                "since": "2022-01-01",
                "until": "2022-12-31",
            },
            "window_weeks": 52,
            "meaning": "Fights between Mali and JNIM in 2022 (imported sample).",
        }
    )
    path = tmp_path / "with_dataset.yaml"
    path.write_text(yaml.safe_dump(config))
    observed = observed_statistics(load_config(path))
    assert observed["attacks_on_mali_2022"] == 3.0  # MLI90001 is a duplicate of ucdp:431002: counted once
    bad = dict(config, targets=[dict(config["targets"][-1], observed_in="nowhere")])
    path.write_text(yaml.safe_dump(bad))
    done = run_cli("report", str(path))
    assert done.returncode == 2 and "observed in 'nowhere'" in done.stderr


def test_observed_plot_and_score_through_the_cli(tmp_path):
    observed = tmp_path / "events.parquet"
    assert run_cli("events", "import", str(ACLED), str(UCDP), "--out", str(observed)).returncode == 0
    done = run_cli(
        "run",
        str(ROOT / "scenarios" / "sahel_2024.yaml"),
        "--replicates",
        "2",
        "--out",
        str(tmp_path / "run"),
        "--observed",
        str(observed),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "run" / "tension.png").stat().st_size > 10_000
    # the fixtures end in 2022, before the 2024 scenario: scoring says so and exits 2
    done = run_cli("score", "--observed", str(observed), "--runs", "2", "--out", str(tmp_path / "score"))
    assert done.returncode == 2 and "no forecast origin" in done.stderr
    done = run_cli(
        "run",
        str(ROOT / "scenarios" / "sahel_2024.yaml"),
        "--replicates",
        "1",
        "--out",
        str(tmp_path / "r2"),
        "--observed",
        str(tmp_path / "missing.parquet"),
    )
    assert done.returncode == 2 and "missing.parquet" in done.stderr


def test_compare_figure_draws_the_observed_bars_on_each_scenario_panel(imported, sahel_2024):
    from sim.experiments.compare import paired_difference
    from sim.experiments.runner import run_replicate
    from sim.plots.compare import compare_figure

    tension = pd.concat([run_replicate(sahel_2024.scenario, run)[1].assign(run=run) for run in range(2)])
    shifted = imported.assign(
        date=imported["date"] + pd.DateOffset(years=2)
    )  # the fixtures' 2022 onto the 2024 scenario
    for measure, expected in (("events", [1, 1]), ("fatalities", [4, 4])):
        figure = compare_figure(
            tension,
            tension,
            paired_difference(tension, tension),
            sahel_2024.scenario.key_pairs,
            ("a", "b"),
            Observed(shifted, measure),
        )
        right_axes = [ax for ax in figure.axes if ax.get_ylabel() == f"observed {measure} / month"]
        assert len(right_axes) == 2 * len(sahel_2024.scenario.key_pairs)
        heights = sorted(round(bar.get_height()) for ax in right_axes for bar in ax.patches if bar.get_height() > 0)
        # of the key pairs, only Mali – Tuareg separatists has a fixture event (June 2022, 4 deaths, drawn in June 2024)
        assert heights == expected


def test_score_through_the_cli_writes_the_table_and_plot(tmp_path, imported):
    shifted = imported.assign(date=imported["date"] + pd.DateOffset(years=2))  # 2022 fixtures onto the 2024 scenario
    shifted.attrs = imported.attrs
    observed = tmp_path / "shifted.parquet"
    shifted.to_parquet(observed)
    done = run_cli(
        "score", "--observed", str(observed), "--runs", "2", "--horizon", "2", "--out", str(tmp_path / "score")
    )
    assert done.returncode == 0, done.stderr
    assert "mean CRPS vs VIEWS benchmarks (origins 2024-01 to 2024-09" in done.stdout
    summary = pd.read_csv(tmp_path / "score" / "crps_table.csv")
    assert list(summary["forecaster"].unique()) == [MODEL, "zeros", "last month", "bootstrap"]
    assert (summary["cells"] == 9 * 2 * 4).all()  # origins (data end in Nov 2024) x horizons x countries
    assert (tmp_path / "score" / "crps.png").stat().st_size > 10_000


def test_the_report_names_the_parameters_a_dataset_target_constrains(tmp_path, imported):
    from sim.calibration.fitting import LoadedConfig
    from sim.calibration.report import _dataset_targets

    imported.to_parquet(tmp_path / "sample.parquet")
    loaded = load_config(ROOT / "calibration" / "sahel.yaml")
    target = loaded.config.targets[0].model_copy(update={"name": "from_data", "observed_in": "sample"})
    config = loaded.config.model_copy(update={"targets": [target], "datasets": {"sample": "sample.parquet"}})
    sobol = pd.DataFrame(
        {
            "statistic": ["from_data", "from_data"],
            "parameter": ["harm_wagner", "pursuit_base"],
            "index": [0.4, 0.01],
            "conf": [0.05, 0.01],
        }
    )
    lines = _dataset_targets(LoadedConfig(config, tmp_path / "c.yaml", loaded.scenarios), sobol)
    assert "`from_data` is observed in the imported dataset `sample`" in lines[1]
    assert "`harm_wagner` (ST 0.40)" in lines[1] and "pursuit_base" not in lines[1]


def test_a_share_target_measures_one_sided_violence_among_violent_events(imported):
    from sim.calibration.targets import Target
    from sim.records.observed import primary

    share = Target.model_validate(
        {
            "name": "one_sided_share",
            "scenario": "sahel_2024",
            "kind": "share",
            "window_weeks": 52,
            "then": {"types": ["attack_civilians"], "since": "2022-01-01", "until": "2022-12-31"},
            "of": {
                "types": [
                    "attack",
                    "attack_civilians",
                    "counterinsurgency_operation",
                    "state_based_fight",
                    "non_state_fight",
                    "kidnapping",
                ],
                "since": "2022-01-01",
                "until": "2022-12-31",
            },
            "meaning": "share of violence against civilians among violent events in 2022",
        }
    )
    events = primary(imported)
    violent = events[(events["date"].dt.year == 2022) & events["event_type"].isin(share.of.types)]
    assert share.measure(events) == pytest.approx((violent["event_type"] == "attack_civilians").mean())
    with pytest.raises(ValueError, match="goes with kind share only"):
        Target.model_validate(share.model_dump() | {"kind": "count"})
