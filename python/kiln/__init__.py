"""Kiln: a machine-learning compiler with a C++ core and a Python front.

The runtime (devices, arrays in ``kiln.nd``, functions and their registry,
modules, threads, timing) and the IR (``kiln.ir``, ``kiln.tir``,
``kiln.relax``).
"""

from . import ir, nd, pipeline, relax, runtime, tir, transform
from ._core import Error, __version__
from ._core import parse
from .codegen import build
from .ir import IRModule
from .runtime import *  # noqa: F401,F403  (the names in runtime.__all__)
from . import vm
from . import nn
from . import frontend
from .vm import Executable, VirtualMachine
from .compile import CompiledModule, compile  # noqa: A004 (kiln.compile)

__all__ = [
    "CompiledModule",
    "Error",
    "Executable",
    "IRModule",
    "__version__",
    "build",
    "compile",
    "ir",
    "nd",
    "parse",
    "pipeline",
    "relax",
    "tir",
    "transform",
    "VirtualMachine",
    "vm",
    *runtime.__all__,
]
