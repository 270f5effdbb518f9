"""The virtual machine: runs compiled relax functions (bytecode calling
kernels and builtins). Implemented in C++ (``src/runtime/vm``), bound in
``src/python/vm.cc``; see docs/deep_dive/runtime.md, "The virtual machine".

``kiln.VirtualMachine(ex_or_library, kiln.cpu())`` takes an ``Executable``
(with the module its kernels come from, ``kernels=``), a ``CompiledModule``
from ``kiln.compile``, or a shared library
loaded with ``kiln.load`` that carries one. ``vm["main"](*args)`` takes
``kiln.nd`` arrays, NumPy arrays and DLPack tensors and returns arrays, or
lists for tuples. ``ExecBuilder`` writes executables by hand.
"""

from typing import Callable, Optional

import numpy as np

from . import nd
from ._core import Device, Error, Function, Module, NDArray, TimingResult, cpu, from_dlpack, time_evaluator
from ._core.vm import (
    DimOp,
    ExecBuilder,
    Executable,
    HeapOp,
    Label,
    Operand,
    ParamInfo,
    ProfileReport,
    ProfileRow,
)
from ._core.vm import VirtualMachine as _VirtualMachine
from ._core import CompiledModule  # kiln.compile's result

__all__ = [
    "DimOp",
    "ExecBuilder",
    "Executable",
    "HeapOp",
    "Label",
    "Operand",
    "ParamInfo",
    "ProfileReport",
    "ProfileRow",
    "VirtualMachine",
    "shape_pattern",
    "shape_program",
]


def shape_pattern(*dims) -> tuple:
    """A shape pattern for vm.builtin.match_shape / make_shape from one
    (DimOp, value) pair per dimension, e.g. ``shape_pattern((DimOp.STORE, 0),
    (DimOp.CONST, 784))``."""
    return tuple(int(v) for op, value in dims for v in (op.value, value))


def shape_program(*steps) -> tuple:
    """A program for vm.builtin.shape_compute from (HeapOp, value) pairs or
    bare HeapOps (value 0), e.g. ``shape_program((HeapOp.PUSH_SLOT, 0),
    (HeapOp.PUSH_CONST, 2), HeapOp.MUL, (HeapOp.STORE, 1))``."""
    pairs = [s if isinstance(s, tuple) else (s, 0) for s in steps]
    return tuple(int(v) for op, value in pairs for v in (op.value, value))


def _save(self: Executable, path) -> None:
    """Writes the executable's binary form to ``path``."""
    with open(path, "wb") as f:
        f.write(self.save_to_bytes())


def _load(path) -> Executable:
    """Reads a file written by ``Executable.save``."""
    with open(path, "rb") as f:
        return Executable.load_from_bytes(f.read())


Executable.save = _save
Executable.load = staticmethod(_load)


def _arg(value):
    """A Python value as a VM argument: NumPy arrays shared when they can be
    (else copied), tuples of non-ints as tuples (lists), the rest as is."""
    if isinstance(value, NDArray):
        return value
    if isinstance(value, np.ndarray):
        if value.flags.c_contiguous and value.flags.writeable and value.dtype.kind in "biuf":
            return from_dlpack(value)
        return nd.array(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list) or (isinstance(value, tuple) and not all(isinstance(v, int) for v in value)):
        return [_arg(v) for v in value]
    return value


class VMFunction:
    """A VM function as a Python callable; ``function`` is the kiln.Function."""

    def __init__(self, function: Function):
        self.function = function

    @property
    def name(self) -> str:
        return self.function.name

    def __call__(self, *args):
        return self.function(*[_arg(a) for a in args])

    def __repr__(self) -> str:
        return f"<kiln.vm.VMFunction {self.name}>"


class VirtualMachine:
    """Runs an executable's functions on one device (not thread-safe: one per
    thread)."""

    def __init__(self, exe, device: Optional[Device] = None, kernels: Optional[Module] = None):
        device = device if device is not None else cpu()
        if isinstance(exe, Module):
            if kernels is not None:
                raise Error("VirtualMachine: a library carries its own kernels; pass kernels= only with an Executable")
            self._vm = _VirtualMachine.from_library(exe, device)
        elif isinstance(exe, Executable):
            self._vm = _VirtualMachine(exe, kernels, device)
        elif isinstance(exe, CompiledModule):  # from kiln.compile: carries its kernels
            if kernels is not None:
                raise Error("VirtualMachine: a compiled module carries its own kernels; pass kernels= only with an Executable")
            self._vm = _VirtualMachine(exe.executable, exe.kernels, device)
        else:
            raise Error(
                f"VirtualMachine: expected an Executable or a library Module, got a {type(exe).__name__}"
            )

    def __getitem__(self, name: str) -> VMFunction:
        return VMFunction(self._vm.get_function(name))

    def invoke(self, name: str, *args):
        """Calls VM function ``name``."""
        return self._vm.invoke(name, [_arg(a) for a in args])

    def profile(self, name: str, *args) -> ProfileReport:
        """Runs ``name`` once, timing every kernel and builtin call; ``print``
        the report for a table."""
        return self._vm.profile(name, [_arg(a) for a in args])

    def time_evaluator(
        self, name: str, number: int = 10, repeat: int = 3, min_repeat_ms: float = 0.0
    ) -> Callable[..., TimingResult]:
        """A callable that takes ``name``'s arguments and returns the
        TimingResult of ``repeat`` batches of ``number`` calls."""
        timer = time_evaluator(self._vm.get_function(name), number, repeat, min_repeat_ms)
        return lambda *args: timer(*[_arg(a) for a in args])

    @property
    def function_names(self):
        return self._vm.function_names

    @property
    def executable(self) -> Executable:
        return self._vm.executable

    @property
    def device(self) -> Device:
        return self._vm.device

    @property
    def module(self) -> Module:
        """The VM as a kiln.Module (kind "vm")."""
        return self._vm.module

    def __repr__(self) -> str:
        return f"<kiln.VirtualMachine {', '.join(self.function_names)} on {self.device}>"
