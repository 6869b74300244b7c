"""Documents: articles read into candidate events, and their review into the record.

Articles and their publication dates, date expressions resolved against them, extraction
patterns as data models, the spaCy-based extractor (spaCy is imported only when an article is
read) and the review of candidates against the curated record.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
