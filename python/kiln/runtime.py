"""The runtime layer: devices, functions and their registry, modules, threads
and timing. Everything here is implemented in C++ (``src/runtime``) and bound
in ``src/python/runtime.cc``."""

import atexit
from typing import Callable, Optional, Union

from ._core import (
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
    load as _load,
    num_threads,
    remove_global_func,
    set_num_threads,
    time_evaluator,
)
from ._core import _register_func
from ._core.vm import _reset_peak_storage_bytes, _storage_stats

__all__ = [
    "DataType",
    "Device",
    "Function",
    "Module",
    "TimingResult",
    "cpu",
    "cuda",
    "from_dlpack",
    "get_global_func",
    "list_global_func_names",
    "load",
    "memory_stats",
    "num_threads",
    "register_func",
    "remove_global_func",
    "reset_peak_memory",
    "set_num_threads",
    "time_evaluator",
]


def load(path) -> Module:
    """Loads a shared library written by ``export_library`` (a str or a
    path-like object) as a Module."""
    import os

    return _load(os.fspath(path))


_python_registered = set()


@atexit.register
def _unregister_python_funcs():
    # The C++ registry outlives the interpreter; drop the Python callables it
    # holds while Python can still release them.
    for name in _python_registered:
        remove_global_func(name)


def _register(name, fn, override):
    result = _register_func(name, fn, override)
    if not isinstance(fn, Function):
        _python_registered.add(name)
    return result


def register_func(
    name: Union[str, Callable], f: Optional[Callable] = None, override: bool = False
):
    """Registers a Python callable as a global Kiln function, callable from C++.

    Use as a decorator, ``@kiln.register_func("my.add")`` (the function's own
    name is used when none is given: ``@kiln.register_func``), or directly,
    ``kiln.register_func("my.add", fn)``. Returns the callable unchanged when
    used as a decorator, so it stays a plain Python function.
    """
    if callable(name) and f is None:
        fn = name
        _register(fn.__name__, fn, override)
        return fn
    if f is not None:
        return _register(name, f, override)

    def decorate(fn: Callable) -> Callable:
        _register(name, fn, override)
        return fn

    return decorate


def memory_stats() -> dict:
    """The bytes the VM's allocations hold: ``{"live_bytes": ..., "peak_bytes":
    ...}``. Every storage made by ``vm.builtin.alloc_storage`` (planned
    memory) or ``vm.builtin.alloc_tensor_simple`` (a tensor of its own)
    counts with its requested size while it is alive; the peak is the most
    live at once since the last :func:`reset_peak_memory`. Arrays made
    outside the VM (inputs, constants) do not count."""
    live, peak = _storage_stats()
    return {"live_bytes": live, "peak_bytes": peak}


def reset_peak_memory() -> None:
    """Sets the peak of :func:`memory_stats` to the bytes live now, to measure
    the next run on its own."""
    _reset_peak_storage_bytes()
