"""What the command groups share: the consoles, bad input as one paragraph, progress bars, option helpers.

Nothing heavy is imported here: every command loads this module, ``sahelsim --help`` included.
"""

from __future__ import annotations

import os
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim.core.errors import InputError
from sim.core.names import unknown

if TYPE_CHECKING:
    from sim.records.observed import Observed

console = Console()
errors = Console(stderr=True)
CORES = os.cpu_count() or 1  # the default of every --workers
# What of the observed events to draw: sim.records.observed.Measure, whose module is too slow to import at
# start-up (tests/cli/test_cli.py checks that the two agree)
Measure = Literal["events", "fatalities"]
# Where a run's parameters come from: sim.model.scenario.Scenario.parameters_from (tests/cli/test_cli.py checks
# that the two agree)
ParametersFrom = Literal["posterior", "median"]


def fail(error: InputError) -> NoReturn:
    """Bad input: its one-paragraph message on stderr and exit code 2, without a traceback."""
    errors.print(f"error: {error.message}", highlight=False, soft_wrap=True)
    sys.exit(2)


def choice(kind: Any, noun: str, field: str) -> Callable[[str], str]:
    """The parser of an option typed as the Literal ``kind``.

    Typer shows the choices in the help; a value outside them is refused as bad input is (one
    paragraph, exit 2) rather than as a usage error, with the nearest choice if one is close, e.g.
    "unknown executor 'dsak'; did you mean 'dask'? expected local or dask".
    """
    allowed = typing.get_args(kind)
    expected = f"{', '.join(allowed[:-1])} or {allowed[-1]}"

    def parse(value: str) -> str:
        if value not in allowed:
            raise InputError(unknown(noun, value, allowed, expected), field=field)
        return value

    return parse


def progress() -> Progress:
    """A transient progress bar on stderr: done of total, rate, elapsed time and ETA."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text("" if task.speed is None else f"{task.speed:.1f}/s", style="progress.data.speed")


def default_out(name: str, create: bool = True) -> Path:
    """``results/NAME`` in the current folder, creating ``results/`` on first use.

    A caller that creates the folder itself once the input has been checked passes ``create=False``.
    """
    results = Path("results")
    if create:
        results.mkdir(exist_ok=True)
    return results / name


def iso3_codes(text: str) -> tuple[str, ...]:
    """Country codes from an option such as "mli, MRT,BFA" (upper case, blanks dropped)."""
    return tuple(code.strip().upper() for code in text.split(",") if code.strip())


# --observed and --observed-measure, as run, plot and compare take them
ObservedOption = Annotated[
    Path | None, typer.Option(help="imported events (Parquet from 'events import') to draw beside the fans")
]
ParametersOption = Annotated[
    ParametersFrom | None,
    typer.Option(
        "--parameters",
        help="with a fitted parameter set: posterior (each replicate its own posterior draw) or median (every "
        "replicate the medians) [default: the scenario's parameters_from, posterior unless it says]",
        parser=choice(ParametersFrom, "parameter source", "--parameters"),
        show_default=False,
    ),
]
MeasureOption = Annotated[
    Measure,
    typer.Option(
        help="what of the observed events to draw: events or fatalities",
        parser=choice(Measure, "measure", "--observed-measure"),
    ),
]


def load_observed(path: Path | None, measure: Measure) -> Observed | None:
    """The imported events an --observed option names, with the measure to draw."""
    from sim.records.datasets import load_imported
    from sim.records.observed import Observed

    return None if path is None else Observed(load_imported(path), measure)


def show_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]], names: int = 1) -> None:
    """A table on stdout: a Rich table on a terminal, plain aligned columns otherwise (a file, a pipe).

    Rich fits a table to the console's width, 80 columns when the output is not a terminal, and cuts
    the cells that do not fit ('first_joint_…'); plain columns keep every character, for a reader or
    a script. The first ``names`` columns are left-aligned, the numbers after them right-aligned.
    """
    cells = [list(row) for row in rows]
    if console.is_terminal:
        view = Table(title=title)
        for i, column in enumerate(columns):
            view.add_column(column, justify="left" if i < names else "right")
        for row in cells:
            view.add_row(*row)
        console.print(view)
        return
    widths = [max(map(len, column)) for column in zip(columns, *cells, strict=True)]
    lines = [title] + [
        "  ".join(
            cell.ljust(width) if i < names else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (list(columns), *cells)
    ]
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
