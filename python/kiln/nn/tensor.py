"""Tensors of kiln.nn: relax expressions while a model is exported.

A :class:`Tensor` wraps one relax expression of the function being built
(a variable bound by the BlockBuilder), with its shape and dtype and the
operators ``+ - * / @`` and a few methods; every operation emits one relax
op call. Emission goes through the active export (:class:`Emitter`, set up
by :func:`kiln.nn.export`), which also knows which module is running, so
an op that rejects its arguments raises :class:`kiln.Error` naming the
module and the op."""

from typing import List, Optional, Sequence, Union

import numpy as np

from .. import relax, tir
from .._core import DataType, Error

__all__ = ["Tensor", "Emitter", "current_emitter", "emit", "emit_op"]

Dim = Union[int, tir.PrimExpr]


class Emitter:
    """The state of one export: the builder, the relax value of each
    parameter, the dotted name of each module, and the modules running now
    (outermost first)."""

    def __init__(self, builder: relax.BlockBuilder, module_names: dict):
        self.builder = builder
        self.param_exprs = {}  # id(Parameter) -> relax.Var or relax.Constant
        self.module_names = module_names  # id(Module) -> dotted name ("" for the root)
        self.function = ""
        self.running: List[object] = []

    def where(self) -> str:
        """Where the export is: the function and the innermost module."""
        if not self.running:
            return f"nn.export of '{self.function}'"
        module = self.running[-1]
        name = self.module_names.get(id(module), "?") or "(root)"
        return f"nn.export of '{self.function}', in {type(module).__name__} '{name}'"


_active: List[Emitter] = []


def current_emitter() -> Emitter:
    if not _active:
        raise Error("kiln.nn: tensors exist only while a model is exported (kiln.nn.export / Module.export)")
    return _active[-1]


def push_emitter(e: Emitter) -> None:
    _active.append(e)


def pop_emitter() -> None:
    _active.pop()


def emit(expr, name_hint: str = "") -> "Tensor":
    """Binds ``expr`` to a new variable of the function being built."""
    e = current_emitter()
    try:
        return Tensor(e.builder.emit(expr, name_hint))
    except Error as err:
        raise Error(f"{e.where()}: {err}") from None


def emit_op(fn, *args, **attrs) -> "Tensor":
    """Emits ``fn(*args, **attrs)`` (a ``kiln.relax.op`` function); tensors
    and parameters among ``args`` become their relax expressions."""
    e = current_emitter()
    try:
        call = fn(*[as_expr(a) for a in args], **attrs)
        return Tensor(e.builder.emit(call))
    except Error as err:
        raise Error(f"{e.where()}: {err}") from None


def as_expr(value, like: Optional["Tensor"] = None):
    """A relax expression for an op argument: a tensor's expression, a
    Python scalar as a 0-d constant of ``like``'s dtype, tuples of tensors
    as relax tuples; relax expressions pass through."""
    if isinstance(value, Tensor):
        return value.expr
    if isinstance(value, (bool, int, float)) and like is not None:
        return relax.Constant(np.array(value, dtype=like.dtype))
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tensor) for v in value):
        return relax.Tuple([v.expr for v in value])
    return value


def _dim(d):
    """A shape entry as a Python int when it is a constant."""
    return int(d.value) if isinstance(d, tir.IntImm) else d


