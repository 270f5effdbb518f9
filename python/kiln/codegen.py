"""Code generation (``kiln.build``): tir functions to native code.

``kiln.build(prim_func_or_module, target="llvm")`` returns a runtime Module
whose functions run in process (LLVM ORC JIT); ``module.get_source("ll")`` or
``"asm"`` shows the generated code and ``module.export_library("k.so")``
writes a shared library that ``kiln.load`` opens with the runtime alone.
"""

from ._core import Module
from ._core.codegen import build as _build
from ._core.codegen import export_library, host_target

__all__ = ["build", "export_library", "host_target"]


def build(mod, target: str = "llvm", name: str = "main") -> Module:
    """Compiles a tir PrimFunc (named ``name``) or an IRModule of PrimFuncs."""
    return _build(mod, target, name)


def _export_library(self: Module, path: str, cc: str = "cc") -> None:
    """Writes this compiled module as a shared library at ``path``."""
    export_library(self, str(path), cc)


Module.export_library = _export_library
