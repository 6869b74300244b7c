"""sahelsim: an agent-based simulation of Sahel geopolitics.

Data flows one way: a scenario file (:mod:`sim.scenario`) configures a mesa model
(:mod:`sim.model`) of the actors in the catalogue (:mod:`sim.actors`); the model writes an
event log in the same schema as the documented events (:mod:`sim.events`); tension is an
observable derived from any event log (:mod:`sim.relations`); the runner and store
(:mod:`sim.runner`, :mod:`sim.store`) write results that the plots (:mod:`sim.plots`) draw.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sahelsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
