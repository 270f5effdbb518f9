"""Importers: models from other frameworks as Kiln IRModules.

``from_torch`` exports a ``torch.nn.Module`` with ``torch.export`` and imports
it; ``from_exported_program`` imports an ExportedProgram the user made;
``from_fx`` imports an FX graph (``torch.fx.symbolic_trace``, a dynamo graph)
that ``torch.export`` cannot capture. PyTorch is imported on first use, so
``import kiln`` does not need it. ``from_onnx`` imports an ONNX model (the C++
importer). ``Dim`` names a symbolic dim of ``input_specs`` with a range."""

from .dim import Dim
from .onnx import from_onnx

__all__ = ["Dim", "from_exported_program", "from_fx", "from_onnx", "from_torch"]


def from_torch(model, input_specs, dynamic_shapes=None, keep_params_as_input=False):
    """`model` exported with torch.export and imported; input_specs: one
    (shape, dtype) per input, a string or a Dim (with a range) symbolic. Returns the IRModule, or
    (IRModule, params) with keep_params_as_input. See kiln.frontend.torch."""
    from .torch import from_torch as impl

    return impl(model, input_specs, dynamic_shapes, keep_params_as_input)


def from_exported_program(ep, keep_params_as_input=False, dynamic_shapes=None):
    """A torch.export.ExportedProgram imported (dynamic_shapes: the ones it
    was exported with, to name the symbolic dims). See kiln.frontend.torch."""
    from .torch import from_exported_program as impl

    return impl(ep, keep_params_as_input, dynamic_shapes)


def from_fx(graph_module, input_specs, keep_params_as_input=False):
    """An FX GraphModule traced again into ATen with make_fx and imported.
    See kiln.frontend.torch."""
    from .torch import from_fx as impl

    return impl(graph_module, input_specs, keep_params_as_input)
