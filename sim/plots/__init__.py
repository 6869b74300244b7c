"""Plots: figures drawn from result tables; they compute nothing they do not show.

Tension fans with the documented events, comparisons of two batches, sweep and diagnostic
figures, and the live figures of the teaching page (modules ``tension``, ``compare``,
``diagnostics`` and ``live``, drawn with the shared pieces of ``panels`` and ``record``).
Figures are built on matplotlib's object API; no backend is chosen at import.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
