from .classroom import ClassroomModel as ClassroomModel
from .classroom import classroom as classroom
from .classroom import load_offered as load_offered
from .ensemble import Choice as Choice
from .ensemble import Comparison as Comparison
from .live import LiveComparison as LiveComparison
from .serve import serve as serve
