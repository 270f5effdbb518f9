"""New operators from Python. :func:`register_op` enters an op in the same
registry as Kiln's own (``src/relax/op/*.cc``): after it, the op is called
with ``kiln.relax.op.<family>.<name>(...)`` or :func:`call_op`, parses and
prints in text (``kiln.parse``), is legalized by ``LegalizeOps``, fused and
compiled like a built-in op.

.. code-block:: python

    def infer(call):                      # the output's struct info
        return call.args[0].struct_info

    def legalize(bb, call):               # the op as a tir kernel (compute DSL)
        beta = call.attrs["beta"]
        return relax.call_te(bb, call, "swish_beta",
                             lambda x: te.compute(x.shape, lambda *i: x[i] * tir.sigmoid(beta * x[i])))

    relax.register_op("custom.swish_beta", args=["x"], attrs={"beta": 1.0},
                      infer=infer, legalize=legalize, pattern="elementwise")
    y = relax.op.custom.swish_beta(x, beta=1.5)
"""

import atexit
from typing import Callable, Optional, Sequence

from .._core import DataType
from .._core.relax import Call, Op, _register_op, _remove_op, call_op as _call_op
from . import op as _op_module

__all__ = ["call_op", "register_op", "remove_op"]

_PATTERNS = ("elementwise", "broadcast", "injective", "reduction", "output_fusible", "opaque")
_TYPE_KINDS = {int: "int", float: "float", bool: "bool", str: "str", DataType: "dtype", list: "int_list"}
_python_ops = []


def _attr_spec(op_name, name, value):
    """(name, kind, default, doc) from an ``attrs`` entry: a default value,
    a type (a required attribute), or a (kind, default) pair."""
    if isinstance(value, tuple):
        kind, default = value
        return (name, kind, default, "")
    if isinstance(value, type):
        if value not in _TYPE_KINDS:
            raise TypeError(f"register_op({op_name}): attribute '{name}' has unsupported type {value.__name__}")
        return (name, _TYPE_KINDS[value], None, "")
    for t in (bool, int, float, str, DataType, list):  # bool before int: True is an int
        if isinstance(value, t):
            return (name, _TYPE_KINDS[t], value, "")
    raise TypeError(
        f"register_op({op_name}): attribute '{name}' has a default of type {type(value).__name__}; "
        "give a (kind, default) pair, e.g. ('optional_int', None)"
    )


def _family_and_name(full_name):
    """Where the op's wrapper lives in kiln.relax.op: relax.foo -> ("", "foo"),
    custom.swish_beta -> ("custom", "swish_beta")."""
    parts = full_name.split(".")
    if parts[0] == "relax":
        parts = parts[1:]
    return ".".join(parts[:-1]), parts[-1]


def _install(op: Op):
    _, fn = _op_module._make(op)
    family, fn.__name__ = _family_and_name(op.name)
    scope = _op_module
    for part in family.split(".") if family else []:
        if not hasattr(scope, part):
            setattr(scope, part, _op_module._Namespace())
        scope = getattr(scope, part)
    setattr(scope, fn.__name__, fn)


def _uninstall(full_name):
    family, name = _family_and_name(full_name)
    scope = _op_module
    for part in family.split(".") if family else []:
        scope = getattr(scope, part, None)
    if scope is not None and hasattr(scope, name):
        delattr(scope, name)


def register_op(
    name: str,
    infer: Callable,
    legalize: Optional[Callable] = None,
    pattern: str = "opaque",
    args: Sequence[str] = ("x",),
    attrs: Optional[dict] = None,
    description: str = "",
    variadic: bool = False,
    num_optional: int = 0,
    is_pure: bool = True,
) -> Op:
    """Registers op ``name`` ("custom.swish_beta"; a name without a dot is
    "relax.<name>") and returns it. Raises kiln.Error when the name is taken.

    - ``infer(call) -> StructInfo``: the output's struct info from the call
      (``call.args[i].struct_info``, ``call.attrs``). Raise (any exception)
      for bad input: it reaches the user as a kiln.Error naming the op.
    - ``legalize(bb, call) -> Expr``: the call rewritten to call a tir
      kernel, usually :func:`kiln.relax.call_te`. Without it the op must be
      lowered by a pass of your own (or ``register_legalize`` per target).
    - ``pattern``: the op's kind: elementwise, broadcast, injective,
      reduction, output_fusible or opaque, as for the built-in ops (read
      by ConvertConvLayout and the pattern language). Fusion, like for
      built-in ops, reads the kind of the kernel the legalization makes
      (AnnotateTIROpPattern).
    - ``args``: argument names; the last ``num_optional`` may be left out,
      and with ``variadic`` the last repeats.
    - ``attrs``: name -> default value (its kind from its type: int, float,
      bool, str, kiln.DataType, list of ints), or a type for a required
      attribute (``{"axis": int}``), or a (kind, default) pair for the
      optional kinds (``("optional_int", None)``).
    """
    from .. import Error

    if not callable(infer):
        raise Error(f"register_op({name}): infer must be callable, got {type(infer).__name__}")
    if pattern not in _PATTERNS:
        raise Error(f"register_op({name}): unknown pattern kind '{pattern}' ({', '.join(_PATTERNS)})")
    specs = [_attr_spec(name, k, v) for k, v in (attrs or {}).items()]
    op = _register_op(name, description, list(args), variadic, num_optional, specs, pattern, infer, legalize, is_pure)
    _python_ops.append(op.name)
    _install(op)
    return op


def remove_op(name: str) -> None:
    """Takes an op registered at run time out of the registry and out of
    kiln.relax.op. Calls made before keep working as IR; the name no
    longer resolves (e.g. in ``kiln.parse``)."""
    full = name if "." in name else "relax." + name
    _remove_op(full)
    _uninstall(full)
    if full in _python_ops:
        _python_ops.remove(full)


def call_op(name: str, *args, sinfo_args=None, **attrs) -> Call:
    """A call of the op called ``name`` (built-in or registered), its
    attributes checked against the op's declaration and completed with
    defaults: ``call_op("custom.swish_beta", x, beta=2.0)``."""
    return _call_op(name, list(args), attrs, sinfo_args)


@atexit.register
def _remove_python_ops():
    # The C++ registry outlives the interpreter; drop the Python callables
    # its ops hold while Python can still release them.
    for name in list(_python_ops):
        _remove_op(name)
