"""The calibration report (``calibration/report.md``), generated from what calibration wrote.

A report describes one fitted set, and says which: its path, date and config hash, and whether the
config's scenarios run with it (the shipped fit) or not (a trial). Where the files go is a
:class:`Layout`: the config's own ``fitted/``, ``report/`` and ``report.md`` (the committed ones), or
one folder of a trial, so that trying a budget never rewrites what the scenarios use.

It gathers, per parameter, its meaning, prior, posterior and sensitivity, and the documented
events (with their source files) behind the targets it moves; per target, the observed value
and the posterior-predictive spread; the posterior-predictive fan charts and the share of
documented events the model reproduces; and the out-of-sample scores when they exist.
Every number comes from a file written by ``sahelsim calibrate``, ``sensitivity``, ``forecast`` or
``score``, and the report's date is its fitted set's: regenerating an unchanged report changes nothing.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calibration.fitting import CalibrationResult, LoadedConfig, observed_statistics
from sim.calibration.smc import Budget
from sim.core.errors import InputError
from sim.core.io import require_parent
from sim.core.parameters import parameter_specs
from sim.model.scenario import FittedSet, load_fitted_set

UNCONSTRAINED = 0.7  # a 90 % posterior interval wider than this share of the prior says the data do not constrain it
SENSITIVE = 0.05  # Sobol ST from which a parameter counts as moving a statistic
# What calibrate, sensitivity, forecast, score and report write into a calibration folder ({name}: the
# config's); a trial folder holds nothing else, so that --out never mixes a calibration with other files
WRITTEN = (
    "{name}.yaml",
    "{name}.posterior.parquet",
    "report.md",
    "generations.csv",
    "predictive_statistics.csv",
    "reproduction.csv",
    "ppc_*.png",
    "sensitivity_*.csv",
    "sensitivity_*.png",
    "sensitivity_*.svg",
    "forecast_scores.csv",
    "crps_scores.csv",
    "crps_table.csv",
    "crps.png",
    "crps.svg",
)
STOPPING_RULES = ("stable_drop", "min_acceptance_rate", "max_generations", "max_minutes")  # of Budget


@dataclass(frozen=True)
class Layout:
    """Where a calibration's files go: the fitted set and posterior, the report's tables and figures, the report.

    The shipped layout is the config's own: ``fitted/`` and ``report/`` beside it, and ``report.md``, the
    committed files the scenarios' ``parameter_set`` names. A trial's is one folder that holds them all.
    """

    name: str  # the config's, which names the fitted set
    fitted: Path  # the folder of NAME.yaml and NAME.posterior.parquet
    assets: Path  # the folder of the report's tables and figures
    report: Path  # the markdown file
    option: str  # the command-line option that chooses this layout, for the hints the report gives

    @classmethod
    def shipped(cls, loaded: LoadedConfig) -> Layout:
        """The config's own files, beside it (``--update-shipped``)."""
        folder = loaded.path.parent
        return cls(loaded.config.name, folder / "fitted", folder / "report", folder / "report.md", "--update-shipped")

    @classmethod
    def trial(cls, loaded: LoadedConfig, folder: Path) -> Layout:
        """Everything in ``folder`` (``--out``), checked before any work is done.

        The folder must be new (in an existing folder), empty, or one these commands wrote for this config:
        a folder holding anything else, or the config itself, is refused rather than mixed or overwritten.
        """
        layout = cls(loaded.config.name, folder, folder, folder / "report.md", f"--out {folder}")
        require_parent(folder)
        if layout.fitted_set.resolve() == loaded.path.resolve():
            raise InputError(
                f"holds the config {loaded.path.name}, which the fitted set {layout.fitted_set.name} would replace; "
                "expected another folder",
                path=folder,
                field="--out",
            )
        if folder.exists() and not folder.is_dir():
            raise InputError("is a file; expected a folder", path=folder, field="--out")
        foreign = (
            sorted(path.name for path in folder.iterdir() if not layout.written_here(path)) if folder.exists() else []
        )
        if foreign:
            raise InputError(
                f"holds {', '.join(foreign[:5])}{' and more' if len(foreign) > 5 else ''}, which no calibration of "
                f"{layout.name} writes; expected a new or empty folder, or one that calibrate, sensitivity, forecast, "
                f"score or report wrote for {layout.name}",
                path=folder,
                field="--out",
            )
        return layout

    @property
    def fitted_set(self) -> Path:
        """The fitted set, which scenarios read through ``parameter_set``."""
        return self.fitted / f"{self.name}.yaml"

    @property
    def posterior(self) -> Path:
        """The last generation's weighted particles (posterior-predictive draws come from them)."""
        return self.fitted / f"{self.name}.posterior.parquet"

    def written_here(self, path: Path) -> bool:
        """Whether a file of the folder is one a calibration of this config writes (or a hidden temporary file)."""
        if path.name.startswith("."):  # an atomic write's temporary file, left by a killed command
            return True
        patterns = [pattern.format(name=self.name) for pattern in WRITTEN]
        return path.is_file() and any(fnmatch.fnmatchcase(path.name, pattern) for pattern in patterns)

    def create(self) -> None:
        """Make the folders, once the work is done and only the writing is left."""
        for folder in (self.fitted, self.assets):
            folder.mkdir(exist_ok=True)


