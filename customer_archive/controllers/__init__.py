from . import main
from . import overview
