"""torch.compile(model, backend="kiln"): every graph TorchDynamo captures is
compiled by Kiln (numbers equal eager), graph breaks give several graphs, and
a graph Kiln cannot import runs in PyTorch with a warning naming the op."""

import warnings
from unittest import mock

import pytest
import torch

import kiln
import kiln.torch

torch.manual_seed(0)


@pytest.fixture
def imported():
    """The input specs of every graph kiln.frontend.from_fx imports."""
    calls = []
    original = kiln.frontend.from_fx

    def spy(gm, specs, **kwargs):
        calls.append(specs)
        return original(gm, specs, **kwargs)

    torch._dynamo.reset()
    with mock.patch.object(kiln.frontend, "from_fx", spy):
        yield calls
    torch._dynamo.reset()


class Block(torch.nn.Module):
    def __init__(self, tail=torch.tanh, graph_break=False):
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(12, 24), torch.nn.Linear(24, 12)
        self.tail, self.graph_break = tail, graph_break

    def forward(self, x):
        h = torch.nn.functional.gelu(self.fc1(x))
        if self.graph_break:
            torch._dynamo.graph_break()
        return self.tail(self.fc2(h)) + x, h.sum(dim=-1)


def run_both(model, x):
    compiled = torch.compile(model, backend="kiln", dynamic=False)
    with torch.no_grad():
        return compiled(x), model(x)


def test_backend_is_registered():
    assert "kiln" in torch._dynamo.list_backends()


def test_backend_compiles_the_graph(imported):
    x = torch.randn(3, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", kiln.torch.KilnFallbackWarning)
        got, ref = run_both(Block().eval(), x)
    assert len(imported) == 1 and ((3, 12), "float32") in imported[0]
    assert isinstance(got, tuple) and len(got) == 2
    for a, b in zip(got, ref):
        assert (a - b).abs().max().item() <= 1e-4


def test_graph_break_gives_two_kiln_graphs(imported):
    x = torch.randn(2, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", kiln.torch.KilnFallbackWarning)
        got, ref = run_both(Block(graph_break=True).eval(), x)
    assert len(imported) == 2
    for a, b in zip(got, ref):
        assert (a - b).abs().max().item() <= 1e-4


def test_unsupported_op_falls_back_with_a_warning(imported):
    x = torch.randn(2, 12)
    with pytest.warns(kiln.torch.KilnFallbackWarning, match=r"(?s)runs in PyTorch: .*aten\.cos"):
        got, ref = run_both(Block(tail=torch.cos).eval(), x)
    assert len(imported) == 1
    for a, b in zip(got, ref):
        assert torch.equal(a, b)


def test_symbolic_sizes_fall_back(imported):
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval()
    compiled = torch.compile(model, backend="kiln", dynamic=True)
    x = torch.randn(5, 8)
    with pytest.warns(kiln.torch.KilnFallbackWarning, match="is a SymInt"), torch.no_grad():
        assert torch.equal(compiled(x), model(x))
    assert imported == []
