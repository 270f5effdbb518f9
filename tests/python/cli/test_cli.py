"""The `kiln` command (build/bin/kiln, tools/): compile -> run on the MLP
fixture against the Python VM, .npy reading and writing of every supported
dtype, bench's output, inspect of .kir and ONNX models, the pass and
pipeline lists, and every error path with its exit status (2 for usage, 1
for failures) and message."""

import json
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import kiln

ROOT = Path(__file__).resolve().parents[3]
KILN = ROOT / "build" / "bin" / "kiln"
MLP = ROOT / "tests" / "fixtures" / "mlp.kir"
PARAMS = {"w1": (256, 784), "b1": (256,), "w2": (10, 256), "b2": (10,)}


def kiln_cmd(*args, cwd=None):
    """Runs the command; returns (exit status, stdout, stderr), the outputs
    decoded as they are (a progress line's "\r" kept)."""
    assert KILN.exists(), f"{KILN} is not built (scripts/build.sh)"
    p = subprocess.run([str(KILN), *map(str, args)], capture_output=True, cwd=cwd, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    """mlp.kir compiled by `kiln compile` (with --dump-ir) and its inputs as .npy files."""
    d = tmp_path_factory.mktemp("mlp")
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((3, 784)).astype("float32")}
    arrays.update({k: (rng.standard_normal(s) * 0.1).astype("float32") for k, s in PARAMS.items()})
    for name, a in arrays.items():
        np.save(d / f"{name}.npy", a)
    rc, out, err = kiln_cmd("compile", MLP, "-o", d / "mlp.so", "--dump-ir", d / "dump")
    assert rc == 0, err
    assert re.match(r"wrote .*mlp\.so \(target llvm, pipeline default, 1 function\(s\), [0-9.]+ s\)", out)
    return d, arrays


def input_flags(d, names=("x", *PARAMS)):
    return [f"--input={n}={d / n}.npy" for n in names]


def reference(arrays):
    vm = kiln.VirtualMachine(kiln.compile(kiln.parse(MLP.read_text())), kiln.cpu())
    return vm["main"](*arrays.values()).numpy()


def test_help_and_version():
    rc, out, _ = kiln_cmd("--help")
    assert rc == 0
    for command in ["compile", "run", "bench", "inspect", "passes", "pipelines"]:
        assert re.search(rf"^  {command} +\S", out, re.M), command
    rc, out, _ = kiln_cmd("compile", "--help")
    assert rc == 0 and "usage: kiln compile" in out and "--dump-ir DIR" in out and "-o, --output OUT.so" in out
    rc, out, _ = kiln_cmd("--version")
    assert rc == 0 and re.match(r"kiln \d+\.\d+\.\d+\nllvm 16", out)


def test_compile_dumps_ir_after_each_pass(mlp):
    d, _ = mlp
    dumps = sorted(p.name for p in (d / "dump").iterdir())
    names = [p.info["name"] for p in kiln.pipeline.get("default", "llvm")]
    assert dumps[0] == f"001_{names[0]}.kir"
    assert len(dumps) >= len(names)
    # the dumps are modules in the text format; the last one is lowered
    first, last = (kiln.parse((d / "dump" / name).read_text()) for name in (dumps[0], dumps[-1]))
    assert "main" in first and "main" in last
    assert "linear(" in (d / "dump" / dumps[0]).read_text() and "linear(" not in (d / "dump" / dumps[-1]).read_text()


@pytest.mark.compat("cli", "llvm")
def test_run_library_matches_python_vm(mlp):
    d, arrays = mlp
    rc, out, err = kiln_cmd("run", d / "mlp.so", *input_flags(d), "-o", d / "out.npy")
    assert rc == 0, err
    assert re.match(r"output: Tensor\(\(3, 10\), float32\) \[-?\d", out)
    assert f"wrote {d / 'out.npy'}" in out
    np.testing.assert_allclose(np.load(d / "out.npy"), reference(arrays), rtol=1e-5, atol=1e-5)


