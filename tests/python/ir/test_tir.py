"""kiln.tir from Python: nodes, operators, checks, and errors."""

import pytest

import kiln
from kiln import tir


def test_operators_build_nodes_with_folding():
    i, n = tir.Var("i"), tir.SizeVar("n")
    e = i * 4 + 3
    assert isinstance(e, tir.Binary) and e.op == "Add"
    assert isinstance(e.a, tir.Binary) and e.a.op == "Mul"
    assert (n + 0).same_as(n)
    assert isinstance(tir.IntImm(3) + 4, tir.IntImm) and (tir.IntImm(3) + 4).value == 7
    assert (i < n).dtype == "bool"
    assert tir.floordiv(-7, 2).value == -4
    assert repr(tir.floordiv(i, 8)) == "i // 8"


def test_dtype_checks():
    a, b = tir.Var("a", "int32"), tir.Var("b", "int64")
    with pytest.raises(kiln.Error, match="operands have different dtypes int32 and int64"):
        a + b
    assert (a + 1).dtype == "int32"
    with pytest.raises(kiln.Error, match="no truth value"):
        bool(a < 1)


def test_buffers_loads_stores_and_loops():
    n = tir.SizeVar("n")
    a = tir.decl_buffer((n, 4), "float32", "A")
    i, j = tir.Var("i"), tir.Var("j")
    load = a[i, j]
    assert isinstance(load, tir.BufferLoad) and load.dtype == "float32"
    with pytest.raises(kiln.Error, match="load of buffer 'A' with 1 indices; it has 2 dimensions"):
        a[i]
    store = tir.BufferStore(a, load * 2.0, [i, j])
    loop = tir.For(i, 0, n, "parallel", tir.For(j, 0, 4, "vectorized", store))
    assert loop.kind == "parallel" and loop.body.kind == "vectorized"
    with pytest.raises(kiln.Error, match="unknown loop kind 'fast'"):
        tir.For(i, 0, n, "fast", store)
    with pytest.raises(kiln.Error, match="store of a int64 value into buffer 'A' of dtype float32"):
        tir.BufferStore(a, i, [i, j])


def test_block_and_prim_func():
    a = tir.decl_buffer((8,), "float32", "A")
    c = tir.decl_buffer((1,), "float32", "C")
    k, vk = tir.Var("k"), tir.Var("vk")
    block = tir.Block(
        "sum", [tir.IterVar(vk, (0, 8), "reduce", k)],
        reads=[tir.BufferRegion(a, [(vk, 1)])], writes=[tir.BufferRegion(c, [(0, 1)])],
        body=tir.BufferStore(c, c[0] + a[vk], [0]), init=tir.BufferStore(c, 0.0, [0]))
    f = tir.PrimFunc([a, c], tir.For(k, 0, 8, "serial", block))
    assert [p.name for p in f.params] == ["A_handle", "C_handle"]
    assert f.buffer_map[0][1].name == "A"
    assert block.iter_vars[0].kind == "reduce"
    with pytest.raises(kiln.Error, match="has an init but no reduce iteration variable"):
        tir.Block("bad", [tir.IterVar(vk, (0, 8), "spatial", k)], [], [], body=block.body, init=block.init)
