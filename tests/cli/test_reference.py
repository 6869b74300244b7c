"""The command reference (docs/guide/commands.md) lists every command, and every option its --help shows."""

import re

import click
import pytest
import typer.main
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import ROOT

REFERENCE = ROOT / "docs" / "guide" / "commands.md"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the app as the words that call it: ('run',), ('events',), ('events', 'import'), ..."""
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
    return paths


PATHS = command_paths(typer.main.get_command(app))


def documented() -> dict[tuple[str, ...], str]:
    """Each command's entry in the reference's code block: its 'sahelsim ...' line and the indented lines after it.

    Comments (``# ...``) are left out: an option is documented where the command's synopsis shows it.
    """
    block = REFERENCE.read_text().split("```bash\n", 1)[1].split("```", 1)[0]
    entries: dict[tuple[str, ...], str] = {}
    current: tuple[str, ...] | None = None
    for line in block.splitlines():
        text = line.split("#", 1)[0]
        if line.startswith("sahelsim "):
            words = text.split()[1:]
            path: tuple[str, ...] = ()
            while words and (*path, words[0]) in PATHS:
                path, words = (*path, words[0]), words[1:]
            current = path
            entries[current] = entries.get(current, "") + text
        elif line.startswith(" ") and current is not None:
            entries[current] += text
        else:
            current = None
    return entries


def help_options(path: tuple[str, ...]) -> set[str]:
    """The options a command's --help lists: those that start its lines."""
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    options = set()
    for line in result.output.splitlines():
        if re.match(r"^ {2}-", line):
            options |= set(re.findall(r"--[a-z][a-z0-9-]*", re.split(r"\s{2,}", line.strip())[0]))
    return options


def test_the_reference_has_an_entry_for_every_command():
    assert sorted(set(PATHS) - set(documented())) == []


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_the_reference_lists_every_option_the_help_shows(path):
    entry = documented()[path]
    options = help_options(path)
    assert "--help" in options, "--help is not where the options are looked for: has the help's layout changed?"
    options.discard("--help")
    missing = sorted(option for option in options if not re.search(rf"{re.escape(option)}(?![a-z0-9-])", entry))
    assert missing == [], f"docs/guide/commands.md does not list these options of 'sahelsim {' '.join(path)}'"


def help_entries(path: tuple[str, ...]) -> dict[str, str]:
    """Each option of a command's --help with its whole text (its line and the lines it wraps onto)."""
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=200)
    entries: dict[str, str] = {}
    current = None
    for line in result.output.split("Options:", 1)[-1].splitlines():
        if re.match(r"^ {2}-", line):
            current = line.split()[0]
            entries[current] = line
        elif line.startswith("   ") and current is not None:
            entries[current] += " " + line.strip()
        else:
            current = None
    return entries


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_the_help_shows_one_default_per_option_and_dates_as_dates(path):
    entries = help_entries(path)
    assert {option: text for option, text in entries.items() if text.count("[default:") > 1} == {}
    assert {option: text for option, text in entries.items() if "00:00:00" in text} == {}


def test_the_forecast_help_shows_its_dates_and_batch_its_workers_once():
    forecast, batch = help_entries(("forecast",)), help_entries(("batch",))
    assert "[default: 2024-06-30]" in forecast["--cutoff"] and "[default: 2024-12-31]" in forecast["--until"]
    assert "[default: number of cores]" in batch["--workers"] and batch["--workers"].count("default") == 1
