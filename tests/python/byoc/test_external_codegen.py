"""Bring your own codegen: matmul + bias + relu partitioned with
FuseOpsByPattern(annotate_codegen=True) and handed by RunCodegen to (a) a
code generator written in Python over NumPy, (b) the shipped "c" code
generator. Results match Kiln's default build, the tagged functions leave
the module and their calls become call_dps_packed, symbolic batch sizes
work, an unregistered codegen is named in the error, kiln.compile refuses a
tagged function left behind, and export_library round-trips with "c" but
refuses in-process modules."""

import numpy as np
import pytest

import kiln
from kiln.relax.pattern import is_op, wildcard

TEXT = """module {
  func @main(x: Tensor((n, 64), float32), w: Tensor((64, 32), float32), b: Tensor((32,), float32),
             w2: Tensor((32, 16), float32)) -> Tensor((n, 16), float32) {
    with dataflow {
      lv: Tensor((n, 32), float32) = matmul(x, w)
      lv1: Tensor((n, 32), float32) = add(lv, b)
      lv2: Tensor((n, 32), float32) = relu(lv1)
      lv3: Tensor((n, 16), float32) = matmul(lv2, w2)
      output gv: Tensor((n, 16), float32) = sigmoid(lv3)
    }
    return gv
  }
}"""


def mm_bias_relu():
    return is_op("relax.relu")(is_op("relax.add")(is_op("relax.matmul")(wildcard(), wildcard()), wildcard()))


def partition(mod, codegen):
    return kiln.transform.FuseOpsByPattern([(codegen + ".mm_bias_relu", mm_bias_relu())], annotate_codegen=True)(mod)


def numpy_codegen(funcs):
    """Each tagged function computes relu(x @ w + b) with NumPy."""

    def kernel(x, w, b, out):
        out.copyfrom(np.maximum(x.numpy() @ w.numpy() + b.numpy(), 0).astype("float32"))

    names = [name for name, f in funcs.functions.items() if f.attrs.get("Codegen") == "numpy"]
    return kiln.runtime.Module.from_functions({name: kernel for name in names})


@pytest.fixture(scope="module", autouse=True)
def registered_numpy():
    kiln.codegen.register_external("numpy", numpy_codegen, override=True)
    yield
    kiln.codegen.remove_external("numpy")


def args(batch, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(batch, 64), (64, 32), (32,), (32, 16)]
    return [(rng.standard_normal(s) * 0.3).astype("float32") for s in shapes]


def reference(x, w, b, w2):
    h = np.maximum(x @ w + b, 0)
    return 1 / (1 + np.exp(-(h @ w2)))


def default_build(mod, a):
    return kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())["main"](*a).numpy()


def byoc_pipeline(codegen, target="llvm"):
    p = kiln.pipeline.get("default", target)
    fuse = kiln.transform.FuseOpsByPattern([(codegen + ".mm_bias_relu", mm_bias_relu())], annotate_codegen=True)
    return p.insert_before("RunCodegen", fuse)  # the default pipeline runs RunCodegen after dispatch


@pytest.mark.parametrize("codegen", ["numpy", "c"])
def test_run_codegen_rewrites_the_module(codegen):
    mod = partition(kiln.parse(TEXT), codegen)
    symbol = f"fused_{codegen}_mm_bias_relu"
    assert mod[symbol].attrs["Codegen"] == codegen
    out = kiln.transform.RunCodegen()(mod)
    # The tagged function and its Composite are gone; main calls the symbol.
    assert sorted(out.functions) == ["main"]
    main = str(out["main"])
    want = (f'lv2: Tensor((n, 32), float32) = call_dps_packed(extern("{symbol}"), (x, w, b), '
            "sinfo_args=[Tensor((n, 32), float32)])")
    assert want in main
    assert "matmul(x, w)" not in main and "matmul(lv2, w2)" in main
    (ext,) = out.attrs["external_mods"]
    assert ext.kind == ("functions" if codegen == "numpy" else "c")
    assert symbol in ext.function_names


@pytest.mark.parametrize("codegen", ["numpy", "c"])
@pytest.mark.parametrize("batch", [1, 7, 33])
def test_matches_default_build_with_symbolic_batch(codegen, batch):
    mod = kiln.parse(TEXT)
    ex = kiln.compile(mod, target="llvm", pipeline=byoc_pipeline(codegen))
    assert [m.kind for m in ex.kernels.imports] == ["functions" if codegen == "numpy" else "c"]
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    a = args(batch, seed=batch)
    got = vm["main"](*a).numpy()
    np.testing.assert_allclose(got, default_build(mod, a), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got, reference(*a), rtol=1e-4, atol=1e-5)


