"""The relax pattern language from Python: matches and non-matches, rewrite_call,
and FuseOpsByPattern keeping the numbers."""

import numpy as np
import pytest

import kiln
from kiln import relax
from kiln.relax import op
from kiln.relax.pattern import is_const, is_op, rewrite_call, wildcard


def tensor(shape, dtype="float32"):
    return relax.TensorStructInfo(list(shape), dtype)


def build(body, params):
    """A module whose main emits body(bb, *params) in one dataflow block."""
    bb = relax.BlockBuilder()
    bb.begin_function("main", params)
    bb.begin_dataflow_block()
    out = bb.emit_output(body(bb, *params))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def mlp_module(dtype="float32"):
    x = relax.Var("x", tensor((4, 16), dtype))
    w = relax.Var("w", tensor((16, 8), dtype))
    b = relax.Var("b", tensor((8,), dtype))

    def body(bb, x, w, b):
        h = bb.emit(op.matmul(x, w))
        h = bb.emit(op.add(h, b))
        return op.gelu(h)

    return build(body, [x, w, b])


def test_match_call_wildcards_and_constraints():
    x = relax.Var("x", tensor((4, 16)))
    w = relax.Var("w", tensor((16, 8)))
    call = relax.BlockBuilder().normalize(op.matmul(x, w))  # with struct info
    a, b = wildcard(), wildcard()
    p = is_op("relax.matmul")(a, b)
    m = p.match(call)
    assert m is not None and m[a] == x and m[b] == w
    assert is_op("matmul")(a, b).match(call) is not None  # short op names
    assert is_op("relax.add")(a, b).match(call) is None
    assert is_op("relax.matmul")(a).match(call) is None  # argument count
    assert is_op("relax.matmul")(is_const(), b).match(call) is None
    assert p.has_dtype("float32").match(call) is not None
    assert p.has_dtype("int32").match(call) is None
    assert p.has_shape([4, 8]).match(call) is not None
    assert p.has_shape([8, 4]).match(call) is None
    assert p.has_dtype("float32").match(op.matmul(x, w)) is None  # no struct info yet: no dtype to match


def test_match_attrs_alternatives_and_repeated_wildcards():
    x = relax.Var("x", tensor((1, 4, 8, 8)))
    w = relax.Var("w", tensor((4, 4, 3, 3)))
    conv = op.conv2d(x, w, padding=[1, 1])
    p = is_op("relax.conv2d")(wildcard(), wildcard())
    assert p.has_attr({"groups": 1, "padding": [1, 1]}).match(conv) is not None
    assert p.has_attr({"groups": 2}).match(conv) is None
    assert p.has_attr({"data_layout": "NHWC"}).match(conv) is None
    y = wildcard()
    either = is_op("relax.relu")(y) | is_op("relax.multiply")(y, y)
    assert either.match(op.relu(x)) is not None
    assert either.match(op.multiply(x, x)) is not None
    assert either.match(op.multiply(x, w)) is None  # one wildcard, two different arguments
    with pytest.raises(kiln.Error, match="frobnicate"):
        is_op("relax.frobnicate")(y)


def test_matching_looks_through_dataflow_bindings():
    mod = mlp_module()
    x, w, b = wildcard(), wildcard(), wildcard()
    chain = is_op("relax.gelu")(is_op("relax.add")(is_op("relax.matmul")(x, w), b))
    seen = []

    def rewriter(expr, m):
        seen.append((m[x], m[w], m[b]))
        return expr

    rewrite_call(chain, rewriter, mod["main"])
    params = mod["main"].params
    assert seen == [tuple(params)]
    # Without the add, the chain does not match.
    rewrite_call(is_op("relax.gelu")(is_op("relax.matmul")(x, w)), rewriter, mod["main"])
    assert len(seen) == 1


def test_intermediates_used_outside_do_not_match():
    x = relax.Var("x", tensor((4, 16)))
    w = relax.Var("w", tensor((16, 16)))

    def body(bb, x, w):
        h = bb.emit(op.matmul(x, w))
        r = bb.emit(op.relu(h))
        return op.add(r, h)  # h is used outside relu(matmul)

    mod = build(body, [x, w])
    p = is_op("relax.relu")(is_op("relax.matmul")(wildcard(), wildcard()))
    calls = []
    rewrite_call(p, lambda e, m: calls.append(e) or e, mod["main"])
    assert calls == []


def test_rewrite_call_replaces_and_keeps_numbers():
    mod = mlp_module()
    x, w, b = wildcard(), wildcard(), wildcard()
    p = is_op("relax.add")(is_op("relax.matmul")(x, w), b)

    # add(matmul(x, w), b) -> linear(x, permute_dims(w), b)
    def rewriter(expr, m):
        return op.linear(m[x], op.permute_dims(m[w]), m[b])

    new_main = rewrite_call(p, rewriter, mod["main"])
    text = str(new_main)
    assert "linear" in text and "matmul" not in text
    new_mod = mod.with_function("main", new_main)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s).astype("float32") for s in [(4, 16), (16, 8), (8,)]]
    outs = []
    for m in (mod, new_mod):
        vm = kiln.VirtualMachine(kiln.compile(m, target="llvm"), kiln.cpu())
        outs.append(vm["main"](*args).numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-5)


def test_fuse_ops_by_pattern_groups_and_keeps_numbers():
    mod = mlp_module()
    x, w, b = wildcard(), wildcard(), wildcard()
    mm = is_op("relax.matmul")(x, w)
    p = is_op("relax.add")(mm, b).optional(lambda y: is_op("relax.gelu")(y))
    fused = kiln.transform.FuseOpsByPattern([("test.matmul_bias_gelu", p)], annotate_codegen=True)(mod)
    text = str(fused)
    assert '"Composite": "test.matmul_bias_gelu"' in text
    assert '"Codegen": "test"' in text
    main = str(fused["main"])
    assert "= matmul(" not in main and "= gelu(" not in main
    # A check that refuses every match leaves the module as it was.
    same = kiln.transform.FuseOpsByPattern([("test.no", p, lambda m: False)])(mod)
    assert "Composite" not in str(same)

    plain = kiln.transform.FuseOpsByPattern([("test.matmul_bias_gelu", p)])(mod)
    rng = np.random.default_rng(1)
    args = [rng.standard_normal(s).astype("float32") for s in [(4, 16), (16, 8), (8,)]]
    outs = []
    for m in (mod, plain):
        vm = kiln.VirtualMachine(kiln.compile(m, target="llvm"), kiln.cpu())
        outs.append(vm["main"](*args).numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-5)


def test_check_errors_name_the_pattern():
    mod = mlp_module()
    p = is_op("relax.matmul")(wildcard(), wildcard())

    def bad(m):
        raise ValueError("nope")

    with pytest.raises(kiln.Error, match="test.bad"):
        kiln.transform.FuseOpsByPattern([("test.bad", p, bad)])(mod)


def test_dpl_alias():
    from kiln.relax import dpl

    assert dpl.wildcard is kiln.relax.pattern.wildcard
