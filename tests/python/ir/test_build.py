"""kiln.build: tir to native code, run in process and from an exported
shared library, checked against NumPy."""

import numpy as np
import pytest

import kiln
from kiln import tir


def scale_add():
    n = tir.SizeVar("n")
    a = tir.decl_buffer((n,), "float32", "A")
    b = tir.decl_buffer((n,), "float32", "B")
    i = tir.Var("i")
    body = tir.For(i, 0, n, "parallel", tir.BufferStore(b, a[i] * 2.0 + 1.0, [i]))
    return tir.PrimFunc([a, b], body, [n])


@pytest.mark.compat("kernel_codegen", "llvm")
@pytest.mark.parametrize("size", [1, 7, 1000])
def test_build_and_run(size):
    mod = kiln.build(scale_add(), name="scale_add")
    x = np.random.default_rng(size).standard_normal(size).astype("float32")
    y = np.zeros_like(x)
    mod["scale_add"](x, y, size)
    np.testing.assert_allclose(y, x * 2 + 1, rtol=1e-6)
    assert "fmuladd" in mod.get_source("ll") or "fma" in mod.get_source("ll")


def test_export_library(tmp_path):
    path = tmp_path / "scale_add.so"
    kiln.build(scale_add(), name="scale_add").export_library(path)
    lib = kiln.load(str(path))
    x = np.arange(5, dtype="float32")
    y = np.zeros(5, "float32")
    lib["scale_add"](x, y, 5)
    np.testing.assert_allclose(y, x * 2 + 1)


def test_argument_checks():
    mod = kiln.build(scale_add(), name="scale_add")
    with pytest.raises(kiln.Error, match="scale_add"):
        mod["scale_add"](np.zeros(4, "float64"), np.zeros(4, "float32"), 4)
    with pytest.raises(kiln.Error, match="no loop is bound to a GPU thread"):
        kiln.build(scale_add(), target="cuda -arch=sm_90")


def test_compound_dimension_before_the_buffer_that_binds_its_variables():
    """A's length n * m is checked after B binds n and m, whatever the order
    of the parameters."""
    mod = kiln.parse("""
module {
  prim @flat_to_2d(A: Buffer((n * m,), float32), B: Buffer((n, m), float32)) {
    for i in range(n) {
      for j in range(m) {
        B[i, j] = A[i * m + j] + 1.0
      }
    }
  }
}""")
    rt = kiln.build(mod, target="llvm")
    a = np.arange(6, dtype="float32")
    b = kiln.nd.array(np.zeros((2, 3), "float32"))
    rt["flat_to_2d"](kiln.nd.array(a), b)
    np.testing.assert_array_equal(b.numpy(), a.reshape(2, 3) + 1)
    with pytest.raises(kiln.Error, match="has shape"):
        rt["flat_to_2d"](kiln.nd.array(np.zeros(5, "float32")), b)
