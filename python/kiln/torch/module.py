"""A compiled Kiln function as a ``torch.nn.Module``.

Tensors cross by DLPack in both directions without copies: a contiguous
CPU input is handed to the VM as is (a view of its memory), each output
array comes back through ``torch.from_dlpack`` and shares the Kiln array's
memory; tuples stay tuples. The module is for inference: inputs are
detached, outputs carry no autograd history."""

import torch

import kiln

__all__ = ["KilnModule", "as_torch_module"]


def _to_kiln(value, where: str):
    """A call argument: tensors as they are when contiguous on the CPU
    (detached, so DLPack may export them), anything else unchanged."""
    if isinstance(value, torch.Tensor):
        if value.device.type != "cpu":
            raise kiln.Error(f"{where}: a tensor on {value.device}; Kiln modules run on the CPU")
        value = value.detach()
        return value if value.is_contiguous() else value.contiguous()
    if isinstance(value, (list, tuple)):
        return [_to_kiln(v, where) for v in value]
    return value


def _to_torch(value):
    """A VM result as torch values: arrays shared through DLPack, lists as tuples."""
    if isinstance(value, kiln.nd.NDArray):
        return torch.from_dlpack(value)
    if isinstance(value, (list, tuple)):
        return tuple(_to_torch(v) for v in value)
    return value


class KilnModule(torch.nn.Module):
    """Runs VM function ``name``; ``params`` (Kiln arrays) are appended to
    every call's arguments, for modules compiled with weights as inputs."""

    def __init__(self, vm: "kiln.VirtualMachine", name: str = "main", params=()):
        super().__init__()
        if name not in vm.function_names:
            raise kiln.Error(f"kiln.torch: the module has no function '{name}' (it has {', '.join(vm.function_names)})")
        self.vm, self.name = vm, name
        self._function = vm[name].function
        self._params = [kiln.nd.array(p) if not isinstance(p, kiln.nd.NDArray) else p for p in params]

    def forward(self, *args):
        where = f"kiln.torch module '{self.name}'"
        return _to_torch(self._function(*[_to_kiln(a, where) for a in args], *self._params))

    def extra_repr(self) -> str:
        return f"function={self.name!r}"


def as_torch_module(compiled, name: str = "main", params=()) -> KilnModule:
    """A ``torch.nn.Module`` running function ``name`` of ``compiled``: a
    ``kiln.VirtualMachine``, a ``kiln.CompiledModule`` (from kiln.compile)
    or a library ``kiln.Module`` (from kiln.load)."""
    vm = compiled if isinstance(compiled, kiln.VirtualMachine) else kiln.VirtualMachine(compiled, kiln.cpu())
    return KilnModule(vm, name, params)