def target_evidence(loaded: LoadedConfig) -> dict[str, list[str]]:
    """Per target, the documented events it is measured on, as 'ID (source file)'.

    For a target observed in an imported dataset: how many of its events, and which dataset.
    """
    evidence = {}
    for target in loaded.config.targets:
        rows = target.evidence(loaded.observed_events(target))
        evidence[target.name] = (
            [f"{row.event_id} ({row.source_file})" for row in rows.itertuples()]
            if target.observed_in is None
            else [f"{len(rows)} events of {target.observed_in} ({loaded.config.datasets[target.observed_in]})"]
        )
    return evidence


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


def report_markdown(loaded: LoadedConfig, layout: Layout) -> str:
    """The markdown report of the layout's fitted set, as it will read at ``layout.report`` (images link from there)."""
    folder = layout.assets
    relative = _shown(folder, layout.report.parent)
    fitted = load_fitted_set(layout.fitted_set)
    evidence = target_evidence(loaded)
    sobol = _read(folder / "sensitivity_sobol.csv")
    lines = [
        *_introduction(loaded, layout, fitted, _read(folder / "generations.csv")),
        *_targets(loaded, evidence, _read(folder / "predictive_statistics.csv")),
        *_dataset_targets(loaded, sobol),
        *_parameters(fitted, evidence, sobol),
        *_predictive_check(_read(folder / "reproduction.csv"), sorted(folder.glob("ppc_*.png")), relative),
        *_sensitivity(f"{loaded.path} {layout.option}", _read(folder / "sensitivity_morris.csv"), sobol, relative),
        *_out_of_sample(_read(folder / "forecast_scores.csv")),
        *_crps_section(_read(folder / "crps_table.csv"), relative),
    ]
    return "\n".join(lines) + "\n"


def _shown(path: Path, base: Path) -> Path:
    """A path as the report shows it: relative to the report's folder when inside it, else as it is."""
    return path.relative_to(base) if path.is_relative_to(base) else path


def _introduction(
    loaded: LoadedConfig, layout: Layout, fitted: FittedSet, generations: pd.DataFrame | None
) -> list[str]:
    """Which fitted set the report describes and where it comes from, how the fit was made and how it went.

    The date is the fitted set's, not today's: a report regenerated from the same files is the same file.
    """
    source = (
        f"Generated by sahelsim from `{loaded.path.name}` (sha256 `{loaded.sha256[:12]}`) and the fitted set "
        f"`{_shown(layout.fitted_set, layout.report.parent)}` of {fitted.date.isoformat()}."
    )
    if fitted.config_sha256 != loaded.sha256:
        source += (
            f" **That set was fitted to another version of the config** (sha256 `{fitted.config_sha256[:12]}`): "
            "refit it before trusting the comparisons below."
        )
    return [
        f"# Calibration report: {loaded.config.name}",
        "",
        f"{source} {loaded.config.description}",
        "",
        f"Inference: {fitted.method}. {_users(loaded, layout)}",
        "",
        *_generations(generations, loaded.config.budget),
    ]


def _users(loaded: LoadedConfig, layout: Layout) -> str:
    """Which of the config's scenarios run with the fitted set: the shipped fit, or a trial that none uses."""
    here = layout.fitted_set.resolve()
    users = [name for name, scenario in loaded.scenarios.items() if scenario.parameter_set_path == here]
    if users:
        return f"The config's scenarios {' and '.join(users)} run with this fitted set (their `parameter_set`)."
    named = sorted({str(s.parameter_set_path) for s in loaded.scenarios.values() if s.parameter_set_path is not None})
    return "A trial fit: none of the config's scenarios runs with it" + (
        f" (they name {', '.join(f'`{path}`' for path in named)})." if named else "."
    )


