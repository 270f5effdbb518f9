"""Every registered relax operator as a Python function, made from the op
registry at import: ``op.matmul(x, w)``, ``op.sum(x, axis=[1], keepdims=True)``.
Each returns a :class:`kiln.relax.Call` whose attributes were checked against
the op's declaration; struct info is filled in by normalisation."""

from .._core.relax import call_op, list_ops

__all__ = []


def _make(op):
    short = op.name.split(".", 1)[1]
    arg_names = list(op.arg_names)

    def call(*args, sinfo_args=None, **attrs):
        if not op.variadic and len(args) > len(arg_names):
            from .. import Error

            raise Error(f"{op.name} takes {len(arg_names)} arguments ({', '.join(arg_names)}), got {len(args)}")
        return call_op(op.name, list(args), attrs, sinfo_args)

    call.__name__ = short
    call.__qualname__ = short
    defaults = ", ".join(f"{k}={v!r}" for k, v in op.attr_defaults.items())
    signature = ", ".join(arg_names + ([defaults] if defaults else []))
    call.__doc__ = f"{short}({signature})\n\n{op.description}\n\nPattern kind: {op.pattern}."
    return short, call


class _Namespace:
    """Ops of a dotted family, e.g. ``op.memory.alloc_storage`` for
    relax.memory.alloc_storage."""


for _op in list_ops():
    if _op.name.startswith("relax."):
        _name, _fn = _make(_op)
        if "." in _name:  # relax.builtin.alloc_tensor -> op.builtin.alloc_tensor
            _family, _fn.__name__ = _name.rsplit(".", 1)
            if _family not in globals():
                globals()[_family] = _Namespace()
                __all__.append(_family)
            setattr(globals()[_family], _fn.__name__, _fn)
            continue
        globals()[_name] = _fn
        __all__.append(_name)
