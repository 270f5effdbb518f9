"""Each kiln.nn layer against its torch.nn counterpart with the same weights
(loaded from the torch module's state dict), exported with symbolic dims,
compiled with the default pipeline and run at more than one size."""

import numpy as np
import pytest
import torch
from nn_util import Runner, copy_weights, numpy, randn

from kiln import nn

torch.manual_seed(0)


def check(kiln_layer, torch_layer, shape, sizes, dtype="float32", tol=1e-4):
    """Runs both layers on inputs of ``shape`` (names symbolic) for each
    binding of the names in ``sizes``."""
    copy_weights(kiln_layer, torch_layer)
    run = Runner(kiln_layer, {"forward": {"x": nn.spec.Tensor(shape, dtype)}})
    for i, size in enumerate(sizes):
        dims = [size[d] if isinstance(d, str) else d for d in shape]
        x = randn(*dims, seed=i) if dtype == "float32" else np.random.default_rng(i).integers(0, 50, dims)
        with torch.no_grad():
            ref = torch_layer.eval()(torch.from_numpy(x)).numpy()
        got = run("main", x).numpy()
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)
    return run


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    run = check(nn.Linear(24, 40, bias=bias), torch.nn.Linear(24, 40, bias=bias), ["batch", 24],
                [{"batch": 1}, {"batch": 5}])
    assert [n for n, _ in run.params] == (["weight", "bias"] if bias else ["weight"])


def test_linear_3d_symbolic_seq():
    check(nn.Linear(16, 8), torch.nn.Linear(16, 8), ["batch", "seq_len", 16],
          [{"batch": 2, "seq_len": 3}, {"batch": 1, "seq_len": 7}])


def test_conv1d():
    check(nn.Conv1d(4, 6, 3, stride=2, padding=1), torch.nn.Conv1d(4, 6, 3, stride=2, padding=1),
          ["batch", 4, 17], [{"batch": 1}, {"batch": 3}])


@pytest.mark.parametrize("groups,bias", [(1, True), (2, False)])
def test_conv2d(groups, bias):
    k, t = (nn.Conv2d(4, 8, 3, stride=1, padding=1, groups=groups, bias=bias),
            torch.nn.Conv2d(4, 8, 3, stride=1, padding=1, groups=groups, bias=bias))
    check(k, t, ["batch", 4, 10, 10], [{"batch": 1}, {"batch": 2}])


def test_embedding():
    check(nn.Embedding(50, 12), torch.nn.Embedding(50, 12), ["batch", "seq_len"],
          [{"batch": 1, "seq_len": 4}, {"batch": 3, "seq_len": 9}], dtype="int64")


def test_layer_norm():
    check(nn.LayerNorm(32), torch.nn.LayerNorm(32), ["batch", "seq_len", 32], [{"batch": 2, "seq_len": 5}])
    check(nn.LayerNorm((4, 8), eps=1e-3), torch.nn.LayerNorm((4, 8), eps=1e-3), ["batch", 4, 8], [{"batch": 3}])


def test_layer_norm_affine_weights_are_used():
    t = torch.nn.LayerNorm(16)
    with torch.no_grad():
        t.weight.normal_()
        t.bias.normal_()
    check(nn.LayerNorm(16), t, ["batch", 16], [{"batch": 4}])


@pytest.mark.parametrize("eps", [None, 1e-6])
def test_rms_norm(eps):
    t = torch.nn.RMSNorm(32, eps=eps)
    with torch.no_grad():
        t.weight.normal_()
    check(nn.RMSNorm(32, eps=eps), t, ["batch", 32], [{"batch": 2}, {"batch": 6}])


def test_group_norm():
    t = torch.nn.GroupNorm(4, 8)
    with torch.no_grad():
        t.weight.normal_()
        t.bias.normal_()
    check(nn.GroupNorm(4, 8), t, ["batch", 8, 5, 5], [{"batch": 1}, {"batch": 2}])


class Activations(nn.Module):
    def __init__(self):
        self.acts = nn.ModuleList([nn.ReLU(), nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.Sigmoid(), nn.Tanh(),
                                   nn.Softmax(-1), nn.Dropout(0.5)])

    def forward(self, x):
        return tuple(a(x) for a in self.acts)


def test_activations_and_dropout():
    run = Runner(Activations(), {"forward": {"x": nn.spec.Tensor(["n", 10])}})
    x = randn(3, 10) * 3
    t = torch.from_numpy(x)
    refs = [torch.relu(t), torch.nn.functional.gelu(t), torch.nn.functional.gelu(t, approximate="tanh"),
            torch.nn.functional.silu(t), torch.sigmoid(t), torch.tanh(t), torch.softmax(t, -1), t]
    got = numpy(run("main", x))
    assert len(got) == len(refs)
    for g, r in zip(got, refs):
        np.testing.assert_allclose(g, r.numpy(), rtol=1e-4, atol=1e-4)


def test_sequential():
    k = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    t = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))
    check(k, t, ["batch", 8], [{"batch": 1}, {"batch": 9}])


class AttentionSteps(nn.Module):
    """An attention layer as two functions: the first positions without a
    cache, then more positions after the cache."""

    def __init__(self, attn):
        self.attn = attn

    def first(self, x):
        out, cache = self.attn(x)
        return out, cache.k, cache.v

    def step(self, x, k, v):
        out, cache = self.attn(x, nn.KVCache(k, v))
        return out, cache.k, cache.v


@pytest.mark.parametrize("causal", [False, True])
def test_multihead_attention_vs_torch(causal):
    d, heads = 32, 4
    t = torch.nn.MultiheadAttention(d, heads, batch_first=True).eval()
    attn = nn.MultiheadAttention(d, heads, causal=causal)
    attn.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    x_spec = nn.spec.Tensor(["batch", "seq_len", d])
    cache_spec = nn.spec.Tensor(["batch", heads, "cache_len", d // heads])
    run = Runner(AttentionSteps(attn), {"first": {"x": x_spec}, "step": {"x": x_spec, "k": cache_spec,
                                                                         "v": cache_spec}})
    x = randn(2, 7, d)
    mask = torch.triu(torch.full((7, 7), float("-inf")), diagonal=1) if causal else None
    with torch.no_grad():
        xt = torch.from_numpy(x)
        ref = t(xt, xt, xt, attn_mask=mask, need_weights=False)[0].numpy()
    full, k, v = numpy(run("first", x))
    np.testing.assert_allclose(full, ref, rtol=1e-4, atol=1e-4)
    assert k.shape == v.shape == (2, heads, 7, d // heads)
    # 3 positions, then 4 more after the cache.
    out1, k1, v1 = run("first", x[:, :3])
    out2, k2, v2 = numpy(run("step", x[:, 3:], k1, v1))
    if causal:  # the prefix does not see the future: the split run is the full run
        np.testing.assert_allclose(out1.numpy(), ref[:, :3], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(out2, ref[:, 3:], rtol=1e-4, atol=1e-4)
    else:  # the last positions see every position in both runs
        np.testing.assert_allclose(out2, ref[:, 3:], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k2, k, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(v2, v, rtol=1e-5, atol=1e-5)
