"""DeclBuffer from Python: a view of a parameter's storage at an offset,
printed, parsed back, rejected without its storage, and compiled."""

import numpy as np
import pytest

import kiln
from kiln import tir


def view_kernel():
    """out[5 + 4 i + j] = 10 i + j through a 2x3 view at offset 5."""
    out = tir.decl_buffer((16,), "float32", "out")
    view = tir.decl_buffer((2, 3), "float32", "V", strides=(4, 1), elem_offset=5, data=out.data)
    i, j = tir.Var("i"), tir.Var("j")
    store = tir.BufferStore(view, tir.Cast("float32", i * 10 + j), [i, j])
    body = tir.DeclBuffer(view, tir.For(i, 0, 2, "serial", tir.For(j, 0, 3, "serial", store)))
    return tir.PrimFunc([out], body)


def test_decl_buffer_round_trips_and_runs():
    f = view_kernel()
    assert isinstance(f.body, tir.DeclBuffer) and f.body.buffer.data == f.buffer_map[0][1].data
    mod = kiln.IRModule({"write_view": f})
    text = mod.script()
    assert "decl_buffer V: Buffer((2, 3), float32, strides=(4, 1), offset=5, data=out.data)" in text
    kiln.ir.assert_structural_equal(kiln.parse(text), mod)

    out = np.zeros(16, "float32")
    kiln.build(mod)["write_view"](out)
    want = np.zeros(16, "float32")
    for i in range(2):
        for j in range(3):
            want[5 + 4 * i + j] = 10 * i + j
    np.testing.assert_array_equal(out, want)


def test_a_view_needs_handle_storage():
    with pytest.raises(kiln.Error, match="view 'V': the data must be a handle variable"):
        tir.decl_buffer((2,), name="V", data=tir.Var("n"))
    with pytest.raises(kiln.Error, match="decl_buffer 'V' needs data="):
        kiln.parse("""
module {
  prim @f(A: Buffer((4,), float32)) {
    decl_buffer V: Buffer((2,), float32)
    V[0] = 1.0
  }
}""")
