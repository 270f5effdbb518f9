"""kiln.tir.Schedule from Python: handles, primitives, the trace (printed,
parsed, replayed) and errors; scheduled code checked against NumPy."""

import numpy as np
import pytest

import kiln
from kiln.tir import te
from kiln.tir.schedule import Schedule, Trace


def matmul(m, n, k):
    a = te.placeholder((m, k), "float32", name="A")
    b = te.placeholder((k, n), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    c = te.compute((m, n), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="C")
    return te.create_prim_func([a, b, c])


def run_matmul(mod, m, n, k):
    x = np.random.rand(m, k).astype("float32")
    y = np.random.rand(k, n).astype("float32")
    z = kiln.nd.array(np.zeros((m, n), "float32"))
    rt = kiln.build(mod, target="llvm")
    rt["main"](kiln.nd.array(x), kiln.nd.array(y), z)
    np.testing.assert_allclose(z.numpy(), x @ y, rtol=1e-4)


def test_handles_and_loop_kinds():
    sch = Schedule(matmul(32, 32, 16))
    c = sch.get_block("C")
    assert sch.get(c) == "C"
    i, j, k = sch.get_loops(c)
    assert repr(i).startswith("l")
    sch.parallel(i)
    sch.vectorize(j) if False else sch.unroll(j)
    sch.annotate(c, "note", 3)
    assert sch.get_sref(i).kind == "parallel"
    run_matmul(sch.mod, 32, 32, 16)
    text = str(sch.trace)
    assert 'sch.get_block("C", func="main")' in text
    assert "sch.parallel(l1)" in text


def test_trace_replays_from_text():
    func = matmul(16, 16, 16)
    sch = Schedule(func, seed=3)
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    sch.sample_perfect_tile(i, n=2, max_innermost_factor=4)
    sch.sample_categorical([1, 2, 4], [0.2, 0.3, 0.5])
    sch.parallel(i)
    again = Schedule(func)
    Trace.from_text(str(sch.trace)).apply_to(again)
    assert str(again.trace) == str(sch.trace)
    assert kiln.ir.structural_equal(again.mod, sch.mod)


def test_errors():
    sch = Schedule(matmul(8, 8, 8))
    c = sch.get_block("C")
    _, _, k = sch.get_loops(c)
    with pytest.raises(kiln.Error, match="parallel: loop 'k' runs the reduction variable"):
        sch.parallel(k)
    with pytest.raises(kiln.Error, match="did you mean 'C'"):
        sch.get_block("CC")
    with pytest.raises(kiln.Error, match="unknown primitive 'paralel'"):
        Trace.from_text("sch.paralel(l1)")


def test_trace_text_is_python():
    """The printed trace runs as Python against a fresh schedule."""
    func = matmul(32, 32, 32)
    sch = Schedule(func)
    c = sch.get_block("C")
    i, j, k = sch.get_loops(c)
    i0, i1 = sch.split(i, factors=[None, 8])
    sch.reorder(k, i1)
    sch.sample_perfect_tile(j, n=2, max_innermost_factor=8)
    fresh = Schedule(func)
    exec(str(sch.trace), {"sch": fresh})
    assert kiln.ir.structural_equal(fresh.mod, sch.mod)
    run_matmul(fresh.mod, 32, 32, 32)
