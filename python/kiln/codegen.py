"""Code generation (``kiln.build``): tir functions to native code.

``kiln.build(prim_func_or_module, target="llvm")`` returns a runtime Module
whose functions run in process (LLVM ORC JIT); ``module.get_source("ll")`` or
``"asm"`` shows the generated code and ``module.export_library("k.so")``
writes a shared library that ``kiln.load`` opens with the runtime alone.

External code generators (bring your own codegen): ``register_external(name,
fn)`` makes the ``RunCodegen`` pass hand the functions tagged
``Codegen=name`` (``kiln.transform.FuseOpsByPattern(..., annotate_codegen=True)``)
to ``fn``, which returns a runtime Module; ``Module.from_functions`` makes one
from Python callables. The ``"c"`` code generator ships with Kiln.
"""

from typing import Callable, Dict

from ._core import Module
from ._core.codegen import _module_from_functions, _register_external
from ._core.codegen import build as _build
from ._core.codegen import export_library, host_target, list_external, remove_external

__all__ = ["build", "export_library", "host_target", "list_external", "register_external", "remove_external"]


def build(mod, target: str = "llvm", name: str = "main") -> Module:
    """Compiles a tir PrimFunc (named ``name``) or an IRModule of PrimFuncs.

    Examples:
        >>> import numpy as np
        >>> from kiln.tir import te
        >>> a = te.placeholder((4,), "float32", name="A")
        >>> b = te.compute((4,), lambda i: a[i] + 1.0, name="B")
        >>> rt = kiln.build(te.create_prim_func([a, b]), target="llvm")
        >>> out = kiln.nd.array(np.zeros(4, "float32"))
        >>> rt["main"](kiln.nd.array(np.arange(4, dtype="float32")), out)
        >>> out.numpy()
        array([1., 2., 3., 4.], dtype=float32)
    """
    return _build(mod, target, name)


def _export_library(self: Module, path: str, cc: str = "cc") -> None:
    """Writes this compiled module as a shared library at ``path``."""
    export_library(self, str(path), cc)


Module.export_library = _export_library


def register_external(name: str, fn: Callable = None, override: bool = False):
    """Registers ``fn(funcs) -> Module`` as the external code generator
    ``name``. ``funcs`` is an IRModule holding the relax functions tagged
    ``Codegen=name``, each under its symbol, and the ``Composite`` functions
    they call; the returned module must define a function per symbol taking
    the function's inputs then its outputs (NDArrays the caller allocated).
    Usable as a decorator: ``@kiln.codegen.register_external("mylib")``.

    Examples:
        >>> "c" in kiln.codegen.list_external()
        True
        >>> def numpy_codegen(funcs):
        ...     return kiln.runtime.Module.from_functions({})
        >>> kiln.codegen.register_external("doc_example", numpy_codegen)
        >>> kiln.codegen.remove_external("doc_example")
        True
    """
    if fn is None:

        def wrap(f: Callable) -> Callable:
            _register_external(name, f, override)
            return f

        return wrap
    _register_external(name, fn, override)
    return None


def _from_functions(functions: Dict[str, Callable]) -> Module:
    """A module (kind ``"functions"``) whose functions are ``functions`` by
    name: Python callables or kiln Functions, called in process with kiln
    NDArrays. It cannot be exported to a shared library.

    Examples:
        >>> import numpy as np
        >>> def add_one(x, out):
        ...     out.copyfrom(x.numpy() + 1)
        >>> m = kiln.runtime.Module.from_functions({"add_one": add_one})
        >>> out = kiln.nd.empty((2,), "float32")
        >>> m["add_one"](kiln.nd.array(np.zeros(2, "float32")), out)
        >>> out.numpy()
        array([1., 1.], dtype=float32)
    """
    return _module_from_functions(dict(functions))


Module.from_functions = staticmethod(_from_functions)
