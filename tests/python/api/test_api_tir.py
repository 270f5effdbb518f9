"""The tir intrinsics, statement and expression nodes, visitor and schedule
handles from Python: built by hand, compiled, and checked against NumPy."""

import math

import numpy as np

import kiln
from kiln import tir
from kiln.tir import te


def run(func, *arrays):
    rt = kiln.build(func, target="llvm")
    args = [kiln.nd.array(a) for a in arrays]
    rt["main"](*args)
    return [a.numpy() for a in args]


UNARY = {
    "ceil": (tir.ceil, np.ceil),
    "floor": (tir.floor, np.floor),
    "round": (tir.round, np.round),
    "sqrt": (tir.sqrt, np.sqrt),
    "rsqrt": (tir.rsqrt, lambda v: 1 / np.sqrt(v)),
    "log": (tir.log, np.log),
    "tanh": (tir.tanh, np.tanh),
    "erf": (tir.erf, np.vectorize(math.erf)),
    "pow": (lambda e: tir.pow(e, 1.5), lambda v: v**1.5),
}


def test_float_intrinsics_match_numpy():
    x = te.placeholder((4, 6), "float32", name="x")
    outs = [te.compute((4, 6), lambda i, j, f=f: f(x[i, j]), name=n) for n, (f, _) in UNARY.items()]
    data = (np.random.default_rng(0).random((4, 6)) * 4 + 0.1).astype("float32")
    got = run(te.create_prim_func([x] + outs), data, *[np.zeros((4, 6), "float32") for _ in outs])[1:]
    for (name, (_, ref)), value in zip(UNARY.items(), got):
        np.testing.assert_allclose(value, ref(data.astype("float64")), rtol=1e-5, atol=1e-6, err_msg=name)


def test_comparisons_and_logic_in_a_select():
    y = te.placeholder((12,), "int32", name="y")
    cond = lambda i: tir.logical_or(tir.equal(y[i], 2), tir.logical_not(tir.not_equal(tir.floormod(i, 3), 0)))
    z = te.compute((12,), lambda i: tir.Select(tir.likely(cond(i)), 1, 0), name="z")
    data = np.arange(12, dtype="int32") % 5
    _, got = run(te.create_prim_func([y, z]), data, np.zeros(12, "int64"))
    np.testing.assert_array_equal(got, ((data == 2) | (np.arange(12) % 3 == 0)).astype("int64"))
    assert repr(tir.likely(tir.Var("i") < 3)) == "likely(i < 3)"


def test_te_min_reduction_and_max_value():
    x = te.placeholder((4, 6), "float32", name="x")
    k = te.reduce_axis((0, 6), name="k")
    m = te.compute((4,), lambda i: te.min(x[i, k], axis=k), name="m")
    assert te.max_value("int32").value == 2**31 - 1
    top = te.compute((4,), lambda i: tir.Select(x[i, 0] < te.max_value("float32"), 1.0, 0.0), name="top")
    data = np.random.default_rng(1).standard_normal((4, 6)).astype("float32")
    _, got_m, got_top = run(te.create_prim_func([x, m, top]), data, np.zeros(4, "float32"), np.zeros(4, "float32"))
    np.testing.assert_allclose(got_m, data.min(1))
    np.testing.assert_array_equal(got_top, np.ones(4, "float32"))


