"""The LegalizeOps pass as a whole: modules fully lowered and well formed,
identical kernels shared, skip_ops, legalizations overridden from Python for
a target (kiln.relax.register_legalize with kiln.relax.call_te), symbolic
shapes kept, and every registered op having a legalization."""

import numpy as np
import pytest
from legalize_util import run_kernel, tensor_var

import kiln
from kiln import relax, tir
from kiln.relax import op
from kiln.tir import te


def build_module(params, body):
    """main(params) whose dataflow block emits body(bb, *params) (a list of
    calls, each bound in turn; the last is the output)."""
    bb = relax.BlockBuilder()
    bb.begin_function("main", params)
    bb.begin_dataflow_block()
    value = None
    for make in body:
        value = bb.emit(make(value, *params))
    out = bb.emit_output(value)
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def prim_funcs(mod):
    return {name: f for name, f in mod.functions.items() if isinstance(f, tir.PrimFunc)}


def op_calls(mod):
    """Names of the ops still called in main (call_tir included)."""
    names = []

    class Collect(relax.ExprVisitor):
        def visit_call_(self, call):
            if isinstance(call.op, relax.Op):
                names.append(call.op.name)
            super().visit_call_(call)

    Collect().visit_expr(mod["main"])
    return names


def add_exp_module(shape=(4, 3)):
    x, y = tensor_var("x", shape, "float32"), tensor_var("y", shape[-1:], "float32")
    return build_module([x, y], [lambda _, x, y: op.add(x, y), lambda v, x, y: op.exp(v)])


def test_two_ops_fully_legalized_and_well_formed():
    mod = kiln.transform.LegalizeOps()(add_exp_module())
    assert op_calls(mod) == ["relax.call_tir", "relax.call_tir"]
    assert sorted(prim_funcs(mod)) == ["add", "compute_exp"]
    assert relax.check_well_formed(mod) == []


def test_legalized_module_runs():
    mod = kiln.transform.LegalizeOps()(add_exp_module())
    x, y = np.random.rand(4, 3).astype("float32"), np.random.rand(3).astype("float32")
    add = kiln.build(kiln.IRModule({"add": mod["add"]}), target="llvm", name="add")
    tmp = kiln.nd.array(np.zeros((4, 3), "float32"))
    add["add"](kiln.nd.array(x), kiln.nd.array(y), tmp)
    out = run_kernel(kiln.IRModule({"compute_exp": mod["compute_exp"]}), [tmp.numpy()], [((4, 3), "float32")])
    np.testing.assert_allclose(out, np.exp(x + y), rtol=1e-6)


def test_identical_kernels_shared():
    """Two adds of the same shapes call one PrimFunc; another shape gets its own."""
    x, y = tensor_var("x", (4, 3), "float32"), tensor_var("y", (4, 3), "float32")
    mod = build_module(
        [x, y],
        [
            lambda _, x, y: op.add(x, y),
            lambda v, x, y: op.add(v, y),
            lambda v, x, y: op.sum(v, axis=[1]),
            lambda v, x, y: op.add(v, v),
        ],
    )
    mod = kiln.transform.LegalizeOps()(mod)
    names = sorted(n for n in prim_funcs(mod) if n.startswith("add"))
    assert len(names) == 2, names
    assert str(mod["main"]).count("call_tir(@add,") == 2


def test_skip_ops():
    with kiln.transform.PassContext(config={"relax.legalize.skip_ops": "relax.add"}):
        mod = kiln.transform.LegalizeOps()(add_exp_module())
    assert op_calls(mod) == ["relax.add", "relax.call_tir"]
    assert list(prim_funcs(mod)) == ["compute_exp"]


def test_skip_ops_unknown_name():
    with pytest.raises(kiln.Error, match="relax.legalize.skip_ops|no_such_op"):
        with kiln.transform.PassContext(config={"relax.legalize.skip_ops": "relax.add,no_such_op"}):
            kiln.transform.LegalizeOps()(add_exp_module())


def _subtracting_add(bb, call):
    """An override of relax.add that subtracts, so its use is visible."""
    return relax.call_te(bb, call, "my_add", lambda a, b: te.compute((4, 3), lambda i, j: a[i, j] - b[j], name="sub"))


def test_python_override_used_then_removed():
    relax.register_legalize("relax.add", _subtracting_add, target="llvm")
    try:
        mod = kiln.transform.LegalizeOps(target_kind="llvm")(add_exp_module())
        assert "my_add" in prim_funcs(mod) and "add" not in prim_funcs(mod)
        assert relax.check_well_formed(mod) == []
        x, y = np.random.rand(4, 3).astype("float32"), np.random.rand(3).astype("float32")
        got = run_kernel(kiln.IRModule({"my_add": mod["my_add"]}), [x, y], [((4, 3), "float32")])
        np.testing.assert_allclose(got, x - y)
        # another target keeps the op's own legalization
        other = kiln.transform.LegalizeOps(target_kind="cuda")(add_exp_module())
        assert "add" in prim_funcs(other) and "my_add" not in prim_funcs(other)
    finally:
        relax.remove_legalize("relax.add", target="llvm")
    mod = kiln.transform.LegalizeOps(target_kind="llvm")(add_exp_module())
    assert "add" in prim_funcs(mod) and "my_add" not in prim_funcs(mod)