def test_run_text_model_with_zero_pipeline(mlp):
    d, arrays = mlp
    rc, _, err = kiln_cmd("run", MLP, "--pipeline", "zero", *input_flags(d), "--output", d / "zero.npy")
    assert rc == 0, err
    np.testing.assert_allclose(np.load(d / "zero.npy"), reference(arrays), rtol=1e-5, atol=1e-5)


IDENTITY = """module {{
  func @main(x: Tensor((2, 3), {dtype})) -> Tensor((3, 2), {dtype}) {{
    attrs {{"global_symbol": "main"}}
    with dataflow {{
      output gv: Tensor((3, 2), {dtype}) = permute_dims(x, axes=[1, 0])
    }}
    return gv
  }}
}}
"""


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
def test_npy_round_trip(tmp_path, dtype, version):
    (tmp_path / "t.kir").write_text(IDENTITY.format(dtype=dtype))
    x = (np.random.default_rng(1).standard_normal((2, 3)) * 100).astype(dtype)
    with open(tmp_path / "x.npy", "wb") as f:
        np.lib.format.write_array(f, x, version=version)
    rc, out, err = kiln_cmd("run", tmp_path / "t.kir", "--pipeline", "zero", "-i", f"x={tmp_path / 'x.npy'}",
                            "-o", tmp_path / "y.npy")
    assert rc == 0, err
    assert f"Tensor((3, 2), {dtype})" in out
    y = np.load(tmp_path / "y.npy")
    assert y.dtype == x.dtype and y.flags.c_contiguous
    np.testing.assert_array_equal(y, x.T)


TUPLE = """module {
  func @main(x: Tensor((2, 3), float32)) -> Tuple(Tensor((2, 3), float32), Tensor((3, 2), float32)) {
    attrs {"global_symbol": "main"}
    with dataflow {
      lv: Tensor((2, 3), float32) = relu(x)
      lv1: Tensor((3, 2), float32) = permute_dims(x, axes=[1, 0])
      output gv: Tuple(Tensor((2, 3), float32), Tensor((3, 2), float32)) = (lv, lv1)
    }
    return gv
  }
}
"""


def test_run_tuple_outputs(tmp_path):
    (tmp_path / "t.kir").write_text(TUPLE)
    x = np.arange(6, dtype="float32").reshape(2, 3) - 2
    np.save(tmp_path / "x.npy", x)
    rc, out, err = kiln_cmd("run", tmp_path / "t.kir", "-i", f"x={tmp_path / 'x.npy'}", "-o", tmp_path / "y.npy")
    assert rc == 0, err
    assert "output.0: Tensor((2, 3), float32) [0, 0, 0, 1, 2, 3] min 0 max 3 mean 1\n" in out
    assert "output.1: Tensor((3, 2), float32) [-2, 1, -1, 2, 0, 3]" in out
    np.testing.assert_array_equal(np.load(tmp_path / "y.0.npy"), np.maximum(x, 0))
    np.testing.assert_array_equal(np.load(tmp_path / "y.1.npy"), x.T)
    assert not (tmp_path / "y.npy").exists()


def test_bench_output(mlp):
    d, _ = mlp
    rc, out, err = kiln_cmd("bench", d / "mlp.so", "--shape", "x=2x784", "--repeat", "7", "--warmup", "2")
    assert rc == 0, err
    assert "input     x: Tensor((2, 784), float32) random" in out
    assert "runs      7 after 2 warm-up" in out
    m = re.search(r"latency   p50 ([0-9.]+) ms  p90 ([0-9.]+) ms  p99 ([0-9.]+) ms  min ([0-9.]+) ms  "
                  r"mean ([0-9.]+) ms", out)
    assert m, out
    p50, p90, p99, lo, _ = map(float, m.groups())
    assert 0 < lo <= p50 <= p90 <= p99
    assert "\r" in err and "run 7/7" in err  # the progress line


