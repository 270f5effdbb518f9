"""Fusion end to end: LegalizeOps -> AnnotateTIROpPattern -> FuseOps ->
FuseTIR on the fixtures and on op chains, compiled and run against the
unfused compile and NumPy; kernel counts, and the default schedule rule each
fused kernel gets."""

import re
from pathlib import Path

import numpy as np
import pytest

import kiln

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
T = kiln.transform


def fuse(mod):
    for p in [T.LegalizeOps(), T.AnnotateTIROpPattern(), T.FuseOps(), T.FuseTIR()]:
        mod = p(mod)
    return mod


def kernel_calls(mod):
    """The names of the kernels @main calls, in order."""
    main = str(mod).split("func @main", 1)[1].split("\n  }\n", 1)[0]
    return re.findall(r"call_tir\(@([\w.]+)", main)


def schedule_rules(mod):
    """{kernel: (rule, fallback)} after the default schedule."""
    out = {}
    for name, attrs in re.findall(r"prim @(\S+)\(.*\n\s*attrs (\{.*\})", str(T.DefaultSchedule()(mod))):
        rule = re.search(r'"tir.schedule_rule": "(\w+)"', attrs)
        out[name] = (rule.group(1) if rule else None, "tir.schedule_fallback" in attrs)
    return out


def run(mod, *args):
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    return vm["main"](*args).numpy()


def fixture(name):
    return kiln.parse((FIXTURES / f"{name}.kir").read_text())


def test_mlp():
    mod = fixture("mlp")
    fused = fuse(mod)
    # linear (bias in its init) + relu is one kernel; log_softmax stays apart
    # from the second linear (a reduction after an out-ewise-fusable op).
    assert kernel_calls(fused) == ["fused_linear_relu", "linear1", "log_softmax"]
    assert len(kernel_calls(T.LegalizeOps()(mod))) == 4
    assert schedule_rules(fused)["fused_linear_relu"] == ("matmul", False)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 784)).astype("float32")
    w1 = (rng.standard_normal((256, 784)) * 0.05).astype("float32")
    b1 = rng.standard_normal(256).astype("float32")
    w2 = (rng.standard_normal((10, 256)) * 0.05).astype("float32")
    b2 = rng.standard_normal(10).astype("float32")
    got = run(fused, x, w1, b1, w2, b2)
    np.testing.assert_allclose(got, run(mod, x, w1, b1, w2, b2), rtol=1e-4, atol=1e-4)
    h = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    ref = h - h.max(axis=1, keepdims=True)
    ref = ref - np.log(np.exp(ref).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_conv_block():
    mod = fixture("conv_block")
    fused = fuse(mod)
    assert kernel_calls(fused) == ["fused_conv2d_batch_norm_relu", "fused_conv2d_batch_norm_add_relu"]
    assert len(kernel_calls(T.LegalizeOps()(mod))) == 7
    rules = schedule_rules(fused)
    assert rules["fused_conv2d_batch_norm_relu"] == ("conv", False)
    assert rules["fused_conv2d_batch_norm_add_relu"] == ("conv", False)
    x = np.random.default_rng(1).standard_normal((1, 16, 32, 32)).astype("float32")
    np.testing.assert_allclose(run(fused, x), run(mod, x), rtol=1e-4, atol=1e-4)


def test_transformer_block():
    mod = fixture("transformer_block")
    fused = fuse(mod)
    calls = kernel_calls(fused)
    assert len(calls) == 15 and len(kernel_calls(T.LegalizeOps()(mod))) == 24
    for name in ["fused_linear_add", "fused_linear1_gelu", "fused_linear2_add", "fused_matmul_multiply"]:
        assert name in calls
    rules = schedule_rules(fused)
    assert rules["fused_linear1_gelu"] == ("matmul", False)
    assert rules["fused_linear2_add"] == ("matmul", False)
    assert rules["fused_reshape_permute_dims"] == ("injective", False)
    # s x s scores: the symbolic width leaves it to the reduction rule, as unfused.
    assert rules["fused_matmul_multiply"] == ("reduction", False)
    x = np.random.default_rng(2).standard_normal((2, 5, 64)).astype("float32")
    np.testing.assert_allclose(run(fused, x), run(mod, x), rtol=1e-4, atol=1e-4)


def chain(body, params):
    """A module whose main has `params` (name: struct info) and `body` lines."""
    lines = "\n".join(f"      {line}" for line in body)
    sig = ", ".join(f"{k}: {v}" for k, v in params.items())
    return kiln.parse(
        f"module {{\n  func @main({sig}) -> Tensor {{\n    with dataflow {{\n{lines}\n    }}\n    return gv\n  }}\n}}"
    )


SOFTMAX = [
    "m = max(x, axis=[1], keepdims=True)",
    "d = subtract(x, m)",
    "e = exp(d)",
    "s = sum(e, axis=[1], keepdims=True)",
    "output gv = divide(e, s)",
]

LAYER_NORM = [
    "mu = mean(x, axis=[1], keepdims=True)",
    "d = subtract(x, mu)",
    "sq = multiply(d, d)",
    "var = mean(sq, axis=[1], keepdims=True)",
    "ve = add(var, const(1e-05, float32))",
    "r = rsqrt(ve)",
    "y = multiply(d, r)",
    "yg = multiply(y, g)",
    "output gv = add(yg, b)",
]

ELEMENTWISE = [
    "a = add(x, g)",
    "e = exp(a)",
    "t = tanh(e)",
    "output gv = multiply(t, x)",
]


def softmax_ref(x, g, b):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def layer_norm_ref(x, g, b):
    mu = x.mean(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + 1e-5) * g + b


def elementwise_ref(x, g, b):
    return np.tanh(np.exp(x + g)) * x


@pytest.mark.parametrize(
    "body, kernels, rule, ref",
    [
        (SOFTMAX, 2, "reduction", softmax_ref),
        (LAYER_NORM, 2, "reduction", layer_norm_ref),
        (ELEMENTWISE, 1, "injective", elementwise_ref),
    ],
    ids=["softmax", "layer_norm", "elementwise"],
)
def test_op_chains(body, kernels, rule, ref):
    params = {"x": "Tensor((n, 64), float32)", "g": "Tensor((64,), float32)", "b": "Tensor((64,), float32)"}
    mod = chain(body, params)
    fused = fuse(mod)
    calls = kernel_calls(fused)
    assert len(calls) == kernels < len(body)
    rules = schedule_rules(fused)
    for name in calls:
        assert rules[name][1] is False, f"{name} fell back"
    assert rules[calls[-1]][0] == rule
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 64)).astype("float32")
    g, b = rng.standard_normal(64).astype("float32"), rng.standard_normal(64).astype("float32")
    np.testing.assert_allclose(run(fused, x, g, b), ref(x, g, b), rtol=1e-4, atol=1e-4)
