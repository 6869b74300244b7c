"""Documents: articles read into candidate events, and their review into the record.

Articles and their publication dates, date expressions resolved against them, extraction
settings and patterns as data models (``patterns``), the spaCy-based extractor (``extraction``
builds the pipelines; ``reader`` reads an article with its ``mentions`` and ``roles``) and the
review of candidates against the curated record. spaCy and dateparser (the ``extract`` extra)
are imported only when the extractor is built or a date is read, so the review needs neither.

Names are imported lazily (SPEC 1, ``lazy_loader``): importing the package costs nothing until a
name is used, which keeps the command line quick to start. ``__init__.pyi`` lists them.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
