"""``kiln.relax.dpl``: another name for :mod:`kiln.relax.pattern`."""

from .pattern import *  # noqa: F401,F403
from .pattern import __all__  # noqa: F401
