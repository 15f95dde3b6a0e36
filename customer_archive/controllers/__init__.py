from . import overview
