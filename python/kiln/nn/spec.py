"""Module specs and export: from a kiln.nn model to an IRModule.

A spec names the methods to export and the inputs of each::

    spec = {"forward": {"x": nn.spec.Tensor(["batch", 784], "float32")}}
    mod, params = nn.export(model, spec)

Each method becomes one relax function of the same name, except
``forward``, which becomes ``main`` (the entry kiln.compile and the VM use
by default). A string dimension (``"batch"``, ``"seq_len"``) is a symbolic
size variable shared by all inputs of that function; an input given as a
list of specs is passed to the method as a list of tensors.

The parameters follow the inputs as parameters of every function, in the
order of ``model.named_parameters()``, and the function attribute
``num_input`` counts the inputs, so LiftTransformParams can precompute what
depends on weights only; ``params="constants"`` binds their values in the
module instead (each parameter then needs ``data``)."""

from typing import Dict, List, Sequence, Tuple, Union

from .. import relax, tir
from .._core import Error
from .core import Module, Parameter
from .tensor import Emitter, pop_emitter, push_emitter
from .tensor import Tensor as _Value

__all__ = ["Tensor", "export"]


class Tensor:
    """The spec of an input tensor: dims are ints or names of symbolic sizes."""

    def __init__(self, shape: Sequence[Union[int, str]], dtype: str = "float32"):
        for d in shape:
            if not isinstance(d, (int, str)) or isinstance(d, bool) or (isinstance(d, int) and d < 0):
                raise Error(f"kiln.nn.spec.Tensor: a dimension must be a size or a name, got {d!r} in {list(shape)}")
        self.shape = list(shape)
        self.dtype = str(dtype)

    def struct_info(self, dims: Dict[str, tir.SizeVar]) -> relax.TensorStructInfo:
        """The struct info, with named dims taken from (or added to) ``dims``."""
        shape = [d if isinstance(d, int) else dims.setdefault(d, tir.SizeVar(d)) for d in self.shape]
        return relax.TensorStructInfo(shape, self.dtype)

    def __repr__(self) -> str:
        return f"kiln.nn.spec.Tensor({self.shape}, {self.dtype!r})"


def _as_spec(value, where: str) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        return Tensor(value[0], value[1])
    raise Error(f"{where}: expected a kiln.nn.spec.Tensor (or a (shape, dtype) pair), got {value!r}")


def _function_name(method: str) -> str:
    return "main" if method == "forward" else method


def _var_name(param_name: str) -> str:
    return param_name.replace(".", "_")


def _inputs(method: str, inputs, dims) -> Tuple[List[relax.Var], list]:
    """The relax parameters of a method's inputs, and the method's arguments."""
    where = f"nn.export: input spec of '{method}'"
    if not isinstance(inputs, dict):
        raise Error(f"{where}: expected a dict of input names to specs, got {type(inputs).__name__}")
    params, args = [], []
    for name, s in inputs.items():
        if isinstance(s, list):
            vs = [relax.Var(f"{name}_{i}", _as_spec(x, f"{where}, '{name}'[{i}]").struct_info(dims))
                  for i, x in enumerate(s)]
            params += vs
            args.append([_Value(v) for v in vs])
        else:
            v = relax.Var(name, _as_spec(s, f"{where}, '{name}'").struct_info(dims))
            params.append(v)
            args.append(_Value(v))
    return params, args


def _output(value, method: str):
    """A method's result as a relax expression: tensors, nested tuples of them."""
    if isinstance(value, _Value):
        return value.expr
    if isinstance(value, (tuple, list)):
        return relax.Tuple([_output(v, method) for v in value])
    raise Error(f"nn.export: '{method}' returned a {type(value).__name__}; expected tensors or tuples of tensors")


def export(model: Module, spec: dict, params: str = "inputs") -> Tuple["kiln.IRModule", List[Tuple[str, Parameter]]]:
    """The IRModule of ``model``'s methods named in ``spec``, and the
    ``(name, Parameter)`` pairs the functions take after their inputs
    (empty when ``params="constants"``)."""
    if not isinstance(model, Module):
        raise Error(f"nn.export: expected a kiln.nn.Module, got a {type(model).__name__}")
    if params not in ("inputs", "constants"):
        raise Error(f"nn.export: params must be 'inputs' or 'constants', got {params!r}")
    if not isinstance(spec, dict) or not spec:
        raise Error("nn.export: the spec must be a non-empty dict of method names to their inputs")
    named = list(model.named_parameters())
    if params == "constants":
        missing = [n for n, p in named if p.data is None]
        if missing:
            raise Error(f"nn.export: parameters without a value cannot be bound as constants: {missing}")
        constants = {id(p): relax.Constant(p.data) for _, p in named}

    builder = relax.BlockBuilder()
    module_names = {id(m): name for name, m in model.named_modules()}
    for method, inputs in spec.items():
        fn = getattr(model, method, None) if isinstance(method, str) else None
        if not callable(fn):
            raise Error(f"nn.export: {type(model).__name__} has no method '{method}' (named in the spec)")
        fname = _function_name(method)
        input_vars, args = _inputs(method, inputs, {})
        emitter = Emitter(builder, module_names)
        emitter.function = fname
        attrs = {"global_symbol": fname}
        param_vars = []
        if params == "inputs":
            param_vars = [relax.Var(_var_name(n), relax.TensorStructInfo(list(p.shape), p.dtype)) for n, p in named]
            emitter.param_exprs = {id(p): v for (_, p), v in zip(named, param_vars)}
            attrs["num_input"] = len(input_vars)
        else:
            emitter.param_exprs = constants
        builder.begin_function(fname, input_vars + param_vars, attrs=attrs)
        builder.begin_dataflow_block()
        push_emitter(emitter)
        emitter.running.append(model)
        try:
            out = _output(fn(*args), method)
            try:
                out = builder.emit_output(out)
            except Error as err:
                raise Error(f"{emitter.where()}: {err}") from None
        finally:
            pop_emitter()
        builder.end_dataflow_block()
        builder.end_function(out)
    return builder.get_module(), (named if params == "inputs" else [])
