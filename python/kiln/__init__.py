"""Kiln: a machine-learning compiler with a C++ core and a Python front.

The runtime layer is available now: devices, arrays (``kiln.nd``), functions
and their global registry, modules loaded from shared libraries, the thread
pool, and timing.
"""

from . import nd
from ._core import Error, __version__
from .runtime import (
    DataType,
    Device,
    Function,
    Module,
    TimingResult,
    cpu,
    cuda,
    from_dlpack,
    get_global_func,
    list_global_func_names,
    load,
    num_threads,
    register_func,
    remove_global_func,
    set_num_threads,
    time_evaluator,
)

__all__ = [
    "DataType",
    "Device",
    "Error",
    "Function",
    "Module",
    "TimingResult",
    "__version__",
    "cpu",
    "cuda",
    "from_dlpack",
    "get_global_func",
    "list_global_func_names",
    "load",
    "nd",
    "num_threads",
    "register_func",
    "remove_global_func",
    "set_num_threads",
    "time_evaluator",
]
