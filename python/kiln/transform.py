"""Passes and pass contexts (``kiln.transform``).

Every step of compilation is a pass: an IRModule to IRModule function with a
name and an opt level. Passes registered in C++ appear here by name
(``kiln.transform.DeadCodeElimination()``); write your own with the
decorators::

    @kiln.transform.module_pass(opt_level=0)
    def drop_debug(mod, ctx):
        return mod.without_function("debug")

    @kiln.transform.function_pass(opt_level=1)
    def my_rewrite(func, mod, ctx):   # each relax function of the module
        return func

and run them in a :class:`PassContext` (opt level, config, instruments).
A rewrite inside such a pass is best written as a subclass of
:class:`kiln.relax.ExprMutator` or :class:`kiln.tir.StmtMutator`. A pass
written in Python that changes the module is checked for well-formedness
afterwards: a variable used out of its scope, say, raises :class:`kiln.Error`
naming the pass, the function and where the problem is.
"""

from typing import Callable, List, Optional

from ._core.transform import (
    Pass,
    PassContext,
    PassInstrument,
    PassTiming,
    Sequential,
    _function_pass,
    _dispatch_to_library,
    _fuse_ops_by_pattern,
    _legalize_ops,
    _module_pass,
    _prim_func_pass,
    dump_ir,
    get_pass,
    list_pass_configs,
    list_passes,
    pass_timing,
    well_formed_check,
)

__all__ = [
    "Pass",
    "PassContext",
    "PassInstrument",
    "PassTiming",
    "Sequential",
    "dump_ir",
    "function_pass",
    "get_pass",
    "list_pass_configs",
    "list_passes",
    "module_pass",
    "pass_timing",
    "prim_func_pass",
    "well_formed_check",
]


def _decorator(make, fn, opt_level, name, required):
    def wrap(f: Callable) -> Pass:
        return make(f, name or "", opt_level, list(required or []))

    return wrap(fn) if fn is not None else wrap


def module_pass(fn=None, *, opt_level: int = 0, name: Optional[str] = None, required: Optional[List[str]] = None):
    """Makes a pass of ``fn(mod, ctx) -> mod``. The function's name and the
    first line of its docstring become the pass's name and summary."""
    return _decorator(_module_pass, fn, opt_level, name, required)


def function_pass(fn=None, *, opt_level: int = 0, name: Optional[str] = None, required: Optional[List[str]] = None):
    """Makes a pass of ``fn(func, mod, ctx) -> func`` applied to each relax
    function of the module (return None to remove the function)."""
    return _decorator(_function_pass, fn, opt_level, name, required)


def prim_func_pass(fn=None, *, opt_level: int = 0, name: Optional[str] = None, required: Optional[List[str]] = None):
    """Makes a pass of ``fn(func, mod, ctx) -> func`` applied to each tir
    PrimFunc of the module."""
    return _decorator(_prim_func_pass, fn, opt_level, name, required)


def _registered(info):
    def make() -> Pass:
        return get_pass(info["name"])

    make.__name__ = info["name"]
    make.__doc__ = f"{info['summary']}\n\nOpt level {info['opt_level']}" + (
        f"; requires {', '.join(info['required'])}." if info["required"] else "."
    )
    return make


for _info in list_passes():
    globals()[_info["name"]] = _registered(_info)
    __all__.append(_info["name"])


def LegalizeOps(target_kind: str = "llvm") -> Pass:  # noqa: N802 - the pass's name
    """Lowers each op call to call_tir of a PrimFunc written with te; the
    legalizations registered for ``target_kind`` (``kiln.relax.register_legalize``)
    take precedence over the ops' own. The config key
    ``"relax.legalize.skip_ops"`` (comma-separated op names) leaves those ops
    as they are.

    Opt level 0; requires Normalize."""
    return _legalize_ops(target_kind)


def FuseOpsByPattern(patterns, annotate_codegen: bool = False) -> Pass:  # noqa: N802 - the pass's name
    """Groups the bindings matching each ``(name, pattern[, check])`` (patterns
    from :mod:`kiln.relax.pattern`; ``check(match) -> bool``) into functions
    with attr "Composite"=name; with ``annotate_codegen`` the graph calls an
    outer function with attr "Codegen" (the name up to its first '.').

    Opt level 0; runs before LegalizeOps."""
    return _fuse_ops_by_pattern(list(patterns), annotate_codegen)


def DispatchToLibrary(libraries) -> Pass:  # noqa: N802 - the pass's name
    """Sends matmul, linear and conv2d (with bias and activation epilogues) to
    the libraries named (``"onednn"``, ``"openblas"``) through
    call_dps_packed; what a library does not take stays with Kiln's kernels.

    Opt level 0; runs before ConvertConvLayout and LegalizeOps."""
    return _dispatch_to_library([libraries] if isinstance(libraries, str) else list(libraries))


__all__ += ["DispatchToLibrary", "FuseOpsByPattern"]
