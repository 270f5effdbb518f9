"""
Import a model from ONNX
========================

``kiln.frontend.from_onnx`` reads an ONNX file (or its bytes, or an
``onnx.ModelProto``) into an IRModule you can compile, inspect and transform
like any other. **S0** shows the elements: the ModelProto and the module the
importer makes of it, dynamic dims become symbolic variables. **S1** imports
a model with a dynamic batch and checks it against ONNX Runtime at two batch
sizes, with the latencies side by side. **S2** runs it through the default
pipeline with a pass of our own, and exports the compiled library.
"""

import os
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import kiln
import kiln.frontend
from kiln import relax

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
hidden = 1024 if full else 256

######################################################################
# S0: the elements
# ----------------
# An ONNX model is a ``ModelProto``: a graph of nodes (``op_type`` with
# attributes), initializers (the weights), typed inputs and outputs whose
# dims are numbers or names (``dim_param``), and the opset it was written
# for. Here is a small classifier: it flattens an image batch through a
# shape computation (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as
# exporters write it), then two Gemm layers and a softmax.

rng = np.random.default_rng(0)


def weight(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32), name)


nodes = [
    helper.make_node("Shape", ["image"], ["shape"]),
    helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
    helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
    helper.make_node("Concat", ["batch1", "minus_one"], ["flat_shape"], axis=0),
    helper.make_node("Reshape", ["image", "flat_shape"], ["flat"]),
    helper.make_node("Gemm", ["flat", "w1", "b1"], ["h"], transB=1),
    helper.make_node("Relu", ["h"], ["a"]),
    helper.make_node("Gemm", ["a", "w2", "b2"], ["logits"], transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
]
inits = [
    weight("w1", hidden, 3 * 16 * 16), weight("b1", hidden), weight("w2", 10, hidden), weight("b2", 10),
    numpy_helper.from_array(np.array(0, np.int64), "zero"),
    numpy_helper.from_array(np.array([0], np.int64), "axes0"),
    numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
]
graph = helper.make_graph(nodes, "classifier", [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                                             ["batch", 3, 16, 16])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
onnx.checker.check_model(model)
print("inputs:", [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim])
                  for i in model.graph.input])
for n in model.graph.node:
    print(f"  {n.op_type}({', '.join(n.input)}) -> {', '.join(n.output)}")

######################################################################
# The importer turns the graph into one relax function ``main``. The
# ``batch`` dim is a symbolic size variable; the shape subgraph ran at import
# time on tir expressions, so the reshape's target is ``(batch, 768)`` and
# no shape arithmetic is left in the graph. Initializers are constants.

folder = tempfile.mkdtemp()
path = os.path.join(folder, "classifier.onnx")
onnx.save(model, path)
mod = kiln.frontend.from_onnx(path)
print(str(mod).split("  meta {")[0])

######################################################################
# S1: import, check against ONNX Runtime, time
# --------------------------------------------
# One compiled module serves every batch size. We compare it with ONNX
# Runtime on the same file at batch 1 and 8 and time both (2 threads each).

vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
opts = ort.SessionOptions()
opts.intra_op_num_threads = 2
sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def median_ms(f, repeat=20):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1e3)


print(f"{'batch':>5} {'max abs err':>12} {'kiln ms':>8} {'onnxruntime ms':>15}")
for batch in (1, 8):
    image = rng.standard_normal((batch, 3, 16, 16)).astype(np.float32)
    want = sess.run(None, {"image": image})[0]
    got = vm["main"](image).numpy()
    assert np.abs(got - want).max() < 1e-5
    kiln_ms = vm.time_evaluator("main", number=10, repeat=5)(image).median * 1e3
    ort_ms = median_ms(lambda: sess.run(None, {"image": image}))
    print(f"{batch:>5} {np.abs(got - want).max():>12.2e} {kiln_ms:>8.3f} {ort_ms:>15.3f}")

######################################################################
# Errors name the node: an op the importer does not know, a bad attribute,
# a truncated file or a missing external-data file raise ``kiln.Error``
# with the node's name and op_type; unsupported ops are listed all at once
# (``kiln.frontend.onnx.unsupported_onnx_ops(path)`` lists them without
# importing).

broken = onnx.ModelProto()
broken.CopyFrom(model)
broken.graph.node[6].op_type = "Shrink"
try:
    kiln.frontend.from_onnx(broken)
