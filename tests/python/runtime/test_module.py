"""Modules: load a shared library compiled from C at test time, call its
functions with NumPy and Kiln arrays, with 1 and 2 threads; bad files."""

import numpy as np
import pytest

import kiln


@pytest.fixture(params=[1, 2])
def threads(request):
    saved = kiln.num_threads()
    kiln.set_num_threads(request.param)
    yield request.param
    kiln.set_num_threads(saved)


def test_load_and_call(library_so, threads):
    mod = kiln.load(str(library_so))
    assert mod.kind == "library"
    x = np.arange(10000, dtype="float32")
    y = kiln.nd.empty((10000,), "float32")
    mod["add_one"](x, y)
    np.testing.assert_array_equal(y.numpy(), x + 1)
    y_np = np.zeros(10000, "float32")
    mod["add_one"](kiln.nd.array(x), y_np)  # output written in place, zero-copy
    np.testing.assert_array_equal(y_np, x + 1)
    assert mod["scale"](3, 0.25) == 0.75
    assert mod["workspace"](1 << 20) == 1


def test_errors_from_compiled_code(library_so):
    mod = kiln.load(str(library_so))
    with pytest.raises(kiln.Error, match="compiled function 'add_one' failed: add_one: x and y"):
        mod["add_one"](np.zeros(3, "float32"), np.zeros(4, "float32"))
    with pytest.raises(kiln.Error, match="add_one expects two tensors"):
        mod["add_one"](1, 2)
    with pytest.raises(kiln.Error, match="has no function 'nope'"):
        mod["nope"]
    assert mod.get_function("nope") is None


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(kiln.Error, match="no such file"):
        kiln.load(str(tmp_path / "missing.so"))
    bad = tmp_path / "bad.so"
    bad.write_bytes(b"\x7fELF garbage")
    with pytest.raises(kiln.Error, match="cannot load shared library"):
        kiln.load(str(bad))
    odd = tmp_path / "model.xyz"
    odd.write_bytes(b"")
    with pytest.raises(kiln.Error, match="no loader for files ending in '.xyz'"):
        kiln.load(str(odd))
