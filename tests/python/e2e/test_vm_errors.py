"""Bad input at run time, on modules from kiln.compile: wrong rank, dtype,
constant dimension, a symbolic dimension two parameters share, argument
count, non-tensors, tuples and shapes, strided tensors. Each raises
kiln.Error naming the function, the argument and the struct info it
expects, and the VM (and one loaded from an exported library) gives the
right result on the next call."""

import re

import numpy as np
import pytest

import kiln

TEXT = """
module {
  func @main(x: Tensor((n, 4), float32), y: Tensor((n, 4), float32), t: Tuple(Tensor((m,), int32), Tensor((m,), int32)),
             s: Shape((n, k))) -> Tensor((n, 4), float32) {
    attrs {"global_symbol": "main"}
    z = add(x, y)
    return z
  }
  func @scale(x: Tensor((n, 4), float32), y: Tensor((n * 2, 4), float32)) -> Tensor((n * 2, 4), float32) {
    attrs {"global_symbol": "scale"}
    z = concat((x, x), axis=0)
    w = multiply(z, y)
    return w
  }
}
"""

X_SINFO = "Tensor((n, 4), float32)"
SIGNATURE = (
    "main(x: Tensor((n, 4), float32), y: Tensor((n, 4), float32), t: Tuple(Tensor((m,), int32), "
    "Tensor((m,), int32)), s: Shape((n, k)))"
)


@pytest.fixture(scope="module")
def compiled():
    return kiln.compile(kiln.parse(TEXT))


@pytest.fixture(scope="module", params=["compiled", "library"])
def vm(request, compiled, tmp_path_factory):
    """A VM over the compiled module, and one over its exported library."""
    if request.param == "compiled":
        return kiln.VirtualMachine(compiled, kiln.cpu())
    path = tmp_path_factory.mktemp("lib") / "errors.so"
    compiled.export_library(path)
    return kiln.VirtualMachine(kiln.load(str(path)), kiln.cpu())


x = np.arange(8, dtype="float32").reshape(2, 4)
y = np.full((2, 4), 0.5, "float32")
t = (np.zeros(3, "int32"), np.ones(3, "int32"))
s = (2, 7)
GOOD = (x, y, t, s)


def replace(i, value):
    args = list(GOOD)
    args[i] = value
    return tuple(args)


CASES = {
    "rank": (
        replace(0, x[0]),
        f"main: argument 'x' (0) must be {X_SINFO}, got Tensor((4,), float32): rank 1, expected 2",
    ),
    "dtype": (
        replace(0, x.astype("float64")),
        f"main: argument 'x' (0) must be {X_SINFO}, got Tensor((2, 4), float64): dtype float64, expected float32",
    ),
    "constant_dim": (
        replace(1, np.zeros((2, 5), "float32")),
        f"main: argument 'y' (1) must be {X_SINFO}, got Tensor((2, 5), float32): dimension 1 is 5, expected 4",
    ),
    "symbolic_dim": (
        replace(1, np.zeros((3, 4), "float32")),
        f"main: argument 'y' (1) must be {X_SINFO}, got Tensor((3, 4), float32): "
        "dimension 0 is 3 but n = 2 from argument 'x' (0)",
    ),
    "too_few": ((x, y), f"main takes 4 arguments but was called with 2: {SIGNATURE}"),
    "too_many": (GOOD + (x,), f"main takes 4 arguments but was called with 5: {SIGNATURE}"),
    "int": (replace(1, 3), f"main: argument 'y' (1) must be {X_SINFO}, got int 3"),
    "str": (replace(1, "abc"), f"main: argument 'y' (1) must be {X_SINFO}, got str \"abc\""),
    "none": (replace(0, None), f"main: argument 'x' (0) must be {X_SINFO}, got None"),
    "list": (replace(0, [1.0, 2.0]), f"main: argument 'x' (0) must be {X_SINFO}, got Tuple(float 1, float 2)"),
    "tuple_length": (
        replace(2, t[:1]),
        "main: argument 't' (2) must be Tuple(Tensor((m,), int32), Tensor((m,), int32)), "
        "got Tuple(Tensor((3,), int32)): 1 fields, expected 2",
    ),
    "tuple_field": (
        replace(2, (t[0], np.zeros(4, "int32"))),
        "main: argument 't' (2) field 1 must be Tensor((m,), int32), got Tensor((4,), int32): "
        "dimension 0 is 4 but m = 3 from argument 't' (2) field 0",
    ),
    "shape": (
        replace(3, (3, 7)),
        "main: argument 's' (3) must be Shape((n, k)), got Shape((3, 7)): "
        "dimension 0 is 3 but n = 2 from argument 'x' (0)",
    ),
    "tensor_for_shape": (replace(3, x), "main: argument 's' (3) must be Shape((n, k)), got Tensor((2, 4), float32)"),
}


