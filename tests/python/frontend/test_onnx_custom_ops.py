"""Custom-domain ONNX nodes become registered relax ops: an op registered
from Python (kiln.relax.register_op: struct-info inference, legalization to
tir with the compute DSL) named "<domain>.<op_type>" imports a node of that
domain and op_type, its ONNX attributes become the op's attributes; the
model compiles with the default pipeline and matches NumPy. Unregistered
custom ops are listed (all at once) in a kiln.Error naming node, domain and
op, and by unsupported_onnx_ops."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln
import kiln.frontend
from kiln import relax, tir
from kiln.tir import te

F32 = TensorProto.FLOAT
H, D = 4, 16
ROPE = "com.example.Rope"


def infer_rope(call):
    x, cos, sin = (a.struct_info for a in call.args)
    if len(x.shape) != 3 or len(cos.shape) != 2 or len(sin.shape) != 2:
        raise ValueError(f"rope takes x (s, heads, dim), cos and sin (s, dim); got {x}, {cos}, {sin}")
    return x


def legalize_rope(bb, call):
    scale = float(call.attrs["scale"])

    def compute(x, cos, sin):
        half = D // 2  # the model's head size; infer checks the rank

        def rope(i, h, d):
            rotated = tir.if_then_else(d < half, -x[i, h, d + half], x[i, h, d - half])
            return (x[i, h, d] * cos[i, d] + rotated * sin[i, d]) * scale

        return te.compute(x.shape, rope, name="rope")

    return relax.call_te(bb, call, "rope", compute)


@pytest.fixture
def rope_op():
    op = relax.register_op(ROPE, args=["x", "cos", "sin"], attrs={"scale": 1.0}, infer=infer_rope,
                           legalize=legalize_rope, pattern="injective", description="rotary embedding")
    yield op
    relax.remove_op(ROPE)


def rope_model(op_type="Rope", domain="com.example", **attrs):
    """y = Rope(x @ w reshaped to (s, H, D), cos, sin) + 1, s symbolic."""
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["q"]),
        helper.make_node("Reshape", ["q", "shape"], ["q3"]),
        helper.make_node(op_type, ["q3", "cos", "sin"], ["r"], domain=domain, **attrs),
        helper.make_node("Add", ["r", "one"], ["y"]),
    ]
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal((H * D, H * D)).astype(np.float32), "w"),
             numpy_helper.from_array(np.array([0, H, D], np.int64), "shape"),
             numpy_helper.from_array(np.array(1.0, np.float32), "one")]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", F32, ["s", H * D]), helper.make_tensor_value_info("cos", F32, ["s", D]),
         helper.make_tensor_value_info("sin", F32, ["s", D])],
        [helper.make_tensor_value_info("y", F32, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(domain, 1)])
    model.ir_version = 8
    return model, onnx.numpy_helper.to_array(inits[0])


def rope_ref(x, w, cos, sin, scale):
    q = (x @ w).reshape(len(x), H, D)
    rotated = np.concatenate([-q[..., D // 2:], q[..., : D // 2]], axis=-1)
    return (q * cos[:, None] + rotated * sin[:, None]) * scale + 1


@pytest.mark.parametrize("attrs,scale", [({}, 1.0), ({"scale": 0.5}, 0.5)])
def test_python_registered_op_imports_compiles_and_matches_numpy(rope_op, attrs, scale):
    model, w = rope_model(**attrs)
    mod = kiln.frontend.from_onnx(model)
    text = str(mod)
    assert ROPE in text and "Tensor((s, 4, 16), float32)" in text
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    rng = np.random.default_rng(1)
    for s in (3, 7):
        x = rng.standard_normal((s, H * D)).astype(np.float32)
        pos = np.arange(s)[:, None] / (10000 ** (np.arange(D)[None] % (D // 2) / (D // 2)))
        cos, sin = np.cos(pos).astype(np.float32), np.sin(pos).astype(np.float32)
        got = vm["main"](kiln.nd.array(x), kiln.nd.array(cos), kiln.nd.array(sin)).numpy()
        np.testing.assert_allclose(got, rope_ref(x, w, cos, sin, scale), rtol=1e-4, atol=1e-4)


def test_registered_custom_op_counts_as_supported(rope_op, tmp_path):
    model, _ = rope_model()
    path = tmp_path / "rope.onnx"
    onnx.save(model, path)
    assert kiln.frontend.onnx.unsupported_onnx_ops(path) == []


def test_unregistered_custom_ops_are_listed_at_once(tmp_path):
    model, _ = rope_model()
    model.graph.node.append(helper.make_node("Fancy", ["y"], ["z"], domain="org.other"))
    path = tmp_path / "m.onnx"
    onnx.save(model, path)
    assert kiln.frontend.onnx.unsupported_onnx_ops(path) == ["com.example.Rope", "org.other.Fancy"]
    with pytest.raises(kiln.Error, match=r"2 unsupported ops: com\.example\.Rope \(first at node '#2 -> r' "
                                         r"\(com\.example\.Rope\)\); org\.other\.Fancy"):
        kiln.frontend.from_onnx(model)


def test_bad_custom_op_attribute_names_node_and_op(rope_op):
    model, _ = rope_model(scale="big")
    with pytest.raises(kiln.Error, match=r"node '#2 -> r' \(com\.example\.Rope\).*attribute 'scale' must be a float"):
        kiln.frontend.from_onnx(model)
    model, _ = rope_model(heads=4)
    with pytest.raises(kiln.Error, match=r"node '#2 -> r' \(com\.example\.Rope\).*heads"):
        kiln.frontend.from_onnx(model)


def test_custom_ops_maps_a_node_to_an_op_of_another_name():
    op = relax.register_op("example.rope", args=["x", "cos", "sin"], attrs={"scale": 1.0}, infer=infer_rope,
                           legalize=legalize_rope, pattern="injective", description="rotary embedding")
    try:
        model, w = rope_model(scale=0.25)
        with pytest.raises(kiln.Error, match=r"com\.example\.Rope"):
            kiln.frontend.from_onnx(model)  # no op named "com.example.Rope"
        mod = kiln.frontend.from_onnx(model, custom_ops={ROPE: "example.rope"})
        assert "example.rope" in str(mod) and ROPE not in str(mod)
        vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
        x = np.random.default_rng(2).standard_normal((5, H * D)).astype(np.float32)
        cos, sin = np.cos(x[:, :D]), np.sin(x[:, :D])
        got = vm["main"](x, cos, sin).numpy()
        np.testing.assert_allclose(got, rope_ref(x, w, cos, sin, 0.25), rtol=1e-4, atol=1e-4)
    finally:
        relax.remove_op("example.rope")
