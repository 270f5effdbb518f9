"""The c target end to end: tir kernels written as C, compiled by the system
C compiler and loaded; elementwise, reduction, matmul, parallel and vector
loops, symbolic shapes, argument errors identical to llvm's, the MLP fixture
through kiln.compile, export_library and a failing compiler."""

from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln.tir import te
from kiln.tir.schedule import Schedule

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def run(func, target, *arrays):
    rt = kiln.build(func, target=target)
    args = [kiln.nd.array(a) for a in arrays]
    rt["main"](*args)
    return [a.numpy() for a in args]


def elementwise():
    n = kiln.tir.SizeVar("n")
    x = te.placeholder((n, 64), "float32", name="x")
    y = te.compute(
        (n, 64), lambda i, j: kiln.tir.exp(x[i, j]) * 2.0 + kiln.tir.tanh(x[i, j]) - kiln.tir.sigmoid(x[i, j]), name="y"
    )
    return te.create_prim_func([x, y])


def reference(x):
    return np.exp(x) * 2 + np.tanh(x) - 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("n", [1, 5])
def test_elementwise_symbolic_shape(n):
    x = np.random.default_rng(n).standard_normal((n, 64)).astype("float32")
    (_, y) = run(elementwise(), "c", x, np.zeros((n, 64), "float32"))
    np.testing.assert_allclose(y, reference(x), rtol=1e-5, atol=1e-6)


def test_parallel_and_vector_loops_match_llvm():
    sch = Schedule(elementwise())
    i, j = sch.get_loops(sch.get_block("y"))
    sch.parallel(i)
    _, ji = sch.split(j, [None, 8])
    sch.vectorize(ji)
    source = kiln.build(sch.mod, target="c").get_source("c")
    assert "__kiln_runtime_api->parallel_launch(main_parallel_0" in source
    assert "for (int32_t lane = 0; lane < 8; ++lane)" in source
    x = np.random.default_rng(0).standard_normal((9, 64)).astype("float32")
    out = np.zeros((9, 64), "float32")
    (_, y_c) = run(sch.mod, "c", x, out)
    (_, y_llvm) = run(sch.mod, "llvm", x, out)
    np.testing.assert_allclose(y_c, reference(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y_c, y_llvm, rtol=1e-5, atol=1e-6)


def test_reduction_softmax_like():
    n = kiln.tir.SizeVar("n")
    x = te.placeholder((n, 32), "float32", name="x")
    k = te.reduce_axis(32, name="k")
    m = te.compute((n,), lambda i: te.max(x[i, k], axis=k), name="row_max")
    e = te.compute((n, 32), lambda i, j: kiln.tir.exp(x[i, j] - m[i]), name="e")
    k2 = te.reduce_axis(32, name="k2")
    s = te.compute((n,), lambda i: te.sum(e[i, k2], axis=k2), name="row_sum")
    y = te.compute((n, 32), lambda i, j: e[i, j] / s[i], name="y")
    f = te.create_prim_func([x, y])
    xs = np.random.default_rng(1).standard_normal((6, 32)).astype("float32")
    (_, out) = run(f, "c", xs, np.zeros((6, 32), "float32"))
    ref = np.exp(xs - xs.max(1, keepdims=True))
    np.testing.assert_allclose(out, ref / ref.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)


@pytest.mark.compat("kernel_codegen", "c")
def test_matmul_scheduled():
    a = te.placeholder((32, 24), "float32", name="A")
    b = te.placeholder((24, 16), "float32", name="B")
    r = te.reduce_axis((0, 24), name="k")
    c = te.compute((32, 16), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="C")
    sch = Schedule(te.create_prim_func([a, b, c]))
    i, j, k = sch.get_loops(sch.get_block("C"))
    sch.parallel(i)
    sch.unroll(j)
    x = np.random.default_rng(2).random((32, 24)).astype("float32")
    y = np.random.default_rng(3).random((24, 16)).astype("float32")
    (_, _, z) = run(sch.mod, "c", x, y, np.zeros((32, 16), "float32"))
    np.testing.assert_allclose(z, x @ y, rtol=1e-5)


def error_of(fn):
    with pytest.raises(kiln.Error) as info:
        fn()
    return str(info.value).split("\n  [raised at")[0]


def test_argument_errors_identical_to_llvm():
    f = elementwise()
    mods = {t: kiln.build(f, target=t) for t in ("llvm", "c")}
    good = kiln.nd.array(np.zeros((3, 64), "float32"))
    bad_calls = [
        lambda m: m["main"](good),
        lambda m: m["main"](good, 1),
        lambda m: m["main"](good, kiln.nd.array(np.zeros((3, 64), "float64"))),
        lambda m: m["main"](good, kiln.nd.array(np.zeros((4, 64), "float32"))),
        lambda m: m["main"](good, kiln.nd.array(np.zeros((3, 63), "float32"))),
        lambda m: m["main"](good, kiln.nd.array(np.zeros(64, "float32"))),
    ]
    for call in bad_calls:
        want = error_of(lambda: call(mods["llvm"]))
        assert error_of(lambda: call(mods["c"])) == want
    assert "main: argument y has shape (4, 64), expected (3, 64) from n = 3" in error_of(
        lambda: bad_calls[3](mods["c"])
    )


def fixture_const(shape, seed):
    """The constants of tests/fixtures/make_fixtures.py."""
    return (np.random.default_rng(seed).standard_normal(shape) * 0.1).astype("float32")


def mlp_weights():
    return [
        fixture_const((256, 784), 2),
        fixture_const((256,), 3),
        fixture_const((10, 256), 4),
        fixture_const((10,), 5),
    ]


def mlp_reference(x, w1, b1, w2, b2):
    logits = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    ref = logits - logits.max(-1, keepdims=True)
    return ref - np.log(np.exp(ref).sum(-1, keepdims=True))


@pytest.fixture(scope="module")
def mlp_c():
    return kiln.compile(kiln.parse((FIXTURES / "mlp.kir").read_text()), target="c")


@pytest.mark.compat("compile_run", "c")
@pytest.mark.parametrize("n", [1, 7])
def test_mlp_fixture_matches_numpy_and_llvm(mlp_c, n):
    mod = kiln.parse((FIXTURES / "mlp.kir").read_text())
    weights = mlp_weights()
    x = np.random.default_rng(n).standard_normal((n, 784)).astype("float32")
    y = kiln.VirtualMachine(mlp_c, kiln.cpu())["main"](x, *weights).numpy()
    np.testing.assert_allclose(y, mlp_reference(x, *weights), rtol=1e-4, atol=1e-4)
    y_llvm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())["main"](x, *weights).numpy()
    np.testing.assert_allclose(y, y_llvm, rtol=1e-5, atol=1e-5)


