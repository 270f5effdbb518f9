"""
Import a model from PyTorch
===========================

``kiln.frontend.from_torch`` turns a ``torch.nn.Module`` into a Kiln
IRModule: it exports the model with ``torch.export``, decomposes it to the
core ATen op set and converts each node to relax ops, with the weights bound
as constants and the dims you name symbolic. **S0** shows the pieces (the
ExportedProgram, the converted module, symbolic dims, weights kept as
parameters), **S1** imports resnet18 and a transformer encoder with a
symbolic batch, checks them against PyTorch and times the default pipeline
against PyTorch eager, **S2** compiles an imported model through the default
pipeline with a pass of your own spliced in, and back into PyTorch as a
module with ``kiln.torch.compile``.

The documentation build runs it at small sizes (KILN_DOCS_MODE=short); at
full size (224x224 images, a 6-layer encoder) with ``scripts/docs.sh --full``.
"""

import os
import time

import numpy as np
import torch

import kiln
from kiln import relax
from kiln.relax import op

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
torch.manual_seed(0)

######################################################################
# S0: the elements
# ----------------
# The importer reads a ``torch.export.ExportedProgram``: a graph of ATen
# calls (``aten.addmm.default``...) with the weights lifted to inputs and
# every tensor's traced shape and dtype in the nodes' metadata. A small MLP,
# exported with a dynamic batch, looks like this once decomposed to the core
# ATen op set (what ``from_exported_program`` does first):

mlp = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 4)).eval()
batch = torch.export.Dim("batch")
ep = torch.export.export(mlp, (torch.randn(2, 8),), dynamic_shapes=({0: batch},))
print(ep.run_decompositions().graph)

######################################################################
# ``from_exported_program`` converts each node with the converter its ATen
# target is registered under (``kiln.frontend.torch.CONVERTERS``, one file
# per op family) and binds the result to a variable named after the node.
# With ``keep_params_as_input=True`` the weights stay parameters of "main",
# after the inputs, and come back by their ``state_dict`` names; pass the
# ``dynamic_shapes`` you exported with and the symbolic dim keeps its name.

mod, params = kiln.frontend.from_exported_program(ep, keep_params_as_input=True, dynamic_shapes=({0: batch},))
print(mod)
print({name: value.shape for name, value in params.items()})

######################################################################
# ``from_torch`` does the export for you: a dim given as a string is
# symbolic, a ``tir.SizeVar`` of that name shared by every shape that uses
# it. By default the weights are constants bound in the module.

mod = kiln.frontend.from_torch(mlp, [(("batch", 8), "float32")])
print(mod["main"].params[0].struct_info)

######################################################################
# A ``kiln.frontend.Dim`` gives the dim a range. It goes to
# ``torch.export`` as a ``torch.export.Dim`` with that range, and the
# importer records it in the function attributes ``tir_var_lower_bound`` /
# ``tir_var_upper_bound`` (``from_exported_program`` reads the same from
# ``ep.range_constraints``; torch's unbounded upper end records nothing).
# Memory planning reads the upper bound: the intermediate ``(batch, 16)``
# tensor gets a storage of 8 * 16 * 4 bytes planned at compile time instead
# of one sized at run time. The VM checks the range when it binds ``batch``
# from the argument: a batch outside it is an error naming the variable.

bounded = kiln.frontend.from_torch(mlp, [((kiln.frontend.Dim("batch", min=1, max=8), 8), "float32")])
print({k: v for k, v in bounded["main"].attrs.items() if k.startswith("tir_var")})
print([line.strip() for line in kiln.pipeline.get("default", "llvm")(bounded).script().splitlines()
       if "alloc_storage" in line])
bounded_vm = kiln.VirtualMachine(kiln.compile(bounded, target="llvm"), kiln.cpu())
try:
    bounded_vm["main"](np.zeros((9, 8), "float32"))
except kiln.Error as err:
    print(err)

######################################################################
# An op without a converter is reported with every other one of the graph
# at once, each by its FX node and ATen target, before anything is
# converted:


class Special(torch.nn.Module):
    def forward(self, x):
        return torch.lgamma(x) + torch.digamma(x).relu()


try:
    kiln.frontend.from_torch(Special(), [((4,), "float32")])
except kiln.Error as err:
    print(err)

######################################################################
# ``from_fx`` takes an FX ``GraphModule`` instead (``torch.fx.symbolic_trace``
# or a graph captured by dynamo) and traces it again into ATen with
# ``make_fx``; use it for programs ``torch.export`` cannot capture.

print(kiln.frontend.from_fx(torch.fx.symbolic_trace(mlp), [(("n", 8), "float32")])["main"].params[0].struct_info)

######################################################################
# S1: transformations and their effect
# ------------------------------------
# Import resnet18 (torchvision, random weights) and a transformer encoder
# (``torch.nn.TransformerEncoder``) with a symbolic batch, compile each with
# the default pipeline, check batch 1 and 4 against PyTorch and time both
# at batch 4. The default pipeline legalizes every op into a loop kernel,
# folds the constants, fuses each convolution or matmul with its bias,
# normalization and activation, blocks the convolutions' layout and
# schedules every kernel for the CPU.

