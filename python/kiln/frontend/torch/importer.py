"""The graph walk shared by the three entry points: an FX graph in the core
ATen op set becomes one relax function "main".

Placeholders become parameters (user inputs first, then the weights when they
are kept as inputs) or constants; each ``call_function`` node is converted by
the converter its target is registered under (registry.py) and bound to a
variable named after the node; nodes computing a symbolic int (``sym_size``,
``operator.mul`` on sizes) become ``tir`` expressions read from the node's
``meta["val"]``. Symbols of torch's shape environment (``s0``, ``s23``)
become ``tir.SizeVar``s named as the user named the dims; their ranges
(``sym_ranges``: torch's symbol name -> (lower, upper), None where unbounded)
become the function attributes "tir_var_lower_bound" and
"tir_var_upper_bound" (lists of ["var name", bound] pairs, the format
StaticPlanBlockMemory reads).

Before converting anything the walk checks every target, so an unsupported
op is reported together with all the others of the graph."""

import operator

import numpy as np
import torch

from ... import relax, tir
from ..._core import DataType, Error
from .registry import lookup

_SCALARS = (torch.SymInt, torch.SymFloat, torch.SymBool, int, float, bool)
EXPR = (relax.Var, relax.Constant, relax.Call, relax.Tuple, relax.TupleGetItem, relax.ShapeExpr, relax.PrimValue)


def dtype_name(dtype):
    """'float32' for torch.float32."""
    return str(dtype).removeprefix("torch.")


