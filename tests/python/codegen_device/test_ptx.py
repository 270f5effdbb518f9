"""Device-only code: ``kiln.build(f, target="cuda")`` gives one PTX kernel per
PrimFunc and no host code. Each PTX goes through NVIDIA's ``ptxas`` (skipped
where the CUDA toolkit is absent) and its NVVM IR through ``llvm-as-16``; the
CPU target's "ll" and "asm" go through ``llvm-as-16`` and the C compiler.
There is no GPU here: nothing runs, and calling a kernel is a kiln.Error."""

import glob
import os
import shutil
import subprocess

import pytest

import kiln
from kiln.tir import te

PTXAS = shutil.which("ptxas")
LLVM_AS = shutil.which("llvm-as-16") or shutil.which("llvm-as")
# Where Kiln looks for libdevice (src/codegen/cuda/libdevice.cc); KILN_LIBDEVICE="" means none.
LIBDEVICE = os.environ["KILN_LIBDEVICE"] or None if "KILN_LIBDEVICE" in os.environ else next(iter(
    glob.glob(os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "nvvm/libdevice/libdevice.10.bc"))
    + glob.glob("/usr/local/cuda*/nvvm/libdevice/libdevice.10.bc")), None)


def ptxas(ptx: str, tmp_path, arch: str = "sm_80") -> None:
    """Assembles `ptx` with ptxas; fails the test with its messages."""
    if PTXAS is None:
        pytest.skip("ptxas (CUDA toolkit) is not installed")
    src = tmp_path / "kernel.ptx"
    src.write_text(ptx)
    r = subprocess.run([PTXAS, f"-arch={arch}", str(src), "-o", str(tmp_path / "kernel.cubin")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + "\n" + ptx
    assert (tmp_path / "kernel.cubin").stat().st_size > 0


def llvm_as(ll: str, tmp_path) -> None:
    """Parses and verifies LLVM IR text with llvm-as."""
    if LLVM_AS is None:
        pytest.skip("llvm-as is not installed")
    src = tmp_path / "module.ll"
    src.write_text(ll)
    r = subprocess.run([LLVM_AS, str(src), "-o", str(tmp_path / "module.bc")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def vector_add(dtype="float32", n=None):
    n = kiln.tir.SizeVar("n") if n is None else n
    a = te.placeholder((n,), dtype, name="A")
    b = te.placeholder((n,), dtype, name="B")
    c = te.compute((n,), lambda i: a[i] + b[i], name="C")
    sch = kiln.tir.Schedule(te.create_prim_func([a, b, c]))
    (i,) = sch.get_loops(sch.get_block("C"))
    bx, tx = sch.split(i, factors=[None, 128])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")
    return sch.mod


def kernel_body(ptx: str, name: str) -> str:
    start = ptx.index(f".entry {name}(")
    return ptx[start:ptx.index("\n}", start)]


@pytest.mark.compat("kernel_codegen", "cuda")
def test_vector_add_symbolic(tmp_path):
    rt = kiln.build(vector_add(), target="cuda")
    assert rt.kind == "cuda"
    assert rt.function_names == ["main"]
    ptx = rt.get_source("ptx")
    assert ptx == rt.get_source("")
    assert ".target sm_80" in ptx and ".version 7.0" in ptx
    assert ".visible .entry main(" in ptx
    body = kernel_body(ptx, "main")
    assert "%ctaid.x" in body and "%tid.x" in body
    assert ".maxntid 128, 1, 1" in body
    assert "ld.global" in body and "st.global.f32" in body
    # device code only: no host wrapper, no runtime API, no libc
    for host in ("__kiln_runtime_api", "snprintf", "main_compute_"):
        assert host not in ptx
    # the launch table, in the module and atop the source
    assert rt.get_source("launch") == "main: grid ((n + 127) // 128, 1, 1) block (128, 1, 1)\n"
    assert "//   main: grid ((n + 127) // 128, 1, 1) block (128, 1, 1)" in ptx
    ptxas(ptx, tmp_path)
    llvm_as(rt.get_source("ll"), tmp_path)
    assert '!{ptr @main, !"kernel", i32 1}' in rt.get_source("ll")


def test_static_shape_and_arch(tmp_path):
    rt = kiln.build(vector_add(n=1000), target="cuda -arch=sm_90")
    assert rt.get_source("launch") == "main: grid (8, 1, 1) block (128, 1, 1)\n"
    ptx = rt.get_source("ptx")
    assert ".target sm_90" in ptx
    ptxas(ptx, tmp_path, "sm_90")


def test_float16(tmp_path):
    ptx = kiln.build(vector_add("float16"), target="cuda").get_source("ptx")
    assert "add.rn.f16" in ptx or "add.f16" in ptx
    assert "ld.global.nc.u16" in ptx or "ld.global.nc.b16" in ptx
    ptxas(ptx, tmp_path)


def test_reduction_per_thread(tmp_path):
    n = kiln.tir.SizeVar("n")
    x = te.placeholder((n, 512), "float32", name="X")
    k = te.reduce_axis((0, 512), name="k")
    s = te.compute((n,), lambda i: te.sum(x[i, k] * x[i, k], axis=k), name="S")
    sch = kiln.tir.Schedule(te.create_prim_func([x, s]))
    i, _ = sch.get_loops(sch.get_block("S"))
    bx, tx = sch.split(i, factors=[None, 64])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")
    rt = kiln.build(sch.mod["main"], target="cuda", name="row_sq_sum")
    assert rt.get_source("launch") == "row_sq_sum: grid ((n + 63) // 64, 1, 1) block (64, 1, 1)\n"
    ptx = rt.get_source("ptx")
    body = kernel_body(ptx, "row_sq_sum")
    assert "fma.rn.f32" in body  # the k loop, serial in each thread
    assert "bra" in body
    ptxas(ptx, tmp_path)


def tiled_matmul(shared: bool):
    a = te.placeholder((256, 128), "float32", name="A")
    b = te.placeholder((128, 512), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    c = te.compute((256, 512), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="C")
    sch = kiln.tir.Schedule(te.create_prim_func([a, b, c]))
    blk = sch.get_block("C")
    i, j, k = sch.get_loops(blk)
    bi, ti = sch.split(i, factors=[None, 8])
    bj, tj = sch.split(j, factors=[None, 32])
    sch.reorder(bi, bj, ti, tj, k)
    sch.bind(bi, "blockIdx.y")
    sch.bind(bj, "blockIdx.x")
    sch.bind(ti, "threadIdx.y")
    sch.bind(tj, "threadIdx.x")
    if shared:
        # each thread stages the row of A it reads (no barrier needed)
        cache = sch.cache_read(blk, 0, "shared")
        sch.compute_at(cache, tj)
    return sch.mod


def test_tiled_matmul(tmp_path):
    rt = kiln.build(tiled_matmul(shared=False)["main"], target="cuda", name="matmul")
    assert rt.get_source("launch") == "matmul: grid (16, 32, 1) block (32, 8, 1)\n"
    ptx = rt.get_source("ptx")
    body = kernel_body(ptx, "matmul")
    for reg in ("%ctaid.x", "%ctaid.y", "%tid.x", "%tid.y"):
        assert reg in body
    assert ".maxntid 32, 8, 1" in body
    ptxas(ptx, tmp_path)


def test_shared_scope_is_addrspace_3(tmp_path):
    rt = kiln.build(tiled_matmul(shared=True)["main"], target="cuda", name="matmul")
    ll = rt.get_source("ll")
    assert "addrspace(3)" in ll
    ptx = rt.get_source("ptx")
    assert ".shared .align 16 .b8 matmul_A_shared[4096]" in ptx  # compacted to the 8 rows a block reads
    assert "st.shared" in ptx and "ld.shared.f32" in ptx
    ptxas(ptx, tmp_path)
    llvm_as(ll, tmp_path)


def test_local_accumulators_in_registers(tmp_path):
    """Each thread accumulates 4 outputs in a "local" buffer, which ends up
    in registers (no local-memory depot)."""
    a = te.placeholder((256, 128), "float32", name="A")
    b = te.placeholder((128, 512), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    c = te.compute((256, 512), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="C")
    sch = kiln.tir.Schedule(te.create_prim_func([a, b, c]))
    blk = sch.get_block("C")
    i, j, k = sch.get_loops(blk)
    bi, ti = sch.split(i, factors=[None, 8])
    bj, tj, jj = sch.split(j, factors=[None, 32, 4])
    sch.reorder(bi, bj, ti, tj, k, jj)
    sch.bind(bi, "blockIdx.y")
    sch.bind(bj, "blockIdx.x")
    sch.bind(ti, "threadIdx.y")
    sch.bind(tj, "threadIdx.x")
    sch.reverse_compute_at(sch.cache_write(blk, 0, "local"), tj)
    rt = kiln.build(sch.mod["main"], target="cuda", name="mm")
    assert rt.get_source("launch") == "mm: grid (4, 32, 1) block (32, 8, 1)\n"
    ptx = rt.get_source("ptx")
    assert "__local_depot" not in ptx and ".local" not in ptx
    assert ptx.count("fma.rn.f32") >= 4
    ptxas(ptx, tmp_path)


def unary_kernel(fn, dtype="float32"):
    a = te.placeholder((1024,), dtype, name="A")
    b = te.compute((1024,), lambda i: fn(a[i]), name="B")
    sch = kiln.tir.Schedule(te.create_prim_func([a, b]))
    (i,) = sch.get_loops(sch.get_block("B"))
    bx, tx = sch.split(i, factors=[None, 256])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")
    return sch.mod


MATH = {"exp": kiln.tir.exp, "tanh": kiln.tir.tanh, "sqrt": kiln.tir.sqrt, "erf": kiln.tir.erf,
        "sigmoid": kiln.tir.sigmoid}


@pytest.mark.parametrize("name", sorted(MATH))
def test_math_through_libdevice(name, tmp_path):
    if LIBDEVICE is None:
        pytest.skip("libdevice (CUDA toolkit) is not installed")
    rt = kiln.build(unary_kernel(MATH[name]), target="cuda")
    ll, ptx = rt.get_source("ll"), rt.get_source("ptx")
    # libdevice is linked and inlined: no call is left to resolve
    assert "call" not in kernel_body(ptx, "main")
    assert "declare float @__nv_" not in ll
    ptxas(ptx, tmp_path)


def test_math_without_libdevice(tmp_path, monkeypatch):
    monkeypatch.setenv("KILN_LIBDEVICE", "")
    # exp has an instruction (ex2.approx); sqrt too
    ptx = kiln.build(unary_kernel(kiln.tir.exp), target="cuda").get_source("ptx")
    assert "ex2.approx" in ptx
    ptxas(ptx, tmp_path)
    assert "sqrt.rn.f32" in kiln.build(unary_kernel(kiln.tir.sqrt), target="cuda").get_source("ptx")
    with pytest.raises(kiln.Error, match=r"main: intrinsic 'tanh' for float32 .* needs libdevice's __nv_tanhf"):
        kiln.build(unary_kernel(kiln.tir.tanh), target="cuda")


def test_float16_math(tmp_path):
    if LIBDEVICE is None:
        pytest.skip("libdevice (CUDA toolkit) is not installed")
    ptx = kiln.build(unary_kernel(kiln.tir.exp, "float16"), target="cuda").get_source("ptx")
    assert "cvt.f32.f16" in ptx and "cvt.rn.f16.f32" in ptx
    ptxas(ptx, tmp_path)


def test_two_kernels_in_one_module(tmp_path):
    mod = kiln.IRModule({"add": vector_add()["main"], "matmul": tiled_matmul(False)["main"]})
    rt = kiln.build(mod, target="cuda")
    assert sorted(rt.function_names) == ["add", "matmul"]
    ptx = rt.get_source("ptx")
    assert ".visible .entry add(" in ptx and ".visible .entry matmul(" in ptx
    ptxas(ptx, tmp_path)


def test_unbound_loop_is_an_error():
    a = te.placeholder((64,), "float32", name="A")
    b = te.compute((64,), lambda i: a[i] * 2.0, name="B")
    f = te.create_prim_func([a, b])
    with pytest.raises(kiln.Error, match=r"scale: no loop is bound to a GPU thread, so the kernel would run serially"):
        kiln.build(f, target="cuda", name="scale")


def test_loop_outside_bindings_is_an_error():
    a = te.placeholder((64, 64), "float32", name="A")
    b = te.compute((64, 64), lambda i, j: a[i, j] * 2.0, name="B")
    sch = kiln.tir.Schedule(te.create_prim_func([a, b]))
    _, j = sch.get_loops(sch.get_block("B"))
    sch.bind(j, "threadIdx.x")
    with pytest.raises(kiln.Error, match=r"main: loop 'i0' is not bound to a GPU thread .*sch.bind\(loop, 'threadIdx.x'\)"):
        kiln.build(sch.mod, target="cuda")


def test_calling_a_kernel_is_an_error():
    rt = kiln.build(vector_add(n=256), target="cuda")
    assert rt.get_function("nothing") is None
    with pytest.raises(kiln.Error, match=r"cuda kernel 'main' cannot run: this build of Kiln has no CUDA runtime"):
        rt["main"](None, None, None)
    with pytest.raises(kiln.Error, match=r"cuda module: no source in format 'asm' \(available: ptx, ll, launch\)"):
        rt.get_source("asm")


def test_unknown_arch_is_an_error():
    with pytest.raises(kiln.Error, match=r"does not know the architecture 'sm_1'"):
        kiln.build(vector_add(), target="cuda -arch=sm_1")


# ---- the CPU target's text formats, checked by the tools that read them ----


def cpu_kernel():
    n = kiln.tir.SizeVar("n")
    a = te.placeholder((n,), "float32", name="A")
    b = te.compute((n,), lambda i: kiln.tir.exp(a[i]) + 1.0, name="B")
    return te.create_prim_func([a, b])


def test_cpu_ll_parses_with_llvm_as(tmp_path):
    ll = kiln.build(cpu_kernel(), target="llvm", name="exp_add").get_source("ll")
    assert "define i32 @exp_add(" in ll
    llvm_as(ll, tmp_path)


def test_cpu_asm_assembles_with_cc(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    asm = kiln.build(cpu_kernel(), target="llvm", name="exp_add").get_source("asm")
    src = tmp_path / "k.s"
    src.write_text(asm)
    r = subprocess.run([cc, "-c", "-x", "assembler", str(src), "-o", str(tmp_path / "k.o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    nm = shutil.which("nm")
    if nm:
        symbols = subprocess.run([nm, str(tmp_path / "k.o")], capture_output=True, text=True).stdout
        assert " T exp_add" in symbols