except kiln.Error as e:
    print(str(e).splitlines()[0])

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# The imported module goes through any pipeline. Here a pass of our own
# runs first: it replaces ``softmax`` at the end of the model by an
# ``argmax``-friendly ``log_softmax`` (same order of classes, better
# behaved for small probabilities). It is spliced into the default pipeline
# before legalization; the rest (fusion, schedules, memory planning) runs as
# usual. The compiled module exports to a shared library that the runtime
# loads alone.


class LogSoftmax(relax.ExprMutator):
    def visit_call_(self, call):
        call = super().visit_call_(call)
        if call.op == relax.get_op("softmax"):
            return relax.op.log_softmax(call.args[0], axis=-1)
        return call


@kiln.transform.function_pass(opt_level=0)
def use_log_softmax(func, mod, ctx):
    """Every softmax becomes a log_softmax."""
    return LogSoftmax(mod).visit_expr(func)


p = kiln.pipeline.get("default", target="llvm")
p.insert_before("LegalizeOps", use_log_softmax)
ex = kiln.compile(mod, target="llvm", pipeline=p)
lib = os.path.join(folder, "classifier.so")
ex.export_library(lib)
loaded = kiln.VirtualMachine(kiln.load(lib), kiln.cpu())
image = rng.standard_normal((4, 3, 16, 16)).astype(np.float32)
log_probs = loaded["main"](image).numpy()
want = np.log(sess.run(None, {"image": image})[0])
print("log_softmax model vs log(onnxruntime), max abs difference:", float(np.abs(log_probs - want).max()))

######################################################################
# A node of a custom domain (``domain="com.example"``) becomes a call of the
# relax op registered under ``"<domain>.<op_type>"``: register it from
# Python (inference and a compute-DSL legalization, see *Customize
# operators*) or C++, and the importer passes the node's inputs as the op's
# arguments and its attributes as the op's attributes. Here is a scaled
# ``x * sigmoid(beta * x)`` that the exporter wrote as ``com.example.Swish``.

from kiln import tir  # noqa: E402
from kiln.tir import te  # noqa: E402


def swish_legalize(bb, call):
    beta = float(call.attrs["beta"])
    return relax.call_te(bb, call, "swish",
                         lambda x: te.compute(x.shape, lambda *i: x[i] * tir.sigmoid(x[i] * beta), name="swish"))


relax.register_op("com.example.Swish", args=["x"], attrs={"beta": 1.0}, infer=lambda call: call.args[0].struct_info,
                  legalize=swish_legalize, pattern="elementwise")
swish_graph = helper.make_graph(
    [helper.make_node("Swish", ["x"], ["y"], domain="com.example", beta=1.5)], "swish",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 8])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8])])
swish_model = helper.make_model(swish_graph, opset_imports=[helper.make_opsetid("", 18),
                                                            helper.make_opsetid("com.example", 1)])
swish_mod = kiln.frontend.from_onnx(swish_model)
print(swish_mod)
x = rng.standard_normal((3, 8)).astype(np.float32)
y = kiln.VirtualMachine(kiln.compile(swish_mod, target="llvm"), kiln.cpu())["main"](x).numpy()
print("com.example.Swish vs NumPy, max abs difference:", float(np.abs(y - x / (1 + np.exp(-1.5 * x))).max()))
relax.remove_op("com.example.Swish")

######################################################################
# Control flow: an ``If`` whose condition is known at import time (a
# constant, or computed from shapes) imports only the branch it takes; one
# decided at run time becomes a relax ``if`` with both branches (the
# outer graph's names are visible inside). A ``Loop`` with a constant trip
# count, as ``torch.onnx`` exports a Python ``for`` loop, is unrolled (up to
# 64 iterations; scan outputs are stacked); other loops raise ``kiln.Error``
# naming the node. ``Pad`` supports the constant, reflect, edge and wrap
# modes.
#
# Models exported from PyTorch (``torch.onnx.export(..., dynamo=True)``,
# opset 18) import the same way: resnet, mobilenet, BERT and GPT-2 graphs
# are tested against PyTorch and ONNX Runtime in
# ``tests/python/frontend/test_onnx_models.py``. Use the ONNX path when the
# model arrives as a file (from another framework, or a deployment
# artifact); import from PyTorch directly when you have the module.
