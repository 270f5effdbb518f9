"""Loop-level IR (``kiln.tir``): expressions, statements, buffers and
PrimFuncs. Python operators on expressions build nodes: ``i * 4 + j``,
``n < 8``; use :func:`equal` for ``==`` (Python's ``==`` on nodes is
identity: two handles of one node are equal, and nodes key dicts). Passes
written in Python subclass :class:`StmtMutator` (or the visitors)."""

from .._core.tir import (
    Allocate,
    Binary,
    Block,
    Broadcast,
    Buffer,
    BufferLoad,
    BufferRegion,
    BufferStore,
    Call,
    Cast,
    DeclBuffer,
    Evaluate,
    FloatImm,
    For,
    IfThenElse,
    IntImm,
    IterVar,
    Let,
    LetStmt,
    Not,
    PrimExpr,
    PrimFunc,
    Ramp,
    Range,
    Select,
    Seq,
    SizeVar,
    Stmt,
    StringImm,
    Var,
    While,
    decl_buffer,
    equal,
    floordiv,
    floormod,
    logical_and,
    logical_not,
    logical_or,
    max,
    min,
    not_equal,
    seq,
)
from .._core.te import (
    abs,
    ceil,
    erf,
    exp,
    floor,
    if_then_else,
    likely,
    log,
    pow,
    round,
    rsqrt,
    sigmoid,
    sqrt,
    tanh,
)
from . import te
from .functor import ExprMutator, ExprVisitor, StmtMutator, StmtVisitor
from .schedule import BlockRV, ExprRV, IndexMap, LoopRV, Schedule, Trace

__all__ = [name for name in dir() if not name.startswith("_")]
