"""Bad ONNX input raises kiln.Error naming the node and op, never crashes:
truncated and corrupt files (a fuzz of 300 mutations with a fixed seed),
missing external-data files, unsupported ops (all listed at once) and
opsets; and external data that is there loads."""

import random

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln
import kiln.frontend
from kiln.frontend.onnx import unsupported_onnx_ops

F32 = TensorProto.FLOAT


def small_model(opset=13, op="Relu", extra_nodes=()):
    w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) / 10, "w")
    shape = numpy_helper.from_array(np.array([0, -1], np.int64), "shape")
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
        helper.make_node(op, ["m"], ["r"], name="act"),
        helper.make_node("Reshape", ["r", "shape"], ["y"], name="flat"),
        *extra_nodes,
    ]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", F32, ["n", 4])],
                              [helper.make_tensor_value_info("y", F32, None)], initializer=[w, shape])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_valid_model_imports():
    mod = kiln.frontend.from_onnx(small_model())
    assert "x: Tensor((n, 4), float32)" in str(mod)


def test_unsupported_ops_are_listed_at_once(tmp_path):
    extra = [helper.make_node("NonMaxSuppression", ["y"], ["z"], name="nms"),
             helper.make_node("Det", ["y"], ["d"], name="det1"),
             helper.make_node("Det", ["y"], ["d2"], name="det2")]
    model = small_model(op="Hardmax", extra_nodes=extra)
    with pytest.raises(kiln.Error) as e:
        kiln.frontend.from_onnx(model)
    msg = str(e.value)
    assert "3 unsupported ops" in msg
    assert "Hardmax (first at node 'act' (Hardmax))" in msg
    assert "NonMaxSuppression (first at node 'nms'" in msg
    assert "Det (first at node 'det1' (Det))" in msg
    path = tmp_path / "m.onnx"
    onnx.save(model, str(path))
    assert unsupported_onnx_ops(path) == ["Hardmax", "NonMaxSuppression", "Det"]
    onnx.save(small_model(), str(path))
    assert unsupported_onnx_ops(path) == []


def test_other_domains_are_unsupported():
    model = small_model(extra_nodes=[helper.make_node("FusedGemm", ["y"], ["z"], name="fg", domain="com.microsoft")])
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    with pytest.raises(kiln.Error, match=r"com\.microsoft\.FusedGemm \(first at node 'fg'"):
        kiln.frontend.from_onnx(model)


@pytest.mark.parametrize("opset", [9, 10, 22])
def test_unsupported_opset(opset):
    with pytest.raises(kiln.Error, match=f"opset {opset} is not supported .*opsets 11 to 21"):
        kiln.frontend.from_onnx(small_model(opset=opset))


def test_bad_attribute_names_the_node():
    bad = helper.make_node("Transpose", ["y"], ["t"], name="tr", perm=[0, 5])
    with pytest.raises(kiln.Error, match=r"node 'tr' \(Transpose\): axis 5 is out of range"):
        kiln.frontend.from_onnx(small_model(extra_nodes=[bad]))


def test_shape_error_names_the_node():
    bad = helper.make_node("MatMul", ["y", "w"], ["t"], name="bad_mm")
    with pytest.raises(kiln.Error, match=r"node 'bad_mm' \(MatMul\)"):
        kiln.frontend.from_onnx(small_model(extra_nodes=[bad]))


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(kiln.Error, match="cannot open model"):
        kiln.frontend.from_onnx(tmp_path / "nope.onnx")
    with pytest.raises(kiln.Error, match="empty"):
        kiln.frontend.from_onnx(b"")


def test_truncated_file():
    data = small_model().SerializeToString()
    with pytest.raises(kiln.Error, match="not a valid ModelProto"):
        kiln.frontend.from_onnx(data[: len(data) // 2])


def save_external(model, folder):
    path = folder / "ext.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="ext.data", size_threshold=0)
    return path


def test_external_data_loads(tmp_path):
    path = save_external(small_model(), tmp_path)
    assert (tmp_path / "ext.data").exists()
    mod = kiln.frontend.from_onnx(path)
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    np.testing.assert_allclose(vm["main"](x).numpy(), np.maximum(x @ w, 0), atol=1e-5)
    # Bytes with a base folder find the data too.
    assert str(kiln.frontend.from_onnx(path.read_bytes(), base_dir=tmp_path)) == str(mod)


def test_missing_external_data_file(tmp_path):
    path = save_external(small_model(), tmp_path)
    (tmp_path / "ext.data").unlink()
    with pytest.raises(kiln.Error, match="missing external data file .*ext.data"):
        kiln.frontend.from_onnx(path)


def test_external_data_outside_the_folder_or_short(tmp_path):
    model = small_model()
    t = model.graph.initializer[0]
    t.data_location = TensorProto.EXTERNAL
    t.ClearField("raw_data")
    t.ClearField("float_data")
    t.external_data.add(key="location", value="../secret.bin")
    with pytest.raises(kiln.Error, match="leaves the model's folder"):
        kiln.frontend.from_onnx(model, base_dir=tmp_path)
    t.external_data[0].value = "short.bin"
    (tmp_path / "short.bin").write_bytes(b"\0" * 8)
    with pytest.raises(kiln.Error, match="holds 8 bytes, its shape needs 48"):
        kiln.frontend.from_onnx(model, base_dir=tmp_path)


def test_fuzz_mutated_models():
    """300 mutations of a valid model (bytes flipped, inserted, cut): each
    import raises kiln.Error or returns a module."""
    data = bytearray(small_model().SerializeToString())
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        b = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == 1:
            del b[rng.randrange(len(b)):]
        elif kind == 2:
            at = rng.randrange(len(b))
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            at = rng.randrange(len(b))
            del b[at:at + rng.randint(1, 16)]
        try:
            kiln.frontend.from_onnx(bytes(b))
            outcomes["ok"] += 1
        except kiln.Error:
            outcomes["error"] += 1
    assert outcomes["error"] > 100, outcomes
