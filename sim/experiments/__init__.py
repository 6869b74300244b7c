"""Experiments: running a scenario many times and storing what the runs produced.

The runner (replicates of one scenario), batches (replicates x sweep points, on a process
pool or Dask), the resumable Parquet batch store, per-run metrics and their summaries, and the
run-by-run difference between two batches. This is machinery around the model: it knows the
model's interface, not its rules.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
