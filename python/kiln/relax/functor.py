"""Visitors and mutators of relax expressions, to subclass in Python.

Override the hooks of the nodes you care about and call the base to keep
descending. There is one hook per expression kind, ``visit_<kind>_`` with the
kind in snake case (``visit_call_``, ``visit_var_``, ``visit_tuple_get_item_``,
``visit_function_``, ...), and ``visit_expr``, ``visit_binding`` and
``visit_var_def``. The traversal runs in C++: a hook you do not override
costs no call into Python. ::

    class AddToMul(relax.ExprMutator):
        def visit_call_(self, call):
            call = super().visit_call_(call)          # the arguments first
            if call.op == relax.get_op("add") and call.args[0] == call.args[1]:
                two = relax.Constant(numpy.array(2.0, "float32"))
                return relax.op.multiply(call.args[0], two)
            return call

    func = AddToMul(mod).visit_expr(mod["main"])

The mutator copies on write (nodes whose children come back unchanged are
returned themselves), normalizes what hooks return (struct info filled in,
nested calls bound to variables) and re-emits bindings through
:attr:`ExprMutator.builder`; a binding whose value's struct info changes gets
a new variable, and later uses follow it.
"""

from typing import Dict

from .._core.relax import _ExprMutator, _ExprVisitor, _hook_names
from .._functor_hooks import kind_hook, missing_attribute, overridden

__all__ = ["ExprMutator", "ExprVisitor"]

_KIND_HOOKS = [h for h in _hook_names() if h.endswith("_")]


class ExprVisitor:
    """Visits every expression, binding and variable definition in order.
    Hooks return nothing."""

    def __init__(self):
        self._impl = _ExprVisitor(self, overridden(self, _VISITOR_DEFAULTS))

    __getattr__ = missing_attribute

    def visit_expr(self, expr) -> None:
        """Visits ``expr`` through the hook of its kind."""
        self._impl.visit_expr(expr)

    def visit_binding(self, binding) -> None:
        """The value, then the match_cast struct info, then the variable's definition."""
        self._impl.visit_binding(binding)

    def visit_var_def(self, var) -> None:
        """A definition: a function parameter or a bound variable (uses come
        to ``visit_var_``)."""
        self._impl.visit_var_def(var)


class ExprMutator:
    """Rewrites expressions: each hook returns the expression to put in the
    node's place (the node itself to keep it). ``mod`` is the module the
    expressions belong to; calls of its functions take their struct info from
    it."""

    def __init__(self, mod=None):
        self._impl = _ExprMutator(self, mod, overridden(self, _MUTATOR_DEFAULTS))

    __getattr__ = missing_attribute

    @property
    def builder(self):
        """The :class:`kiln.relax.BlockBuilder` that bindings are emitted into:
        ``self.builder.emit(value)`` inside a hook adds a binding before the
        current one."""
        return self._impl.builder

    def remap_var(self, old, new) -> None:
        """From now on, uses of variable ``old`` become ``new``."""
        self._impl.remap_var(old, new)

    def visit_expr(self, expr):
        """``expr`` rewritten through the hook of its kind; new nodes come back
        normalized."""
        return self._impl.visit_expr(expr)

    def visit_binding(self, binding) -> None:
        """Emits the rewritten binding into :attr:`builder`; override and emit
        nothing to drop a binding."""
        self._impl.visit_binding(binding)

    def visit_var_def(self, var):
        """The variable a definition binds: a new one when its struct info
        changes."""
        return self._impl.visit_var_def(var)


def _add_kind_hooks(cls, doc: str) -> Dict[str, object]:
    for name in _KIND_HOOKS:
        setattr(cls, name, kind_hook(name, doc))
    return {name: cls.__dict__[name] for name in _hook_names()}


_VISITOR_DEFAULTS = _add_kind_hooks(ExprVisitor, "The default: visits the node's children.")
_MUTATOR_DEFAULTS = _add_kind_hooks(
    ExprMutator, "The default: the node with its children rewritten (the node itself when none changed)."
)