class Tensor:
    """A tensor of the function being exported (a relax expression)."""

    def __init__(self, expr):
        self._expr = expr

    @property
    def expr(self):
        """The relax expression."""
        return self._expr

    @property
    def shape(self) -> tuple:
        """Dimensions: Python ints, or tir expressions where symbolic."""
        dims = self.expr.struct_info.shape
        if dims is None:
            raise Error(f"kiln.nn: tensor {self.expr!r} has no known shape")
        return tuple(_dim(d) for d in dims)

    @property
    def ndim(self) -> int:
        return self.expr.struct_info.ndim

    @property
    def dtype(self) -> str:
        return self.expr.struct_info.dtype

    def __repr__(self) -> str:
        dims = ", ".join(str(d) for d in self.shape)
        return f"kiln.nn.Tensor(({dims}), {self.dtype})"

    # Arithmetic: each operator one relax op, scalars become constants of the tensor's dtype.
    def __add__(self, other):
        return emit_op(relax.op.add, self, as_expr(other, self))

    def __radd__(self, other):
        return emit_op(relax.op.add, as_expr(other, self), self)

    def __sub__(self, other):
        return emit_op(relax.op.subtract, self, as_expr(other, self))

    def __rsub__(self, other):
        return emit_op(relax.op.subtract, as_expr(other, self), self)

    def __mul__(self, other):
        return emit_op(relax.op.multiply, self, as_expr(other, self))

    def __rmul__(self, other):
        return emit_op(relax.op.multiply, as_expr(other, self), self)

    def __truediv__(self, other):
        return emit_op(relax.op.divide, self, as_expr(other, self))

    def __rtruediv__(self, other):
        return emit_op(relax.op.divide, as_expr(other, self), self)

    def __matmul__(self, other):
        return emit_op(relax.op.matmul, self, other)

    def __neg__(self):
        return emit_op(relax.op.neg, self)

    # Shape manipulation.
    def reshape(self, *shape) -> "Tensor":
        """The same elements in ``shape`` (ints, symbolic dims, one -1)."""
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        return emit_op(relax.op.reshape, self, relax.ShapeExpr(_fill_hole(self.shape, list(shape))))

    def permute_dims(self, *axes) -> "Tensor":
        """Axes reordered (reversed when none are given)."""
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = tuple(axes[0])
        return emit_op(relax.op.permute_dims, self, axes=list(axes) if axes else None)

    permute = permute_dims

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Axes ``dim0`` and ``dim1`` swapped."""
        axes = list(range(self.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self.permute_dims(axes)

    def astype(self, dtype: str) -> "Tensor":
        return emit_op(relax.op.astype, self, dtype=DataType(str(dtype)))

    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        return emit_op(relax.op.sum, self, axis=_axes(axis), keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        return emit_op(relax.op.mean, self, axis=_axes(axis), keepdims=keepdims)

    def max(self, axis=None, keepdims: bool = False) -> "Tensor":
        return emit_op(relax.op.max, self, axis=_axes(axis), keepdims=keepdims)

    def with_shape(self, shape: Sequence[Dim]) -> "Tensor":
        """The same tensor, declared to have ``shape`` (checked when the
        function runs): for shapes the op library cannot simplify, e.g.
        ``arange(c, c + s)`` is known to have ``s`` elements."""
        e = current_emitter()
        sinfo = relax.TensorStructInfo(list(shape), self.dtype)
        try:
            return Tensor(e.builder.emit_match_cast(self.expr, sinfo))
        except Error as err:
            raise Error(f"{e.where()}: {err}") from None


def _axes(axis):
    return [axis] if isinstance(axis, int) else (list(axis) if axis is not None else None)


def _fill_hole(src: tuple, target: list) -> list:
    """``target`` with its -1 replaced by the missing factor: symbolic dims
    found in both shapes cancel, those left in ``src`` go into the -1."""
    holes = [i for i, d in enumerate(target) if isinstance(d, int) and d == -1]
    if not holes:
        return target
    if len(holes) > 1:
        raise Error(f"kiln.nn: reshape to {target}: at most one -1")
    rest_src, rest_dst = list(src), []
    for i, d in enumerate(target):
        if i == holes[0]:
            continue
        if isinstance(d, int):
            rest_dst.append(d)
            continue
        same = [j for j, s in enumerate(rest_src) if not isinstance(s, int) and s.same_as(d)]
        if not same:
            raise Error(f"kiln.nn: reshape of {src} to {target}: cannot infer the -1 ({d} is not an input dim)")
        rest_src.pop(same[0])
    symbolic = [d for d in rest_src if not isinstance(d, int)]
    total = int(np.prod([d for d in rest_src if isinstance(d, int)], dtype=np.int64))
    known = int(np.prod(rest_dst, dtype=np.int64))
    if known == 0 or total % known:
        raise Error(f"kiln.nn: cannot reshape {src} to {target}")
    hole = total // known
    for d in symbolic:  # the symbolic dims left over go into the -1
        hole = d if isinstance(hole, int) and hole == 1 else hole * d
    out = list(target)
    out[holes[0]] = hole
    return out
