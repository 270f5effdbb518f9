"""The ``torch.compile`` backend ``"kiln"``: each graph TorchDynamo
captures is imported with ``kiln.frontend.from_fx`` and compiled by
``kiln.compile``. A graph Kiln cannot import (an op without a converter, a
symbolic-size input) runs as PyTorch captured it, with a warning naming the
reason; graph breaks between graphs are PyTorch's, as with any backend."""

import warnings

import torch

import kiln

from .module import as_torch_module

__all__ = ["kiln_backend"]


class KilnFallbackWarning(UserWarning):
    """A captured graph runs in PyTorch because Kiln could not compile it."""


def _fallback(gm: torch.fx.GraphModule, reason: str):
    n = sum(node.op.startswith("call_") for node in gm.graph.nodes)
    warnings.warn(f"kiln backend: a captured graph of {n} calls runs in PyTorch: {reason}", KilnFallbackWarning,
                  stacklevel=2)
    return gm.forward


def kiln_backend(gm: torch.fx.GraphModule, example_inputs):
    """Compiles one captured graph; returns a callable of the graph's inputs."""
    specs = []
    for i, t in enumerate(example_inputs):
        if not isinstance(t, torch.Tensor):
            return _fallback(gm, f"input {i} is a {type(t).__name__} (symbolic sizes are not supported; "
                                 "use torch.compile(..., dynamic=False) or kiln.torch.compile(..., dynamic=True))")
        specs.append((tuple(int(d) for d in t.shape), str(t.dtype).removeprefix("torch.")))
    try:
        compiled = kiln.compile(kiln.frontend.from_fx(gm, specs))
    except kiln.Error as err:
        return _fallback(gm, str(err).split("\n  [raised at")[0])
    module = as_torch_module(compiled)
    returns_tuple = _returns_tuple(gm)

    def run(*args):
        out = module(*args)
        return (out,) if returns_tuple and not isinstance(out, tuple) else out

    return run


def _returns_tuple(gm: torch.fx.GraphModule) -> bool:
    out = [n for n in gm.graph.nodes if n.op == "output"]
    return bool(out) and isinstance(out[0].args[0], (tuple, list))


def register() -> None:
    """Registers ``"kiln"`` with TorchDynamo (once)."""
    from torch._dynamo import list_backends, register_backend

    if "kiln" not in list_backends(exclude_tags=()):
        register_backend(kiln_backend, name="kiln")
