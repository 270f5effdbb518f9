"""Graph-level IR (``kiln.relax``): expressions with struct info, functions,
and the operators (``kiln.relax.op``)."""

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
    check_well_formed,
    get_op,
    list_ops,
)
from . import op

__all__ = [name for name in dir() if not name.startswith("_")]
