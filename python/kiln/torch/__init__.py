"""Kiln from PyTorch (``import kiln.torch``; ``import kiln`` does not import
PyTorch):

- :func:`compile`: a ``torch.nn.Module`` compiled by Kiln, returned as a
  ``torch.nn.Module`` whose forward runs the compiled code;
- :func:`as_torch_module`: any compiled Kiln function as a ``torch.nn.Module``;
- ``torch.compile(model, backend="kiln")``: the backend, registered on import.

Tensors cross by DLPack without copies (see :mod:`kiln.torch.module`)."""

from .backend import KilnFallbackWarning, kiln_backend, register
from .compiler import compile  # noqa: A004
from .module import KilnModule, as_torch_module

register()

__all__ = ["KilnFallbackWarning", "KilnModule", "as_torch_module", "compile", "kiln_backend"]
