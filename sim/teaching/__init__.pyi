from .classroom import classroom as classroom, ClassroomModel as ClassroomModel, load_offered as load_offered
from .serve import serve as serve
