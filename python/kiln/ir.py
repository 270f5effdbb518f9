"""The IRModule and what both IR levels share (``kiln.ir``)."""

from ._core import assert_structural_equal, find_mismatch, structural_equal, structural_hash
from ._core.ir import BaseExpr, BaseFunc, GlobalVar, IRModule, RelaxExpr, StructInfo

__all__ = [
    "BaseExpr",
    "BaseFunc",
    "GlobalVar",
    "IRModule",
    "RelaxExpr",
    "StructInfo",
    "assert_structural_equal",
    "find_mismatch",
    "structural_equal",
    "structural_hash",
]
