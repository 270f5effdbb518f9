"""Import from PyTorch: a ``torch.export`` ExportedProgram (decomposed to the
core ATen op set) or an FX graph becomes an IRModule with one function
"main".

    mod = kiln.frontend.from_torch(model, [(("batch", 3, 224, 224), "float32")])
    mod, params = kiln.frontend.from_torch(model, specs, keep_params_as_input=True)

Weights become relax constants; with ``keep_params_as_input`` the named
weights (the model's ``state_dict`` entries the graph uses) are parameters
after the inputs, "main" has the attribute ``num_input``, and the names map
to NumPy arrays in parameter order. A dim given as a string is symbolic: a
``tir.SizeVar`` of that name in the module; a ``kiln.frontend.Dim("batch",
min=1, max=64)`` is one with a range, passed on to ``torch.export`` and
recorded in the function attributes "tir_var_lower_bound" and
"tir_var_upper_bound" (read by memory planning). For an ExportedProgram the
ranges come from ``ep.range_constraints``; torch's unbounded upper end means
no bound.

The converters live one op family per file (elementwise, nn, shape, reduce,
create) and register themselves in ``registry.CONVERTERS``."""

import sys

import torch

from ..._core import Error
from ..dim import Dim
from . import create, elementwise, nn, reduce, shape  # noqa: F401  (register the converters)
from .importer import Importer
from .registry import CONVERTERS

__all__ = ["CONVERTERS", "from_exported_program", "from_fx", "from_torch"]

_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47]


def from_exported_program(ep, keep_params_as_input=False, dynamic_shapes=None):
    """Imports a ``torch.export.ExportedProgram``.

    The program is first decomposed to the core ATen op set
    (``ep.run_decompositions()``, attention kept whole). Pass the ``dynamic_shapes`` given to
    ``torch.export.export`` to name the symbolic dims as their ``Dim``s
    (otherwise they keep torch's names, ``s0``...). Returns the IRModule, or
    ``(IRModule, params)`` with ``keep_params_as_input``."""
    from torch.export.graph_signature import InputKind, TensorArgument

    what = "kiln.frontend.from_exported_program"
    if not isinstance(ep, torch.export.ExportedProgram):
        raise Error(f"{what}: expected a torch.export.ExportedProgram, got {type(ep).__name__}")
    # scaled_dot_product_attention stays whole: it has a converter, and its
    # decomposition can break the views around it (GPT-2 with "sdpa").
    table = torch.export.default_decompositions()
    table.pop(torch.ops.aten.scaled_dot_product_attention.default, None)
    ep = ep.run_decompositions(table)
    placeholders = [n for n in ep.graph.nodes if n.op == "placeholder"]
    inputs, weights, constants = [], [], {}
    for node, spec in zip(placeholders, ep.graph_signature.input_specs):
        if spec.kind == InputKind.USER_INPUT:
            if isinstance(spec.arg, TensorArgument):
                inputs.append(node)
            elif node.users:
                raise Error(f"{what}: the non-tensor input {node.name} ({spec.arg}) is used by the graph; not supported")
        elif spec.kind == InputKind.PARAMETER or (spec.kind == InputKind.BUFFER and spec.persistent):
            weights.append((node, spec.target, ep.state_dict[spec.target]))
        elif spec.kind in (InputKind.BUFFER, InputKind.CONSTANT_TENSOR):
            constants[node] = ep.constants[spec.target]
        else:
            raise Error(f"{what}: input {node.name} of kind {spec.kind.name} is not supported")
    names = _dim_names(inputs, dynamic_shapes, lambda d: getattr(d, "__name__", None))
    importer = Importer(ep.graph, names, what)
    for symbol, r in ep.range_constraints.items():
        importer.sym_ranges[str(symbol)] = (_finite(r.lower), _finite(r.upper))
    mod, params = importer.run(inputs, weights, constants, keep_params_as_input)
    return (mod, params) if keep_params_as_input else mod


