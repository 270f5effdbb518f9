"""The relax pattern language (``kiln.relax.pattern``, also ``kiln.relax.dpl``).

Patterns match relax expressions, and inside a dataflow block they see
through the variables bound there, so a chain of bindings matches a nested
pattern::

    from kiln.relax.pattern import is_op, wildcard, is_const

    x, w, b = wildcard(), wildcard(), wildcard()
    mm = is_op("relax.matmul")(x, w)
    p = is_op("relax.gelu")(is_op("relax.add")(mm, b))          # matmul -> add -> gelu
    q = mm.optional(lambda y: is_op("relax.relu")(y))            # relu(mm) | mm
    conv = is_op("relax.conv2d")(wildcard(), is_const()).has_attr({"groups": 1})
    f32 = mm.has_dtype("float32")
    either = is_op("relax.relu")(x) | is_op("relax.gelu")(x)

``p.match(expr)`` gives ``{pattern: expr}`` or None. :func:`rewrite_call`
rewrites the bindings of a function that match; the pass
``kiln.transform.FuseOpsByPattern`` groups matches into functions.
"""

from typing import Callable

from .._core.relax.pattern import Pattern, is_const, library_available, library_patterns, rewrite_call, wildcard
from .._core.relax.pattern import _is_op

__all__ = [
    "Pattern",
    "is_const",
    "is_op",
    "library_available",
    "library_patterns",
    "rewrite_call",
    "wildcard",
]


def is_op(op: str) -> Callable[..., Pattern]:
    """``is_op("relax.add")(p, q)``: a call of the op whose arguments match p, q
    (exactly that many arguments). The op name may be short (``"add"``)."""

    def call(*args: Pattern) -> Pattern:
        return _is_op(op, list(args))

    return call


def _optional(self: Pattern, f: Callable[[Pattern], Pattern]) -> Pattern:
    """``f(self) | self``: an optional epilogue, the longer match tried first."""
    return f(self) | self


Pattern.optional = _optional
