"""``Dim``: a named symbolic dim with an optional range, for the
``input_specs`` of :func:`kiln.frontend.from_torch` and
:func:`kiln.frontend.from_fx`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

__all__ = ["Dim"]


@dataclass(frozen=True)
class Dim:
    """A symbolic dim called ``name`` whose values lie in [min, max] (None:
    unbounded). ``(Dim("batch", max=64), 128)`` is a shape whose first dim is
    the size variable ``batch``; a plain string ``"batch"`` is the same dim
    without a range. The importer records a finite ``max`` in the function
    attribute "tir_var_upper_bound" (memory planning then plans the sizes
    using ``batch`` at 64) and a ``min`` above 0 in "tir_var_lower_bound".

    Examples:
        >>> kiln.frontend.Dim("batch", min=1, max=64)
        Dim(name='batch', min=1, max=64)
    """

    name: str
    min: Optional[int] = None
    max: Optional[int] = None

    def __post_init__(self):
        from .._core import Error

        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise Error(f"kiln.frontend.Dim: the name must be an identifier, got {self.name!r}")
        for what in ("min", "max"):
            v = getattr(self, what)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                raise Error(f"kiln.frontend.Dim({self.name!r}): {what} must be an int >= 0, got {v!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise Error(f"kiln.frontend.Dim({self.name!r}): min {self.min} is above max {self.max}")
