"""Records: what happened, as documented and as imported datasets record it.

The documented record of a scenario, events imported from ACLED or UCDP GED, and the
observed monthly series drawn from either. Simulated runs are compared against these.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
