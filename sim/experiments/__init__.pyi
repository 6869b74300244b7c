from .runner import RunResult as RunResult, run_replicate as run_replicate, run_scenario as run_scenario
from .batch import run_batch as run_batch, BatchOutcome as BatchOutcome
from .store import BatchStore as BatchStore, scenario_record as scenario_record, provenance as provenance
from .metrics import run_metrics as run_metrics, event_counts as event_counts
from .summary import summarise as summarise
from .compare import paired_difference as paired_difference
