"""kiln.nd arrays: creation, conversion to and from NumPy and PyTorch, views,
copies and the errors of bad input."""

import numpy as np
import pytest
import torch

import kiln

ALL_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64",
              "uint8", "uint16", "uint32", "bool"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_array_round_trips_through_numpy(dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 4, 5)) * 10).astype(dtype)
    x = kiln.nd.array(a)
    assert x.shape == (3, 4, 5)
    assert x.dtype == dtype
    assert x.device == kiln.cpu()
    assert x.data_ptr % 64 == 0
    b = x.numpy()
    assert b.dtype == a.dtype
    np.testing.assert_array_equal(a, b)
    b[0, 0, 0] = 1  # numpy() is a copy
    np.testing.assert_array_equal(x.numpy(), a)


def test_array_from_lists_scalars_and_torch():
    assert kiln.nd.array([[1, 2], [3, 4]], dtype="float32").numpy().tolist() == [[1, 2], [3, 4]]
    s = kiln.nd.array(np.float32(2.5))
    assert s.shape == () and s.numpy() == 2.5
    t = torch.arange(6, dtype=torch.int64).reshape(2, 3)
    np.testing.assert_array_equal(kiln.nd.array(t).numpy(), t.numpy())


def test_array_copies_non_contiguous_sources():
    a = np.arange(12, dtype="float32").reshape(3, 4)
    np.testing.assert_array_equal(kiln.nd.array(a.T).numpy(), a.T)
    np.testing.assert_array_equal(kiln.nd.array(a[:, ::2]).numpy(), a[:, ::2])
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()
    np.testing.assert_array_equal(kiln.nd.array(t).numpy(), t.numpy())


def test_bfloat16_from_torch():
    t = torch.tensor([1.5, -2.0, 3.25], dtype=torch.bfloat16)
    x = kiln.nd.array(t)
    assert x.dtype == "bfloat16"
    back = torch.from_dlpack(x)
    assert torch.equal(back, t)
    with pytest.raises(kiln.Error, match="NumPy has no bfloat16"):
        x.numpy()


def test_empty_view_copyto_copyfrom():
    x = kiln.nd.empty((2, 8), "float32")
    x.copyfrom(np.arange(16, dtype="float32").reshape(2, 8))
    v = x.view((4, 4))
    assert v.shape == (4, 4)
    np.testing.assert_array_equal(v.numpy(), np.arange(16).reshape(4, 4))
    raw = x.view((64,), "uint8")
    assert raw.nbytes == 64
    y = x.copyto(kiln.cpu())
    assert y.data_ptr != x.data_ptr
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    with pytest.raises(kiln.Error, match="view of shape \\(5, 4\\)"):
        x.view((5, 4))
    with pytest.raises(kiln.Error, match="different shapes"):
        x.copyfrom(np.zeros((3, 3), "float32"))


def test_repr_shows_values():
    r = repr(kiln.nd.array(np.array([1, 2], dtype="int32")))
    assert "shape=(2,)" in r and "int32" in r and "[1, 2]" in r


@pytest.mark.parametrize("bad", ["float33", "floaty", "int7", ""])
def test_unknown_dtype(bad):
    with pytest.raises(kiln.Error, match=f'unknown dtype "{bad}"'):
        kiln.nd.empty((2,), bad)


def test_negative_dimension():
    with pytest.raises(kiln.Error, match="negative dimension -3 at axis 1"):
        kiln.nd.empty((2, -3), "float32")


def test_unsupported_numpy_dtype():
    with pytest.raises(kiln.Error, match="no Kiln equivalent"):
        kiln.nd.array(np.array(["a", "b"]))
    with pytest.raises(kiln.Error, match="complex"):
        kiln.nd.array(np.zeros(2, np.complex64))


def test_datatype_and_device_objects():
    t = kiln.DataType("float32x8")
    assert (t.bits, t.lanes, t.bytes) == (32, 8, 32)
    assert t == "float32x8" and str(t) == "float32x8"
    assert kiln.DataType(np.float16) == "float16"
    assert kiln.DataType(torch.bfloat16) == "bfloat16"
    assert kiln.cuda(1) == kiln.Device("cuda:1")
    assert str(kiln.cpu()) == "cpu:0" and kiln.cuda(1).device_type == "cuda"
    with pytest.raises(kiln.Error, match="unknown device"):
        kiln.Device("tpu")


def test_cuda_array_without_a_driver_is_an_error():
    with pytest.raises(kiln.Error, match="cuda:0 is not available"):
        kiln.nd.empty((2,), "float32", kiln.cuda(0))