def from_torch(model, input_specs, dynamic_shapes=None, keep_params_as_input=False):
    """Exports `model` (put in eval mode) with ``torch.export`` and imports it.

    `input_specs`: one ``(shape, dtype)`` per positional input; a dim given
    as a string (``"batch"``) or a ``kiln.frontend.Dim`` (``Dim("batch",
    max=64)``, with a range) is symbolic, the same name meaning the same
    dim. `dynamic_shapes`, when given, goes to ``torch.export.export`` as
    is (ranges, derived dims) instead of the ones the specs make."""
    model = model.eval()
    examples, values = _examples(input_specs)
    if dynamic_shapes is None and values:
        ranges = _dim_ranges(input_specs)
        dims = {}
        for name in values:
            lo, hi = ranges.get(name, (None, None))
            bounds = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            dims[name] = torch.export.Dim(name, **bounds)
        dynamic_shapes = tuple(
            {i: dims[_name(d)] for i, d in enumerate(shape) if _name(d)} or None for shape, _ in input_specs
        )
        dynamic_shapes = _for_signature(model, dynamic_shapes)
        try:
            ep = torch.export.export(model, tuple(examples), dynamic_shapes=dynamic_shapes)
        except torch._dynamo.exc.UserError as err:
            # A named dim the model bounds (seq_len <= max positions): take
            # the ranges torch suggests and export again.
            from torch.export.dynamic_shapes import refine_dynamic_shapes_from_suggested_fixes

            text = str(err)
            if "Suggested fixes:" not in text:
                raise
            fixes = [line for line in text.split("Suggested fixes:", 1)[1].splitlines() if " = " in line]
            dynamic_shapes = refine_dynamic_shapes_from_suggested_fixes(
                "Suggested fixes:\n" + "\n".join(fixes), dynamic_shapes)
            ep = torch.export.export(model, tuple(examples), dynamic_shapes=dynamic_shapes)
    else:
        ep = torch.export.export(model, tuple(examples), dynamic_shapes=dynamic_shapes)
    return from_exported_program(ep, keep_params_as_input, dynamic_shapes)