def test_bench_json_with_input_file_and_compile(mlp):
    d, _ = mlp
    rc, out, err = kiln_cmd("bench", MLP, "--input", f"x={d / 'x.npy'}", "--repeat", "3", "--warmup", "0", "--json")
    assert rc == 0, err
    r = json.loads(out)
    assert r["runs"] == 3 and r["function"] == "main" and r["compile_s"] > 0
    assert 0 < r["min_ms"] <= r["p50_ms"] <= r["p99_ms"]


def test_inspect_text_model():
    rc, out, err = kiln_cmd("inspect", MLP)
    assert rc == 0, err
    assert "relax ops: 4 calls of 3 ops" in out
    assert re.search(r"^  linear +2  supported$", out, re.M)
    assert re.search(r"^  log_softmax +1  supported$", out, re.M)
    assert "  input   x: Tensor((n, 784), float32)" in out
    assert "  output  Tensor((n, 10), float32)" in out
    text = out.split("module after import:\n", 1)[1]
    assert kiln.parse(text) is not None


def test_passes_and_pipelines():
    rc, out, _ = kiln_cmd("passes")
    assert rc == 0
    assert re.search(r"^DeadCodeElimination +1 +removes unused", out, re.M)
    assert re.search(r"^LegalizeOps +0 +\S", out, re.M)
    rc, out, _ = kiln_cmd("pipelines")
    assert rc == 0
    for name in kiln.pipeline.list_pipelines():
        block = out.split(f"{name} (llvm):\n", 1)[1].split("\n\n")[0]
        listed = re.findall(r"^ +\d+\. (\w+)$", block, re.M)
        expected = [p.info["name"] for p in kiln.pipeline.get(name, "llvm")]
        assert listed[: len(expected)] == expected, name


# ---- ONNX ----