def expected_main(args):
    return args[0] + args[1]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_argument_raises_and_vm_stays_usable(vm, case):
    args, message = CASES[case]
    with pytest.raises(kiln.Error) as e:
        vm["main"](*args)
    assert message in str(e.value)
    np.testing.assert_array_equal(vm["main"](*GOOD).numpy(), expected_main(GOOD))


def test_strided_tensor_is_named(compiled):
    torch = pytest.importorskip("torch")
    vm = kiln.VirtualMachine(compiled, kiln.cpu())
    xt = torch.arange(8, dtype=torch.float32).reshape(4, 2).t()  # strides (1, 2)
    for value in (xt, kiln.from_dlpack(xt)):
        with pytest.raises(kiln.Error) as e:
            vm["main"](value, *GOOD[1:])
        assert (
            f"main: argument 'x' (0) must be {X_SINFO}, got Tensor((2, 4), float32): strides (1, 2) are not "
            "compact; pass a row-major (contiguous) copy" in str(e.value)
        )
    # Contiguous views (an offset, unit dimensions with any stride) are fine;
    # NumPy arrays that are not contiguous are copied on the way in.
    view = torch.arange(12, dtype=torch.float32).reshape(3, 4)[1:]
    np.testing.assert_array_equal(vm["main"](view, *GOOD[1:]).numpy(), view.numpy() + y)
    np.testing.assert_array_equal(vm["main"](np.ascontiguousarray(x.T).T, *GOOD[1:]).numpy(), x + y)


def test_invoke_profile_and_timer_check_arguments_too(vm):
    bad = replace(1, np.zeros((3, 4), "float32"))
    message = "dimension 0 is 3 but n = 2 from argument 'x' (0)"
    with pytest.raises(kiln.Error, match=re.escape(message)):
        vm.invoke("main", *bad)
    with pytest.raises(kiln.Error, match=re.escape(message)):
        vm.profile("main", *bad)
    with pytest.raises(kiln.Error, match=re.escape(message)):
        vm.time_evaluator("main", number=1, repeat=1)(*bad)
    np.testing.assert_array_equal(vm.invoke("main", *GOOD).numpy(), expected_main(GOOD))
    assert any(row.name == "add" for row in vm.profile("main", *GOOD).rows)


def test_unknown_function_lists_the_functions(vm):
    with pytest.raises(kiln.Error, match=r"no function 'mian' \(did you mean 'main'\?\); the executable has: "):
        vm["mian"]


def test_derived_dimension_mismatch_is_caught(vm):
    """y's first dimension is n * 2: the parameter check prints expressions
    without checking them, the shape code the compiler emits checks it."""
    xs, good_y = np.ones((2, 4), "float32"), np.full((4, 4), 3.0, "float32")
    with pytest.raises(kiln.Error) as e:
        vm["scale"](xs, np.ones((5, 4), "float32"))
    assert "scale: argument 'y'" in str(e.value)
    assert "got Tensor((5, 4), float32): dimension 0 is 5, expected 4" in str(e.value)
    np.testing.assert_array_equal(vm["scale"](xs, good_y).numpy(), good_y)


def test_derived_dimension_mismatch_names_the_struct_info(vm):
    with pytest.raises(kiln.Error) as e:
        vm["scale"](np.ones((2, 4), "float32"), np.ones((5, 4), "float32"))
    assert "scale: argument 'y'" in str(e.value)
    assert "Tensor((n * 2, 4), float32)" in str(e.value)
