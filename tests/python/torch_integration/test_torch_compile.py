"""kiln.torch: kiln.torch.compile and as_torch_module give torch.nn.Modules
that run compiled Kiln code; numbers equal eager PyTorch, tensors cross by
DLPack without copies, tuples stay tuples, a dynamic batch serves any size."""

import numpy as np
import pytest
import torch

import kiln
import kiln.torch
from kiln import nn
from kiln.torch.module import _to_torch

torch.manual_seed(0)


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(16, 32), torch.nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class TwoHeads(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return h.mean(dim=(2, 3)), torch.softmax(h.flatten(1), dim=-1)


@pytest.mark.compat("torch_module", "llvm")
def test_compile_mlp_is_a_torch_module():
    model = MLP().eval()
    x = torch.randn(3, 16)
    fast = kiln.torch.compile(model, (x,))
    assert isinstance(fast, torch.nn.Module)
    y = fast(x)
    assert isinstance(y, torch.Tensor) and y.shape == (3, 4) and y.dtype == torch.float32
    with torch.no_grad():
        assert (y - model(x)).abs().max().item() <= 1e-4
    with pytest.raises(kiln.Error, match=r"argument 'x' \(0\) must be Tensor\(\(3, 16\), float32\)"):
        fast(torch.randn(5, 16))  # static shapes unless asked


def test_compile_dynamic_batch():
    model = MLP().eval()
    fast = kiln.torch.compile(model, (torch.randn(2, 16),), dynamic=True)
    for n in (1, 4, 7):
        x = torch.randn(n, 16)
        with torch.no_grad():
            assert (fast(x) - model(x)).abs().max().item() <= 1e-4


def test_compile_tuple_outputs():
    model = TwoHeads().eval()
    x = torch.randn(2, 3, 8, 8)
    out = kiln.torch.compile(model, [x])(x)
    with torch.no_grad():
        ref = model(x)
    assert isinstance(out, tuple) and len(out) == 2
    for a, b in zip(out, ref):
        assert a.shape == b.shape and (a - b).abs().max().item() <= 1e-4


def test_inputs_that_require_grad_or_are_not_contiguous():
    model = MLP().eval()
    fast = kiln.torch.compile(model, (torch.randn(4, 16),))
    x = torch.randn(16, 4).t()  # not contiguous
    assert not x.is_contiguous()
    with torch.no_grad():
        ref = model(x)
    assert (fast(x) - ref).abs().max().item() <= 1e-4
    assert (fast(x.clone().requires_grad_()) - ref).abs().max().item() <= 1e-4


class Scale(nn.Module):
    """y = x * 2, and x itself (returned as is)."""

    def forward(self, x):
        return x * 2.0, x


@pytest.fixture(scope="module")
def scale_compiled():
    mod, _ = nn.export(Scale(), {"forward": {"x": nn.spec.Tensor(["n", 4])}})
    return kiln.compile(mod)


def test_tensors_cross_without_copies(scale_compiled):
    module = kiln.torch.as_torch_module(scale_compiled)
    x = torch.randn(3, 4)
    doubled, same = module(x)
    assert torch.equal(doubled, x * 2)
    # The input went in as a view: the function returned that very memory.
    assert same.data_ptr() == x.data_ptr()
    x[0, 0] = 42.0
    assert same[0, 0].item() == 42.0
    # An output tensor is a view of the Kiln array it came from.
    vm = kiln.VirtualMachine(scale_compiled)
    arrays = vm["main"](np.ones((2, 4), "float32"))
    t = _to_torch(arrays[0])
    assert t.data_ptr() == arrays[0].data_ptr
    t.add_(1.0)
    np.testing.assert_array_equal(arrays[0].numpy(), np.full((2, 4), 3.0, "float32"))


def test_as_torch_module_of_vm_and_library(scale_compiled, tmp_path):
    x = torch.randn(5, 4)
    vm = kiln.VirtualMachine(scale_compiled, kiln.cpu())
    path = tmp_path / "scale.so"
    scale_compiled.export_library(path)
    for source in (vm, kiln.load(str(path))):
        doubled, _ = kiln.torch.as_torch_module(source, "main")(x)
        assert torch.equal(doubled, x * 2)
    with pytest.raises(kiln.Error, match="no function 'predict' .*main"):
        kiln.torch.as_torch_module(vm, "predict")


def test_as_torch_module_with_weights():
    """A kiln.nn model exported with weights as inputs: the weights are given once."""
    model = nn.Linear(8, 3).init_params(seed=4)
    mod, params = nn.export(model, {"forward": {"x": nn.spec.Tensor(["n", 8])}})
    pipeline = kiln.pipeline.get("default").remove_pass("LiftTransformParams")
    module = kiln.torch.as_torch_module(kiln.compile(mod, pipeline=pipeline), params=[p.data for _, p in params])
    x = torch.randn(6, 8)
    w, b = (torch.from_numpy(p.data) for _, p in params)
    assert (module(x) - (x @ w.T + b)).abs().max().item() <= 1e-5
