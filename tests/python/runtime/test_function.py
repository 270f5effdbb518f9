"""Functions across the language boundary: C++ functions called from Python,
Python functions registered by name and called from C++, errors both ways."""

import numpy as np
import pytest

import kiln


def call_from_cpp(name, *args):
    # testing.call_global is C++: it looks `name` up in the registry and calls it.
    return kiln.get_global_func("testing.call_global")(name, *args)


def test_python_function_called_from_cpp():
    @kiln.register_func("test.py.add")
    def add(a, b):
        return a + b

    assert add(1, 2) == 3  # the decorator leaves a plain Python function
    assert call_from_cpp("test.py.add", 40, 2) == 42
    assert call_from_cpp("test.py.add", "ab", "cd") == "abcd"
    kiln.remove_global_func("test.py.add")


def test_register_by_function_name_and_override():
    @kiln.register_func
    def test_py_named():
        return "first"

    assert call_from_cpp("test_py_named") == "first"
    with pytest.raises(kiln.Error, match="already registered"):
        kiln.register_func("test_py_named", lambda: "second")
    kiln.register_func("test_py_named", lambda: "second", override=True)
    assert call_from_cpp("test_py_named") == "second"
    assert "test_py_named" in kiln.list_global_func_names()
    assert kiln.remove_global_func("test_py_named")


def test_values_of_every_kind_cross_and_come_back():
    echo = kiln.get_global_func("testing.echo")
    x = kiln.nd.array(np.arange(3, dtype="float32"))
    assert echo(None) is None
    assert echo(True) is True
    assert echo(7) == 7 and isinstance(echo(7), int)
    assert echo(2.5) == 2.5
    assert echo("text") == "text"
    assert echo((2, 3, 4)) == (2, 3, 4)
    assert echo([1, "a", [2.5, None]]) == [1, "a", [2.5, None]]
    assert echo(kiln.DataType("int8")) == "int8"
    assert echo(kiln.cuda(3)) == kiln.cuda(3)
    assert echo(x).data_ptr == x.data_ptr
    assert echo(echo).name == "testing.echo"
    assert echo(np.int64(5)) == 5
    assert echo(np.float32(0.5)) == 0.5
    f = echo(lambda v: v * 3)
    assert isinstance(f, kiln.Function) and f(4) == 12
    a = np.ones(2, "float32")
    assert echo(a).data_ptr == a.ctypes.data  # NumPy arrays cross without a copy


def test_cpp_error_reaches_python_with_location():
    with pytest.raises(kiln.Error) as info:
        kiln.get_global_func("testing.raise_error")("bad thing happened")
    assert "bad thing happened" in str(info.value)
    assert "raised at src/python/testing.cc:" in str(info.value)


def test_python_error_reaches_cpp_caller_and_back():
    def fail(v):
        raise ValueError(f"python says no to {v}")

    kiln.register_func("test.py.fail", fail)
    try:
        with pytest.raises(kiln.Error, match="Python function 'test.py.fail' raised ValueError: python says no to 3"):
            call_from_cpp("test.py.fail", 3)
        assert call_from_cpp("testing.echo", 1) == 1  # the process goes on
    finally:
        kiln.remove_global_func("test.py.fail")


def test_bad_return_value_is_an_error():
    kiln.register_func("test.py.bad_return", lambda: object())
    try:
        with pytest.raises(kiln.Error, match="cannot pass a Python object"):
            call_from_cpp("test.py.bad_return")
    finally:
        kiln.remove_global_func("test.py.bad_return")


def test_wrong_argument_count_and_kinds():
    evaluator = kiln.get_global_func("runtime.TimeEvaluator")
    with pytest.raises(kiln.Error, match="takes 4 arguments but was called with 1"):
        evaluator(1)
    with pytest.raises(kiln.Error, match="argument 0: expected Function, got int"):
        evaluator(1, 2, 3, 4.0)
    with pytest.raises(kiln.Error, match="cannot pass a Python dict"):
        kiln.get_global_func("testing.echo")({})
    with pytest.raises(kiln.Error, match="does not fit in 64 bits"):
        kiln.get_global_func("testing.echo")(1 << 70)


def test_missing_global_function():
    with pytest.raises(kiln.Error, match="no global function named 'testing.ech'.*did you mean 'testing.echo'"):
        kiln.get_global_func("testing.ech")
    assert kiln.get_global_func("no.such.function", allow_missing=True) is None
