"""A running comparison with its figures: what one browser session steps, pulls, draws and exports.

:class:`LiveComparison` joins the two ensembles (:class:`~sim.teaching.ensemble.Comparison`) and
their live figure (:class:`~sim.plots.live.LiveFans`, one per measure, built when first shown and
kept, so a step redraws only what changed). The page holds one per session and replaces it on Apply.
"""

from __future__ import annotations

import re

import pandas as pd

from sim.plots.live import LiveFans
from sim.teaching.classroom import ShockButton, classroom
from sim.teaching.ensemble import Choice, Comparison, Measure, Pulled, Sides, series_table

SIDE_NAMES: dict[str, str] = {"A": "A", "B": "B", "both": "A+B"}


Figures = dict[tuple[str, str], LiveFans]  # by factual scenario and measure


class LiveComparison:
    """The factual and counterfactual ensembles of a choice, and their figures, for one session.

    Args:
        choice: the applied choice.
        measure: the measure shown first (its figure is ready when the comparison is).
        figures: the session's figures from earlier runs: a figure's still parts depend only on the
            factual scenario and the measure, so a new run of the same factual reuses them (its marks
            cleared) instead of drawing them again, which is most of Apply's time at 100 worlds.
    """

    def __init__(self, choice: Choice, measure: Measure = "tension", figures: Figures | None = None) -> None:
        """Build both ensembles and the figure first shown (all of Apply's work, so it can run in a thread)."""
        self.comparison = Comparison.build(choice)
        self.figures: Figures = {} if figures is None else figures
        for (factual, _), figure in self.figures.items():
            if factual == choice.factual:
                figure.clear_marks()
        self.figure(measure)

    @property
    def choice(self) -> Choice:
        """The applied choice."""
        return self.comparison.choice

    def figure(self, measure: Measure) -> LiveFans:
        """The live figure of a measure, built on first use with the shocks pulled so far marked."""
        key = (self.choice.factual, measure)
        if key not in self.figures:
            model = self.comparison.a
            events, series = model.documented or (None, None)
            period = pd.Timestamp(model.dates[0]), pd.Timestamp(model.dates[-1])
            figure = LiveFans(self.comparison.key_pairs, period, measure, classroom().figure_font_px, events, series)
            for pulled in self.comparison.pulled:
                figure.mark(pd.Timestamp(pulled.date), SIDE_NAMES[pulled.sides])
            self.figures[key] = figure
        return self.figures[key]

    def max_width_css(self, measure: Measure) -> str:
        """How wide the figure may be shown: the main area's width, or what keeps its height within the screen."""
        width, height = self.figure(measure).figure.bbox.size
        return f"min(100%, calc((100vh - 24px) * {width / height:.4f}))"

    def step(self, weeks: int = 1) -> None:
        """Simulate ``weeks`` weeks of every world of both sides (fewer if the period ends)."""
        for _ in range(weeks):
            self.comparison.step()

    def pull(self, button: ShockButton, sides: Sides) -> Pulled:
        """Pull a shock into the chosen side(s) for the coming week, and mark it on every figure."""
        pulled = self.comparison.pull(button, sides)
        for (factual, _), figure in self.figures.items():
            if factual == self.choice.factual:
                figure.mark(pd.Timestamp(pulled.date), SIDE_NAMES[sides])
        return pulled

    def png(self, measure: Measure) -> bytes:
        """The figure of a measure as it stands this week (what the page shows after each step)."""
        fans = self.comparison.fans(measure)
        return self.figure(measure).update(fans.dates, fans.a, fans.b, fans.difference, self.comparison.title(measure))

    def export(self, measure: Measure, fmt: str) -> bytes:
        """The figure of a measure this week as a file (``png`` at twice the page's resolution, or ``svg``)."""
        self.png(measure)  # the changing artists as they are this week
        return self.figure(measure).frame.export(fmt, dpi=144 if fmt == "png" else 72)

    def csv(self) -> bytes:
        """Both ensembles' series so far (:func:`~sim.teaching.ensemble.series_table`) as CSV."""
        return series_table(self.comparison).to_csv(index=False).encode()

    def filename(self, what: str, extension: str) -> str:
        """A download's name that records what it shows: scenarios, seed, levers, week."""
        choice = self.choice
        levers = "_".join(f"{name}{value:g}" for name, value in choice.levers)
        parts = [choice.factual, "vs", choice.counterfactual, levers, f"seed{self.comparison.a.scenario.seed}"]
        parts += [f"n{choice.worlds}", f"week{self.comparison.week}", what]
        return re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(part for part in parts if part)) + f".{extension}"
