"""kiln.compile end to end: relax modules (built, parsed from the fixtures)
compiled for llvm and run on the VM against NumPy / PyTorch references;
tuples, if/else, calls between functions, argument errors, and a library
exported and loaded in a fresh process."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln import relax, tir
from kiln.relax import op

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_const(shape, seed):
    """The constants of tests/fixtures/make_fixtures.py."""
    return (np.random.default_rng(seed).standard_normal(shape) * 0.1).astype("float32")


def mlp_module():
    """matmul + add + relu, 784-512-10, symbolic batch n."""
    n = tir.SizeVar("n")
    t = lambda *s: relax.TensorStructInfo(list(s), "float32")  # noqa: E731
    x, w1, b1 = relax.Var("x", t(n, 784)), relax.Var("w1", t(784, 512)), relax.Var("b1", t(512))
    w2, b2 = relax.Var("w2", t(512, 10)), relax.Var("b2", t(10))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x, w1, b1, w2, b2], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.relu(op.add(op.matmul(x, w1), b1)))
    out = bb.emit_output(op.add(op.matmul(h, w2), b2))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


@pytest.fixture(scope="module")
def mlp():
    rng = np.random.default_rng(0)
    weights = [
        (rng.standard_normal((784, 512)) * 0.05).astype("float32"),
        rng.standard_normal(512).astype("float32"),
        (rng.standard_normal((512, 10)) * 0.05).astype("float32"),
        rng.standard_normal(10).astype("float32"),
    ]
    return kiln.compile(mlp_module(), target="llvm"), weights


def mlp_reference(x, w1, b1, w2, b2):
    return np.maximum(x @ w1 + b1, 0) @ w2 + b2


@pytest.mark.parametrize("n", [1, 3, 8])
def test_mlp_symbolic_batch(mlp, n):
    ex, weights = mlp
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    x = np.random.default_rng(n).standard_normal((n, 784)).astype("float32")
    y = vm["main"](x, *weights)
    assert isinstance(y, kiln.nd.NDArray) and y.shape == (n, 10)
    np.testing.assert_allclose(y.numpy(), mlp_reference(x, *weights), rtol=1e-4, atol=1e-4)


@pytest.mark.compat("compile_run", "llvm")
def test_fixture_mlp():
    ex = kiln.compile(kiln.parse((FIXTURES / "mlp.kir").read_text()))
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 784)).astype("float32")
    w1, b1 = fixture_const((256, 784), 2), fixture_const((256,), 3)
    w2, b2 = fixture_const((10, 256), 4), fixture_const((10,), 5)
    logits = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    ref = logits - logits.max(-1, keepdims=True)
    ref = ref - np.log(np.exp(ref).sum(-1, keepdims=True))
    np.testing.assert_allclose(vm["main"](x, w1, b1, w2, b2).numpy(), ref, rtol=1e-4, atol=1e-4)


def test_fixture_conv_block():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    ex = kiln.compile(kiln.parse((FIXTURES / "conv_block.kir").read_text()))
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    x = np.random.default_rng(2).standard_normal((1, 16, 32, 32)).astype("float32")
    h = torch.from_numpy(x)
    for i in range(2):
        h = F.conv2d(h, torch.from_numpy(fixture_const((16, 16, 3, 3), i)), padding=1)
        var = np.abs(np.random.default_rng(40 + i).standard_normal(16)).astype("float32") + 1
        gamma, beta, mean = (torch.from_numpy(fixture_const((16,), s + i)) for s in (10, 20, 30))
        h = F.batch_norm(h, mean, torch.from_numpy(var), gamma, beta, training=False, eps=1e-5)
        if i == 0:
            h = F.relu(h)
    ref = F.relu(h + torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(vm["main"](x).numpy(), ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n", [1, 3])
def test_fixture_resnet_stack(n):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    ex = kiln.compile(kiln.parse((FIXTURES / "resnet_stack.kir").read_text()))
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    x = np.random.default_rng(3).standard_normal((n, 16, 32, 32)).astype("float32")

    def conv(v, c_in, c_out, k, stride, seed):
        w, b = fixture_const((c_out, c_in, k, k), seed), fixture_const((1, c_out, 1, 1), seed + 50)
        return F.conv2d(v, torch.from_numpy(w), stride=stride, padding=k // 2) + torch.from_numpy(b)

    h = torch.from_numpy(x)
    for i, (c_in, c_out, stride) in enumerate([(16, 16, 1), (16, 32, 2), (32, 32, 1)]):
        seed = 100 + 10 * i
        y = conv(F.relu(conv(h, c_in, c_out, 3, stride, seed)), c_out, c_out, 3, 1, seed + 1)
        shortcut = h if stride == 1 and c_in == c_out else conv(h, c_in, c_out, 1, stride, seed + 2)
        h = F.relu(y + shortcut)
    got = vm["main"](x).numpy()
    assert got.shape == (n, 32, 16, 16)
    np.testing.assert_allclose(got, h.numpy(), rtol=1e-4, atol=1e-4)


def test_fixture_transformer_block():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    ex = kiln.compile(kiln.parse((FIXTURES / "transformer_block.kir").read_text()))
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    c = lambda shape, seed: torch.from_numpy(fixture_const(shape, seed))  # noqa: E731

    def reference(x):
        b, s, d = x.shape
        proj = lambda v, i: F.linear(v, c((d, d), i), c((d,), i + 100))  # noqa: E731
        heads = lambda v: v.reshape(b, s, 4, 16).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = (heads(proj(x, i)) for i in range(3))
        attn = torch.softmax(q @ k.transpose(-1, -2) * 0.25, dim=-1)
        ctx = (attn @ v).permute(0, 2, 1, 3).reshape(b, s, d)
        h = F.layer_norm(x + proj(ctx, 3), (d,), c((d,), 4), c((d,), 5), eps=1e-5)
        ff = F.linear(F.gelu(F.linear(h, c((4 * d, d), 6), c((4 * d,), 7))), c((d, 4 * d), 8), c((d,), 9))
        return F.layer_norm(h + ff, (d,), c((d,), 10), c((d,), 11), eps=1e-5)

    for b, s in [(1, 7), (2, 5)]:
        x = np.random.default_rng(b * 10 + s).standard_normal((b, s, 64)).astype("float32")
        ref = reference(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(vm["main"](x).numpy(), ref, rtol=1e-4, atol=1e-4)


CONTROL = """
module {
  func @twice(a: Tensor((k, 4), float32)) -> Tensor((k, 4), float32) {
    b = add(a, a)
    return b
  }
  func @main(x: Tensor((n, 4), float32), c: Tensor((), bool)) -> Tuple(Tensor((n, 4), float32), Tensor((n, 4), float32)) {
    y = @twice(x)
    z: Tensor((n, 4), float32) = if c {
      r = relu(y)
      r
    } else {
      q = multiply(y, y)
      q
    }
    t = (y, z)
    return t
  }
}
"""


@pytest.fixture(scope="module")
def control_vm():
    return kiln.VirtualMachine(kiln.compile(kiln.parse(CONTROL)), kiln.cpu())


def test_tuple_if_and_calls_between_functions(control_vm):
    x = np.random.default_rng(3).standard_normal((3, 4)).astype("float32")
    for cond, branch in [(True, lambda y: np.maximum(y, 0)), (False, lambda y: y * y)]:
        out = control_vm["main"](x, np.array(cond))
        assert isinstance(out, list) and len(out) == 2
        np.testing.assert_allclose(out[0].numpy(), 2 * x, rtol=1e-6)
        np.testing.assert_allclose(out[1].numpy(), branch(2 * x), rtol=1e-6)
    np.testing.assert_allclose(control_vm["twice"](x).numpy(), 2 * x, rtol=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        (lambda x: (x[0], np.array(True)), "argument 'x' (0) must be Tensor((n, 4), float32)"),
        (lambda x: (x.astype("float64"), np.array(True)), "argument 'x' (0) must be Tensor((n, 4), float32)"),
        (lambda x: (x,), "main takes 2 arguments but was called with 1"),
        (lambda x: (x, np.array([1, 2])), "argument 'c' (1)"),
    ],
    ids=["rank", "dtype", "count", "cond"],
)
def test_wrong_arguments_raise_and_vm_stays_usable(control_vm, args, message):
    x = np.ones((2, 4), "float32")
    with pytest.raises(kiln.Error) as e:
        control_vm["main"](*args(x))
    assert message in str(e.value)
    out = control_vm["main"](x, np.array(False))
    np.testing.assert_allclose(out[1].numpy(), 4 * x * x)


def test_unsupported_op_names_function_and_op():
    text = """
