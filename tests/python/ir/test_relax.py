"""kiln.relax from Python: struct info, op calls, the BlockBuilder, and the
errors of bad shapes, dtypes and attributes."""

import numpy as np
import pytest

import kiln
from kiln import relax, tir
from kiln.relax import op


def tensor(shape, dtype="float32"):
    return relax.TensorStructInfo(list(shape), dtype)


def test_op_registry_and_attrs():
    assert len(relax.list_ops()) >= 80
    m = relax.get_op("matmul")
    assert m.name == "relax.matmul" and m.pattern == "output_fusible"
    x = relax.Var("x", tensor((2, 3)))
    call = op.sum(x, axis=[1], keepdims=True)
    assert call.attrs["axis"] == [1] and call.attrs["keepdims"] is True
    with pytest.raises(kiln.Error, match="relax.sum: unknown attribute 'axes'"):
        op.sum(x, axes=[1])
    with pytest.raises(kiln.Error, match="attribute 'keepdims' must be a bool, got int"):
        op.sum(x, keepdims=1)
    with pytest.raises(kiln.Error, match='unknown op "matmull" \\(did you mean "matmul"\\?\\)'):
        relax.get_op("matmull")


def test_block_builder_infers_symbolic_shapes():
    n = tir.SizeVar("n")
    x = relax.Var("x", tensor((n, 784)))
    w = relax.Var("w", tensor((784, 10)))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x, w])
    bb.begin_dataflow_block()
    y = bb.emit(op.relu(op.matmul(x, w)))
    out = bb.emit_output(y)
    bb.end_dataflow_block()
    bb.end_function(out)
    mod = bb.get_module()
    sinfo = mod["main"].ret_struct_info
    assert sinfo.shape[0].same_as(n) and sinfo.shape[1].value == 10 and sinfo.dtype == "float32"
    assert relax.check_well_formed(mod) == []


def test_shape_and_dtype_errors():
    x = relax.Var("x", tensor((4, 784)))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x])
    with pytest.raises(kiln.Error, match="relax.matmul: the reduction dimensions differ"):
        bb.emit(op.matmul(x, relax.Var("w", tensor((783, 10)))))
    with pytest.raises(kiln.Error, match="relax.add: dtypes float32 and float16 differ"):
        bb.emit(op.add(x, relax.Var("h", tensor((4, 784), "float16"))))


def test_constants_and_struct_info_objects():
    c = relax.Constant(np.ones((2, 3), dtype="float32"))
    assert c.struct_info.shape[1].value == 3
    np.testing.assert_array_equal(c.data.numpy(), np.ones((2, 3)))
    t = relax.TupleStructInfo([tensor((2,)), relax.ShapeStructInfo(ndim=3)])
    assert t.fields[1].ndim == 3
    assert relax.TensorStructInfo(ndim=2, dtype=None).dtype is None
