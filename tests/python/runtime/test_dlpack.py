"""Zero-copy exchange with NumPy and PyTorch through DLPack, verified by
writing through one side and reading on the other, in both directions."""

import ctypes
import gc

import numpy as np
import pytest
import torch

import kiln


def test_numpy_into_kiln_shares_memory():
    a = np.zeros((3, 4), dtype="float32")
    x = kiln.from_dlpack(a)
    assert x.data_ptr == a.ctypes.data
    a[1, 2] = 5.0  # write on the NumPy side ...
    assert x.numpy()[1, 2] == 5.0  # ... read on the Kiln side
    np.from_dlpack(x)[0, 0] = -1.0  # write through a view of the Kiln array
    assert a[0, 0] == -1.0


def test_kiln_into_numpy_shares_memory():
    x = kiln.nd.array(np.arange(8, dtype="int32"))
    v = np.from_dlpack(x)
    assert v.ctypes.data == x.data_ptr
    v[3] = 100
    assert x.numpy()[3] == 100


def test_torch_into_kiln_shares_memory():
    t = torch.zeros(2, 3)
    x = kiln.from_dlpack(t)
    assert x.data_ptr == t.data_ptr()
    t[1, 1] = 7.0
    assert x.numpy()[1, 1] == 7.0


def test_kiln_into_torch_shares_memory():
    x = kiln.nd.array(np.zeros((4,), dtype="float64"))
    t = torch.from_dlpack(x)
    assert t.data_ptr() == x.data_ptr
    t[2] = 3.5
    assert x.numpy()[2] == 3.5
    assert t.dtype == torch.float64


def test_strided_torch_tensor_keeps_strides():
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()
    x = kiln.from_dlpack(t)
    assert x.shape == (4, 3)
    assert x.strides == (1, 4)
    assert not x.is_contiguous
    np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_empty_array_counts_as_compact():
    # NumPy gives an empty array zero strides; with no element to address,
    # Kiln takes it as compact, so a VM or kernel argument check accepts it
    # (a key/value cache before the first token is empty along one axis).
    a = np.zeros((1, 4, 0, 8), dtype="float32")
    assert a.strides == (0, 0, 0, 0)
    x = kiln.from_dlpack(a)
    assert x.shape == (1, 4, 0, 8) and x.is_contiguous


def test_lifetime_producer_dropped_first():
    x = kiln.from_dlpack(np.arange(1000, dtype="float32"))
    gc.collect()
    assert x.numpy()[999] == 999.0  # the NumPy array lives as long as x


def test_lifetime_kiln_dropped_first():
    x = kiln.nd.array(np.arange(1000, dtype="float32"))
    t = torch.from_dlpack(x)
    del x
    gc.collect()
    assert t[999].item() == 999.0


def test_capsule_is_consumed_once():
    x = kiln.nd.array(np.ones(3, "float32"))
    cap = x.__dlpack__()
    assert x.__dlpack_device__() == (1, 0)

    class Holder:
        def __dlpack__(self):
            return cap

    kiln.from_dlpack(Holder())
    with pytest.raises(kiln.Error, match="unused DLPack capsule"):
        kiln.from_dlpack(Holder())


def test_versioned_capsule_when_asked():
    x = kiln.nd.array(np.ones(3, "float32"))
    cap = x.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(cap)
    assert "dltensor_versioned" not in repr(x.__dlpack__())
    copied = np.from_dlpack(x, copy=True)
    copied[0] = 9
    assert x.numpy()[0] == 1


def test_object_without_dlpack():
    with pytest.raises(kiln.Error, match="a list does not support DLPack"):
        kiln.from_dlpack([1, 2])


# A hand-built DLPack capsule on a device Kiln does not support (Vulkan).
class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.CFUNCTYPE(None, ctypes.c_void_p))]


def test_unsupported_device_is_an_error():
    shape = (ctypes.c_int64 * 1)(4)
    buf = (ctypes.c_float * 4)()
    deleted = []
    deleter = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda p: deleted.append(p))
    managed = _DLManagedTensor()
    managed.dl_tensor = _DLTensor(ctypes.cast(buf, ctypes.c_void_p), _DLDevice(7, 0), 1,
                                  _DLDataType(2, 32, 1), shape, None, 0)
    managed.deleter = deleter
    new_capsule = ctypes.pythonapi.PyCapsule_New
    new_capsule.restype = ctypes.py_object
    new_capsule.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    cap = new_capsule(ctypes.addressof(managed), b"dltensor", None)  # legacy: no versioned form offered

    class Vulkan:
        def __dlpack__(self):  # a producer that predates DLPack 1.0
            return cap

    with pytest.raises(kiln.Error, match="unsupported device vulkan"):
        kiln.from_dlpack(Vulkan())
    assert len(deleted) == 1  # Kiln took ownership and released it
