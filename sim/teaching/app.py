"""The teaching page: mesa's SolaraViz over the calibrated model, with levers, shocks and live views.

Served by ``sahelsim app`` (or ``solara run sim.teaching.app:Page``). The sidebar is mesa's: Reset,
play/pause and Step, and the model parameters (scenario, seed, one slider per lever; a change
applies at the next Reset). The main area holds this module's components, each a function of
the model (plain functions, which SolaraViz wraps so they redraw after every step): shocks to
pull now, monitors, the tension trajectories, the feed of events in plain words, the relations
network and what the sliders mean. What they show is computed in :mod:`sim.teaching.classroom` and
drawn by :mod:`sim.plots.live`; this module only lays it out.
"""

from __future__ import annotations

import pandas as pd
import solara
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import force_update

from sim.core.errors import InputError
from sim.plots.live import LiveNetwork, LiveTension
from sim.teaching.classroom import ClassroomModel, ShockButton, classroom, feed, lever_settings, monitors


def model_params(model: ClassroomModel) -> dict:
    """Mesa's model parameters: the scenario, the seed and a slider per lever.

    They start from the opening model's values; SolaraViz draws them in the sidebar.
    """
    params: dict = {
        "scenario": {"type": "Select", "value": model.name, "values": classroom().scenarios, "label": "Scenario"},
        "seed": {"type": "InputText", "value": str(model.scenario.seed), "label": "Seed (empty: the scenario's)"},
    }
    for lever in lever_settings(model.loaded):
        params[lever.name] = Slider(lever.title, lever.value, lever.low, lever.high, lever.step, dtype=float)
    return params


def live_tension(model: ClassroomModel) -> LiveTension:
    """The tension figure of a model, with its scenario's documented record (drawn once per model)."""
    events, series = model.documented or (None, None)
    period = pd.Timestamp(model.dates[0]), pd.Timestamp(model.dates[-1])
    title = f"{model.name}: this run (seed {model.scenario.seed}) against the documented record"
    return LiveTension(model.scenario.key_pairs, period, title, events, series)


def Shocks(model: ClassroomModel):
    """Buttons that schedule a shock for the coming week, and any problem with the page's inputs."""
    no_problem: str | None = None  # typed, so the state holds a message later, not only None
    problem, set_problem = solara.use_state(no_problem)

    def pull(button: ShockButton) -> None:
        try:
            model.pull(button)
            set_problem(None)
        except InputError as error:
            set_problem(error.message)
        force_update()

    with solara.Card("Shocks: pull one now (it happens in the coming week)"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for button in classroom().shocks:
                solara.Button(
                    button.label,
                    on_click=lambda button=button: pull(button),
                    color="warning",
                    disabled=not model.can_pull(button),
                )
        absent = [b.label for b in classroom().shocks if not (model.has(b.source) and model.has(b.target))]
        if absent:
            solara.Text(f"Not in this scenario: {', '.join(absent)} (its actors do not take part).")
        for message in model.problems + ([problem] if problem else []):
            solara.Error(message)


def Monitors(model: ClassroomModel):
    """This week's readings: each key pair's tension and which way it moved, and the monitored events so far."""
    counts, readings = monitors(model)
    week = model.steps
    when = f"week {week}, {model.dates[week - 1]:%d %b %Y}" if week else f"start, {model.dates[0]:%d %b %Y}"
    with solara.Card(f"Monitors: {model.name}, {when}"), solara.Row(style={"flex-wrap": "wrap"}):
        for reading in readings:
            arrow = "↑" if reading.change > 0.005 else "↓" if reading.change < -0.005 else "→"
            solara.Info(f"{reading.label}: tension {reading.tension:.2f} {arrow}", dense=True, icon=False)
        for name, count in counts.items():
            solara.Success(f"{name}: {count}", dense=True, icon=False)


def TensionView(model: ClassroomModel):
    """The key pairs' tension and cooperation so far, against the documented record (built once per model)."""
    figure = solara.use_memo(lambda: live_tension(model), [model])
    solara.Image(figure.update(*model.key_pairs_so_far()), width="100%")


def Feed(model: ClassroomModel):
    """The latest events in plain words, so students read what happened, not only how tension moved."""
    lines = feed(model) or ["Nothing yet: press Step."]
    with solara.Card("Latest events"):
        solara.v.Html(tag="ul", children=[solara.v.Html(tag="li", children=[line]) for line in lines])


def NetworkView(model: ClassroomModel):
    """The relations network now: who is tense with whom, and who cooperates."""
    figure = solara.use_memo(lambda: LiveNetwork(model.taking_part, model.ledger.pairs), [model])
    tension, cooperation = model.relations_now()
    week = f"week {model.steps}" if model.steps else "start"
    solara.Image(figure.update(tension, cooperation, f"Relations now ({week})"), width="100%")


@solara.component  # a component, not a plain function: SolaraViz redraws it on Reset only, not every step
def LeverHelp(model: ClassroomModel):
    """What each slider means and its range, beside the sliders SolaraViz draws without explanation."""
    with solara.Card("What the sliders mean (they apply at the next Reset)"):
        solara.Markdown(
            "\n".join(
                f"- **{lever.title}**: {lever.meaning} Range {lever.low:g} to {lever.high:g}."
                for lever in lever_settings(model.loaded)
            )
        )


COMPONENTS = [Shocks, Monitors, TensionView, Feed, NetworkView, LeverHelp]
GRID_CELLS = ".vue-grid-item { overflow-y: auto; }"  # a view taller than its cell scrolls within it


@solara.component
def Page():
    """One model per browser session, so that each student's page runs on its own."""
    model = solara.use_memo(ClassroomModel, [])
    params = solara.use_memo(lambda: model_params(model), [])
    solara.Style(GRID_CELLS)
    SolaraViz(model, components=COMPONENTS, model_params=params, name="sahelsim: Sahel geopolitics in class")
