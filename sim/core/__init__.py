"""The core: what every other layer stands on.

Errors, strict YAML data files, atomic writes, the actor catalogue, the one event schema,
the parameter file and tension as an observable of any event table. It imports no other
layer of sahelsim, so it can be read (and tested) on its own.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