def test_python_override_for_every_target():
    calls = []

    def f(bb, call):
        calls.append(call.op.name)
        return relax.call_te(bb, call, "exp_override", lambda x: te.compute(x.shape, lambda i, j: x[i, j] * 2.0))

    relax.register_legalize("exp", f)  # "": every target
    try:
        assert relax.has_legalize("relax.exp", "c")
        mod = kiln.transform.LegalizeOps(target_kind="c")(add_exp_module())
        assert "exp_override" in prim_funcs(mod) and calls == ["relax.exp"]
    finally:
        relax.remove_legalize("exp")
    assert "compute_exp" in prim_funcs(kiln.transform.LegalizeOps()(add_exp_module()))


def test_python_override_error_names_the_op():
    def broken(bb, call):
        raise ValueError("not today")

    relax.register_legalize("relax.exp", broken, target="llvm")
    try:
        with pytest.raises(kiln.Error, match="relax.exp.*not today"):
            kiln.transform.LegalizeOps()(add_exp_module())
    finally:
        relax.remove_legalize("relax.exp", target="llvm")


def test_python_override_returning_none_names_the_op():
    relax.register_legalize("relax.add", lambda bb, call: None, target="llvm")
    try:
        with pytest.raises(kiln.Error, match="relax.add: the legalization registered from Python returned None"):
            kiln.transform.LegalizeOps()(add_exp_module())
    finally:
        relax.remove_legalize("relax.add", target="llvm")


def test_register_legalize_unknown_op():
    with pytest.raises(kiln.Error, match="no_such_op"):
        relax.register_legalize("relax.no_such_op", _subtracting_add)


def test_symbolic_shapes_stay_symbolic():
    n = tir.SizeVar("n")
    mod = kiln.transform.LegalizeOps()(add_exp_module((n, 3)))
    main = str(mod["main"])
    assert "Tensor((n, 3), float32) = call_tir(@add" in main
    assert "Tensor((n, 3), float32) = call_tir(@compute_exp" in main
    assert relax.check_well_formed(mod) == []
    for size in (1, 2, 5):
        x = np.random.rand(size, 3).astype("float32")
        got = run_kernel(kiln.IRModule({"compute_exp": mod["compute_exp"]}), [x], [((size, 3), "float32")])
        np.testing.assert_allclose(got, np.exp(x), rtol=1e-6)


def test_call_te_multiple_outputs():
    """fcompute may return several tensors: call_tir then has a tuple result."""

    def split_signs(bb, call):
        both = bb.emit(
            relax.call_te(
                bb,
                call,
                "signs",
                lambda x: [
                    te.compute(x.shape, lambda i, j: tir.max(x[i, j], 0.0), name="pos"),
                    te.compute(x.shape, lambda i, j: tir.min(x[i, j], 0.0), name="neg"),
                ],
            )
        )
        assert isinstance(both.struct_info, relax.TupleStructInfo) and len(both.struct_info.fields) == 2
        return relax.TupleGetItem(both, 0)

    relax.register_legalize("relax.relu", split_signs, target="llvm")
    try:
        x = tensor_var("x", (2, 3), "float32")
        mod = kiln.transform.LegalizeOps()(build_module([x], [lambda _, x: op.relu(x)]))
        assert relax.check_well_formed(mod) == []
        data = np.random.randn(2, 3).astype("float32")
        pos, neg = run_kernel(mod, [data], [((2, 3), "float32")] * 2)
        np.testing.assert_array_equal(pos, np.maximum(data, 0))
        np.testing.assert_array_equal(neg, np.minimum(data, 0))
    finally:
        relax.remove_legalize("relax.relu", target="llvm")


NO_LEGALIZATION = {"relax.call_tir", "relax.call_tir_inplace", "relax.call_dps_packed",
                   # allocation ops of memory planning: the VM codegen lowers them
                   "relax.builtin.alloc_tensor", "relax.memory.alloc_storage", "relax.memory.alloc_tensor",
                   "relax.memory.kill_storage", "relax.memory.kill_tensor"}


def test_every_op_has_a_legalization():
    missing = [o.name for o in relax.list_ops() if o.name not in NO_LEGALIZATION and not relax.has_legalize(o.name)]
    assert not missing, f"ops without a legalization: {', '.join(missing)}"
