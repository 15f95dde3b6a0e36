from . import attachment
from . import export
from . import main
from . import overview
