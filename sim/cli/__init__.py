"""The command line, ``sahelsim``: a module per group of commands, registered here.

Each command parses its options, calls the layer that computes, and prints or writes what
it returns. The layers are imported inside the commands, so that ``sahelsim --help``,
``validate`` and the catalogue listings start at once (``benchmarks/bench_cli.py``). Bad input
is reported as one paragraph on stderr with exit code 2 and no traceback.
"""

from __future__ import annotations

import typer

from sim.cli import calibration, catalogues, classroom, documents, events, results, runs, skill
from sim.cli.shared import fail
from sim.core.errors import InputError

app = typer.Typer(
    help="sahelsim: agent-based simulation of Sahel geopolitics.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # help texts are plain: "[default: ...]" is text, not Rich markup
)
for name, command in (  # in the order --help lists them
    ("run", runs.run),
    ("batch", runs.batch),
    ("summary", results.summary),
    ("plot", results.plot),
    ("compare", results.compare),
    ("calibrate", calibration.calibrate),
    ("sensitivity", calibration.sensitivity),
    ("forecast", skill.forecast),
    ("score", skill.score),
    ("report", calibration.report),
    ("validate", runs.validate),
    ("extract", documents.extract),
    ("actors", catalogues.actors),
    ("parameters", catalogues.parameters),
    ("app", classroom.serve_page),
):
    app.command(name)(command)

events_app = typer.Typer(help="List the documented events (filter by actor and date).")
events_app.callback(invoke_without_command=True)(events.events)
events_app.command("import")(events.events_import)
events_app.command("summary")(events.events_summary)
events_app.command("review")(documents.review)
app.add_typer(events_app, name="events")


def main() -> None:
    """Entry point: bad input becomes a one-paragraph message on stderr and exit code 2."""
    try:
        app()  # standalone: usage errors exit 2 with their message, Ctrl-C exits 1
    except InputError as error:
        fail(error)
