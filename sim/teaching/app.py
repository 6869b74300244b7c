"""The classroom page: live ensembles of a factual scenario and a counterfactual, side by side.

Served by ``sahelsim app`` (or ``solara run sim.teaching.app:Page``). Plain Solara components in
Solara's app layout: the sidebar holds the choices (each saying whether it is applied or pending),
Apply with its progress bar, Step, the shocks to pull and the downloads; the main area is the
figure, sized for a projector, then the monitors and tabs for the feed and the explanations.
What they show is computed in :mod:`sim.teaching.ensemble`, :mod:`sim.teaching.feed` and
:mod:`sim.teaching.live`, and the texts are ``sim/data/classroom.yaml``'s: this module lays it out.

State is per browser session: the choice in the sidebar, the applied one (the running comparison
is rebuilt, in a thread, when it changes), and a counter of what happened since (steps, pulls)
that the views read, so a step redraws the views and not the sidebar.
"""

from __future__ import annotations

import dataclasses
import gc
import html
from typing import cast

import reacton.core
import solara
import solara.lab

from sim.core.errors import InputError
from sim.core.events import event_types
from sim.teaching.classroom import classroom, lever_settings, load_offered, opening_scenario, scenarios_folder
from sim.teaching.ensemble import Choice, Measure, Sides, check_choice, counterfactuals, default_choice, readings
from sim.teaching.feed import FeedFilter, week_feed
from sim.teaching.live import Figures, LiveComparison

TITLE = "sahelsim: Sahel geopolitics in class"
WORLD_CHOICES = [1, 10, 100, 1000]
SIDEBAR_PX = 290
STYLE = f"""
.sahel-page {{ display: flex; height: 100vh; overflow: hidden; }}
.sahel-sidebar {{ width: {SIDEBAR_PX}px; min-width: {SIDEBAR_PX}px; overflow-y: auto; padding: 8px 12px;
  background: #f4f6f7; border-right: 1px solid #d5d8dc; }}
.sahel-main {{ flex: 1; overflow-y: auto; padding: 8px; display: flex; flex-wrap: wrap; align-content: flex-start;
  gap: 8px; }}
.sahel-figure {{ flex: 1 1 700px; }}
.sahel-figure img {{ width: 100%; height: auto; display: block; }}
.sahel-side {{ flex: 1 1 330px; min-width: 330px; }}
.sahel-state {{ font-size: 14px; margin: -18px 0 8px 0; }}
.sahel-pending {{ color: #b9770e; font-weight: bold; }}
.sahel-applied {{ color: #1e8449; }}
.sahel-monitors {{ border-collapse: collapse; margin: 4px 0; }}
.sahel-monitors td, .sahel-monitors th {{ padding: 2px 6px; font-size: 15px; text-align: right; }}
.sahel-monitors td:first-child, .sahel-monitors th:first-child {{ text-align: left; }}
.sahel-week {{ font-size: 15px; }}
.sahel-title {{ font-size: 18px; font-weight: bold; margin-bottom: 6px; }}
"""


def state_note(pending: bool, applied: str) -> None:
    """Under a control: whether its value is running, or waits for Apply (and what runs meanwhile)."""
    if pending:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<span class='sahel-pending'>pending</span>: running {html.escape(applied)}; press Apply",
            classes=["sahel-state"],
        )
    else:
        solara.HTML(tag="div", unsafe_innerHTML="<span class='sahel-applied'>applied</span>", classes=["sahel-state"])


