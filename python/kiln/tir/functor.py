"""Visitors and mutators of tir, to subclass in Python.

Override the hooks of the nodes you care about and call the base to keep
descending. There is one hook per node kind, ``visit_<kind>_`` with the kind
in snake case: expressions (``visit_var_``, ``visit_binary_``,
``visit_buffer_load_``, ``visit_call_``, ...) and, for the statement classes,
statements (``visit_for_``, ``visit_buffer_store_``, ``visit_decl_buffer_``,
``visit_block_``, ...); also ``visit_expr``, ``visit_stmt`` and
``visit_buffer_use`` (the buffer of a load, store or block region). The
traversal runs in C++: a hook you do not override costs no call into
Python. ::

    class Parallelize(tir.StmtMutator):
        def visit_for_(self, loop):
            loop = super().visit_for_(loop)           # the body first
            return tir.For(loop.loop_var, loop.min, loop.extent, "parallel", loop.body)

    func = func.with_body(Parallelize().visit_stmt(func.body))

Mutators copy on write: a node whose children come back unchanged is
returned itself.
"""

from .._core.tir import _hook_names, _stmt_hook_names, _StmtMutator, _StmtVisitor
from .._functor_hooks import kind_hook, missing_attribute, overridden

__all__ = ["ExprMutator", "ExprVisitor", "StmtMutator", "StmtVisitor"]


class ExprVisitor:
    """Visits every expression (and the buffers that loads use). Hooks return
    nothing."""

    def __init__(self):
        self._impl = _StmtVisitor(self, overridden(self, type(self)._defaults))

    __getattr__ = missing_attribute

    def visit_expr(self, expr) -> None:
        """Visits ``expr`` through the hook of its kind."""
        self._impl.visit_expr(expr)

    def visit_buffer_use(self, buffer) -> None:
        """The buffer of a load, store or block region; the default does nothing."""
        self._impl.visit_buffer_use(buffer)


class StmtVisitor(ExprVisitor):
    """Visits every statement and expression."""

    def visit_stmt(self, stmt) -> None:
        """Visits ``stmt`` through the hook of its kind."""
        self._impl.visit_stmt(stmt)


class ExprMutator:
    """Rewrites expressions: each hook returns the expression to put in the
    node's place (the node itself to keep it)."""

    def __init__(self):
        self._impl = _StmtMutator(self, overridden(self, type(self)._defaults))

    __getattr__ = missing_attribute

    def visit_expr(self, expr):
        """``expr`` rewritten through the hook of its kind."""
        return self._impl.visit_expr(expr)

    def visit_buffer_use(self, buffer):
        """The buffer a load, store or block region should use; the default
        keeps it."""
        return self._impl.visit_buffer_use(buffer)


class StmtMutator(ExprMutator):
    """Rewrites statements and the expressions in them: each hook returns
    the node to put in the visited one's place."""

    def visit_stmt(self, stmt):
        """``stmt`` rewritten through the hook of its kind."""
        return self._impl.visit_stmt(stmt)


def _add_hooks(expr_cls, stmt_cls, doc: str) -> None:
    """Adds the kind hooks (expression ones to expr_cls, statement ones to
    stmt_cls) and records each class's hooks with their defaults."""
    stmt_only = set(_stmt_hook_names())
    for name in _hook_names():
        if name.endswith("_"):
            setattr(stmt_cls if name in stmt_only else expr_cls, name, kind_hook(name, doc))
    stmt_hooks = {name: getattr(stmt_cls, name) for name in _hook_names()}
    expr_cls._defaults = {name: f for name, f in stmt_hooks.items() if hasattr(expr_cls, name)}
    stmt_cls._defaults = stmt_hooks


_add_hooks(ExprVisitor, StmtVisitor, "The default: visits the node's children.")
_add_hooks(ExprMutator, StmtMutator, "The default: the node with its children rewritten (itself when none changed).")
