"""PackMatmulWeights end to end: the default pipeline with the pass spliced
in before LegalizeOps. Constant weights are packed at compile time (no
packing kernel is left in main, the matmul kernels read the panels as they
are), weight parameters of a "num_input" function are packed in
main_transform_params; numbers equal NumPy's at several batch sizes."""

import re

import numpy as np
import pytest

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(0)


def rand(*shape):
    return rng.standard_normal(shape).astype("float32")


def pipeline():
    return kiln.pipeline.get("default", "llvm").insert_before("LegalizeOps", kiln.transform.PackMatmulWeights())


def build(params, body, attrs=None):
    bb = relax.BlockBuilder()
    bb.begin_function("main", params, attrs={"global_symbol": "main", **(attrs or {})})
    bb.begin_dataflow_block()
    out = bb.emit_output(body(bb, *params))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def tensor(name, *shape):
    return relax.Var(name, relax.TensorStructInfo(list(shape), "float32"))


def prim_funcs(mod):
    return {name: f for name, f in mod.functions.items() if isinstance(f, tir.PrimFunc)}


W1, B1, W2 = rand(64, 24), rand(64), rand(64, 32)  # linear (N, K), bias, matmul (K, N)
W1_CONST, B1_CONST, W2_CONST = (relax.Constant(a) for a in (W1, B1, W2))


def reference(x):
    return np.maximum(x @ W1.T + B1, 0) @ W2


def constant_mlp(bb, x):
    h = bb.emit(op.relu(op.linear(x, W1_CONST, B1_CONST)))
    return op.matmul(h, W2_CONST)


def test_constant_weights_packed_at_compile_time():
    n = tir.SizeVar("n")
    mod = build([tensor("x", n, 24)], constant_mlp)
    after = kiln.transform.PackMatmulWeights()(kiln.transform.Normalize()(mod))
    text = str(after)
    assert text.count("layout_transform(") == 2 and text.count("weight_layout=") == 2, text
    assert "matmul(" not in text

    lowered = pipeline()(mod)
    for name, f in prim_funcs(lowered).items():
        assert "layout_transform" not in name, f"{name}: packing left for run time"
        assert f.attrs["tir.schedule_rule"] == "matmul", name
        assert "_global" not in str(f), f"{name} packs its operand in the kernel"
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline()), kiln.cpu())
    for size in (1, 5, 32, 45):
        x = rand(size, 24)
        np.testing.assert_allclose(vm["main"](x).numpy(), reference(x), rtol=1e-4, atol=1e-4)


def test_weight_parameters_packed_in_transform_params():
    n = tir.SizeVar("n")
    params = [tensor("x", n, 24), tensor("w1", 64, 24), tensor("b1", 64), tensor("w2", 32, 64)]

    def body(bb, x, w1, b1, w2):
        h = bb.emit(op.relu(op.linear(x, w1, b1)))
        return op.matmul(h, bb.emit(op.permute_dims(w2)))  # PyTorch's (out, in) layout

    mod = build(params, body, {"num_input": 1})
    lowered = pipeline()(mod)
    transform_kernels = [k for k in prim_funcs(lowered) if "layout_transform" in k]
    assert len(transform_kernels) == 2, list(prim_funcs(lowered))
    main_text = str(lowered["main"])
    assert not any(k + "," in main_text or k + "(" in main_text for k in transform_kernels)
    assert "permute_dims" not in main_text
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline()), kiln.cpu())
    w2 = rand(32, 64)
    weights = vm["main_transform_params"](W1, B1, w2)
    for size in (3, 16):
        x = rand(size, 24)
        want = np.maximum(x @ W1.T + B1, 0) @ w2.T
        np.testing.assert_allclose(vm["main"](x, *weights).numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("batch", [1, 4])
def test_gemv_and_small_batches(batch):
    mod = build([tensor("x", batch, 24)], constant_mlp)
    after = str(kiln.transform.PackMatmulWeights()(kiln.transform.Normalize()(mod)))
    assert ("layout_transform(" in after) == (batch > 1), after
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline()), kiln.cpu())
    x = rand(batch, 24)
    np.testing.assert_allclose(vm["main"](x).numpy(), reference(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", ["linear", "matmul", "matmul_transposed"])
def test_n_no_panel_divides_is_padded_and_sliced(kind):
    """N = 300 (no panel of 16 or 32, the host's, divides it): the weight gets zero
    features up to a multiple of the panel (folded at compile time), the bias
    too, and the result is sliced back to 300 columns."""
    w, bias = rand(300, 64), rand(300)  # (N, K)

    def body(bb, x):
        if kind == "linear":
            return op.linear(x, relax.Constant(w), relax.Constant(bias))
        if kind == "matmul":
            return op.matmul(x, relax.Constant(np.ascontiguousarray(w.T)))
        return op.matmul(x, bb.emit(op.permute_dims(relax.Constant(w), axes=[1, 0])))

    mod = build([tensor("x", 2, 5, 64)], body)
    after = str(kiln.transform.PackMatmulWeights()(kiln.transform.Normalize()(mod)))
    assert re.search(r'weight_layout="NK(16|32)n"', after) and "strided_slice(" in after and "concat(" in after, after
    lowered = pipeline()(mod)
    assert not any("concat" in name or "layout_transform" in name for name in prim_funcs(lowered)), \
        "padding or packing left for run time"
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline()), kiln.cpu())
    x = rand(2, 5, 64)
    want = x @ w.T + (bias if kind == "linear" else 0)
    got = vm["main"](x).numpy()
    assert got.shape == (2, 5, 300)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_padding_only_where_it_pays():
    """N below 8 panels, or K below 64: no padding, the weight stays as it is."""
    for n, k in [(100, 64), (300, 32)]:
        mod = build([tensor("x", 8, k)], lambda bb, x, n=n, k=k: op.matmul(x, relax.Constant(rand(k, n))))
        after = str(kiln.transform.PackMatmulWeights()(kiln.transform.Normalize()(mod)))
        assert "weight_layout" not in after and "strided_slice" not in after, (n, k, after)


def test_rows_of_one_per_batch_form_one_row_tile():
    """[8, 1, K] x [K, N] (a linear over a flattened input): the eight batch
    entries of one row are the rows of one register tile, so the packed
    weight is read once per panel rather than once per batch entry."""
    w = rand(96, 64)  # (N, K)
    mod = build([tensor("x", 8, 1, 64)], lambda bb, x: op.linear(x, relax.Constant(w)))
    lowered = pipeline()(mod)
    (name, kernel), = [(n, f) for n, f in prim_funcs(lowered).items() if "linear" in n]
    text = str(kernel)
    assert kernel.attrs["tir.schedule_rule"] == "matmul"
    assert "i0_i1_fused" in text and "unrolled(8)" in text, text
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline()), kiln.cpu())
    x = rand(8, 1, 64)
    np.testing.assert_allclose(vm["main"](x).numpy(), x @ w.T, rtol=1e-4, atol=1e-4)
