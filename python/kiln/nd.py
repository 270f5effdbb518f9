"""Arrays: ``kiln.nd.array`` copies from NumPy, PyTorch or any DLPack tensor;
``kiln.from_dlpack`` shares memory instead. ``save`` and ``load`` write and read
named arrays in Kiln's array file format (how weights ship)."""

from typing import Dict, Optional

import numpy as np

from ._core import Device, Error, NDArray, cpu, empty, from_dlpack, load_arrays, save_arrays

__all__ = ["NDArray", "array", "empty", "from_dlpack", "save", "load"]


def array(data, device: Optional[Device] = None, dtype=None) -> NDArray:
    """A new Kiln array holding a copy of ``data`` (a NumPy array, a PyTorch
    tensor, a Kiln array, any DLPack tensor, or nested lists and scalars).

    Examples:
        >>> a = kiln.nd.array([[1, 2], [3, 4]], dtype="float32")
        >>> a.shape, a.dtype
        ((2, 2), 'float32')
        >>> a.numpy().sum()
        np.float32(10.0)
    """
    device = device if device is not None else cpu()
    if isinstance(data, NDArray) and dtype is None:
        source = data
    elif hasattr(data, "__dlpack__") and dtype is None and not isinstance(data, (np.ndarray, np.generic)):
        source = from_dlpack(data)
    else:
        a = np.asarray(data, dtype=dtype, order="C")  # keeps 0-d arrays 0-d
        if a.dtype.kind not in "biuf":
            raise Error(f"kiln.nd.array: NumPy dtype {a.dtype} has no Kiln equivalent")
        if not a.flags.writeable:
            a = a.copy()
        source = from_dlpack(a)
    return empty(source.shape, source.dtype, device).copyfrom(source)


def save(path: str, arrays: Dict[str, object]) -> None:
    """Writes named arrays (Kiln arrays or anything ``array`` accepts) to one file."""
    items = [(name, a if isinstance(a, NDArray) else array(a)) for name, a in arrays.items()]
    save_arrays(str(path), items)


def load(path: str) -> Dict[str, NDArray]:
    """Reads a file written by ``save``; names keep their order."""
    return dict(load_arrays(str(path)))
