"""Public names of submodules that the package-level tests reach only
through re-exports or wrappers: the schedule registry of tensor intrinsics
and the default schedule's result, the emitters of kiln.nn, the PyTorch
importers of kiln.frontend.torch and nn.spec.Tensor."""

import numpy as np
import pytest

import kiln
from kiln import nn, relax
from kiln.nn import tensor as nt
from kiln.tir import schedule, te


def copy4_desc():
    a = te.placeholder((4,), "float32", name="A")
    b = te.compute((4,), lambda i: a[i], name="B")
    return te.create_prim_func([a, b])


def copy4_impl():
    """The same copy as plain statements (what an implementation must be)."""
    a, b = kiln.tir.decl_buffer((4,), "float32", "A"), kiln.tir.decl_buffer((4,), "float32", "B")
    i = kiln.tir.Var("i")
    return kiln.tir.PrimFunc([a, b], kiln.tir.For(i, 0, 4, "vectorized", kiln.tir.BufferStore(b, a[i], [i])))


def test_tensor_intrin_registry():
    schedule.register_x86_intrinsics()
    schedule.register_x86_intrinsics()  # idempotent
    names = schedule.list_tensor_intrins()
    assert {"x86.fma_f32x16", "x86.dot_f32x16"} <= set(names)
    schedule.register_tensor_intrin("test.api.copy4", copy4_desc(), copy4_impl())
    assert "test.api.copy4" in schedule.list_tensor_intrins()
    with pytest.raises(kiln.Error, match="test.api.copy4"):
        schedule.register_tensor_intrin("test.api.copy4", copy4_desc(), copy4_impl())
    schedule.register_tensor_intrin("test.api.copy4", copy4_desc(), copy4_impl(), override=True)


def test_default_schedule_result():
    a = te.placeholder((64, 64), "float32", name="A")
    c = te.compute((64, 64), lambda i, j: a[i, j] * 2.0, name="C")
    r = schedule.default_schedule(te.create_prim_func([a, c]))
    assert isinstance(r, schedule.DefaultScheduleResult)
    assert isinstance(r.rule, str) and r.rule and isinstance(r.func, kiln.tir.PrimFunc)
    x = np.random.default_rng(0).standard_normal((64, 64)).astype("float32")
    out = kiln.nd.array(np.zeros((64, 64), "float32"))
    kiln.build(r.func)["main"](kiln.nd.array(x), out)
    np.testing.assert_allclose(out.numpy(), 2 * x)


class EmitDirectly(nn.Module):
    def forward(self, x):
        e = nt.current_emitter()
        assert isinstance(e, nt.Emitter) and "EmitDirectly" in e.where()
        y = nt.emit_op(relax.op.exp, x)
        return nt.emit(relax.op.add(y.expr, x.expr), "z")


def test_emitters_of_nn():
    with pytest.raises(kiln.Error, match="tensors exist only while a model is exported"):
        nt.current_emitter()
    spec = {"forward": {"x": nn.spec.Tensor([3])}}
    assert isinstance(spec["forward"]["x"], nn.spec.Tensor)
    mod, _ = nn.export(EmitDirectly(), spec)
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    x = np.array([0.0, 1.0, -1.0], "float32")
    np.testing.assert_allclose(vm["main"](x).numpy(), np.exp(x) + x, rtol=1e-6)


def test_torch_importers_directly():
    torch = pytest.importorskip("torch")
    from kiln.frontend import torch as kt

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()).eval()
    x = torch.randn(2, 4)
    want = model(x).detach().numpy()
    modules = [
        kt.from_torch(model, [((2, 4), "float32")]),
        kt.from_exported_program(torch.export.export(model, (x,))),
        kt.from_fx(torch.fx.symbolic_trace(model), [((2, 4), "float32")]),
    ]
    for mod in modules:
        vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
        np.testing.assert_allclose(vm["main"](x.numpy()).numpy(), want, rtol=1e-5, atol=1e-5)