def from_fx(graph_module, input_specs, keep_params_as_input=False):
    """Imports an FX ``GraphModule`` (``torch.fx.symbolic_trace``, a dynamo
    graph) for programs ``torch.export`` cannot capture: the graph is traced
    again with ``make_fx`` into the core ATen op set, symbolically when a dim
    of `input_specs` is a string. Weights are the module's parameters and
    buffers, by name."""
    from torch._decomp import core_aten_decompositions
    from torch.fx.experimental.proxy_tensor import make_fx

    what = "kiln.frontend.from_fx"
    if not isinstance(graph_module, torch.nn.Module):
        raise Error(f"{what}: expected a torch.fx.GraphModule, got {type(graph_module).__name__}")
    placeholders = [n for n in graph_module.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != len(input_specs):
        raise Error(f"{what}: the graph takes {len(placeholders)} inputs, {len(input_specs)} input specs given")
    examples, values = _examples(input_specs)
    mode = "symbolic" if values else "fake"
    traced = make_fx(graph_module, decomposition_table=core_aten_decompositions(), tracing_mode=mode,
                     _allow_non_fake_inputs=True)(*examples)
    inputs = [n for n in traced.graph.nodes if n.op == "placeholder"]
    named = {}
    for name, t in [*graph_module.named_parameters(remove_duplicate=False),
                    *graph_module.named_buffers(remove_duplicate=False)]:
        named.setdefault((t.data_ptr(), tuple(t.shape), t.dtype), name)
    weights, constants = [], {}
    for node in traced.graph.nodes:
        if node.op == "get_attr":
            t = _get_attr(traced, node.target)
            name = named.get((t.data_ptr(), tuple(t.shape), t.dtype))
            if name is None:
                constants[node] = t
            else:
                weights.append((node, name, t))
    # Static dims were traced as symbols too: they take their given values.
    importer = Importer(traced.graph, {}, what)
    for node, (shape, _) in zip(inputs, input_specs):
        for d, spec in zip(node.meta["val"].shape, shape):
            expr = d.node.expr if isinstance(d, torch.SymInt) else None
            if expr is not None and expr.is_Symbol:
                if _name(spec):
                    importer.sym_names[expr.name] = _name(spec)
                    importer.sym_ranges[expr.name] = _dim_ranges(input_specs).get(_name(spec), (None, None))
                else:
                    importer.sym_values[expr.name] = int(spec)
    mod, params = importer.run(inputs, weights, constants, keep_params_as_input)
    return (mod, params) if keep_params_as_input else mod


def _examples(input_specs):
    """Example tensors for `input_specs` and the example value of each named
    dim: distinct primes not used by any static dim, so that tracing sees
    every named dim as its own."""
    static = {d for shape, _ in input_specs for d in shape if not _name(d)}
    ranges = _dim_ranges(input_specs)
    used = set(static)
    values = {}
    examples = []
    for shape, dtype in input_specs:
        for d in shape:
            name = _name(d)
            if name and name not in values:
                lo, hi = ranges.get(name, (None, None))
                fits = [p for p in _PRIMES if p not in used and (lo is None or p >= lo) and (hi is None or p <= hi)]
                values[name] = fits[0] if fits else max(lo or 2, min(hi or 2, 2))
                used.add(values[name])
        size = [values[_name(d)] if _name(d) else int(d) for d in shape]
        dt = getattr(torch, str(dtype).removeprefix("torch."))
        examples.append(torch.randn(size, dtype=dt) if dt.is_floating_point else torch.zeros(size, dtype=dt))
    return examples, values


def _name(d):
    """The name of a symbolic dim of an input spec (a string or a Dim), or None."""
    return d.name if isinstance(d, Dim) else d if isinstance(d, str) else None


def _dim_ranges(input_specs):
    """name -> (min, max) of the Dims in `input_specs`; raises when one name
    is given two different ranges."""
    ranges = {}
    for shape, _ in input_specs:
        for d in shape:
            if isinstance(d, Dim):
                r = (d.min, d.max)
                if ranges.setdefault(d.name, r) != r:
                    raise Error(f"kiln.frontend: the dim '{d.name}' is given two ranges, {ranges[d.name]} and {r}")
    return ranges


def _finite(bound):
    """A range end of torch's as an int, or None for its infinities (int_oo,
    sys.maxsize and above)."""
    import sympy

    if not isinstance(bound, (int, sympy.Integer)):  # int_oo, -int_oo, sympy.oo
        return None
    b = int(bound)
    return b if -sys.maxsize < b < sys.maxsize - 1 else None


def _for_signature(model, per_input):
    """Per-input dynamic shapes laid out as torch.export wants them for
    `model.forward`: the inputs taken by ``*args`` grouped in one tuple."""
    import inspect

    params = list(inspect.signature(model.forward).parameters.values())
    fixed = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not any(p.kind == p.VAR_POSITIONAL for p in params):
        return per_input
    return tuple(per_input[: len(fixed)]) + (tuple(per_input[len(fixed):]),)


def _dim_names(inputs, dynamic_shapes, name_of):
    """torch's symbol name -> the user's dim name, reading the dynamic
    shapes spec (per input: a dict axis -> Dim, or a list) against the
    symbolic shapes of the input placeholders."""
    if dynamic_shapes is None:
        return {}
    if isinstance(dynamic_shapes, dict):
        by_name = dynamic_shapes
        specs = [by_name.get(n.name) for n in inputs]
        if all(s is None for s in specs):
            specs = list(by_name.values())
    else:
        specs = list(_flatten_specs(dynamic_shapes))
    names = {}
    for node, spec in zip(inputs, specs):
        if spec is None:
            continue
        items = spec.items() if isinstance(spec, dict) else enumerate(spec)
        shape = node.meta["val"].shape
        for axis, dim in items:
            name = name_of(dim)
            d = shape[axis]
            if name and isinstance(d, torch.SymInt) and d.node.expr.is_Symbol:
                names[d.node.expr.name] = name
    return names


def _flatten_specs(specs):
    """The per-tensor specs of a (possibly nested, for ``*args``) tuple."""
    for s in specs:
        if isinstance(s, (tuple, list)) and any(isinstance(x, (tuple, list, dict)) for x in s):
            yield from _flatten_specs(s)
        else:
            yield s


def _get_attr(module, target):
    for part in target.split("."):
        module = getattr(module, part)
    return module
