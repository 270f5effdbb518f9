"""Kiln: a machine-learning compiler with a C++ core and a Python front.

The runtime layer is available now: devices, arrays (``kiln.nd``), functions
and their global registry, modules loaded from shared libraries, the thread
pool, and timing.
"""

from . import nd, runtime
from ._core import Error, __version__
from .runtime import *  # noqa: F401,F403  (the names in runtime.__all__)

__all__ = ["Error", "__version__", "nd", *runtime.__all__]