def onnx_mlp(path, op="Relu", domain=""):
    """x (batch, 8) -> MatMul, Add, `op`, MatMul: written with onnx.helper."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(2)
    w1, b1, w2 = (rng.standard_normal(s).astype("float32") for s in [(8, 16), (16,), (16, 4)])
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"]),
        helper.make_node("Add", ["h", "b1"], ["a"]),
        helper.make_node(op, ["a"], ["r"], domain=domain),
        helper.make_node("MatMul", ["r", "w2"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2")]])
    opsets = [helper.make_opsetid("", 18)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    onnx.save(helper.make_model(graph, opset_imports=opsets), path)
    return lambda x: np.maximum(x @ w1 + b1, 0) @ w2


def test_onnx_inspect_compile_run(tmp_path):
    ref = onnx_mlp(tmp_path / "m.onnx")
    rc, out, err = kiln_cmd("inspect", tmp_path / "m.onnx", "--no-module")
    assert rc == 0, err
    assert "ONNX ops: 4 nodes of 3 ops" in out
    assert re.search(r"^  MatMul +2  supported$", out, re.M)
    assert re.search(r"^  Relu +1  supported$", out, re.M)
    assert "  input   x: Tensor((batch, 8), float32)" in out
    assert "module after import" not in out
    rc, _, err = kiln_cmd("compile", tmp_path / "m.onnx", "-o", tmp_path / "m.so")
    assert rc == 0, err
    x = np.random.default_rng(3).standard_normal((5, 8)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    rc, _, err = kiln_cmd("run", tmp_path / "m.so", "-i", f"x={tmp_path / 'x.npy'}", "-o", tmp_path / "y.npy")
    assert rc == 0, err
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ref(x), rtol=1e-4, atol=1e-4)


def test_onnx_exported_from_torch(tmp_path):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.GELU(), torch.nn.Linear(32, 4),
                                torch.nn.Softmax(-1)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(2, 16),), str(tmp_path / "t.onnx"), input_names=["x"],
                          dynamic_axes={"x": {0: "batch"}}, dynamo=False)
    x = np.random.default_rng(4).standard_normal((3, 16)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    rc, out, err = kiln_cmd("run", tmp_path / "t.onnx", "-i", f"x={tmp_path / 'x.npy'}", "-o", tmp_path / "y.npy")
    assert rc == 0, err
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ref, rtol=1e-4, atol=1e-5)


def test_onnx_unsupported_op(tmp_path):
    onnx_mlp(tmp_path / "u.onnx", op="FrobnicateRelu", domain="com.example")
    rc, out, err = kiln_cmd("inspect", tmp_path / "u.onnx")
    assert rc == 1
    assert re.search(r"^  com\.example\.FrobnicateRelu +1  unsupported$", out, re.M)
    assert "FrobnicateRelu" in err and "kiln inspect: error:" in err
    rc, _, err = kiln_cmd("compile", tmp_path / "u.onnx", "-o", tmp_path / "u.so")
    assert rc == 1 and "FrobnicateRelu" in err


# ---- errors: usage (2) and failures (1), never a crash ----


def bad_files(d):
    """Files for the error cases below."""
    np.save(d / "half.npy", np.zeros((3, 784), "float16"))
    np.save(d / "fortran.npy", np.asfortranarray(np.zeros((3, 784), "float32")))
    np.save(d / "wrong.npy", np.zeros((3, 785), "float32"))
    np.save(d / "x64.npy", np.zeros((3, 784), "float64"))
    np.save(d / "big_endian.npy", np.zeros((3, 784), ">f4"))
    full = (d / "wrong.npy").read_bytes()
    (d / "truncated.npy").write_bytes(full[: len(full) // 2])
    (d / "garbage.npy").write_bytes(b"not an array at all")
    (d / "garbage.so").write_bytes(b"\x7fELF garbage")
    (d / "garbage.onnx").write_bytes(b"\xff\xff\xff\xff garbage")
    (d / "bad.kir").write_text("module {\n  func @main( {\n}\n")
    (d / "model.txt").write_text("")


ERRORS = [
    # (arguments, exit status, pattern in stderr)
    (["frobnicate"], 2, r"unknown command 'frobnicate'"),
    (["compile", "{MLP}", "-o", "{d}/a.so", "--frob"], 2, r"unknown option '--frob'"),
    (["compile", "{MLP}"], 2, r"missing -o OUT\.so"),
    (["compile", "{MLP}", "-o", "{d}/a.txt"], 2, r"must end in \.so"),
    (["compile", "{MLP}", "-o"], 2, r"--output needs a value"),
    (["compile"], 2, r"missing argument"),
    (["compile", "{d}/model.txt", "-o", "{d}/a.so"], 2, r"unknown model file type '\.txt'"),
    (["compile", "{d}/missing.kir", "-o", "{d}/a.so"], 1, r"missing\.kir: no such file"),
    (["compile", "{d}/bad.kir", "-o", "{d}/a.so"], 1, r"bad\.kir:2:"),
    (["compile", "{MLP}", "-o", "{d}/a.so", "--pipeline", "fastest"], 1, r"fastest.*default"),
    (["compile", "{MLP}", "-o", "{d}/a.so", "--target", "tpu9"], 1, r"tpu9"),
    (["compile", "{d}/garbage.onnx", "-o", "{d}/a.so"], 1, r"garbage\.onnx"),
    (["run", "{d}/garbage.so"], 1, r"garbage\.so"),
    (["run", "{d}/missing.so"], 1, r"missing\.so: no such file"),
    (["run", "{so}", "--input", "x={d}/x.npy"], 1, r"missing input 'w1'.*--input w1=FILE\.npy"),
    (["run", "{so}", "--input", "x"], 2, r"--input expects NAME=VALUE"),
    (["run", "{so}", "--input", "y={d}/x.npy"], 1, r"'y', which is not a parameter of main \(parameters: x, w1"),
    (["run", "{so}", "--input", "x={d}/nothere.npy"], 1, r"nothere\.npy: cannot open file"),
    (["run", "{so}", "--input", "x={d}/half.npy"], 1, r"half\.npy: unsupported dtype '<f2'"),
    (["run", "{so}", "--input", "x={d}/fortran.npy"], 1, r"fortran\.npy: Fortran-order"),
    (["run", "{so}", "--input", "x={d}/big_endian.npy"], 1, r"big_endian\.npy: big-endian"),
    (["run", "{so}", "--input", "x={d}/truncated.npy"], 1, r"truncated\.npy: truncated \.npy file"),
    (["run", "{so}", "--input", "x={d}/garbage.npy"], 1, r"garbage\.npy: not a \.npy file"),
    (["run", "{so}", "--input", "x={d}/wrong.npy"], 1, r"input 'x' must be Tensor\(\(n, 784\), float32\)"),
    (["run", "{so}", "--input", "x={d}/x64.npy", *[f"--input={n}={{d}}/{n}.npy" for n in PARAMS]], 1,
     r"main: argument 'x' \(0\) must be Tensor\(\(n, 784\), float32\), got Tensor\(\(3, 784\), float64\)"),
    (["run", "{so}", "--function", "train", "--input", "x={d}/x.npy"], 1, r"no function 'train' \(functions: main"),
    (["run", "{so}", "-o", "{d}/y.bin"], 2, r"must end in \.npy"),
    (["bench", "{so}"], 1, r"symbolic dimension 'n': give its shape with --shape x="),
    (["bench", "{so}", "--shape", "x=2by784"], 2, r"--shape x expects dimensions"),
    (["bench", "{so}", "--shape", "x=2x783"], 1, r"input 'x' must be Tensor\(\(n, 784\), float32\), got shape"),
    (["bench", "{so}", "--shape", "x=1x784", "--repeat", "0"], 2, r"--repeat expects an integer >= 1"),
    (["bench", "{so}", "--shape", "x=1x784", "--warmup", "many"], 2, r"--warmup expects an integer"),
    (["inspect", "{so}"], 2, r"is compiled; inspect the \.onnx or \.kir"),
    (["inspect", "{d}/garbage.onnx"], 1, r"garbage\.onnx"),
    (["inspect", "{MLP}", "{MLP}"], 2, r"unexpected argument"),
]


@pytest.mark.parametrize("args,status,pattern", ERRORS, ids=[" ".join(a[:3]) for a, _, _ in ERRORS])
def test_errors(mlp, args, status, pattern):
    d, _ = mlp
    if not (d / "garbage.npy").exists():
        bad_files(d)
    args = [a.format(d=d, MLP=MLP, so=d / "mlp.so") for a in args]
    rc, out, err = kiln_cmd(*args)
    assert rc == status, (rc, out, err)
    assert re.search(pattern, err, re.S), err
    assert "Traceback" not in err and "internal error" not in err


def test_mutated_files_fail_cleanly(tmp_path):
    """Mutated .npy headers and truncated ONNX files: exit 0 or 1 with a
    message, never a crash (a signal gives a negative status)."""
    (tmp_path / "t.kir").write_text(IDENTITY.format(dtype="float32"))
    rc, _, err = kiln_cmd("compile", tmp_path / "t.kir", "-o", tmp_path / "t.so", "--pipeline", "zero")
    assert rc == 0, err
    np.save(tmp_path / "x.npy", np.ones((2, 3), "float32"))
    good = (tmp_path / "x.npy").read_bytes()
    rng = np.random.default_rng(5)
    for i in range(12):
        data = bytearray(good)
        for _ in range(3):
            data[rng.integers(0, 128)] = rng.integers(0, 256)
        (tmp_path / f"m{i}.npy").write_bytes(bytes(data))
        rc, _, err = kiln_cmd("run", tmp_path / "t.so", "-i", f"x={tmp_path / f'm{i}.npy'}")
        assert rc in (0, 1) and (rc == 0 or f"m{i}.npy" in err or "argument 'x'" in err), err
    onnx_mlp(tmp_path / "m.onnx")
    model = (tmp_path / "m.onnx").read_bytes()
    for cut in [1, 7, len(model) // 3, len(model) // 2, len(model) - 5]:
        (tmp_path / "cut.onnx").write_bytes(model[:cut])
        rc, _, err = kiln_cmd("inspect", tmp_path / "cut.onnx")
        assert rc == 1 and "cut.onnx" in err, (cut, err)
