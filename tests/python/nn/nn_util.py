"""Runs kiln.nn models for the tests: export, compile with the default
pipeline, run the lifted weight transform when there is one, call."""

import numpy as np

import kiln
from kiln import nn


class Runner:
    """A model's exported functions compiled once and callable by name with
    NumPy inputs; the weights (``params="inputs"``) are passed for you."""

    def __init__(self, model: nn.Module, spec: dict, params: str = "inputs"):
        self.mod, self.params = nn.export(model, spec, params=params)
        self.vm = kiln.VirtualMachine(kiln.compile(self.mod), kiln.cpu())
        self._weights = {}
        for name in self.vm.function_names:
            if name.endswith("_transform_params"):
                self._weights[name[: -len("_transform_params")]] = list(
                    self.vm[name](*[p.data for _, p in self.params]))

    def __call__(self, fn: str, *inputs):
        weights = self._weights.get(fn, [p.data for _, p in self.params])
        return self.vm[fn](*inputs, *weights)


def numpy(value):
    """VM results as NumPy arrays (lists for tuples)."""
    if isinstance(value, (list, tuple)):
        return [numpy(v) for v in value]
    return value.numpy()


def copy_weights(kiln_model: nn.Module, torch_model) -> None:
    """Loads ``torch_model``'s state dict into ``kiln_model`` (same names)."""
    kiln_model.load_state_dict({k: v.detach().numpy() for k, v in torch_model.state_dict().items()})


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")
