from .compare import compare_figure as compare_figure
from .diagnostics import crps_figure as crps_figure
from .diagnostics import sensitivity_figure as sensitivity_figure
from .diagnostics import sweep_figure as sweep_figure
from .live import LiveFans as LiveFans
from .panels import save_figure as save_figure
from .tension import tension_figure as tension_figure
