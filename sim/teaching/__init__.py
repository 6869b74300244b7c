"""Teaching: the classroom page and what it offers.

The classroom catalogue (scenarios, levers, shock buttons, texts), the factual and counterfactual
ensembles the page steps side by side (``ensemble``), its feed (``feed``), the running comparison
with its figures (``live``), the Solara page (``app``), and the server that starts it on loopback.
Only this layer (and the command line above it) imports Solara.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