@solara.component
def Choices(chosen: solara.Reactive[Choice], applied: Choice) -> None:
    """The scenarios, seed, worlds and B's levers, each with its current value and whether it is applied."""
    choice = chosen.value

    def set_factual(name: str) -> None:
        chosen.value = dataclasses.replace(default_choice(name), seed=choice.seed, worlds=choice.worlds)

    solara.Select("A: factual scenario", values=classroom().scenarios, value=choice.factual, on_value=set_factual)
    state_note(choice.factual != applied.factual, applied.factual)
    solara.Select(
        "B: counterfactual (same period)",
        values=counterfactuals(choice.factual),
        value=choice.counterfactual,
        on_value=lambda name: chosen.set(dataclasses.replace(choice, counterfactual=name, levers=())),
    )
    state_note(choice.counterfactual != applied.counterfactual, applied.counterfactual)
    solara.InputText(
        "Seed (both sides)",
        value=choice.seed,
        on_value=lambda text: chosen.set(dataclasses.replace(choice, seed=text)),
        continuous_update=False,
    )
    state_note(choice.seed != applied.seed, applied.seed)
    solara.Select(
        "Worlds per side",
        values=WORLD_CHOICES,
        value=choice.worlds,
        on_value=lambda n: chosen.set(dataclasses.replace(choice, worlds=n)),
    )
    state_note(choice.worlds != applied.worlds, str(applied.worlds))
    solara.Markdown("**Levers of B** (A keeps its scenario's values)")
    for lever in lever_settings(load_offered(choice.counterfactual)):
        value = choice.lever(lever.name, lever.value)
        was = applied.lever(lever.name, lever.value) if applied.counterfactual == choice.counterfactual else None

        def move(number: float, name: str = lever.name) -> None:
            levers = dict(choice.levers) | {name: number}
            chosen.value = dataclasses.replace(choice, levers=tuple(sorted(levers.items())))

        solara.Text(f"{lever.title}: now {value:g}")
        solara.SliderFloat(
            "",
            value=value,
            min=lever.low,
            max=lever.high,
            step=lever.step,
            on_value=move,
        )
        state_note(was is None or abs(value - was) > lever.step / 2, f"{was:g}" if was is not None else "another B")


@solara.component
def RunControls(live: LiveComparison | None, building: bool, tick: solara.Reactive[int]) -> None:
    """Step (one week, or ten) and where the run stands; disabled while Apply builds the new run."""
    _ = tick.value  # redrawn after each step: the counter and the buttons' state change
    comparison = live.comparison if live else None
    can_step = comparison is not None and comparison.running and not building

    def step(weeks: int) -> None:
        if live is not None and not building:
            live.step(weeks)
            tick.value += 1

    with solara.Row():
        solara.Button("Step", on_click=lambda: step(1), color="primary", disabled=not can_step)
        solara.Button("Step 10", on_click=lambda: step(10), disabled=not can_step)
    if building:
        solara.Text("Applying: building both ensembles…")
    elif comparison is not None:
        dates = comparison.a.dates
        when = f"{dates[comparison.week - 1]:%d %b %Y}" if comparison.week else "not started"
        solara.Text(f"Week {comparison.week} of {len(dates)} ({when})")


@solara.component
def Shocks(live: LiveComparison | None, building: bool, tick: solara.Reactive[int]) -> None:
    """Shocks to pull into A, B or both for the coming week; refusals become messages."""
    _ = tick.value
    sides, set_sides = solara.use_state("B")
    no_problem: str | None = None
    problem, set_problem = solara.use_state(no_problem)

    def pull(index: int) -> None:
        if live is None:
            return
        try:
            live.pull(classroom().shocks[index], cast(Sides, sides))
            set_problem(None)
        except InputError as error:
            set_problem(error.message)
        tick.value += 1

    solara.Markdown("**Pull a shock** (it happens in the coming week) into:")
    solara.ToggleButtonsSingle(value=sides, values=["A", "B", "both"], on_value=set_sides)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        for index, button in enumerate(classroom().shocks):
            allowed = live is not None and not building and live.comparison.can_pull(button, cast(Sides, sides))
            solara.Button(
                button.label,
                on_click=lambda index=index: pull(index),
                color="warning",
                disabled=not allowed,
                small=True,
            )
    if problem:
        solara.Error(problem)


@solara.component
def Downloads(live: LiveComparison | None, measure: Measure, tick: solara.Reactive[int]) -> None:
    """The figure as PNG and SVG and the ensembles' series as CSV, named after what they show."""
    _ = tick.value
    if live is None:
        return
    solara.Markdown("**Download** (this week)")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            solara.FileDownload(
                lambda fmt=fmt: live.export(measure, fmt),
                filename=live.filename(measure, fmt),
                label=f"Figure ({fmt.upper()})",
                mime_type=mime,
            )
        solara.FileDownload(
            live.csv, filename=live.filename("series", "csv"), label="Series (CSV)", mime_type="text/csv"
        )


