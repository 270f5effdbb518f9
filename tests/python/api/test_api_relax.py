"""relax nodes built by hand from Python (Binding, BindingBlock, SeqExpr,
If, the struct info kinds, StringImm) and the ops no other test calls:
printed, parsed back structurally equal, compiled and run against NumPy."""

import numpy as np

import kiln
from kiln import ir, relax, tir
from kiln.relax import op

T = relax.TensorStructInfo


def if_module():
    """main(x, flag) = exp(x) if flag else x, written node by node."""
    x = relax.Var("x", T([4], "float32"))
    flag = relax.Var("flag", T([], "bool"))
    y, z = relax.Var("y", T([4], "float32")), relax.Var("z", T([4], "float32"))
    then = relax.SeqExpr([relax.BindingBlock([relax.Binding(y, op.exp(x))])], y)
    body = relax.SeqExpr([relax.BindingBlock([relax.Binding(z, relax.If(flag, then, x))])], z)
    return kiln.IRModule({"main": relax.Function([x, flag], body, T([4], "float32"))})


def test_hand_built_if_round_trips_and_runs():
    mod = if_module()
    text = str(mod)
    assert "if flag {" in text and "y: Tensor((4,), float32) = exp(x)" in text
    ir.assert_structural_equal(kiln.parse(text), mod)
    main = mod["main"]
    assert isinstance(main, ir.BaseFunc) and isinstance(main.body, relax.SeqExpr)
    binding = main.body.blocks[0].bindings[0]
    assert isinstance(main.body.blocks[0], relax.BindingBlock) and isinstance(binding, relax.Binding)
    assert isinstance(binding.value, relax.If) and isinstance(binding.value, ir.RelaxExpr)
    assert isinstance(binding.value, ir.BaseExpr)
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    a = np.arange(4, dtype="float32")
    np.testing.assert_allclose(vm["main"](a, np.array(True)).numpy(), np.exp(a), rtol=1e-6)
    np.testing.assert_array_equal(vm["main"](a, np.array(False)).numpy(), a)


def test_struct_info_kinds_and_string_imm():
    fn = relax.FuncStructInfo([T([4], "float32")], T([4], "float32"))
    assert str(fn) == "Func([Tensor((4,), float32)], Tensor((4,), float32))"
    assert str(if_module()["main"].struct_info) == "Func([Tensor((4,), float32), Tensor((), bool)], Tensor((4,), float32))"
    assert str(relax.ObjectStructInfo()) == "Object"
    assert str(relax.PrimStructInfo("int64", 3)) == "Prim(value=3)"
    s = relax.StringImm("hi")
    assert s.value == "hi" and str(s) == '"hi"'


def test_global_var_names_a_function():
    mod = if_module()
    gv = mod.get_global_var("main")
    assert isinstance(gv, ir.GlobalVar) and gv.name == "main"
    assert [g.name for g in mod.global_vars] == ["main"]
    assert repr(mod.global_vars[0]) == "@main"


def test_logical_and_or_run():
    bb = relax.BlockBuilder()
    x, m = relax.Var("x", T([4], "float32")), relax.Var("m", T([4], "bool"))
    bb.begin_function("main", [x, m])
    bb.begin_dataflow_block()
    small = bb.emit(op.less(x, relax.Constant(np.array(2.0, "float32"))))
    both = bb.emit(op.logical_and(m, small))
    either = bb.emit_output(relax.Tuple([both, op.logical_or(m, small)]))
    bb.end_dataflow_block()
    bb.end_function(either)
    vm = kiln.VirtualMachine(kiln.compile(bb.get_module()), kiln.cpu())
    xs, ms = np.array([1, 2, 3, 0.5], "float32"), np.array([True, True, False, False])
    got_and, got_or = vm["main"](xs, ms)
    np.testing.assert_array_equal(got_and.numpy(), ms & (xs < 2))
    np.testing.assert_array_equal(got_or.numpy(), ms | (xs < 2))


def test_call_tir_inplace_infers_and_round_trips():
    a = tir.decl_buffer((4,), "float32", "A")
    i = tir.Var("i")
    kernel = tir.PrimFunc([a], tir.For(i, 0, 4, "serial", tir.BufferStore(a, a[i] * 2.0, [i])))
    bb = relax.BlockBuilder()
    x = relax.Var("x", T([4], "float32"))
    bb.begin_function("main", [x])
    gv = bb.add_function(kernel, "double")
    bb.begin_dataflow_block()
    y = bb.emit_output(op.call_tir_inplace(gv, relax.Tuple([x]), relax.ShapeExpr([]), inplace_indices=[0],
                                           sinfo_args=[T([4], "float32")]))
    bb.end_dataflow_block()
    bb.end_function(y)
    mod = bb.get_module()
    assert str(y.struct_info) == "Tensor((4,), float32)"
    assert "call_tir_inplace(@double, (x,), shape(), inplace_indices=[0]" in str(mod)
    ir.assert_structural_equal(kiln.parse(str(mod)), mod)
