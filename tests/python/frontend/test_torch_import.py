"""The PyTorch importer's contract: the three entry points, symbolic dims
named as the user named them, weights as constants or as named parameters
after the inputs, and one error listing every unsupported node."""

import numpy as np
import pytest
import torch

import kiln
from kiln import relax, tir


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8), torch.nn.LogSoftmax(-1)
    ).eval()


def run(mod, *args):
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    return vm["main"](*args)


def run_with_params(mod, inputs, params):
    """The default pipeline's calling convention for weights kept as
    parameters (LiftTransformParams): main(inputs, *main_transform_params(weights))."""
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    return vm["main"](*inputs, *vm["main_transform_params"](*params.values()))


def input_shape(mod, i=0):
    return list(mod["main"].params[i].struct_info.shape)


@pytest.mark.compat("pytorch_import", "llvm")
def test_from_torch_mlp_symbolic_batch():
    model = mlp()
    mod = kiln.frontend.from_torch(model, [(("batch", 16), "float32")])
    batch = input_shape(mod)[0]
    assert isinstance(batch, tir.Var) and batch.name == "batch"
    assert len(mod["main"].params) == 1  # weights are constants
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    for b in (1, 4):
        x = torch.randn(b, 16)
        np.testing.assert_allclose(vm["main"](x.numpy()).numpy(), model(x).detach().numpy(), rtol=1e-4, atol=1e-4)


def test_static_shapes_have_no_symbols():
    mod = kiln.frontend.from_torch(mlp(), [((2, 16), "float32")])
    assert [d.value for d in input_shape(mod)] == [2, 16]
    assert "batch" not in mod.script()


def test_keep_params_as_input():
    model = mlp()
    mod, params = kiln.frontend.from_torch(model, [(("n", 16), "float32")], keep_params_as_input=True)
    main = mod["main"]
    assert main.attrs["num_input"] == 1
    state = model.state_dict()
    assert list(params) == list(state)  # the state_dict names, in parameter order
    for (name, value), var in zip(params.items(), main.params[1:]):
        np.testing.assert_array_equal(value, state[name].numpy())
        assert [d.value for d in var.struct_info.shape] == list(value.shape)
    x = torch.randn(3, 16)
    y = run_with_params(mod, [x.numpy()], params)
    np.testing.assert_allclose(y.numpy(), model(x).detach().numpy(), rtol=1e-4, atol=1e-4)


def test_from_exported_program_dim_names():
    class Attn(torch.nn.Module):
        def forward(self, x, y):
            return torch.softmax(x @ y.transpose(-1, -2), -1).reshape(x.shape[0], -1) * 2

    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq_len", max=64)
    dynamic = {"x": {0: batch, 1: seq}, "y": {0: batch, 1: seq}}
    ep = torch.export.export(Attn(), (torch.randn(2, 5, 4), torch.randn(2, 5, 4)), dynamic_shapes=dynamic)
    named = kiln.frontend.from_exported_program(ep, dynamic_shapes=dynamic)
    assert [str(d) for d in input_shape(named)] == ["batch", "seq_len", "4"]
    assert [str(d) for d in named["main"].ret_struct_info.shape] == ["batch", "seq_len * seq_len"]
    anonymous = kiln.frontend.from_exported_program(ep)  # torch's symbol names
    assert all(str(d).startswith("s") for d in input_shape(anonymous)[:2])
    x, y = torch.randn(3, 7, 4), torch.randn(3, 7, 4)
    np.testing.assert_allclose(run(named, x.numpy(), y.numpy()).numpy(), Attn()(x, y).numpy(), rtol=1e-5, atol=1e-5)


def test_from_fx_symbolic_trace():
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(6, 6)
            self.norm = torch.nn.LayerNorm(6)

        def forward(self, x):
            return torch.relu(self.norm(self.fc(x))).flatten(1) + x.sum(-1, keepdim=True).flatten(1)

    torch.manual_seed(1)
    net = Net().eval()
    gm = torch.fx.symbolic_trace(net)
    mod, params = kiln.frontend.from_fx(gm, [(("batch", 6), "float32")], keep_params_as_input=True)
    assert input_shape(mod)[0].name == "batch"
    assert set(params) == {"fc.weight", "fc.bias", "norm.weight", "norm.bias"}
    np.testing.assert_array_equal(params["fc.weight"], net.fc.weight.detach().numpy())
    x = torch.randn(5, 6)
    y = run_with_params(mod, [x.numpy()], params)
    np.testing.assert_allclose(y.numpy(), net(x).detach().numpy(), rtol=1e-5, atol=1e-5)
    static = kiln.frontend.from_fx(gm, [((2, 6), "float32")])
    assert [d.value for d in input_shape(static)] == [2, 6]


def test_tuple_outputs():
    class Two(torch.nn.Module):
        def forward(self, x):
            return x + 1, x.sum(0)

    mod = kiln.frontend.from_torch(Two(), [((3, 2), "float32")])
    assert isinstance(mod["main"].ret_struct_info, relax.TupleStructInfo)
    x = np.arange(6, dtype="float32").reshape(3, 2)
    a, b = run(mod, x)
    np.testing.assert_array_equal(a.numpy(), x + 1)
    np.testing.assert_array_equal(b.numpy(), x.sum(0))


def test_unsupported_ops_are_listed_together():
    class Odd(torch.nn.Module):
        def forward(self, x):
            return torch.digamma(torch.relu(x)) + torch.lgamma(x) + torch.digamma(x * 2)

    with pytest.raises(kiln.Error) as err:
        kiln.frontend.from_torch(Odd(), [((4,), "float32")])
    msg = str(err.value)
    assert "3 unsupported nodes" in msg
    assert "%digamma: aten.digamma.default" in msg
    assert "%lgamma: aten.lgamma.default" in msg
    assert "%digamma_1: aten.digamma.default" in msg
    assert "relu" not in msg


def test_converter_errors_name_the_node():
    class Apart(torch.nn.Module):
        def forward(self, x, i):
            return x[i, :, i]

    with pytest.raises(kiln.Error, match=r"converting %index \(aten.index.Tensor\): index.Tensor with index tensors "
                                         "on non-adjacent dims is not supported"):
        kiln.frontend.from_torch(Apart(), [((4, 3, 4), "float32"), ((2,), "int64")])


def test_bad_arguments():
    with pytest.raises(kiln.Error, match="expected a torch.export.ExportedProgram"):
        kiln.frontend.from_exported_program(mlp())
    with pytest.raises(kiln.Error, match="the graph takes 1 inputs, 2 input specs given"):
        kiln.frontend.from_fx(torch.fx.symbolic_trace(mlp()), [((1, 16), "float32")] * 2)
