from .articles import Article as Article, read_article as read_article
from .dates import resolve as resolve, ResolvedDate as ResolvedDate
from .extraction import Extraction as Extraction, extract_articles as extract_articles, load_extractor as load_extractor
from .review import review as review, select as select, accept as accept
