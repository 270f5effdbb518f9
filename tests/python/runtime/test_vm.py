"""The virtual machine from Python: hand-built executables (ExecBuilder)
calling kernels registered from Python and compiled C kernels, NumPy, Kiln
and DLPack arguments, tuples, control flow, argument errors with exact
messages (and the VM still usable), bytes and files, profile and
time_evaluator, and an executable shipped inside a shared library."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln.vm import ExecBuilder, Operand, ParamInfo

ROOT = Path(__file__).resolve().parents[3]


@kiln.register_func("test.vm.py.add")
def _add(a, b, out):
    out.copyfrom(a.numpy() + b.numpy())


@kiln.register_func("test.vm.py.lt")
def _lt(a, b):
    return a < b


@kiln.register_func("test.vm.py.iadd")
def _iadd(a, b):
    return a + b


def add_program():
    """main(x, y: Tensor((n, 4), float32)) -> (x + y, shape of x)."""
    b = ExecBuilder()
    b.begin_function("main", [("x", "Tensor((n, 4), float32)"), ("y", "Tensor((n, 4), float32)")])
    shape, out, result = b.new_register(), b.new_register(), b.new_register()
    b.emit_call(b.global_func("vm.builtin.shape_of"), [b.param(0)], shape)
    b.emit_call(b.global_func("vm.builtin.alloc_tensor_simple"), [shape, kiln.DataType("float32"), Operand.device()], out)
    b.emit_call(b.global_func("test.vm.py.add"), [b.param(0), b.param(1), out])
    b.emit_call(b.global_func("vm.builtin.make_tuple"), [out, shape], result)
    b.emit_ret(result)
    b.end_function()
    return b.finish()


def test_call_with_numpy_kiln_and_dlpack_arguments():
    vm = kiln.VirtualMachine(add_program(), kiln.cpu())
    x = np.arange(12, dtype="float32").reshape(3, 4)
    y = np.ones((3, 4), "float32")
    out, shape = vm["main"](x, y)
    np.testing.assert_array_equal(out.numpy(), x + 1)
    assert shape == (3, 4)
    out, _ = vm["main"](kiln.nd.array(x), x[:, :])  # a kiln array and a NumPy view
    np.testing.assert_array_equal(out.numpy(), 2 * x)
    out, _ = vm["main"](np.asfortranarray(x), y)  # not C-contiguous: copied
    np.testing.assert_array_equal(out.numpy(), x + 1)
    torch = pytest.importorskip("torch")
    out, _ = vm["main"](torch.ones(2, 4), torch.full((2, 4), 2.0))
    np.testing.assert_array_equal(out.numpy(), np.full((2, 4), 3, "float32"))
    assert vm.invoke("main", x, y)[1] == (3, 4)
    assert vm.function_names == ["main"]
    assert vm.module.kind == "vm"


def test_argument_errors_are_exact_and_the_vm_stays_usable():
    vm = kiln.VirtualMachine(add_program(), kiln.cpu())
    good = np.zeros((2, 4), "float32")
    sig = "main(x: Tensor((n, 4), float32), y: Tensor((n, 4), float32))"
    cases = [
        ((good,), f"main takes 2 arguments but was called with 1: {sig}"),
        ((good, 3), "main: argument 'y' (1) must be Tensor((n, 4), float32), got int 3"),
        ((np.zeros(4, "float32"), good),
         "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((4,), float32): rank 1, expected 2"),
        ((np.zeros((2, 4), "float64"), good),
         "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((2, 4), float64): dtype float64, "
         "expected float32"),
        ((np.zeros((2, 5), "float32"), good),
         "main: argument 'x' (0) must be Tensor((n, 4), float32), got Tensor((2, 5), float32): dimension 1 is 5, "
         "expected 4"),
        ((good, np.zeros((3, 4), "float32")),
         "main: argument 'y' (1) must be Tensor((n, 4), float32), got Tensor((3, 4), float32): dimension 0 is 3 but "
         "n = 2 from argument 'x' (0)"),
    ]
    for args, message in cases:
        with pytest.raises(kiln.Error, match="^" + re.escape(message)):
            vm["main"](*args)
        out, _ = vm["main"](good, good)
        assert out.shape == (2, 4)


def test_errors_inside_a_run_name_the_instruction():
    @kiln.register_func("test.vm.py.boom", override=True)
    def boom(x):
        raise ValueError(f"boom {x}")

    b = ExecBuilder()
    b.begin_function("main", [("x", "Prim(int64)")])
    r = b.new_register()
    b.emit_call(b.global_func("test.vm.py.boom"), [b.param(0)], r)
    b.emit_ret(r)
    b.end_function()
    vm = kiln.VirtualMachine(b.finish(), kiln.cpu())
    with pytest.raises(kiln.Error, match=r"ValueError: boom 7(.|\n)*in VM function 'main', instruction 0 "
                                         r"\(call of global function 'test.vm.py.boom'\)"):
        vm["main"](7)
    with pytest.raises(kiln.Error, match="boom 8"):
        vm["main"](8)


def control_flow_program():
    """sum(n) = 0 + ... + (n - 1) with a loop; fact(n) recursive; pick(a, b)
    = a < b ? "a" : "b"."""
    b = ExecBuilder()
    lt, iadd = b.global_func("test.vm.py.lt"), b.global_func("test.vm.py.iadd")
    b.begin_function("sum", [("n", "Prim(int64)")])
    i, acc, cond = b.new_register(), b.new_register(), b.new_register()
    copy = b.global_func("vm.builtin.copy")
    b.emit_call(copy, [0], i)
    b.emit_call(copy, [0], acc)
    head, done = b.new_label(), b.new_label()
    b.bind_label(head)
    b.emit_call(lt, [i, b.param(0)], cond)
    b.emit_if(cond, done)
    b.emit_call(iadd, [acc, i], acc)
    b.emit_call(iadd, [i, 1], i)
    b.emit_goto(head)
    b.bind_label(done)
    b.emit_ret(acc)
    b.end_function()

    fact = b.declare_function("fact")
    b.begin_function("fact", [("n", "Prim(int64)")])
    small, m, sub, out = b.new_register(), b.new_register(), b.new_register(), b.new_register()
    recurse = b.new_label()
    b.emit_call(lt, [b.param(0), 2], small)
    b.emit_if(small, recurse)
    b.emit_ret(1)
    b.bind_label(recurse)
    b.emit_call(iadd, [b.param(0), -1], m)
    b.emit_call(fact, [m], sub)
    b.emit_call(b.global_func("vm.builtin.invoke"), [Operand.func(b.global_func("test.vm.py.mul")), b.param(0), sub], out)
    b.emit_ret(out)
    b.end_function()

    b.begin_function("pick", [("a", "Prim(int64)"), ("b", "Prim(int64)")])
    c = b.new_register()
    other = b.new_label()
    b.emit_call(lt, [b.param(0), b.param(1)], c)
    b.emit_if(c, other)
    b.emit_ret("a")
    b.bind_label(other)
    b.emit_ret("b")
    b.end_function()
    return b.finish()


@kiln.register_func("test.vm.py.mul")
def _mul(a, b):
    return a * b


def test_control_flow_and_calls_between_functions():
    vm = kiln.VirtualMachine(control_flow_program(), kiln.cpu())
    assert vm["sum"](100) == 4950
    assert vm["fact"](10) == 3628800
    assert vm["pick"](1, 2) == "a"
    assert vm["pick"](np.int64(3), 2) == "b"


def test_tuples_in_and_out():
    b = ExecBuilder()
    b.begin_function("first", [("t", "Tuple(Tensor((2,), float32), Shape(ndim=2))")])
    r = b.new_register()
    b.emit_call(b.global_func("vm.builtin.tuple_get_item"), [b.param(0), 1], r)
    b.emit_ret(r)
    b.end_function()
    vm = kiln.VirtualMachine(b.finish(), kiln.cpu())
    assert vm["first"]((np.zeros(2, "float32"), (3, 4))) == (3, 4)
    with pytest.raises(kiln.Error, match=re.escape("argument 't' (0) field 1 must be Shape(ndim=2), got Shape((3,))")):
        vm["first"]([np.zeros(2, "float32"), (3,)])


def test_executable_bytes_files_and_text(tmp_path):
    ex = add_program()
    data = ex.save_to_bytes()
    assert data[:8] == b"KILNVMX\0"
    back = kiln.Executable.load_from_bytes(data)
    assert back.as_text() == ex.as_text()
    ex.save(tmp_path / "main.kvm")
    assert kiln.Executable.load(tmp_path / "main.kvm").as_text() == ex.as_text()
    assert "call @3 test.vm.py.add(%0, %1, %3)" in ex.as_text()
    for n in range(0, len(data), 7):
        with pytest.raises(kiln.Error, match="executable bytes are"):
            kiln.Executable.load_from_bytes(data[:n])
    with pytest.raises(kiln.Error, match="bad magic"):
        kiln.Executable.load_from_bytes(b"x" + data[1:])
    out, _ = kiln.VirtualMachine(back, kiln.cpu())["main"](np.ones((1, 4), "float32"), np.ones((1, 4), "float32"))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 4), 2, "float32"))


def test_profile_and_time_evaluator():
    vm = kiln.VirtualMachine(add_program(), kiln.cpu())
    x = np.ones((8, 4), "float32")
    report = vm.profile("main", x, x)
    names = {row.name for row in report.rows}
    assert names == {"vm.builtin.shape_of", "vm.builtin.alloc_tensor_simple", "test.vm.py.add", "vm.builtin.make_tuple"}
    assert all(row.calls == 1 and row.kind == "global" for row in report.rows)
    assert report.total_us >= sum(row.total_us for row in report.rows)
    assert "test.vm.py.add" in str(report) and "total" in str(report)
    result = vm.time_evaluator("main", number=5, repeat=2)(x, x)
    assert len(result.results) == 2 and result.mean > 0
    assert kiln.time_evaluator(vm["main"].function, 3, 1)(x, x).number == 3


def test_param_infos_and_builder_errors():
    assert str(ParamInfo("Tensor((n, 784), float32)")) == "Tensor((n, 784), float32)"
    assert ParamInfo("Tuple(Prim(int64), Object)") == ParamInfo(" Tuple( Prim(int64) ,Object )")
    with pytest.raises(kiln.Error, match="cannot parse struct info"):
        ParamInfo("Tensor((n,), float32")
    b = ExecBuilder()
    with pytest.raises(kiln.Error, match="no function is open"):
        b.emit_ret(0)
    b.begin_function("f", [("x", "Object")])
    with pytest.raises(kiln.Error, match="a ParamInfo or its text"):
        b.begin_function("g", [("x", 3)])
    label = b.new_label()
    b.emit_goto(label)
    with pytest.raises(kiln.Error, match="never bound"):
        b.end_function()
    assert Operand.reg(3) == Operand.reg(3) and repr(Operand.imm(-2)) == "-2"
    assert Operand.device(1).kind == "device" and repr(Operand.device(1)) == "host_device"
    with pytest.raises(kiln.Error, match="expected an Executable or a library Module"):
        kiln.VirtualMachine("main", kiln.cpu())


def test_executable_inside_a_shared_library(tmp_path):
    """An executable calling the compiled kernel add_one (of
    tests/fixtures/c/library_module.c) ships in one .so with it."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    b = ExecBuilder()
    b.begin_function("main", [("x", "Tensor((n,), float32)")])
    shape, y = b.new_register(), b.new_register()
    b.emit_call(b.global_func("vm.builtin.shape_of"), [b.param(0)], shape)
    b.emit_call(b.global_func("vm.builtin.alloc_tensor_simple"), [shape, kiln.DataType("float32"), Operand.device()], y)
    b.emit_call(b.kernel("add_one"), [b.param(0), y])
    b.emit_ret(y)
    b.end_function()
    ex = b.finish()
    (tmp_path / "exec.c").write_text(ex.as_c_source())
    lib = tmp_path / "model.so"
    subprocess.run(
        [cc, "-O2", "-shared", "-fPIC", f"-I{ROOT / 'include'}", str(ROOT / "tests/fixtures/c/library_module.c"),
         str(tmp_path / "exec.c"), "-o", str(lib)],
        check=True,
    )
    vm = kiln.VirtualMachine(kiln.load(str(lib)), kiln.cpu())
    assert vm.executable.as_text() == ex.as_text()
    x = np.arange(1000, dtype="float32")
    np.testing.assert_array_equal(vm["main"](x).numpy(), x + 1)
    kernels = tmp_path / "kernels.so"
    subprocess.run(
        [cc, "-O2", "-shared", "-fPIC", f"-I{ROOT / 'include'}", str(ROOT / "tests/fixtures/c/library_module.c"),
         "-o", str(kernels)],
        check=True,
    )
    with pytest.raises(kiln.Error, match="the library module holds no VM executable"):
        kiln.VirtualMachine(kiln.load(str(kernels)), kiln.cpu())
    vm = kiln.VirtualMachine(ex, kiln.cpu(), kernels=kiln.load(str(kernels)))  # the executable and kernels apart
    np.testing.assert_array_equal(vm["main"](x).numpy(), x + 1)


