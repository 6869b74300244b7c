"""The catalogues the model is built on: ``sahelsim actors | parameters``.

Both read a YAML data file only, so they start at once.
"""

from __future__ import annotations

from rich.table import Table

from sim.cli.shared import console


def actors() -> None:
    """List the actor catalogue with kinds, attributes and the documents naming each actor."""
    from sim.core.actors import load_catalogue

    catalogue = load_catalogue()
    view = Table(title=f"{len(catalogue.actors)} actors")
    for column in ("id", "name", "kind", "capability", "resolve", "alignment", "aliases (en / fr)", "mentioned in"):
        view.add_column(column, overflow="fold")
    for actor in catalogue.actors:
        view.add_row(
            actor.id,
            actor.name,
            actor.kind,
            f"{actor.capability:.2f}",
            f"{actor.resolve:.2f}",
            f"{actor.alignment:+.2f}",
            ", ".join(actor.aliases.en[:3]) + " / " + ", ".join(actor.aliases.fr[:3]),
            ", ".join(name[:3] for name in actor.mentioned_in),
        )
    console.print(view)
    for name, spec in catalogue.attributes.items():
        console.print(f"[bold]{name}[/bold] {list(spec.range)}: {spec.meaning}")
    for name, meaning in catalogue.links.items():
        console.print(f"[bold]{name}[/bold]: {meaning}")


def parameters() -> None:
    """List the model's parameters with defaults, ranges, units and meanings."""
    from sim.core.parameters import parameter_specs

    view = Table(title=f"{len(parameter_specs())} parameters")
    for column in ("name", "default", "range", "unit", "meaning"):
        view.add_column(column, overflow="fold")
    for name, spec in parameter_specs().items():
        view.add_row(name, f"{spec.default:g}", f"[{spec.range[0]:g}, {spec.range[1]:g}]", spec.unit, spec.meaning)
    console.print(view)
