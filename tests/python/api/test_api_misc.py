"""Public names no other test reached: code generation helpers, the IR base
classes, pass objects and instruments, patterns, VM labels and profiles, and
the PyTorch module and backend."""

import shutil

import numpy as np
import pytest

import kiln
from kiln import codegen, relax, transform, vm
from kiln.relax import op, pattern
from kiln.tir import te


def scale_kernel():
    a = te.placeholder((8,), "float32", name="A")
    b = te.compute((8,), lambda i: a[i] * 3.0, name="B")
    return te.create_prim_func([a, b])


def test_host_target_and_export_library(tmp_path):
    host = codegen.host_target()
    assert host.startswith("llvm -mtriple=") and "-mcpu=" in host
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to link the library")
    rt = kiln.build(scale_kernel(), target=host)
    path = tmp_path / "scale.so"
    codegen.export_library(rt, str(path), "cc")
    lib = kiln.load(path)
    x = np.arange(8, dtype="float32")
    out = kiln.nd.array(np.zeros(8, "float32"))
    lib["main"](kiln.nd.array(x), out)
    np.testing.assert_array_equal(out.numpy(), 3 * x)


def copy_module():
    """main(x) binds y = x (a copy binding) and returns exp(y)."""
    x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    y = relax.Var("y", relax.TensorStructInfo([4], "float32"))
    z = relax.Var("z", relax.TensorStructInfo([4], "float32"))
    block = relax.BindingBlock([relax.Binding(y, x), relax.Binding(z, op.exp(y))])
    return kiln.IRModule({"main": relax.Function([x], relax.SeqExpr([block], z), relax.TensorStructInfo([4], "float32"))})


def test_get_pass_and_canonicalize_bindings():
    p = transform.get_pass("CanonicalizeBindings")
    assert isinstance(p, transform.Pass) and p.name == "CanonicalizeBindings" and p.info["opt_level"] == 1
    out = transform.CanonicalizeBindings()(copy_module())
    assert "y: Tensor" not in out.script() and "exp(x)" in out.script()
    kiln.ir.assert_structural_equal(p(copy_module()), out)
    with pytest.raises(kiln.Error, match="NoSuchPass"):
        transform.get_pass("NoSuchPass")


def test_pass_timing_is_an_instrument():
    timing = transform.pass_timing()
    assert isinstance(timing, transform.PassTiming) and isinstance(timing, transform.PassInstrument)
    with transform.PassContext(instruments=[timing]):
        transform.Normalize()(copy_module())
    assert "Normalize" in timing.report() and any(r[0] == "Normalize" for r in timing.records)


def test_patterns_and_library_patterns():
    p = pattern.is_op("relax.exp")(pattern.wildcard())
    assert isinstance(p, pattern.Pattern)
    call = copy_module()["main"].body.blocks[0].bindings[1].value
    assert p.match(call) and not pattern.is_op("relax.relu")(pattern.wildcard()).match(call)
    if pattern.library_available("onednn"):
        named = dict(pattern.library_patterns("onednn"))
        assert "dnnl.linear" in named and isinstance(named["dnnl.linear"], pattern.Pattern)


def test_labels_and_profile_report():
    b = vm.ExecBuilder()
    b.begin_function("main", [("x", "Prim(int64)")])
    skip = b.new_label()
    assert isinstance(skip, vm.Label)
    r = b.new_register()
    b.emit_call(b.global_func("vm.builtin.copy"), [b.param(0)], r)
    b.emit_goto(skip)
    b.emit_call(b.global_func("vm.builtin.copy"), [0], r)  # jumped over
    b.bind_label(skip)
    b.emit_ret(r)
    b.end_function()
    machine = kiln.VirtualMachine(b.finish(), kiln.cpu())
    assert machine["main"](7) == 7
    report = machine.profile("main", 7)
    assert isinstance(report, vm.ProfileReport) and all(isinstance(row, vm.ProfileRow) for row in report.rows)
    assert [(row.name, row.calls) for row in report.rows] == [("vm.builtin.copy", 1)]


def test_kiln_module_and_backend():
    torch = pytest.importorskip("torch")
    import kiln.torch

    x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x])
    bb.begin_dataflow_block()
    y = bb.emit_output(op.exp(x))
    bb.end_dataflow_block()
    bb.end_function(y)
    machine = kiln.VirtualMachine(kiln.compile(bb.get_module()), kiln.cpu())
    module = kiln.torch.KilnModule(machine, "main")
    assert isinstance(module, torch.nn.Module)
    t = torch.arange(4, dtype=torch.float32)
    torch.testing.assert_close(module(t), torch.exp(t))

    gm = torch.fx.symbolic_trace(torch.nn.Sequential(torch.nn.ReLU()))
    run = kiln.torch.kiln_backend(gm, [torch.randn(2, 3)])
    v = torch.tensor([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]])
    out = run(v)
    torch.testing.assert_close(out[0] if isinstance(out, (list, tuple)) else out, torch.relu(v))
