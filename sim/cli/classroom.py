"""The teaching page: ``sahelsim app`` serves it (checks first, then Solara's server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.shared import console
from sim.core.errors import InputError
from sim.teaching.serve import LOOPBACK


def serve_page(
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to serve on")] = 8765,
    host: Annotated[str, typer.Option(help="address to bind: 127.0.0.1 (this machine only) unless asked")] = LOOPBACK,
    scenario: Annotated[
        str | None, typer.Option(help="scenario the page opens with (a name from sim/data/classroom.yaml)")
    ] = None,
    scenarios: Annotated[Path, typer.Option(help="folder of the scenario files")] = Path("scenarios"),
) -> None:
    """Serve the classroom page: live ensembles of a factual and a counterfactual, levers, shocks, feed, downloads."""
    from sim.core.names import unknown
    from sim.teaching.classroom import CLASSROOM_PATH, classroom
    from sim.teaching.serve import check_port_free, check_scenarios, serve, where

    offered = classroom().scenarios
    if scenario is not None and scenario not in offered:
        raise InputError(
            f"{unknown('scenario', scenario, offered)} "
            f"(the scenarios the page offers, listed in {CLASSROOM_PATH.name})",
            path="sahelsim app",
            field="--scenario",
        )
    opening = scenario or offered[0]
    check_scenarios(opening, scenarios)
    check_port_free(host, port)
    console.print(
        f"sahelsim app: serving the teaching page on {where(host, port)}; Ctrl-C stops it.",
        highlight=False,
        soft_wrap=True,
    )
    serve(host, port, opening, scenarios)