def _targets(loaded: LoadedConfig, evidence: dict[str, list[str]], predictive: pd.DataFrame | None) -> list[str]:
    """Per target: the observed value, the posterior-predictive spread and the events it is measured on."""
    observed = observed_statistics(loaded)
    lines = [
        "## Targets",
        "",
        "| target | scenario | observed | posterior-predictive median [5 %, 95 %] | documented events | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for target in loaded.config.targets:
        spread = "not computed"
        if predictive is not None and target.name in predictive.columns:
            values = predictive[target.name]
            spread = f"{values.median():.3g} [{values.quantile(0.05):.3g}, {values.quantile(0.95):.3g}]"
        lines.append(
            f"| `{target.name}` | {target.scenario} | {observed[target.name]:.3g} | {spread} | "
            f"{', '.join(evidence[target.name]) or 'none'} | {target.meaning} |"
        )
    return lines


def _parameters(fitted: FittedSet, evidence: dict[str, list[str]], sobol: pd.DataFrame | None) -> list[str]:
    """Per parameter: prior, posterior, whether the data constrain it, and the targets (and events) it moves."""
    lines = [
        "",
        "## Parameters",
        "",
        f"A fitted parameter whose 90 % posterior interval spans more than {UNCONSTRAINED:.0%} of its prior is "
        "marked **unconstrained**: the documented events do not pin it down. A parameter *moves* a target when "
        f"the lower end of the 95 % confidence interval of its Sobol total index (ST) is at least {SENSITIVE}; "
        "the documented events listed are those the targets it moves are measured on, by source file.",
        "",
        "| parameter | meaning | prior | posterior median [5 %, 95 %] | constrained? "
        "| targets it moves (Sobol ST ± 95 % CI) | documented events |",
        "|---|---|---|---|---|---|---|",
    ]
    moves = _moved_targets(sobol)
    for parameter, spec in parameter_specs().items():
        entry = fitted.parameters.get(parameter)
        moved = moves.get(parameter, [])
        if entry is None:
            prior, posterior, verdict = (
                f"[{spec.range[0]:g}, {spec.range[1]:g}]",
                f"not fitted (default {spec.default:g})",
                "—",
            )
        else:
            low, high = entry.prior
            prior = f"[{low:g}, {high:g}]"
            posterior = f"{entry.median:.3g} [{entry.low_5:.3g}, {entry.high_95:.3g}]"
            width = (entry.high_95 - entry.low_5) / (high - low)
            verdict = "**unconstrained**" if width > UNCONSTRAINED else f"yes ({width:.0%} of prior)"
        targets = (
            "not computed"
            if sobol is None
            else (", ".join(f"`{r.statistic}` {r.index:.2f} ± {r.conf:.2f}" for r in moved) or "none")
        )
        events = _by_source([e for r in moved for e in evidence.get(r.statistic, [])])
        lines.append(
            f"| `{parameter}` | {spec.meaning} | {prior} | {posterior} | {verdict} | {targets} | {events or '—'} |"
        )
    return lines


def _predictive_check(reproduction: pd.DataFrame | None, images: list[Path], relative: Path) -> list[str]:
    """The share of documented events the posterior-predictive runs reproduce, and their fan charts."""
    lines = ["", "## Posterior-predictive check", ""]
    if reproduction is not None:
        share = reproduction["reproduced"].mean()
        lines += [
            f"Runs drawn from the posterior reproduce {reproduction['reproduced'].sum()} of {len(reproduction)} "
            f"documented events that are not replayed as shocks ({share:.0%}): same type, same pair, within the "
            "event's period widened by three weeks, in at least half of the runs. By event type:",
            "",
            "| event type | documented | reproduced | mean share of runs |",
            "|---|---|---|---|",
        ]
        for kind, rows in reproduction.groupby("event_type"):
            lines.append(
                f"| {kind} | {len(rows)} | {int(rows['reproduced'].sum())} | {rows['share_of_runs'].mean():.2f} |"
            )
        lines.append("")
    for image in images:
        lines += [f"![{image.stem}]({relative / image.name})", ""]
    return lines


def _sensitivity(arguments: str, morris: pd.DataFrame | None, sobol: pd.DataFrame | None, relative: Path) -> list[str]:
    """The Morris and Sobol figures, or the command (with ``arguments``: config and folder) that computes one."""
    lines = ["## Sensitivity", ""]
    for label, table in (("Morris", morris), ("Sobol", sobol)):
        if table is None:
            lines.append(f"{label}: not computed (run `sahelsim sensitivity {arguments} --method {label.lower()}`).")
        else:
            lines.append(f"![{label}]({relative / f'sensitivity_{label.lower()}.png'})")
        lines.append("")
    return lines


def _out_of_sample(forecast: pd.DataFrame | None) -> list[str]:
    """The Brier scores of the cut-off forecast against the baselines, and which baselines the model loses to."""
    lines = ["## Out-of-sample skill", ""]
    if forecast is None:
        return [*lines, "Not computed for this calibration."]
    lines += [
        "Calibrated on the documented events up to the cut-off (only the targets measured on them), then "
        "forecast: for each key pair, event family and month after it, the share of posterior-predictive "
        "runs with at least one such event, scored with the Brier score against the documented record "
        "(events dated to the day, week or month) and against naive baselines (lower is better).",
        "",
        "| " + " | ".join(forecast.columns) + " |",
        "|" + "---|" * len(forecast.columns),
    ]
    lines += [
        "| " + " | ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row) + " |"
        for row in forecast.itertuples(index=False)
    ]
    ranked = forecast.sort_values("brier")
    ours = forecast[forecast["forecast"].str.startswith("sahelsim")]["brier"].iloc[0]
    beaten_by = ranked[ranked["brier"] < ours]["forecast"].tolist()
    return [
        *lines,
        "",
        "The model beats every baseline."
        if not beaten_by
        else f"The model does **not** beat: {', '.join(beaten_by)}. The documented record is a handful of "
        "newsworthy events, so 'nothing happens' is hard to beat on it; imported datasets (ACLED, UCDP) "
        "are the fairer test.",
    ]


def _confident(sobol: pd.DataFrame) -> pd.DataFrame:
    """The Sobol rows of a parameter that moves a target: the ST's 95 % CI lies above SENSITIVE, largest first.

    A bare ST above the threshold is not enough: with a few hundred runs its
    confidence interval is wide, and noise would tie every parameter to every target.
    """
    return sobol[sobol["index"] - sobol["conf"] >= SENSITIVE].sort_values("index", ascending=False)


def _moved_targets(sobol: pd.DataFrame | None) -> dict[str, list]:
    """Per parameter, the :func:`_confident` Sobol rows of the targets it moves."""
    if sobol is None:
        return {}
    return {
        str(parameter): list(rows.itertuples())
        for parameter, rows in _confident(sobol).groupby("parameter", sort=False)
    }


def _by_source(events: list[str]) -> str:
    """The documented events grouped by source file, for one table cell.

    'D032 (000_x.txt)', 'D038 (000_x.txt)', 'D041 (001_y.txt)' -> '000_x.txt: D032, D038; 001_y.txt: D041'
    (a dataset's entry, 'N events of acled (file)', is kept as it is).
    """
    grouped: dict[str, list[str]] = {}
    for entry in dict.fromkeys(events):
        event_id, _, source = entry.removesuffix(")").partition(" (")
        if " " in event_id:  # a dataset's entry
            grouped.setdefault(entry, [])
        else:
            grouped.setdefault(source, []).append(event_id)
    return "; ".join(
        f"{source}: {', '.join(sorted(ids))}" if ids else source for source, ids in sorted(grouped.items())
    )


def _dataset_targets(loaded: LoadedConfig, sobol: pd.DataFrame | None) -> list[str]:
    """Which parameters the targets observed in an imported dataset constrain (see :func:`_moved_targets`)."""
    lines = []
    for target in loaded.config.targets:
        if target.observed_in is None:
            continue
        moved = "not known yet (run 'sahelsim sensitivity')"
        if sobol is not None:
            confident = _confident(sobol)
            rows = confident[confident["statistic"] == target.name]
            moved = ", ".join(f"`{r.parameter}` (ST {r.index:.2f})" for r in rows.itertuples()) or (
                f"no parameter (no ST confidently >= {SENSITIVE})"
            )
        lines.append(
            f"- `{target.name}` is observed in the imported dataset `{target.observed_in}` "
            f"({loaded.config.datasets[target.observed_in]}); it constrains {moved}."
        )
    return ["", *lines] if lines else []


def _crps_section(crps: pd.DataFrame | None, relative: Path) -> list[str]:
    """Skill against an imported dataset: mean CRPS of the model and the VIEWS benchmarks (``sahelsim score``)."""
    if crps is None:
        return []
    lines = [
        "",
        "## Skill against an imported dataset (CRPS, VIEWS benchmarks)",
        "",
        f"Country-month fatalities and event counts, rolling origins ({crps['period'].iloc[0]}); mean continuous "
        "ranked probability score (lower is better); 'model / this' above 1 means the model loses to that benchmark.",
        "",
        "| measure | forecaster | mean CRPS | model / this | country-months |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.measure} | {r.forecaster} | {r.mean_crps:.2f} | {r.model_over_this:.2f} | {r.cells} |"
        for r in crps.itertuples()
    ]
    for measure, rows in crps.groupby("measure", sort=False):
        beaten = rows[(rows["forecaster"] != "sahelsim") & (rows["model_over_this"] > 1)]["forecaster"].tolist()
        lines.append(
            f"\n{measure}: "
            + (f"the model **loses** to {', '.join(beaten)}." if beaten else "the model beats every benchmark.")
        )
    return [*lines, "", f"![CRPS]({relative / 'crps.png'})", ""]


def generations_table(result: CalibrationResult, budget: Budget) -> pd.DataFrame:
    """The generations of a fit as the report reads them: with the fit's seconds and the budget that stopped it.

    The budget is the one the fit ran with (a trial's ``--generations`` included), so that the report says
    truly which rule stopped it.
    """
    rules = {rule: getattr(budget, rule) for rule in STOPPING_RULES}
    return result.generations.assign(seconds_total=round(result.seconds, 1), **rules)


def _generations(table: pd.DataFrame | None, config_budget: Budget) -> list[str]:
    """The ABC-SMC run generation by generation, and which of the budget's rules stopped it.

    The budget is the one recorded beside the generations, or the config's for a table written before it was.
    """
    if table is None:
        return []
    recorded = {rule: table[rule].tolist()[0] for rule in STOPPING_RULES if rule in table}
    budget = Budget.model_validate(config_budget.model_dump() | recorded)
    lines = ["| generation | epsilon | simulations | acceptance rate | effective sample size | medians moved |"]
    lines.append("|---|---|---|---|---|---|")
    counts = table.astype({"generation": int, "simulations": int})
    for r in counts.to_dict("records"):
        ess, shift = r.get("effective_sample_size", math.nan), r.get("median_shift", math.nan)
        lines.append(
            f"| {r['generation']} | {r['epsilon']:.4g} | {r['simulations']} | {r['acceptance_rate']:.3f} | "
            f"{'—' if math.isnan(ess) else f'{ess:.0f}'} | {'—' if math.isnan(shift) else f'{shift:.1%}'} |"
        )
    drops = -table["epsilon"].pct_change().iloc[1:]
    last = drops.iloc[-1] if len(drops) else float("nan")
    seconds = table["seconds_total"].iloc[0] if "seconds_total" in table else float("nan")
    if table["acceptance_rate"].iloc[-1] < budget.min_acceptance_rate:
        why = f"its acceptance rate fell below {budget.min_acceptance_rate:.0%}"
    elif len(table) >= budget.max_generations:
        why = f"it reached the cap of {budget.max_generations} generations"
    else:
        why = f"it passed the {budget.max_minutes:g}-minute cap"
    verdict = (
        f"a single generation, so no drop of epsilon to judge its stability by; the run stopped because {why}."
        if len(drops) == 0
        else f"epsilon fell by {last:.0%} in the last generation: **stable** (below {budget.stable_drop:.0%})."
        if last < budget.stable_drop
        else f"epsilon still fell by {last:.0%} in the last generation: **not stable** (threshold "
        f"{budget.stable_drop:.0%}); the run stopped because {why}."
    )
    shift = table["median_shift"].iloc[-1] if "median_shift" in table and len(table) > 1 else math.nan
    if not math.isnan(shift):
        verdict += (
            f" The posterior medians moved at most {shift:.1%} of their prior's width in the last generation: "
            + ("**stable**" if shift < budget.stable_drop else "**still moving**")
            + f" (threshold {budget.stable_drop:.0%})."
        )
    total = int(table["simulations"].sum())
    return [
        "",
        f"{len(table)} generations, {total} simulations in {seconds:.0f} s ({total / seconds:.1f} per second); "
        f"{verdict}",
        "",
        *lines,
        "",
    ]