def target_name(target):
    """How errors name a node's target: 'aten.add.Tensor', 'operator.getitem'."""
    if isinstance(target, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        return str(target)
    if isinstance(target, str):
        return target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    return f"{'operator' if module == '_operator' else module}.{name}".lstrip(".")


class Context:
    """What a converter sees: the block builder, the node being converted
    and helpers over relax expressions and the node's traced values."""

    def __init__(self, importer):
        self._importer = importer
        self.bb = importer.bb
        self.node = None
        # id(reshape result) -> (it, the tensor it reshapes); see shape.reshape:
        # chains of reshapes collapse, and matrix products see through the
        # flattening torch does around them.
        self.reshaped = {}

    # The node's traced value (a FakeTensor, a tuple of them or a scalar).
    def val(self, node=None):
        return (node or self.node).meta.get("val")

    def out_shape(self, index=None):
        """The shape of the node's output (or of its output `index`), as ints
        and tir expressions."""
        val = self.val()
        if index is not None:
            val = val[index]
        return [self.sym(d) for d in val.shape]

    def out_dtype(self, index=None):
        val = self.val()
        if index is not None:
            val = val[index]
        return dtype_name(val.dtype)

    def arg_val(self, i):
        """The traced value of the node's positional argument `i` (a
        FakeTensor for a tensor, the number itself for a scalar)."""
        a = self.node.args[i]
        return a.meta.get("val") if isinstance(a, torch.fx.Node) else a

    def promoted_dtype(self, *indices):
        """torch's type promotion over the given positional arguments."""
        vals = [self.arg_val(i) for i in indices]
        vals = [v.node.hint if isinstance(v, torch.SymInt) else v for v in vals]
        return dtype_name(torch.result_type(*vals) if len(vals) == 2 else vals[0].dtype)

    def sym(self, value):
        """An int, SymInt or sympy expression as an int or tir expression."""
        return self._importer.sym_expr(value)

    # Relax helpers.
    def emit(self, expr, name=""):
        return self.bb.emit(expr, name)

    @staticmethod
    def shape(expr):
        """The shape of a relax tensor: ints where static, tir expressions."""
        return [d.value if isinstance(d, tir.IntImm) else d for d in expr.struct_info.shape]

    @staticmethod
    def ndim(expr):
        return expr.struct_info.ndim

    @staticmethod
    def dtype(expr):
        return str(expr.struct_info.dtype)

    def const(self, value, dtype):
        return relax.Constant(np.asarray(value, dtype=dtype))

    def tensor(self, value, dtype):
        """`value` as a relax tensor of `dtype`: a Python scalar becomes a
        0-d constant, a symbolic int a 0-d tensor computed from it, a tensor
        of another dtype is cast."""
        if isinstance(value, (bool, int, float)):
            return self.const(value, dtype)
        if isinstance(value, tir.PrimExpr):
            one = relax.PrimValue(value)
            r = relax.op.arange(one, relax.PrimValue(value + 1), relax.PrimValue(1), dtype="int64")
            return self.astype(relax.op.reshape(self.emit(r), relax.ShapeExpr([])), dtype)
        return self.astype(value, dtype)

    def astype(self, expr, dtype):
        if expr.struct_info is not None and str(expr.struct_info.dtype) == dtype:
            return expr
        return relax.op.astype(expr, dtype=DataType(dtype))

    def source(self, x):
        """The tensor `x` is a reshape of, or `x`."""
        entry = self.reshaped.get(id(x))
        return entry[1] if entry is not None and entry[0] is x else x

    @staticmethod
    def same_shape(a, b):
        return len(a) == len(b) and all(str(x) == str(y) for x, y in zip(a, b))

    def axis(self, axis, ndim):
        return axis + ndim if axis < 0 else axis


class Importer:
    """Converts one FX graph. `sym_names` maps torch's symbol names to the
    names the user gave the dims."""

    def __init__(self, graph, sym_names=None, what="kiln.frontend"):
        self.graph = graph
        self.sym_names = dict(sym_names or {})
        self.sym_values = {}  # symbol name -> int, for dims traced static
        self.sym_ranges = {}  # symbol name -> (lower or None, upper or None)
        self.what = what
        self.size_vars = {}
        self.env = {}
        self.bb = relax.BlockBuilder()
        self.ctx = Context(self)

    # Symbolic shapes.
    def size_var(self, symbol):
        if symbol in self.sym_values:
            return self.sym_values[symbol]
        if symbol.startswith("u"):
            raise Error(f"{self.what}: the graph depends on a data-dependent value ({symbol}); not supported")
        name = self.sym_names.get(symbol, symbol)
        if name not in self.size_vars:
            self.size_vars[name] = tir.SizeVar(name)
        return self.size_vars[name]

    def sym_expr(self, e):
        import sympy

        if isinstance(e, (torch.SymInt, torch.SymFloat, torch.SymBool)):
            e = e.node.expr
        if isinstance(e, (bool, int, float, np.integer)):
            return e
        if e.is_Integer:
            return int(e)
        if e.is_Symbol:
            return self.size_var(e.name)
        args = [self.sym_expr(a) for a in e.args]
        kind = type(e).__name__
        if isinstance(e, sympy.Add):
            return _fold(operator.add, args)
        if isinstance(e, sympy.Mul):
            return _fold(operator.mul, args)
        if kind == "FloorDiv":
            return tir.floordiv(*args)
        if kind == "CeilDiv":
            return tir.floordiv(args[0] + args[1] - 1, args[1])
        if kind in ("Mod", "PythonMod"):
            return tir.floormod(*args)
        if isinstance(e, sympy.Max):
            return _fold(tir.max, args)
        if isinstance(e, sympy.Min):
            return _fold(tir.min, args)
        if isinstance(e, sympy.Pow) and isinstance(args[1], int) and args[1] > 0:
            return _fold(operator.mul, [args[0]] * args[1])
        raise Error(f"{self.what}: cannot convert the symbolic expression {e} ({kind}) to a tir expression")

    def struct_info(self, val):
        if not isinstance(val, torch.Tensor):
            raise Error(f"{self.what}: an input of type {type(val).__name__} is not supported (tensors only)")
        return relax.TensorStructInfo([self.sym_expr(d) for d in val.shape], dtype_name(val.dtype))

    # The walk.
    def check_supported(self):
        missing = []
        for node in self.graph.nodes:
            if node.op in ("placeholder", "output", "get_attr"):
                continue
            if node.op == "call_function" and (_is_scalar(node) or lookup(node.target) is not None):
                continue
            missing.append(f"  %{node.name}: {target_name(node.target)}" + ("" if node.op == "call_function" else f" ({node.op})"))
        if missing:
            raise Error(
                f"{self.what}: {len(missing)} unsupported node{'s' if len(missing) > 1 else ''} in the graph "
                "(FX node: target):\n" + "\n".join(missing)
            )

    def run(self, inputs, weights, constants, keep_params_as_input):
        """Builds the module. `inputs`: placeholder nodes of the user inputs;
        `weights`: (placeholder or get_attr node, name, tensor) of the named
        weights; `constants`: node -> tensor for the other tensors.
        Returns (IRModule, {name: numpy array} of the kept parameters)."""
        self.check_supported()
        params = [relax.Var(n.name, self.struct_info(n.meta["val"])) for n in inputs]
        self.env.update(zip(inputs, params))
        named = {}
        for node, name, tensor in weights:
            if not node.users:
                continue
            if keep_params_as_input:
                var = relax.Var(name.replace(".", "_"), self.struct_info(tensor))
                params.append(var)
                named[name] = _numpy(tensor)
                self.env[node] = var
            else:
                self.env[node] = relax.Constant(_numpy(tensor))
        for node, tensor in constants.items():
            self.env[node] = relax.Constant(_numpy(tensor))
        attrs = {"global_symbol": "main"}
        if keep_params_as_input:
            attrs["num_input"] = len(inputs)
        attrs.update(self.bound_attrs())
        self.bb.begin_function("main", params, attrs=attrs)
        self.bb.begin_dataflow_block()
        output = None
        for node in self.graph.nodes:
            if node.op == "call_function":
                self.env[node] = self.convert(node)
            elif node.op == "output":
                output = self.outputs(node.args[0])
        out = self.bb.emit_output(output)
        self.bb.end_dataflow_block()
        self.bb.end_function(out)
        return self.bb.get_module(), named

    def bound_attrs(self):
        """The function attributes bounding the size variables made so far."""
        lower, upper = [], []
        for symbol, (lo, hi) in sorted(self.sym_ranges.items()):
            name = self.sym_names.get(symbol, symbol)
            if name not in self.size_vars:
                continue
            if lo is not None and lo > 0:
                lower.append([name, lo])
            if hi is not None:
                upper.append([name, hi])
        attrs = {}
        if lower:
            attrs["tir_var_lower_bound"] = sorted(lower)
        if upper:
            attrs["tir_var_upper_bound"] = sorted(upper)
        return attrs

    def convert(self, node):
        if _is_scalar(node):
            return self.sym_expr(node.meta["val"])
        self.ctx.node = node
        args, kwargs = self.arg(node.args), self.arg(node.kwargs)
        try:
            out = lookup(node.target)(self.ctx, *args, **kwargs)
            return self.bind(out, node.name)
        except Error as e:
            raise Error(f"{self.what}: converting %{node.name} ({target_name(node.target)}): {e}") from None

    def bind(self, out, name):
        if isinstance(out, (tuple, list)):
            return tuple(self.bind(o, f"{name}_{i}") for i, o in enumerate(out))
        if isinstance(out, (relax.Call, relax.TupleGetItem, relax.Tuple)):
            return self.bb.emit(out, name)
        return out

    def arg(self, a):
        if isinstance(a, torch.fx.Node):
            return self.env[a]
        if isinstance(a, (list, tuple)):
            return type(a)(self.arg(x) for x in a)
        if isinstance(a, dict):
            return {k: self.arg(v) for k, v in a.items()}
        return a

    def outputs(self, outs):
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        exprs = []
        for o in outs:
            value = self.arg(o)
            if not isinstance(value, EXPR):
                raise Error(f"{self.what}: output {o} is not a tensor ({type(value).__name__}); only tensor outputs are supported")
            exprs.append(value)
        return exprs[0] if len(exprs) == 1 else relax.Tuple(exprs)


def _is_scalar(node):
    """A node computing a (symbolic) int or float rather than a tensor."""
    return node.op == "call_function" and isinstance(node.meta.get("val"), _SCALARS) and lookup(node.target) is None


def _fold(fn, args):
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


def _numpy(tensor):
    t = tensor.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        raise Error(f"kiln.frontend: bfloat16 weights are not supported (shape {tuple(t.shape)})")
    return t.numpy()
