"""The model: a scenario file, and the mesa model it drives.

Laid out as mesa's own examples are: ``model.py`` (the :class:`SahelModel`), ``agents.py``
(one agent class per kind of actor) and ``rules.py`` (the mechanisms, one function each),
with the scenario file (``scenario.py``) and parameter sweeps (``sweep.py``) that configure it.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
