"""From a graph to an executable: ``kiln.compile(mod, target="llvm")``.

Normalizes and legalizes a relax IRModule, compiles its tir kernels and
lowers its relax functions to VM bytecode (C++: ``kiln::Compile``,
``include/kiln/compile.h``). The result runs on ``kiln.VirtualMachine(ex,
kiln.cpu())`` and ``ex.export_library("m.so")`` writes one shared library
that ``kiln.load`` opens with the runtime alone.
"""

from ._core import CompiledModule
from ._core import compile as _compile

__all__ = ["CompiledModule", "compile"]


def compile(mod, target: str = "llvm", pipeline=None) -> CompiledModule:  # noqa: A001 (kiln.compile)
    """Compiles the relax functions of ``mod`` for ``target``; ``pipeline``
    (a pass, or any callable from IRModule to IRModule) runs first when
    given."""
    if pipeline is not None:
        mod = pipeline(mod)
    return _compile(mod, str(target))


def _export_library(self: CompiledModule, path, cc: str = "cc") -> None:
    """Writes the kernels and the executable as one shared library."""
    self._export_library(str(path), cc)


CompiledModule._export_library = CompiledModule.export_library
CompiledModule.export_library = _export_library
