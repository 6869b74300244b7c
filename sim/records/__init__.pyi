from .datasets import Selection as Selection, import_events as import_events, load_imported as load_imported, match_actors as match_actors
from .observed import Observed as Observed, primary as primary, months as months, pair_monthly as pair_monthly, country_monthly as country_monthly
from .documented import documented_record as documented_record