def test_c_codegen_writes_one_c_function_per_symbol():
    out = kiln.transform.RunCodegen()(partition(kiln.parse(TEXT), "c"))
    source = out.attrs["external_mods"][0].get_source("c")
    assert "fused_c_mm_bias_relu" in source
    assert "main" not in out.attrs["external_mods"][0].function_names


def test_unregistered_codegen_is_named():
    mod = partition(kiln.parse(TEXT), "nosuchlib")
    with pytest.raises(kiln.Error, match=r"fused_nosuchlib_mm_bias_relu.*'nosuchlib'.*registered: .*c"):
        kiln.transform.RunCodegen()(mod)


def test_compile_refuses_tagged_functions_left():
    pipeline = kiln.pipeline.get("default", "llvm")
    fuse = kiln.transform.FuseOpsByPattern([("numpy.mm_bias_relu", mm_bias_relu())], annotate_codegen=True)
    pipeline.insert_after("RunCodegen", fuse)  # partitioned after the code generators ran
    with pytest.raises(kiln.Error, match=r"fused_numpy_mm_bias_relu.*Codegen=\"numpy\".*RunCodegen"):
        kiln.compile(kiln.parse(TEXT), target="llvm", pipeline=pipeline)


def test_codegen_must_define_each_symbol():
    kiln.codegen.register_external("empty_lib", lambda funcs: kiln.runtime.Module.from_functions({}))
    try:
        with pytest.raises(kiln.Error, match=r"'empty_lib'.*no function 'fused_empty_lib_mm_bias_relu'"):
            kiln.transform.RunCodegen()(partition(kiln.parse(TEXT), "empty_lib"))
    finally:
        assert kiln.codegen.remove_external("empty_lib")


def test_register_twice_needs_override():
    with pytest.raises(kiln.Error, match="already registered as 'numpy'"):
        kiln.codegen.register_external("numpy", numpy_codegen)


@pytest.mark.parametrize("target", ["llvm", "c"])
def test_export_library_round_trip_with_c(tmp_path, target):
    """The c module's object joins the kernels' (LLVM's or the c target's) in one library."""
    mod = kiln.parse(TEXT)
    ex = kiln.compile(mod, target=target, pipeline=byoc_pipeline("c", target))
    assert ex.kernels.kind == target and [m.kind for m in ex.kernels.imports] == ["c"]
    path = tmp_path / f"byoc_c_{target}.so"
    ex.export_library(path)
    vm = kiln.VirtualMachine(kiln.load(str(path)), kiln.cpu())
    a = args(5)
    np.testing.assert_allclose(vm["main"](*a).numpy(), reference(*a), rtol=1e-4, atol=1e-5)


def test_export_library_refuses_python_modules(tmp_path):
    ex = kiln.compile(kiln.parse(TEXT), target="llvm", pipeline=byoc_pipeline("numpy"))
    with pytest.raises(kiln.Error, match=r"kind 'functions'.*fused_numpy_mm_bias_relu.*runs in process"):
        ex.export_library(tmp_path / "byoc_numpy.so")


def test_registry_lists_names():
    names = kiln.codegen.list_external()
    assert "c" in names and "numpy" in names and names == sorted(names)
    kiln.codegen.register_external("listed_lib")(numpy_codegen)
    assert "listed_lib" in kiln.codegen.list_external()
    assert kiln.codegen.remove_external("listed_lib")
    assert not kiln.codegen.remove_external("listed_lib")
    assert "listed_lib" not in kiln.codegen.list_external()


def test_whole_model_handed_over_exports(tmp_path):
    """No tir kernel is left to Kiln: the kernel module is empty and only imports the c module."""
    text = """module {
      func @main(x: Tensor((n, 64), float32), w: Tensor((64, 32), float32), b: Tensor((32,), float32)) -> Tensor((n, 32), float32) {
        with dataflow {
          lv: Tensor((n, 32), float32) = matmul(x, w)
          lv1: Tensor((n, 32), float32) = add(lv, b)
          output gv: Tensor((n, 32), float32) = relu(lv1)
        }
        return gv
      }
    }"""
    ex = kiln.compile(kiln.parse(text), target="llvm", pipeline=byoc_pipeline("c"))
    assert ex.kernels.function_names == [] and [m.kind for m in ex.kernels.imports] == ["c"]
    x, w, b, _ = args(4)
    ex.export_library(tmp_path / "byoc_whole.so")
    got = kiln.VirtualMachine(kiln.load(str(tmp_path / "byoc_whole.so")), kiln.cpu())["main"](x, w, b).numpy()
    np.testing.assert_allclose(got, np.maximum(x @ w + b, 0), rtol=1e-4, atol=1e-5)