@solara.component
def FigureView(live: LiveComparison, measure: Measure, tick: solara.Reactive[int]) -> None:
    """The figure, as wide as the main area."""
    week = tick.value
    png = solara.use_memo(lambda: live.png(measure), [live, measure, week])
    solara.Image(png, format="png")


@solara.component
def Monitors(live: LiveComparison, tick: solara.Reactive[int]) -> None:
    """Each key pair's median tension and cooperation this week, the counterfactual beside the factual."""
    _ = tick.value
    rows = "".join(
        f"<tr><td>{r.label}</td><td>{r.tension_a:.2f}</td><td>{r.tension_b:.2f}</td>"
        f"<td>{r.cooperation_a:.2f}</td><td>{r.cooperation_b:.2f}</td></tr>"
        for r in readings(live.comparison)
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML="<tr><th>median of the worlds</th><th>tension A</th><th>tension B</th>"
        f"<th>cooperation A</th><th>cooperation B</th></tr>{rows}",
        classes=["sahel-monitors"],
    )


@solara.component
def Feed(live: LiveComparison, tick: solara.Reactive[int]) -> None:
    """One world's weeks, newest first, filtered by side, pair and kind, with the documented events of each week."""
    _ = tick.value
    comparison = live.comparison
    side, set_side = solara.use_state("A")
    world, set_world = solara.use_state(0)
    pair_names = {f"{a} – {b}": (a, b) for a, b in comparison.key_pairs}
    pair, set_pair = solara.use_state("all pairs")
    kinds = {event.label: name for name, event in event_types().items()}
    kind, set_kind = solara.use_state("all kinds")
    routine, set_routine = solara.use_state(False)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.ToggleButtonsSingle(value=side, values=["A", "B"], on_value=set_side)
        solara.InputInt("world", value=min(world, comparison.choice.worlds - 1), on_value=set_world)
        solara.Select("pair", values=["all pairs", *pair_names], value=pair, on_value=set_pair)
        solara.Select("kind", values=["all kinds", *sorted(kinds)], value=kind, on_value=set_kind)
        solara.Checkbox(label="routine operations", value=routine, on_value=set_routine)
    model = comparison.a if side == "A" else comparison.b
    shown = FeedFilter(
        world=max(0, min(world, comparison.choice.worlds - 1)),
        pair=pair_names.get(pair),
        kinds=frozenset([kinds[kind]]) if kind in kinds else frozenset(),
        routine=routine,
    )
    documented = comparison.a.documented
    weeks = week_feed(model, shown, documented[0] if documented else None)
    if not weeks:
        solara.Text("Nothing yet: press Step.")
    for group in weeks:
        hidden = f" ({group.hidden} hidden by the filter)" if group.hidden else ""
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in group.lines) or "<li>nothing shown</li>"
        record = "".join(f"<li>{html.escape(line)}</li>" for line in group.documented)
        documented_html = f"<div><i>documented that week:</i><ul>{record}</ul></div>" if record else ""
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>Week {group.week} ({group.date:%d %b %Y}), {side} world {shown.world}</b>{hidden}"
            f"<ul>{lines}</ul>{documented_html}",
            classes=["sahel-week"],
        )


def lesson_text(scenario: str) -> tuple[str, str] | None:
    """The scenario's lesson (its path and Markdown), when the docs folder is beside the scenarios folder."""
    name = classroom().lessons.get(scenario)
    if name is None:
        return None
    path = scenarios_folder().resolve().parent / "docs" / "teaching" / name
    return (f"docs/teaching/{name}", path.read_text()) if path.exists() else (f"docs/teaching/{name}", "")


