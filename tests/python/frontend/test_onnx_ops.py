"""ONNX ops imported one small graph at a time (built with onnx.helper at
opsets 11 to 21, where the op changed between versions), compiled with the
default pipeline and checked against onnxruntime; symbolic dims through shape
subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Expand,
ConstantOfShape, Range)."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import kiln
import kiln.frontend

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64


def make_model(nodes, inputs, outputs, opset, initializers=()):
    """A model of `nodes`; inputs/outputs are (name, elem_type, shape) with
    strings in shapes as dim_params (None: unknown shape for outputs)."""
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), name) for name, v in initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8

    return model


def run_kiln(model, feeds):
    mod = kiln.frontend.from_onnx(model)
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    out = vm["main"](*feeds.values())
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return [o.numpy() for o in outs]


def check(model, feeds, atol=1e-5):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    want = sess.run(None, feeds)
    got = run_kiln(model, feeds)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        if w.dtype == np.bool_ or np.issubdtype(w.dtype, np.integer):
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, atol=atol, rtol=1e-5)


def rand(*shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def unary_model(op, opset, shape=(2, 3, 4), **attrs):
    return make_model([helper.make_node(op, ["x"], ["y"], **attrs)], [("x", F32, shape)], [("y", F32, None)], opset)


@pytest.mark.parametrize("op,attrs", [
    ("Relu", {}), ("Sigmoid", {}), ("Tanh", {}), ("Exp", {}), ("Abs", {}), ("Neg", {}), ("Erf", {}),
    ("LeakyRelu", {"alpha": 0.2}), ("HardSigmoid", {}), ("HardSwish", {}), ("Softplus", {}), ("Elu", {}),
    ("Softmax", {"axis": 1}), ("LogSoftmax", {"axis": -1}), ("Identity", {}),
])
@pytest.mark.parametrize("opset", [11, 13, 18])
def test_unary(op, attrs, opset):
    if op == "HardSwish" and opset < 14:
        pytest.skip("HardSwish is opset 14")
    check(unary_model(op, opset, **attrs), {"x": rand(2, 3, 4)})


def test_softmax_before_opset_13_flattens_at_axis():
    # Opset 11: softmax over dims 1.. seen as one; 13: over axis 1 alone.
    x = rand(2, 3, 4)
    check(unary_model("Softmax", 11, axis=1), {"x": x})
    check(unary_model("Softmax", 13, axis=1), {"x": x})


@pytest.mark.parametrize("opset", [11, 21])
def test_gelu_and_sqrt_log_of_positive(opset):
    x = np.abs(rand(3, 5)) + 0.1
    check(unary_model("Sqrt", opset, shape=(3, 5)), {"x": x})
    check(unary_model("Log", opset, shape=(3, 5)), {"x": x})
    if opset >= 20:
        check(unary_model("Gelu", opset, shape=(3, 5), approximate="tanh"), {"x": x})


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"])
def test_binary_broadcast(op):
    a, b = rand(2, 3, 4), np.abs(rand(4)) + 0.5
    m = make_model([helper.make_node(op, ["a", "b"], ["y"])], [("a", F32, (2, 3, 4)), ("b", F32, (4,))],
                   [("y", F32, None)], 13)
    check(m, {"a": a, "b": b}, atol=1e-4)


def test_compare_where_cast():
    nodes = [
        helper.make_node("Greater", ["a", "b"], ["g"]),
        helper.make_node("Equal", ["a", "a"], ["e"]),
        helper.make_node("And", ["g", "e"], ["c"]),
        helper.make_node("Where", ["c", "a", "b"], ["w"]),
        helper.make_node("Cast", ["c"], ["y"], to=I64),
    ]
    m = make_model(nodes, [("a", F32, (3, 4)), ("b", F32, (3, 4))], [("w", F32, None), ("y", I64, None)], 13)
    check(m, {"a": rand(3, 4), "b": rand(4, 3).T.copy()})


@pytest.mark.parametrize("opset", [11, 13])
def test_clip_bounds_as_inputs(opset):
    nodes = [helper.make_node("Clip", ["x", "lo", "hi"], ["y"]), helper.make_node("Clip", ["x", "", "hi"], ["z"])]
    m = make_model(nodes, [("x", F32, (4, 5))], [("y", F32, None), ("z", F32, None)], opset,
                   [("lo", np.float32(-0.5)), ("hi", np.float32(0.7))])
    check(m, {"x": rand(4, 5)})


def test_clip_bound_tensors_from_the_graph():
    m = make_model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
                   [("x", F32, (4, 5)), ("lo", F32, ()), ("hi", F32, ())], [("y", F32, None)], 13)
    check(m, {"x": rand(4, 5), "lo": np.array(-0.3, np.float32), "hi": np.array(0.2, np.float32)})


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_split_squeeze_unsqueeze_by_opset(opset):
    # axes / split: attributes before 13, inputs from 13; num_outputs from 18.
    inits = []
    if opset < 13:
        split = helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[1, 3])
        sq = helper.make_node("Squeeze", ["a"], ["s"], axes=[1])
        un = helper.make_node("Unsqueeze", ["s"], ["u"], axes=[0, 3])
    else:
        split = helper.make_node("Split", ["x", "sizes"], ["a", "b"], axis=1)
        sq = helper.make_node("Squeeze", ["a", "ax1"], ["s"])
        un = helper.make_node("Unsqueeze", ["s", "ax03"], ["u"])
        inits = [("sizes", np.array([1, 3], np.int64)), ("ax1", np.array([1], np.int64)),
                 ("ax03", np.array([0, 3], np.int64))]
    m = make_model([split, sq, un], [("x", F32, (2, 4, 5))], [("u", F32, None), ("b", F32, None)], opset, inits)
    check(m, {"x": rand(2, 4, 5)})
    if opset >= 18:
        even = helper.make_node("Split", ["x"], ["p", "q", "r"], axis=2, num_outputs=3)
        m = make_model([even], [("x", F32, (2, 4, 5))], [(n, F32, None) for n in "pqr"], opset)
        check(m, {"x": rand(2, 4, 5)})


@pytest.mark.parametrize("op", ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2"])
@pytest.mark.parametrize("opset", [11, 13, 18])
def test_reductions_axes_attribute_or_input(op, opset):
    axes_input = opset >= 18 or (op == "ReduceSum" and opset >= 13)
    if axes_input:
        nodes = [helper.make_node(op, ["x", "axes"], ["y"], keepdims=0)]
        inits = [("axes", np.array([1, -1], np.int64))]
    else:
        nodes = [helper.make_node(op, ["x"], ["y"], axes=[1, -1], keepdims=0)]
        inits = []
    m = make_model(nodes, [("x", F32, (2, 3, 4))], [("y", F32, None)], opset, inits)
    check(m, {"x": rand(2, 3, 4)}, atol=1e-4)


def test_argmax_keepdims():
    m = make_model([helper.make_node("ArgMax", ["x"], ["y"], axis=1, keepdims=1)], [("x", F32, (3, 7))],
                   [("y", I64, None)], 13)
    check(m, {"x": rand(3, 7)})


def test_shape_subgraph_with_symbolic_dims():
    # x: (n, s, 8) -> reshape to (n, s, 2, 4) from its own Shape, then
    # flatten the last two back; ConstantOfShape, Range and Expand with s.
    nodes = [
        helper.make_node("Shape", ["x"], ["shp"]),
        helper.make_node("Gather", ["shp", "i0"], ["n"], axis=0),
        helper.make_node("Gather", ["shp", "i1"], ["s"], axis=0),
        helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"]),
        helper.make_node("Unsqueeze", ["s", "ax0"], ["s1"]),
        helper.make_node("Concat", ["n1", "s1", "c24"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["r"]),
        helper.make_node("Concat", ["n1", "s1", "cm1"], ["back"], axis=0),
        helper.make_node("Reshape", ["r", "back"], ["y"]),
        helper.make_node("ConstantOfShape", ["s1"], ["ones"], value=numpy_helper.from_array(np.array([1.0], np.float32))),
        helper.make_node("Range", ["zero", "s", "one"], ["pos"]),
        helper.make_node("Cast", ["pos"], ["posf"], to=F32),
        helper.make_node("Add", ["ones", "posf"], ["row"]),
        helper.make_node("Expand", ["row", "shp2"], ["grid"]),
        helper.make_node("Concat", ["n1", "s1"], ["shp2"], axis=0),
    ]
    # ONNX wants nodes sorted: move the last before Expand.
    nodes.insert(13, nodes.pop())
    inits = [("i0", np.array(0, np.int64)), ("i1", np.array(1, np.int64)), ("ax0", np.array([0], np.int64)),
             ("c24", np.array([2, 4], np.int64)), ("cm1", np.array([-1], np.int64)),
             ("zero", np.array(0, np.int64)), ("one", np.array(1, np.int64))]
    m = make_model(nodes, [("x", F32, ("n", "s", 8))], [("y", F32, None), ("grid", F32, None)], 13, inits)
    mod = kiln.frontend.from_onnx(m)
    text = str(mod)
    assert "x: Tensor((n, s, 8), float32)" in text
    assert "shape(n, s, 2, 4)" in text  # the reshape target, computed at import time
    for n, s in [(1, 3), (4, 5)]:
        check(m, {"x": rand(n, s, 8)})


def test_missing_dims_become_size_vars():
    dim = helper.make_tensor_value_info("x", F32, ["b", None])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [dim],
                              [helper.make_tensor_value_info("y", F32, None)])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    text = str(kiln.frontend.from_onnx(m))
    assert "x: Tensor((b, x_dim1), float32)" in text


@pytest.mark.parametrize("opset", [11, 13])
def test_slice_gather_negative(opset):
    nodes = [
        helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["s"]),
        helper.make_node("Gather", ["x", "idx"], ["g"], axis=1),
        helper.make_node("GatherElements", ["x", "gi"], ["ge"], axis=2),
    ]
    inits = [("st", np.array([-1, 0], np.int64)), ("en", np.array([-1000, 10**18], np.int64)),
             ("ax", np.array([2, 1], np.int64)), ("sp", np.array([-2, 2], np.int64)),
             ("idx", np.array([[-1, 0], [1, 2]], np.int64)),
             ("gi", np.random.default_rng(1).integers(0, 5, (2, 3, 2)).astype(np.int64))]
    m = make_model(nodes, [("x", F32, (2, 3, 5))], [(n, F32, None) for n in ("s", "g", "ge")], opset, inits)
    check(m, {"x": rand(2, 3, 5)})


def test_gather_nd_transpose_flatten_tile():
    nodes = [
        helper.make_node("GatherND", ["x", "ind"], ["g"]),
        helper.make_node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
        helper.make_node("Flatten", ["x"], ["f"], axis=2),
        helper.make_node("Tile", ["x", "rep"], ["tl"]),
    ]
    inits = [("ind", np.array([[[0, 1], [1, 2]], [[1, 0], [0, 0]]], np.int64)), ("rep", np.array([1, 2, 1], np.int64))]
    m = make_model(nodes, [("x", F32, (2, 3, 4))], [(n, F32, None) for n in ("g", "t", "f", "tl")], 13, inits)
    check(m, {"x": rand(2, 3, 4)})


def test_trilu_cumsum_einsum():
    nodes = [
        helper.make_node("Trilu", ["x", "k"], ["lo"], upper=0),
        helper.make_node("Trilu", ["x"], ["up"]),
        helper.make_node("CumSum", ["x", "axis"], ["cs"]),
        helper.make_node("Einsum", ["x", "x"], ["es"], equation="bij,bkj->bik"),
    ]
    inits = [("k", np.array(1, np.int64)), ("axis", np.array(1, np.int64))]
    m = make_model(nodes, [("x", F32, (2, 4, 4))], [(n, F32, None) for n in ("lo", "up", "cs", "es")], 14, inits)
    check(m, {"x": rand(2, 4, 4)}, atol=1e-4)


@pytest.mark.parametrize("attrs", [
    {"pads": [1, 1, 1, 1], "strides": [2, 2]},
    {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
    {"group": 2, "dilations": [2, 2]},
])
def test_conv_bias_and_pooling(attrs):
    w = rand(4, 4 // attrs.get("group", 1), 3, 3)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[3, 3], **attrs),
        helper.make_node("BatchNormalization", ["c", "g", "be", "mu", "var"], ["bn"], epsilon=1e-3),
        helper.make_node("MaxPool", ["bn"], ["mp"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
        helper.make_node("AveragePool", ["bn"], ["ap"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0),
        helper.make_node("GlobalAveragePool", ["bn"], ["gp"]),
    ]
    inits = [("w", w), ("b", rand(4)), ("g", rand(4)), ("be", rand(4)), ("mu", rand(4) * 0.1),
             ("var", np.abs(rand(4)) + 0.5)]
    m = make_model(nodes, [("x", F32, ("n", 4, 9, 9))], [(n, F32, None) for n in ("mp", "ap", "gp")], 13, inits)
    check(m, {"x": rand(2, 4, 9, 9)}, atol=1e-4)


@pytest.mark.parametrize("trans_a,trans_b,alpha,beta", [(0, 1, 1.0, 1.0), (1, 0, 0.5, 2.0), (0, 0, 1.0, 0.0)])
def test_gemm_matmul(trans_a, trans_b, alpha, beta):
    a = rand(3, 5) if not trans_a else rand(5, 3)
    b = rand(6, 5) if trans_b else rand(5, 6)
    nodes = [helper.make_node("Gemm", ["a", "b", "c"], ["y"], transA=trans_a, transB=trans_b, alpha=alpha, beta=beta),
             helper.make_node("MatMul", ["y", "m"], ["z"])]
    m = make_model(nodes, [("a", F32, a.shape)], [("z", F32, None)], 13, [("b", b), ("c", rand(6)), ("m", rand(6, 2))])
    check(m, {"a": a}, atol=1e-4)


def test_layer_norm_and_instance_norm():
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["ln"], axis=-1, epsilon=1e-5),
             helper.make_node("InstanceNormalization", ["x4", "c", "d"], ["inorm"])]
    inits = [("g", rand(6)), ("b", rand(6)), ("c", rand(3)), ("d", rand(3))]
    m = make_model(nodes, [("x", F32, ("n", 4, 6)), ("x4", F32, (2, 3, 4, 4))], [("ln", F32, None), ("inorm", F32, None)],
                   17, inits)
    check(m, {"x": rand(2, 4, 6), "x4": rand(2, 3, 4, 4)}, atol=1e-4)


@pytest.mark.parametrize("opset,mode,ct", [(11, "nearest", "asymmetric"), (13, "linear", "half_pixel"),
                                           (18, "linear", "align_corners"), (21, "nearest", "half_pixel")])
def test_resize_scales_or_sizes(opset, mode, ct):
    if opset == 13:  # sizes instead of scales
        node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode=mode, coordinate_transformation_mode=ct)
        inits = [("sizes", np.array([1, 2, 12, 10], np.int64))]
    else:
        node = helper.make_node("Resize", ["x", "roi", "scales"], ["y"], mode=mode, coordinate_transformation_mode=ct)
        inits = [("roi", np.array([], np.float32)), ("scales", np.array([1, 1, 2, 2], np.float32))]
    m = make_model([node], [("x", F32, (1, 2, 6, 5))], [("y", F32, None)], opset, inits)
    check(m, {"x": rand(1, 2, 6, 5)}, atol=1e-5)


def test_constant_node_and_initializer_constants():
    nodes = [helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(rand(3))),
             helper.make_node("Constant", [], ["f"], value_float=2.0),
             helper.make_node("Mul", ["x", "c"], ["m"]), helper.make_node("Add", ["m", "f"], ["y"])]
    m = make_model(nodes, [("x", F32, (2, 3))], [("y", F32, None)], 13)
    check(m, {"x": rand(2, 3)})
