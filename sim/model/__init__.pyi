from .scenario import (
    Scenario as Scenario,
    LoadedScenario as LoadedScenario,
    Shock as Shock,
    Relation as Relation,
    FittedSet as FittedSet,
    load_scenario as load_scenario,
    load_fitted_set as load_fitted_set,
)
from .sweep import Sweep as Sweep, Range as Range, sweep_points as sweep_points
from .model import SahelModel as SahelModel, replicate_seed as replicate_seed
from .agents import SahelAgent as SahelAgent