@solara.component
def Info(scenario: str) -> None:
    """What the page is and how it works, what its measures mean, and the scenario's lesson."""
    shown, set_shown = solara.use_state(False)
    info = classroom().info
    for heading, key in (
        ("What it is", "what_it_is"),
        ("How it works", "how_it_works"),
        ("Things to notice", "things_to_notice"),
        ("Things to try", "things_to_try"),
        ("Tension and cooperation", "measures"),
        ("The documented record", "record"),
    ):
        solara.Markdown(f"#### {heading}\n\n{info[key]}")
    lesson = lesson_text(scenario)
    if lesson is not None:
        path, text = lesson
        solara.Markdown(f"#### The lesson\n\nThis scenario's lesson: `{path}` (in the project's docs).")
        if text:
            solara.Checkbox(label="show the lesson here", value=shown, on_value=set_shown)
            if shown:  # rendered on demand: a whole lesson is long, and the Info tab is redrawn on Apply
                solara.Markdown(text)


@solara.component
def Page() -> None:
    """One comparison per browser session: the sidebar's choices, Apply in a thread, the views."""
    opening = solara.use_memo(lambda: default_choice(opening_scenario()), [])
    chosen = solara.use_reactive(opening)
    applied = solara.use_reactive(opening)
    applies = solara.use_reactive(0)  # a new Apply of the same choice restarts it too
    tick = solara.use_reactive(0)
    measure = solara.use_reactive("tension")  # a Measure: ToggleButtonsSingle's values are typed as str
    problems = solara.use_reactive(cast(list[str], []))
    current = solara.use_reactive(cast(LiveComparison | None, None))
    figures = solara.use_memo(lambda: cast(Figures, {}), [])  # the session's figures, reused by later runs

    def build() -> None:
        """Apply's work, in a thread: both ensembles and the figure; the page shows progress meanwhile."""
        current.value = LiveComparison(applied.value, cast(Measure, measure.value), figures)

    task = solara.lab.use_task(build, dependencies=[applied.value, applies.value])
    building = bool(task.pending)
    live: LiveComparison | None = current.value  # while Apply builds, the old run stays in view, not steppable

    def apply() -> None:
        found = check_choice(chosen.value)
        problems.value = found
        if not found:
            applied.value = chosen.value
            applies.value += 1

    solara.Title(TITLE)
    solara.Style(STYLE)
    with solara.Div(classes=["sahel-page"]):
        with solara.Div(classes=["sahel-sidebar"]):
            solara.HTML(tag="div", unsafe_innerHTML=TITLE, classes=["sahel-title"])
            RunControls(live, building, tick)
            solara.ToggleButtonsSingle(value=measure, values=["tension", "cooperation"])
            Shocks(live, building, tick)
            solara.Markdown("**Choices** (they wait for Apply)")
            Choices(chosen, applied.value)
            solara.Button("Apply (restart at week 0)", on_click=apply, color="primary", block=True, disabled=building)
            solara.ProgressLinear(building)
            if building:
                solara.Text("Building both ensembles…")
            for message in problems.value:
                solara.Error(message)
            if not building:  # the figure is being reused for the new run
                Downloads(live, cast(Measure, measure.value), tick)
        with solara.Div(classes=["sahel-main"]):
            if building and live is not None:
                solara.Info("Applying the new choices: the figure below is the previous run's until they are built.")
            if live is None:
                solara.Info("Building the factual and counterfactual ensembles…")
                return
            with solara.Div(
                classes=["sahel-figure"], style={"max-width": live.max_width_css(cast(Measure, measure.value))}
            ):
                FigureView(live, cast(Measure, measure.value), tick)
            with solara.Div(classes=["sahel-side"]):
                Monitors(live, tick)
                with solara.lab.Tabs():
                    with solara.lab.Tab("Feed: one world"):
                        Feed(live, tick)
                    with solara.lab.Tab("Info"):
                        Info(live.choice.factual)


@solara.component
def Layout(children: list) -> reacton.core.Element:
    """The page's own layout (the sidebar and main area above), instead of Solara's app bar and drawer."""
    return solara.Div(children=children)


# The server's modules (Solara, matplotlib, pandas, the model) live as long as it does: moved out of
# the collector's sight, they make the collection a large ensemble starts with (LARGE_ENSEMBLE in
# sim/model/model.py) scan only what runs made since, which halves Apply's time at 100 worlds.
gc.freeze()
