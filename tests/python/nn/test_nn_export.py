"""kiln.nn export: the functions a spec makes (symbolic dims, parameters as
inputs with num_input, or bound as constants), tensor operators, and the
errors for a wrong spec, a shape mismatch or a misused module."""

import numpy as np
import pytest
from nn_util import Runner, numpy, randn

import kiln
from kiln import nn


class MLP(nn.Module):
    def __init__(self):
        self.fc1 = nn.Linear(16, 32)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def mlp_reference(model, x):
    w = model.state_dict()
    return np.maximum(x @ w["fc1.weight"].T + w["fc1.bias"], 0) @ w["fc2.weight"].T + w["fc2.bias"]


SPEC = {"forward": {"x": nn.spec.Tensor(["batch", 16])}}


def test_export_params_as_inputs():
    model = MLP().init_params(seed=1)
    mod, params = nn.export(model, SPEC)
    assert [n for n, _ in params] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [p.shape for _, p in params] == [(32, 16), (32,), (4, 32), (4,)]
    main = mod["main"]
    assert main.attrs["num_input"] == 1
    assert [p.name for p in main.params] == ["x", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"]
    assert str(main.params[0].struct_info) == "Tensor((batch, 16), float32)"
    assert str(main.ret_struct_info) == "Tensor((batch, 4), float32)"
    assert kiln.parse(mod.script()).script() == mod.script()
    assert not kiln.relax.check_well_formed(mod)


@pytest.mark.compat("nn", "llvm")
def test_params_as_inputs_are_lifted_and_run():
    model = MLP().init_params(seed=2)
    run = Runner(model, SPEC)
    assert "main_transform_params" in run.vm.function_names  # LiftTransformParams applied
    for n in (1, 6):
        x = randn(n, 16, seed=n)
        np.testing.assert_allclose(run("main", x).numpy(), mlp_reference(model, x), rtol=1e-5, atol=1e-5)


def test_params_as_constants():
    model = MLP().init_params(seed=3)
    mod, params = nn.export(model, SPEC, params="constants")
    assert params == []
    assert [p.name for p in mod["main"].params] == ["x"]
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    x = randn(3, 16)
    np.testing.assert_allclose(vm["main"](x).numpy(), mlp_reference(model, x), rtol=1e-5, atol=1e-5)


def test_constants_need_values():
    with pytest.raises(kiln.Error, match=r"without a value .*\['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'\]"):
        nn.export(MLP(), SPEC, params="constants")


class Ops(nn.Module):
    """Tensor operators and methods, two inputs sharing the symbolic n."""

    def forward(self, a, b):
        c = (a + b) * 2.0 - b / 4.0
        d = (1.0 - a) @ b.transpose(0, 1)
        e = (-c).reshape(-1, 3, 2).permute_dims(0, 2, 1).sum(axis=2)
        return c, d, e, a.astype("int32"), a.mean(axis=1, keepdims=True), nn.op.concat([a, b], axis=0)


def test_tensor_operators():
    run = Runner(Ops(), {"forward": {"a": nn.spec.Tensor(["n", 6]), "b": nn.spec.Tensor(["n", 6])}})
    assert "n" in run.mod.script() and str(run.mod["main"].params[1].struct_info) == "Tensor((n, 6), float32)"
    a, b = randn(4, 6, seed=1) * 3, randn(4, 6, seed=2)
    c, d, e, i, m, cat = numpy(run("main", a, b))
    np.testing.assert_allclose(c, (a + b) * 2 - b / 4, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(d, (1 - a) @ b.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e, (-c).reshape(-1, 3, 2).transpose(0, 2, 1).sum(2), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(i, a.astype("int32"))
    assert i.dtype == np.int32
    np.testing.assert_allclose(m, a.mean(1, keepdims=True), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(cat, np.concatenate([a, b]))


def test_list_inputs_and_tuple_outputs():
    class Pairs(nn.Module):
        def forward(self, xs):
            return xs[0] + xs[1], (xs[0] * xs[1], xs[1])

    run = Runner(Pairs(), {"forward": {"xs": [nn.spec.Tensor(["n"]), nn.spec.Tensor(["n"])]}})
    assert [p.name for p in run.mod["main"].params] == ["xs_0", "xs_1"]
    x, y = randn(5, seed=1), randn(5, seed=2)
    s, (p, q) = numpy(run("main", x, y))
    np.testing.assert_allclose(s, x + y, rtol=1e-6)
    np.testing.assert_allclose(p, x * y, rtol=1e-6)
    np.testing.assert_array_equal(q, y)


def test_shape_mismatch_names_module_and_op():
    class Net(nn.Module):
        def __init__(self):
            self.blocks = nn.ModuleList([MLP(), MLP()])

        def forward(self, x):
            return self.blocks[1](self.blocks[0](x))  # fc1 of blocks.1 gets 4 features, wants 16

    with pytest.raises(kiln.Error) as err:
        nn.export(Net(), SPEC)
    msg = str(err.value)
    assert "nn.export of 'main', in Linear 'blocks.1.fc1'" in msg
    assert "relax.linear" in msg and "4" in msg and "16" in msg


@pytest.mark.parametrize("spec,message", [
    ({"predict": {"x": nn.spec.Tensor([2, 16])}}, "MLP has no method 'predict'"),
    ({}, "non-empty dict"),
    ({"forward": [nn.spec.Tensor([2, 16])]}, "input spec of 'forward': expected a dict"),
    ({"forward": {"x": (2, 16)}}, r"input spec of 'forward', 'x': expected a kiln.nn.spec.Tensor"),
    ({"forward": {"x": nn.spec.Tensor(["batch", 16]), "y": nn.spec.Tensor([3])}}, "takes 2 positional"),
])
def test_wrong_spec(spec, message):
    with pytest.raises((kiln.Error, TypeError), match=message):
        nn.export(MLP().init_params(), spec)


def test_spec_dims_are_checked():
    with pytest.raises(kiln.Error, match="a dimension must be a size or a name, got -3"):
        nn.spec.Tensor([-3, 4])
    with pytest.raises(kiln.Error, match="params must be 'inputs' or 'constants'"):
        nn.export(MLP(), SPEC, params="bound")


def test_module_outside_export():
    with pytest.raises(kiln.Error, match="Linear runs only while exported"):
        nn.Linear(2, 3)(None)


def test_load_state_dict_errors():
    model = MLP()
    state = {"fc1.weight": np.zeros((32, 16), "float32"), "fc1.bias": np.zeros(32, "float32")}
    with pytest.raises(kiln.Error, match=r"missing \['fc2.bias', 'fc2.weight'\], unexpected \[\]"):
        model.load_state_dict(state)
    state["fc1.bias"] = np.zeros(31, "float32")
    with pytest.raises(kiln.Error, match=r"'fc1.bias': .*shape \(31,\) .* parameter \(32,\) float32"):
        model.load_state_dict(state, strict=False)


def test_named_parameters_share_once():
    class Tied(nn.Module):
        def __init__(self):
            self.emb = nn.Embedding(10, 4)
            self.head = nn.Linear(4, 10, bias=False)
            self.head.weight = self.emb.weight

        def forward(self, tokens):
            return self.head(self.emb(tokens))

    model = Tied().init_params()
    run = Runner(model, {"forward": {"tokens": nn.spec.Tensor(["n"], "int64")}})
    assert [n for n, _ in run.params] == ["emb.weight"]
    w = model.emb.weight.data
    tokens = np.array([1, 7, 3])
    np.testing.assert_allclose(run("main", tokens).numpy(), w[tokens] @ w.T, rtol=1e-5, atol=1e-6)


def test_kernels_over_compound_symbolic_dims():
    """A kernel whose input has dim c + s and whose output has neither c nor
    s (legalization passes c and s to it as scalars): the KV cache's case."""

    class CatSum(nn.Module):
        def forward(self, a, b):
            return nn.op.concat([a, b], axis=0).sum(axis=0)

    run = Runner(CatSum(), {"forward": {"a": nn.spec.Tensor(["c", 4]), "b": nn.spec.Tensor(["s", 4])}})
    assert str(run.mod["main"].ret_struct_info) == "Tensor((4,), float32)"
    for c, s in ((1, 2), (5, 3)):
        a, b = randn(c, 4, seed=c), randn(s, 4, seed=s)
        np.testing.assert_allclose(run("main", a, b).numpy(), a.sum(0) + b.sum(0), rtol=1e-5, atol=1e-5)