module {
  func @main(x: Tensor((4,), float32)) -> Tensor((4,), float32) {
    y = call_tir_inplace(@k, (x,), inplace_indices=[0], sinfo_args=[Tensor((4,), float32)])
    return y
  }
  prim @k(A: Buffer((4,), float32)) {
    for i in range(4) {
      A[i] = A[i] + 1.0
    }
  }
}
"""
    with pytest.raises(kiln.Error, match="function 'main': the op 'relax.call_tir_inplace' has no VM lowering"):
        kiln.compile(kiln.parse(text))


@pytest.mark.compat("export_library", "llvm")
def test_export_library_runs_in_a_fresh_process(mlp, tmp_path):
    ex, weights = mlp
    path = tmp_path / "mlp.so"
    ex.export_library(path)
    x = np.random.default_rng(4).standard_normal((3, 784)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    for i, w in enumerate(weights):
        np.save(tmp_path / f"w{i}.npy", w)
    np.save(tmp_path / "ref.npy", mlp_reference(x, *weights))
    script = textwrap.dedent(f"""
        import numpy as np
        from kiln import VirtualMachine, cpu, load
        d = {str(tmp_path)!r}
        vm = VirtualMachine(load(d + "/mlp.so"), cpu())
        args = [np.load(d + "/x.npy")] + [np.load(d + f"/w{{i}}.npy") for i in range(4)]
        y = vm["main"](*args).numpy()
        np.testing.assert_allclose(y, np.load(d + "/ref.npy"), rtol=1e-4, atol=1e-4)
        print("ok", y.shape)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "ok (3, 10)" in run.stdout
