"""From a graph to an executable: ``kiln.compile(mod, target="llvm")``.

Runs a pipeline of passes over a relax IRModule (``"default"`` unless told
otherwise: ``kiln.pipeline``), compiles its tir kernels and lowers its relax
functions to VM bytecode (C++: ``kiln::Compile``, ``include/kiln/compile.h``).
The result runs on ``kiln.VirtualMachine(ex, kiln.cpu())`` and
``ex.export_library("m.so")`` writes one shared library that ``kiln.load``
opens with the runtime alone.
"""

from ._core import CompiledModule
from ._core import compile_lowered as _compile_lowered

__all__ = ["CompiledModule", "compile"]


def compile(mod, target: str = "llvm", pipeline=None) -> CompiledModule:  # noqa: A001 (kiln.compile)
    """Compiles the relax functions of ``mod`` for ``target``.

    ``pipeline`` is what runs before codegen: ``None`` for the ``"default"``
    pipeline of the target, a pipeline's name (``"zero"``), a
    :class:`kiln.pipeline.Pipeline`, a list of passes (``[]`` for none: the
    module is already lowered) or any callable from IRModule to IRModule. What it leaves must be lowered: op calls still in the
    module raise :class:`kiln.Error` naming them.

    Examples:
        >>> import numpy as np
        >>> mod = kiln.parse(
        ...     "module { func @main(x: Tensor((3,), float32)) -> Tensor((3,), float32) { return relu(x) } }")
        >>> ex = kiln.compile(mod, target="llvm")
        >>> vm = kiln.VirtualMachine(ex, kiln.cpu())
        >>> vm["main"](np.array([-1.0, 0.5, 2.0], "float32")).numpy()
        array([0. , 0.5, 2. ], dtype=float32)
    """
    from . import pipeline as _pipeline

    target = str(target)
    if pipeline is None or isinstance(pipeline, str):
        pipeline = _pipeline.get(pipeline or "default", target)
    elif isinstance(pipeline, (list, tuple)):
        pipeline = _pipeline.Pipeline(pipeline, "custom")
    return _compile_lowered(pipeline(mod), target)


def _export_library(self: CompiledModule, path, cc: str = "cc") -> None:
    """Writes the kernels and the executable as one shared library."""
    self._export_library(str(path), cc)


CompiledModule._export_library = CompiledModule.export_library
CompiledModule.export_library = _export_library