def test_mlp_zero_pipeline():
    ex = kiln.compile(kiln.parse((FIXTURES / "mlp.kir").read_text()), target="c", pipeline="zero")
    weights = mlp_weights()
    x = np.random.default_rng(4).standard_normal((3, 784)).astype("float32")
    y = kiln.VirtualMachine(ex, kiln.cpu())["main"](x, *weights).numpy()
    np.testing.assert_allclose(y, mlp_reference(x, *weights), rtol=1e-4, atol=1e-4)


@pytest.mark.compat("export_library", "c")
def test_export_library_reloads(mlp_c, tmp_path):
    path = tmp_path / "mlp_c.so"
    mlp_c.export_library(path)
    vm = kiln.VirtualMachine(kiln.load(path), kiln.cpu())
    weights = mlp_weights()
    x = np.random.default_rng(5).standard_normal((2, 784)).astype("float32")
    np.testing.assert_allclose(
        vm["main"](x, *weights).numpy(), mlp_reference(x, *weights), rtol=1e-4, atol=1e-4
    )

    kernels = tmp_path / "kernels_c.so"
    kiln.build(elementwise(), target="c").export_library(kernels)
    xs = np.random.default_rng(6).standard_normal((4, 64)).astype("float32")
    y = kiln.nd.array(np.zeros((4, 64), "float32"))
    kiln.load(kernels)["main"](kiln.nd.array(xs), y)
    np.testing.assert_allclose(y.numpy(), reference(xs), rtol=1e-5, atol=1e-6)


def test_compiler_error_names_the_command(monkeypatch):
    monkeypatch.setenv("KILN_CC", "false")
    rt = kiln.build(elementwise(), target="c")
    with pytest.raises(kiln.Error, match="c target: compiling the kernels failed: false -O2 -fPIC -std=c11 -shared"):
        rt["main"]


def test_source_format_and_half_types():
    rt = kiln.build(elementwise(), target="c")
    assert rt.get_source("c") == rt.get_source("")
    with pytest.raises(kiln.Error, match="c module: no source in format 'll'"):
        rt.get_source("ll")
    x = te.placeholder((16,), "float16", name="x")
    y = te.compute((16,), lambda i: kiln.tir.sqrt(x[i]) * x[i] + x[i], name="y")
    xs = np.linspace(0.5, 8, 16).astype("float16")
    (_, out) = run(te.create_prim_func([x, y]), "c", xs, np.zeros(16, "float16"))
    (_, ref) = run(te.create_prim_func([x, y]), "llvm", xs, np.zeros(16, "float16"))
    np.testing.assert_allclose(out.astype("float32"), ref.astype("float32"), rtol=1e-3)
    b = te.placeholder((4,), "bfloat16", name="b")
    c = te.compute((4,), lambda i: b[i] + b[i], name="c")
    with pytest.raises(kiln.Error, match="main: dtype bfloat16 is not supported by the c target"):
        kiln.build(te.create_prim_func([b, c]), target="c")
