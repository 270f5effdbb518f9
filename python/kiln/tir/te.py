"""The compute DSL (``kiln.tir.te``): write an operator as tensor expressions
and turn it into a loop program.

.. code-block:: python

    from kiln.tir import te
    n = kiln.tir.SizeVar("n")
    x = te.placeholder((n, 768), "float32", name="x")
    k = te.reduce_axis((0, 768), name="k")
    s = te.compute((n,), lambda i: te.sum(x[i, k], axis=k), name="row_sum")
    y = te.compute((n, 768), lambda i, j: x[i, j] / s[i], name="y")
    f = te.create_prim_func([x, y])

A reduce axis is a plain ``kiln.tir.Var`` whose range te remembers.
"""

from typing import Callable, Optional, Sequence, Union

from .._core import te as _te
from .._core.te import Tensor, max_value, min_value
from .._core.tir import Var

__all__ = [
    "Tensor",
    "comm_reducer",
    "compute",
    "create_prim_func",
    "max",
    "max_value",
    "min",
    "min_value",
    "placeholder",
    "prod",
    "reduce_axis",
    "sum",
]

# The range of every reduce axis made here, by variable (nodes hash by identity).
_axis_dom = {}


def placeholder(shape, dtype="float32", name: str = "placeholder") -> Tensor:
    """An input tensor of ``shape`` (ints or symbolic ``tir`` expressions)."""
    return _te.placeholder(list(shape), dtype, name)


def compute(shape, fcompute: Callable, name: str = "compute", attrs: Optional[dict] = None) -> Tensor:
    """``out[i, j, ...] = fcompute(i, j, ...)``; fcompute takes one index
    variable per dimension and may return a reduction (``te.sum`` ...)."""
    return _te.compute(list(shape), fcompute, name, attrs)


def reduce_axis(dom, name: str = "k") -> Var:
    """A variable a reduction runs over: ``dom`` is ``(min, extent)`` or an
    extent alone."""
    if not isinstance(dom, (tuple, list)):
        dom = (0, dom)
    lo, extent = dom
    v = Var(name, getattr(extent, "dtype", "int64"))
    _axis_dom[v] = (lo, extent)
    return v


def _axes(axis):
    if not isinstance(axis, (tuple, list)):
        axis = [axis]
    out = []
    for a in axis:
        if a not in _axis_dom:
            raise ValueError(f"{a} is not a reduce axis (make one with te.reduce_axis)")
        lo, extent = _axis_dom[a]
        out.append((a, lo, extent))
    return out


def _reducer(kind):
    def reduce(source, axis, init=None):
        return _te.reduce(kind, source, _axes(axis), init)

    reduce.__name__ = kind
    reduce.__doc__ = f"The {kind} of ``source`` over the reduce ``axis`` (one axis or a list)."
    return reduce


sum = _reducer("sum")  # noqa: A001 - te's names
max = _reducer("max")  # noqa: A001
min = _reducer("min")  # noqa: A001
prod = _reducer("prod")


def comm_reducer(combine: Callable, identity: Callable) -> Callable:
    """A custom reduction: ``combine(acc, x)`` must be commutative and
    associative and ``identity(dtype)`` its identity element. Returns a
    function ``(source, axis, init=None)`` like ``te.sum``."""

    def reduce(source, axis, init=None):
        return _te.comm_reduce(combine, identity, source, _axes(axis), init)

    return reduce


def create_prim_func(tensors: Sequence[Tensor], scalars: Sequence[Union[Var]] = ()):
    """The PrimFunc computing the computed tensors of ``tensors`` from its
    placeholders: parameters are the placeholders, then the outputs, in the
    order given (placeholders must come first), then ``scalars``."""
    inputs = [t for t in tensors if t.is_placeholder]
    outputs = [t for t in tensors if not t.is_placeholder]
    if list(tensors) != inputs + outputs:
        raise ValueError("create_prim_func: list the placeholders (inputs) before the computed tensors (outputs)")
    return _te.create_prim_func(inputs, outputs, list(scalars))
