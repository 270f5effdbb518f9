"""Import ONNX models: ``from_onnx(path_or_bytes)``.

The importer is C++ (``kiln::frontend::FromONNX``): it reads the protobuf,
supports opsets 11 to 21, turns dynamic dims into symbolic size variables
named after their ``dim_param``, initializers into constants and reads
external-data files relative to the model's folder. Errors (a corrupt file,
a missing external-data file, unsupported ops or opsets) raise
``kiln.Error`` naming the node and its op.

A node of a custom domain (``com.example``) becomes a call of the relax op
registered as ``"<domain>.<op_type>"`` (``kiln.relax.register_op``), its
attributes the op's. ``If`` imports the branch a condition known at import
time picks, or else both as a relax ``if``; ``Loop`` with a constant trip
count is unrolled (at most 64 iterations)."""

from __future__ import annotations

import os
from typing import Any

from .._core import frontend as _frontend
from ..ir import IRModule

__all__ = ["from_onnx", "unsupported_onnx_ops"]


def from_onnx(model: Any, base_dir: str | os.PathLike | None = None,
              custom_ops: dict[str, str] | None = None) -> IRModule:
    """The IRModule of an ONNX model, with one relax function ``main``.

    ``model`` is a path (``str`` or ``os.PathLike``), the serialized bytes, or
    an ``onnx.ModelProto``. ``base_dir`` is where external-data files are
    looked up for bytes and ModelProtos (default: the current folder); for a
    path it is the model's folder.

    A node of a custom domain ``D`` with op type ``T`` becomes a call of the
    relax op registered as ``"D.T"`` (``kiln.relax.register_op``), its
    attributes the op's attributes; ``custom_ops`` maps ``"D.T"`` to another
    registered op name instead (``{"com.example.Rope": "example.rope"}``).

    Examples:
        >>> import onnx
        >>> from onnx import TensorProto, helper
        >>> graph = helper.make_graph(
        ...     [helper.make_node("Relu", ["x"], ["y"])], "g",
        ...     [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
        ...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])])
        >>> mod = kiln.frontend.from_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
        >>> str(mod["main"].params[0].struct_info)
        'Tensor((n, 3), float32)'
    """
    ops = dict(custom_ops or {})
    if isinstance(model, (bytes, bytearray, memoryview)):
        return _frontend.from_onnx_bytes(bytes(model), os.fspath(base_dir or ""), ops)
    if hasattr(model, "SerializeToString"):
        return _frontend.from_onnx_bytes(model.SerializeToString(), os.fspath(base_dir or ""), ops)
    if isinstance(model, (str, os.PathLike)):
        if base_dir is not None:
            with open(model, "rb") as f:
                return _frontend.from_onnx_bytes(f.read(), os.fspath(base_dir), ops)
        return _frontend.from_onnx_file(os.fspath(model), ops)
    raise TypeError(f"from_onnx: expected a path, bytes or an onnx.ModelProto, got {type(model).__name__}")


def unsupported_onnx_ops(path: str | os.PathLike) -> list[str]:
    """The op_types in the model at ``path`` that the importer does not support."""
    return _frontend.unsupported_onnx_ops(os.fspath(path))
