from .classroom import ClassroomModel as ClassroomModel
from .classroom import classroom as classroom
from .classroom import load_offered as load_offered
from .serve import serve as serve
