"""sahelsim: an agent-based simulation of Sahel geopolitics.

The package is laid out by layer, each importing only those below it (checked in CI by
import-linter, see ``.importlinter``); data flows one way, scenario -> model -> event log ->
results -> plots:

- :mod:`sim.core`: errors, YAML data files, atomic writes, actors, the one event schema,
  parameters, and tension as an observable of any event table;
- :mod:`sim.model`: the scenario file and the mesa model, agents and rules it drives;
- :mod:`sim.records`: the documented record, imported datasets, observed series;
- :mod:`sim.experiments`: runs, batches, the batch store, per-run metrics;
- :mod:`sim.documents`: articles read into candidate events, and their review;
- :mod:`sim.calibration`: targets, fitting, checks, sensitivity, forecast skill, the report;
- :mod:`sim.plots`: figures drawn from result tables;
- :mod:`sim.teaching`: the classroom page;
- :mod:`sim.cli`: the ``sahelsim`` command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sahelsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
