"""Measurements of the benchmark, registered when their module is imported.

Each file contains the measurement functions of one feature, and a new file
must be imported here.
"""

from . import birthdays
from . import retention
from . import classification
from . import access_rules
from . import importing
from . import overview
from . import serve_view