def test_shape_heap_and_planned_storage():
    from kiln.vm import DimOp, HeapOp, shape_pattern, shape_program

    b = ExecBuilder()
    b.begin_function("main", [("x", "Tensor((n, 2), float32)")])
    heap, nbytes, storage, shape, out = (b.new_register() for _ in range(5))
    b.emit_call(b.global_func("vm.builtin.alloc_shape_heap"), [2], heap)
    b.emit_call(b.global_func("vm.builtin.match_shape"),
                [b.param(0), heap, shape_pattern((DimOp.STORE, 0), (DimOp.CONST, 2)), "main: x"])
    program = shape_program((HeapOp.PUSH_SLOT, 0), (HeapOp.PUSH_CONST, 8), HeapOp.MUL, (HeapOp.STORE, 1))
    b.emit_call(b.global_func("vm.builtin.shape_compute"), [heap, program])
    b.emit_call(b.global_func("vm.builtin.heap_load"), [heap, 1], nbytes)
    b.emit_call(b.global_func("vm.builtin.alloc_storage"), [nbytes, Operand.device(), 64], storage)
    b.emit_call(b.global_func("vm.builtin.make_shape"), [heap, shape_pattern((DimOp.LOAD, 0), (DimOp.CONST, 2))], shape)
    b.emit_call(b.global_func("vm.builtin.alloc_tensor"), [storage, 0, shape, kiln.DataType("float32")], out)
    b.emit_call(b.global_func("test.vm.py.add"), [b.param(0), b.param(0), out])
    b.emit_ret(out)
    b.end_function()
    ex = b.finish()
    assert "c0 = shape (2, 0, 1, 2)" in ex.as_text() and "c2 = shape (1, 0, 0, 8, 5, 0, 2, 1)" in ex.as_text()
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    for n in (1, 5, 3):
        x = np.arange(2 * n, dtype="float32").reshape(n, 2)
        np.testing.assert_array_equal(vm["main"](x).numpy(), 2 * x)
