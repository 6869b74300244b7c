from .errors import InputError as InputError
from .datafiles import read_yaml as read_yaml, load_yaml_model as load_yaml_model, validate as validate
from .io import atomic_path as atomic_path, results_folder as results_folder, require_parent as require_parent, write_csv as write_csv, write_json as write_json, write_parquet as write_parquet, write_text as write_text, write_yaml as write_yaml
from .actors import Actor as Actor, Catalogue as Catalogue, load_catalogue as load_catalogue
from .events import Event as Event, event_types as event_types, event_families as event_families, events_to_frame as events_to_frame, frame_to_events as frame_to_events, validate_frame as validate_frame, load_events as load_events, select_events as select_events
from .parameter_values import Parameters as Parameters
from .parameters import ParameterSpec as ParameterSpec, parameter_specs as parameter_specs, resolve_parameters as resolve_parameters
from .relations import RelationLedger as RelationLedger, pair_key as pair_key, pair_label as pair_label, tension_series as tension_series, week_dates as week_dates
