"""``kiln.torch.compile``: a PyTorch model imported with
``kiln.frontend.from_torch``, compiled by ``kiln.compile``, and wrapped as a
``torch.nn.Module`` (:class:`~kiln.torch.module.KilnModule`)."""

import torch

import kiln

from .module import KilnModule, as_torch_module

__all__ = ["compile"]


def _input_specs(example_inputs, dynamic):
    """(shape, dtype) per input; with ``dynamic=True`` the first dim of
    every input is the symbolic ``"batch"``."""
    specs = []
    for i, t in enumerate(example_inputs):
        if not isinstance(t, torch.Tensor):
            raise kiln.Error(f"kiln.torch.compile: example input {i} is a {type(t).__name__}, not a tensor")
        shape = list(t.shape)
        if dynamic and shape:
            shape[0] = "batch"
        specs.append((tuple(shape), str(t.dtype).removeprefix("torch.")))
    return specs


def compile(model: torch.nn.Module, example_inputs, target: str = "llvm", dynamic=False,  # noqa: A001
            pipeline=None) -> KilnModule:
    """``model`` compiled by Kiln for ``target``, as a ``torch.nn.Module``.

    ``example_inputs`` (tensors) give the input shapes and dtypes.
    ``dynamic=True`` makes the batch (first) dim of every input symbolic,
    so one compiled module serves any batch size; a list of shapes (one
    per input, names for symbolic dims, e.g. ``[("batch", "seq", 768)]``)
    chooses the dims. The weights are bound in the module as constants;
    ``pipeline`` goes to ``kiln.compile``."""
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    if isinstance(dynamic, (list, tuple)):
        if len(dynamic) != len(example_inputs):
            raise kiln.Error(f"kiln.torch.compile: {len(dynamic)} dynamic shapes for {len(example_inputs)} inputs")
        specs = [(tuple(s), str(t.dtype).removeprefix("torch.")) for s, t in zip(dynamic, example_inputs)]
    else:
        specs = _input_specs(example_inputs, bool(dynamic))
    mod = kiln.frontend.from_torch(model, specs)
    return as_torch_module(kiln.compile(mod, target=target, pipeline=pipeline))