def hand_written():
    """A PrimFunc using LetStmt, IfThenElse, Let, Allocate, While, Ramp,
    Broadcast, Evaluate and seq, all built from Python."""
    a = tir.decl_buffer((8,), "float32", "A")
    b = tir.decl_buffer((8,), "float32", "B")
    i, t, u = tir.Var("i"), tir.Var("t", "float32"), tir.Var("u", "float32")
    even = tir.equal(tir.floormod(i, 2), 0)
    body = tir.LetStmt(t, a[i] * 2.0, tir.IfThenElse(even, tir.BufferStore(b, t, [i]),
                                                      tir.BufferStore(b, tir.Let(u, t, u + 1.0), [i])))
    loop = tir.For(i, 0, 8, "serial", body)
    cnt = tir.decl_buffer((1,), "int32", "cnt", scope="local")
    count = tir.Allocate(cnt, tir.seq([
        tir.BufferStore(cnt, tir.IntImm(0, "int32"), [0]),
        tir.While(cnt[0] < 3, tir.seq([tir.BufferStore(b, b[0] + 10.0, [0]),
                                       tir.BufferStore(cnt, cnt[0] + 1, [0])])),
    ]))
    lanes = tir.Ramp(4, 1, 4)
    vec = tir.BufferStore(b, b[lanes] + tir.Broadcast(tir.FloatImm(100.0, "float32"), 4), [lanes])
    return tir.PrimFunc([a, b], tir.seq([loop, count, vec, tir.Evaluate(0)]))


def test_statement_nodes_compile_and_run():
    f = hand_written()
    x = np.arange(8, dtype="float32")
    _, got = run(f, x, np.zeros(8, "float32"))
    want = np.where(np.arange(8) % 2 == 0, 2 * x, 2 * x + 1)
    want[0] += 30
    want[4:] += 100
    np.testing.assert_array_equal(got, want)
    body = f.body
    assert isinstance(body, tir.Seq) and isinstance(body, tir.Stmt)
    assert isinstance(body.seq[1], tir.Allocate) and isinstance(body.seq[1].body.seq[1], tir.While)
    assert isinstance(body.seq[3], tir.Evaluate)
    assert isinstance(body.seq[0].body, tir.LetStmt) and isinstance(body.seq[0].body.body, tir.IfThenElse)
    assert isinstance(body.seq[1].buffer, tir.Buffer) and body.seq[1].buffer.scope == "local"


def test_expression_nodes():
    x = tir.Var("x", "float32")
    call = tir.Call("float32", "exp", [x])
    assert isinstance(call, tir.Call) and isinstance(call, tir.PrimExpr) and repr(call) == "exp(x)"
    assert isinstance(tir.Not(x < 1.0), tir.Not) and tir.Not(x < 1.0).dtype == "bool"
    sel = tir.Select(x < 0.0, -x, x)
    assert isinstance(sel, tir.Select) and sel.dtype == "float32"
    assert tir.StringImm("hello").value == "hello"
    r = tir.Range(2, 5)
    assert (r.min.value, r.extent.value) == (2, 5)
    let = tir.Let(tir.Var("y", "float32"), x * 2.0, x)
    assert isinstance(let, tir.Let) and let.dtype == "float32"


def test_expr_visitor_counts_loads():
    class CountLoads(tir.ExprVisitor):
        def __init__(self):
            super().__init__()
            self.buffers = []

        def visit_buffer_load_(self, op):
            self.buffers.append(op.buffer.name)
            super().visit_buffer_load_(op)

    a = tir.decl_buffer((4,), "float32", "A")
    b = tir.decl_buffer((4,), "float32", "B")
    i = tir.Var("i")
    v = CountLoads()
    v.visit_expr(a[i] * b[i] + a[i + 1])
    assert sorted(v.buffers) == ["A", "A", "B"]


def test_schedule_handles_and_index_map():
    a = te.placeholder((16, 16), "float32", name="A")
    c = te.compute((16, 16), lambda i, j: a[i, j] * 2.0, name="C")
    sch = tir.Schedule(te.create_prim_func([a, c]))
    block = sch.get_block("C")
    i, j = sch.get_loops(block)
    assert isinstance(block, tir.BlockRV) and isinstance(i, tir.LoopRV)
    factors = sch.sample_perfect_tile(j, n=2)
    assert all(isinstance(f, tir.ExprRV) for f in factors)
    assert math.prod(sch.get(f) for f in factors) == 16
    m = tir.IndexMap.from_func(lambda x, y: [y, x])
    assert [e.value for e in m.map([3, 5])] == [5, 3]
    assert [e.value for e in m.map_shape([2, 7])] == [7, 2]
