"""Calibration: fitting parameters to the evidence and measuring how well the model does.

Targets (statistics of an event sequence), the ABC fit, posterior-predictive checks, Sobol
and Morris sensitivity, forecast skill (Brier scores on the documented record, CRPS against
imported datasets and their benchmarks) and the report that gathers them.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
