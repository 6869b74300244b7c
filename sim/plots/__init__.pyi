from .panels import save_figure as save_figure
from .tension import tension_figure as tension_figure
from .compare import compare_figure as compare_figure
from .diagnostics import sweep_figure as sweep_figure, sensitivity_figure as sensitivity_figure, crps_figure as crps_figure
from .live import LiveTension as LiveTension, LiveNetwork as LiveNetwork
