from .targets import Target as Target, statistics as statistics
from .fitting import LoadedConfig as LoadedConfig, load_config as load_config, calibrate as calibrate, fitted_set as fitted_set
from .checks import Checks as Checks, posterior_draws as posterior_draws, predictive_runs as predictive_runs, run_checks as run_checks
from .sensitivity import analyse as analyse
from .forecast import score as score, pre_cutoff as pre_cutoff, forecast_config as forecast_config, forecast as forecast
from .scoring import Design as Design, evaluate as evaluate, Skill as Skill, skill as skill
from .report import assets as assets, report_markdown as report_markdown
