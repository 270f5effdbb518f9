"""Import ONNX models: ``from_onnx(path_or_bytes)``.

The importer is C++ (``kiln::frontend::FromONNX``): it reads the protobuf,
supports opsets 11 to 21, turns dynamic dims into symbolic size variables
named after their ``dim_param``, initializers into constants and reads
external-data files relative to the model's folder. Errors (a corrupt file,
a missing external-data file, unsupported ops or opsets) raise
``kiln.Error`` naming the node and its op."""

from __future__ import annotations

import os
from typing import Any

from .._core import frontend as _frontend
from ..ir import IRModule

__all__ = ["from_onnx", "unsupported_onnx_ops"]


def from_onnx(model: Any, base_dir: str | os.PathLike | None = None) -> IRModule:
    """The IRModule of an ONNX model, with one relax function ``main``.

    ``model`` is a path (``str`` or ``os.PathLike``), the serialized bytes, or
    an ``onnx.ModelProto``. ``base_dir`` is where external-data files are
    looked up for bytes and ModelProtos (default: the current folder); for a
    path it is the model's folder."""
    if isinstance(model, (bytes, bytearray, memoryview)):
        return _frontend.from_onnx_bytes(bytes(model), os.fspath(base_dir or ""))
    if hasattr(model, "SerializeToString"):
        return _frontend.from_onnx_bytes(model.SerializeToString(), os.fspath(base_dir or ""))
    if isinstance(model, (str, os.PathLike)):
        if base_dir is not None:
            with open(model, "rb") as f:
                return _frontend.from_onnx_bytes(f.read(), os.fspath(base_dir))
        return _frontend.from_onnx_file(os.fspath(model))
    raise TypeError(f"from_onnx: expected a path, bytes or an onnx.ModelProto, got {type(model).__name__}")


def unsupported_onnx_ops(path: str | os.PathLike) -> list[str]:
    """The op_types in the model at ``path`` that the importer does not support."""
    return _frontend.unsupported_onnx_ops(os.fspath(path))
