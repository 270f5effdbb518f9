"""Every function of kiln.nn.op in one exported model, run through the
default pipeline and checked against NumPy; and the Parameter and Tensor
classes of kiln.nn."""

import math

import numpy as np
import pytest

import kiln
from kiln import nn

ERF = np.vectorize(math.erf)


def _layer_norm(x, w, b, eps=1e-5):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class AllOps(nn.Module):
    """Two (4, 6) inputs through each op; weights as Parameters."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter((6,), init="ones")
        self.b = nn.Parameter((6,), init="zeros")
        self.proj = nn.Parameter((3, 6))
        self.conv1 = nn.Parameter((2, 1, 3))
        self.conv2 = nn.Parameter((2, 1, 3, 3))

    def forward(self, a, b):
        op = nn.op
        out = [
            op.matmul(a, op.permute_dims(b, [1, 0])),
            op.linear(a, self.proj),
            op.reshape(a, [2, 12]),
            op.expand_dims(a, 0),
            op.astype(a, "int32"),
            op.split(a, 2, axis=1)[1],
            op.take(a, op.arange(0, 2, "int64"), axis=0),
            op.where(op.less_equal(a, b), a, b),
            op.maximum(a, b),
            op.minimum(a, b),
            op.softmax(a, axis=-1),
            op.relu(a),
            op.gelu(a),
            op.silu(a),
            op.sigmoid(a),
            op.tanh(a),
            op.exp(a),
            op.sqrt(op.exp(b)),
            op.layer_norm(a, self.w, self.b, axes=[-1], eps=1e-5),
            op.rms_norm(a, self.w, axes=[-1], eps=1e-5),
            op.group_norm(op.reshape(a, [1, 4, 6]), op.constant([1.0, 2.0, 3.0, 4.0]),
                          op.constant([0.0, 0.0, 1.0, 1.0]), num_groups=2, eps=1e-5),
            op.conv1d(op.reshape(a, [4, 1, 6]), self.conv1, 1, 1, 1, 1),
            op.conv2d(op.reshape(a, [1, 1, 4, 6]), self.conv2, (1, 1), (0, 0), (1, 1), 1),
        ]
        return tuple(out)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _conv1d(x, w):  # (N, 1, L) with (C, 1, K), padding 1
    xp = np.pad(x[:, 0], ((0, 0), (1, 1)))
    return np.stack([np.stack([np.convolve(row, k[0][::-1], "valid") for k in w]) for row in xp])


def _conv2d(x, w):  # (1, 1, H, W) with (C, 1, 3, 3), no padding
    h, wd = x.shape[2] - 2, x.shape[3] - 2
    out = np.zeros((1, w.shape[0], h, wd), np.float32)
    for c in range(w.shape[0]):
        for i in range(h):
            for j in range(wd):
                out[0, c, i, j] = (x[0, 0, i:i + 3, j:j + 3] * w[c, 0]).sum()
    return out


def test_every_nn_op_matches_numpy():
    model = AllOps()
    model.init_params(seed=0)
    spec = {"forward": {"a": nn.spec.Tensor([4, 6]), "b": nn.spec.Tensor([4, 6])}}
    mod, params = nn.export(model, spec, params="constants")
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 6)).astype("float32"), rng.standard_normal((4, 6)).astype("float32")
    got = [r.numpy() for r in vm["main"](kiln.nd.array(a), kiln.nd.array(b))]
    proj, c1, c2 = model.proj.data, model.conv1.data, model.conv2.data
    e = np.exp(a - a.max(-1, keepdims=True))
    g = a.reshape(1, 2, 12)
    gn = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)).reshape(1, 4, 6)
    want = [
        a @ b.T, a @ proj.T, a.reshape(2, 12), a[None], a.astype("int32"), a[:, 3:], a[:2],
        np.where(a <= b, a, b), np.maximum(a, b), np.minimum(a, b), e / e.sum(-1, keepdims=True),
        np.maximum(a, 0), 0.5 * a * (1 + ERF(a / math.sqrt(2))), a * _sigmoid(a), _sigmoid(a), np.tanh(a),
        np.exp(a), np.sqrt(np.exp(b)), _layer_norm(a, 1.0, 0.0), a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-5),
        gn * np.array([1, 2, 3, 4.0]).reshape(1, 4, 1) + np.array([0, 0, 1, 1.0]).reshape(1, 4, 1),
        _conv1d(a.reshape(4, 1, 6), c1), _conv2d(a.reshape(1, 1, 4, 6), c2),
    ]
    assert len(got) == len(want)
    for i, (x, y) in enumerate(zip(got, want)):
        assert x.shape == y.shape, f"output {i}"
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5, err_msg=f"output {i}")
    assert got[4].dtype == np.int32


def test_parameter_and_tensor():
    p = nn.Parameter((2, 3), init="ones")
    assert isinstance(p, nn.Tensor) and p.shape == (2, 3) and p.dtype == "float32" and p.data is None
    p.data = np.full((2, 3), 5.0, "float32")
    assert p.data.sum() == 30.0
    with pytest.raises(kiln.Error, match="init must be 'normal', 'zeros' or 'ones'"):
        nn.Parameter((2,), init="uniform")