import torchvision  # noqa: E402

size = 224 if full else 64
d_model, layers, seq = (768, 6, 128) if full else (128, 2, 32)
resnet = torchvision.models.resnet18(weights=None).eval()
encoder_layer = torch.nn.TransformerEncoderLayer(d_model, nhead=8, dim_feedforward=4 * d_model, batch_first=True)
encoder = torch.nn.TransformerEncoder(encoder_layer, num_layers=layers, enable_nested_tensor=False).eval()
models = {
    "resnet18": (resnet, [(("batch", 3, size, size), "float32")], lambda b: torch.randn(b, 3, size, size)),
    "transformer encoder": (encoder, [(("batch", seq, d_model), "float32")], lambda b: torch.randn(b, seq, d_model)),
}
torch.set_num_threads(kiln.num_threads())


def best_ms(fn, number=3, repeat=5):
    """The best of `repeat` means over `number` calls, in ms (the best
    resists interference from other processes better than the mean)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number * 1e3)
    return min(times)


rows = []
for name, (model, specs, make) in models.items():
    mod = kiln.frontend.from_torch(model, specs)
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    for b in (1, 4):
        x = make(b)
        with torch.no_grad():
            ref = model(x).numpy()
        err = float(np.abs(vm["main"](x.numpy()).numpy() - ref).max())
        assert err < 1e-4, (name, b, err)
    x = make(4)
    x_nd = kiln.nd.array(x.numpy())
    with torch.no_grad():
        torch_ms = best_ms(lambda: model(x))
    rows.append((name, err, best_ms(lambda: vm["main"](x_nd)), torch_ms))

print(f"{'model (batch 4)':22s}{'max abs err':>12s}{'kiln':>12s}{'torch eager':>14s}")
for name, err, kiln_ms, torch_ms in rows:
    print(f"{name:22s}{err:12.1e}{kiln_ms:9.2f} ms{torch_ms:11.2f} ms")

######################################################################
# One compiled module serves every batch size: its kernels loop over
# ``batch`` as a variable. The figures are this machine's, with the default
# pipeline and no tuning; ``vm.profile("main", x)`` lists the time per
# kernel, which shows where tuning or dispatch to a library would pay.

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# An imported module is an IRModule like any other: every pipeline and
# pass applies. Here a pass of our own, spliced into the default pipeline
# before legalization, replaces the encoder's exact GELU by its tanh
# approximation; the rest of the pipeline (fusion, schedules, memory
# planning) runs on the result as usual.


class TanhGelu(relax.ExprMutator):
    def visit_call_(self, call):
        call = super().visit_call_(call)
        if call.op == relax.get_op("gelu"):
            return op.gelu(call.args[0], approximate="tanh")
        return call


@kiln.transform.function_pass(opt_level=0)
def tanh_gelu(func, mod, ctx):
    """Uses the tanh approximation for every GELU."""
    return TanhGelu(mod).visit_expr(func)


gelu_layer = torch.nn.TransformerEncoderLayer(d_model, nhead=8, dim_feedforward=4 * d_model, activation="gelu",
                                              batch_first=True).eval()
mod = kiln.frontend.from_torch(gelu_layer, [(("batch", seq, d_model), "float32")])
p = kiln.pipeline.get("default", target="llvm")
p.insert_before("LegalizeOps", tanh_gelu)
ex = kiln.compile(mod, target="llvm", pipeline=p)
x = torch.randn(2, seq, d_model)
with torch.no_grad():
    ref = gelu_layer(x).numpy()
got = kiln.VirtualMachine(ex, kiln.cpu())["main"](x.numpy()).numpy()
print("tanh GELU layer vs PyTorch (exact GELU), max abs difference:", float(np.abs(got - ref).max()))

######################################################################
# Back in PyTorch: ``kiln.torch.compile`` runs the same import and
# pipeline and returns a ``torch.nn.Module`` whose ``forward`` calls the
# compiled function (tensors cross without copies), here with a symbolic
# batch so one compiled module serves every batch size.

import kiln.torch  # noqa: E402

fast = kiln.torch.compile(gelu_layer, (x,), dynamic=[("batch", seq, d_model)], pipeline=p)
for b in (1, 3):
    xb = torch.randn(b, seq, d_model)
    with torch.no_grad():
        diff = (fast(xb) - gelu_layer(xb)).abs().max().item()
    print(f"kiln.torch.compile, batch {b}: max abs difference from PyTorch {diff:.1e}")

######################################################################
# When to use which entry point: ``from_torch`` for a module and example
# shapes; ``from_exported_program`` when you export yourself (custom
# ``dynamic_shapes`` ranges, a program saved with ``torch.export.save``);
# ``from_fx`` for a graph ``torch.export`` rejects but FX can trace, or a
# graph dynamo hands to a backend. Keep the weights as parameters when the
# same compiled module serves several checkpoints, or to load them at run
# time: ``ex.export_library("m.so")`` then ships without them.
