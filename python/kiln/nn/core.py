"""Modules and parameters of kiln.nn.

A :class:`Module` is a Python object whose attributes are parameters and
sub-modules; its ``forward`` (or any other method named in an export spec)
computes with :class:`~kiln.nn.Tensor` values and emits relax ops. Names
follow PyTorch's: the parameter ``weight`` of ``self.blocks[0].attn.q_proj``
is ``blocks.0.attn.q_proj.weight``, so ``load_state_dict`` takes the state
dict of the same model written with ``torch.nn``."""

from typing import Dict, Iterator, Optional, Sequence, Tuple

import numpy as np

from .._core import Error
from .tensor import Tensor, _active, current_emitter

__all__ = ["Module", "ModuleList", "Parameter", "Sequential"]


class Parameter(Tensor):
    """A weight of a static shape and dtype. Its value (``data``, a NumPy
    array) is optional until the module runs or is exported with parameters
    bound as constants; while exporting it stands for a relax parameter or
    constant like any tensor. ``init`` says how :meth:`Module.init_params`
    fills it: ``"normal"`` (std 0.02), ``"zeros"`` or ``"ones"``."""

    def __init__(self, shape: Sequence[int], dtype: str = "float32", init: str = "normal"):
        super().__init__(None)
        self._shape = tuple(int(d) for d in shape)
        self._dtype = str(dtype)
        if init not in ("normal", "zeros", "ones"):
            raise Error(f"kiln.nn.Parameter: init must be 'normal', 'zeros' or 'ones', got {init!r}")
        self.init = init
        self._data: Optional[np.ndarray] = None

    @property
    def expr(self):
        exprs = current_emitter().param_exprs
        if id(self) not in exprs:
            raise Error(f"{current_emitter().where()}: a Parameter {self._shape} that is not an attribute of the exported model")
        return exprs[id(self)]

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def data(self) -> Optional[np.ndarray]:
        """The value, or None when not set."""
        return self._data

    @data.setter
    def data(self, value) -> None:
        if value is None:
            self._data = None
            return
        if hasattr(value, "detach"):  # a torch tensor
            value = value.detach().cpu().numpy()
        elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # a kiln array
            value = value.numpy()
        a = np.ascontiguousarray(value)
        if a.shape != self._shape or str(a.dtype) != self._dtype:
            raise Error(f"kiln.nn.Parameter: a value of shape {a.shape} and dtype {a.dtype} for a parameter "
                        f"{self._shape} {self._dtype}")
        self._data = a

    def __repr__(self) -> str:
        return f"kiln.nn.Parameter({self._shape}, {self._dtype})"


class Module:
    """The base of models: parameters and sub-modules are attributes;
    subclasses define ``forward`` (and other methods to export)."""

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def __call__(self, *args, **kwargs):
        if not _active:
            raise Error(f"kiln.nn: {type(self).__name__} runs only while exported: "
                        "model.export(spec), then kiln.compile and a VirtualMachine")
        emitter = current_emitter()
        emitter.running.append(self)
        try:
            return self.forward(*args, **kwargs)
        finally:
            emitter.running.pop()

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_modules(self, prefix: str = "") -> Iterator[Tuple[str, "Module"]]:
        """This module (named ``prefix``) and all below it, depth first."""
        seen = set()

        def walk(module, name):
            if id(module) in seen:
                return
            seen.add(id(module))
            yield name, module
            for child_name, child in module.named_children():
                yield from walk(child, f"{name}.{child_name}" if name else child_name)

        yield from walk(self, prefix)

    def named_parameters(self) -> Iterator[Tuple[str, Parameter]]:
        """Every parameter once (the first name of a shared one), in the order
        the attributes were set."""
        seen = set()
        for module_name, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def state_dict(self) -> Dict[str, np.ndarray]:
        """Parameter values by name (parameters without a value are left out)."""
        return {name: p.data for name, p in self.named_parameters() if p.data is not None}

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Sets parameter values from ``state`` (NumPy arrays, torch tensors,
        Kiln arrays) by name; with ``strict``, names must match exactly."""
        params = dict(self.named_parameters())
        if strict:
            missing = sorted(set(params) - set(state))
            unexpected = sorted(set(state) - set(params))
            if missing or unexpected:
                raise Error(f"{type(self).__name__}.load_state_dict: missing {missing}, unexpected {unexpected}")
        for name, value in state.items():
            if name in params:
                try:
                    params[name].data = value
                except Error as err:
                    raise Error(f"{type(self).__name__}.load_state_dict: '{name}': {err}") from None

    def init_params(self, seed: int = 0) -> "Module":
        """Fills the parameters that have no value by their ``init``: random
        normal (std 0.02), zeros or ones. Returns the module."""
        rng = np.random.default_rng(seed)
        for p in self.parameters():
            if p.data is not None:
                continue
            if p.init == "normal":
                p.data = (rng.standard_normal(p.shape) * 0.02).astype(p.dtype)
            else:
                p.data = (np.zeros if p.init == "zeros" else np.ones)(p.shape, dtype=p.dtype)
        return self

    def export(self, spec, params: str = "inputs"):
        """``kiln.nn.export(self, spec, params)``: the IRModule and its named
        parameters."""
        from .spec import export

        return export(self, spec, params=params)

    def __repr__(self) -> str:
        children = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()]
        return type(self).__name__ + ("(\n" + "\n".join(children) + "\n)" if children else "()")


class ModuleList(Module):
    """Sub-modules in a list, named "0", "1", ..."""

    def __init__(self, modules: Sequence[Module] = ()):
        self._modules = list(modules)

    def named_children(self):
        for i, m in enumerate(self._modules):
            yield str(i), m

    def __getitem__(self, i: int) -> Module:
        return self._modules[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def append(self, module: Module) -> None:
        self._modules.append(module)


class Sequential(ModuleList):
    """Sub-modules applied in order."""

    def __init__(self, *modules: Module):
        super().__init__(modules)

    def forward(self, x):
        for m in self._modules:
            x = m(x)
        return x
