"""What every workload builder shares: the Workload record, weights drawn
once in NumPy, and a one-function relax module from a body callback."""

from dataclasses import dataclass, field
from typing import Callable, List

import numpy as np

from kiln import relax

F32 = "float32"


@dataclass
class Workload:
    name: str  # e.g. "mlp 784-1024-1024-10 b32"
    kind: str  # "block" (several ops) or "op"
    torch_module: object  # a torch.nn.Module in eval mode, weights from the same arrays
    kiln_module: object  # a kiln IRModule with one function "main"
    inputs: List[np.ndarray] = field(default_factory=list)


class Weights:
    """Draws float32 weights from one seeded generator, scaled like a trained
    layer (about 1 / sqrt(fan_in)) so that activations stay near unit size."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def normal(self, shape, scale=1.0) -> np.ndarray:
        return (self.rng.standard_normal(shape) * scale).astype(F32)

    def uniform(self, shape, low, high) -> np.ndarray:
        return self.rng.uniform(low, high, size=shape).astype(F32)


def const(array: np.ndarray):
    return relax.Constant(np.ascontiguousarray(array, dtype=F32))


def module(inputs: List[np.ndarray], body: Callable) -> object:
    """A module whose "main" takes tensors shaped like `inputs`; `body(bb,
    *params)` emits the bindings and returns the output expression."""
    params = [relax.Var(f"x{i}", relax.TensorStructInfo(list(a.shape), F32)) for i, a in enumerate(inputs)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", params, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    out = bb.emit_output(body(bb, *params))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def to_torch(module, **arrays):
    """Copies NumPy arrays into the named parameters and buffers of a torch
    module (every parameter must be given) and puts it in eval mode."""
    import torch

    tensors = dict(module.named_parameters())
    tensors.update(module.named_buffers())
    missing = set(dict(module.named_parameters())) - set(arrays)
    assert not missing, f"to_torch: no array for {sorted(missing)}"
    with torch.no_grad():
        for name, a in arrays.items():
            assert tensors[name].shape == a.shape, f"to_torch: {name} is {tuple(tensors[name].shape)}, got {a.shape}"
            tensors[name].copy_(torch.from_numpy(np.ascontiguousarray(a)))
    module.eval()
    module.requires_grad_(False)
    return module
