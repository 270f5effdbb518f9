"""Graph-level IR (``kiln.relax``): expressions with struct info, functions,
the operators (``kiln.relax.op``), and the visitor and mutator to subclass
for passes written in Python (:class:`ExprVisitor`, :class:`ExprMutator`)."""

from .._core.relax import (
    Binding,
    BindingBlock,
    BlockBuilder,
    Call,
    Constant,
    ExternFunc,
    FuncStructInfo,
    Function,
    If,
    ObjectStructInfo,
    Op,
    PrimStructInfo,
    PrimValue,
    SeqExpr,
    ShapeExpr,
    ShapeStructInfo,
    StringImm,
    TensorStructInfo,
    Tuple,
    TupleGetItem,
    TupleStructInfo,
    Var,
    call_te,
    check_well_formed,
    get_op,
    has_legalize,
    list_ops,
    register_legalize,
    remove_legalize,
)
from . import op, pattern
from .custom_op import call_op, register_op, remove_op
from .functor import ExprMutator, ExprVisitor

__all__ = [name for name in dir() if not name.startswith("_")]
