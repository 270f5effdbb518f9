"""kiln.nn: write models in Python and export them to an IRModule.

A model is a :class:`Module` with :class:`Parameter` attributes and
sub-modules; its methods compute with :class:`Tensor` values (relax
expressions) and emit relax ops. :func:`export` turns the methods named in
a spec (input shapes with symbolic dims such as ``"batch"``) into relax
functions::

    from kiln import nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    mod, params = nn.export(model, {"forward": {"x": nn.spec.Tensor(["batch", 784])}})
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    y = vm["main"](x, *[p.data for _, p in params])
"""

from . import op, spec
from .activation import GELU, Dropout, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .attention import KVCache, MultiheadAttention
from .conv import Conv1d, Conv2d
from .core import Module, ModuleList, Parameter, Sequential
from .embedding import Embedding
from .linear import Linear
from .norm import GroupNorm, LayerNorm, RMSNorm
from .spec import export
from .tensor import Tensor

__all__ = [
    "Conv1d", "Conv2d", "Dropout", "Embedding", "GELU", "GroupNorm", "KVCache", "LayerNorm", "Linear", "Module",
    "ModuleList", "MultiheadAttention", "Parameter", "RMSNorm", "ReLU", "SiLU", "Sequential", "Sigmoid", "Softmax",
    "Tanh", "Tensor", "export", "op", "spec",
]
