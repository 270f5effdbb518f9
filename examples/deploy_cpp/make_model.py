"""Writes what the C++ example runs: model.so (the network of
tests/fixtures/mlp.kir, linear-relu-linear-log_softmax with a symbolic batch,
its weights bound as constants, compiled with kiln.compile and exported as
one shared library), inputs.kiln (the argument x) and expected.kiln (the
NumPy result), all into the folder given (default: the current one).

    python make_model.py [out_dir] [--batch N]
"""

import argparse
from pathlib import Path

import numpy as np

import kiln
from kiln import relax, tir
from kiln.relax import op


def weights(seed=0):
    rng = np.random.default_rng(seed)
    w = lambda *shape: (rng.standard_normal(shape) * 0.1).astype("float32")  # noqa: E731
    return w(256, 784), w(256), w(10, 256), w(10)


def mlp_module(w1, b1, w2, b2):
    """main(x: Tensor((n, 784), float32)) -> Tensor((n, 10), float32)."""
    n = tir.SizeVar("n")
    x = relax.Var("x", relax.TensorStructInfo([n, 784], "float32"))
    c = relax.Constant
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.relu(op.linear(x, c(w1), c(b1))))
    y = bb.emit_output(op.log_softmax(op.linear(h, c(w2), c(b2))))
    bb.end_dataflow_block()
    bb.end_function(y)
    return bb.get_module()


def reference(x, w1, b1, w2, b2):
    logits = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=".")
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)

    params = weights()
    ex = kiln.compile(mlp_module(*params), target="llvm")
    ex.export_library(out / "model.so")
    x = np.random.default_rng(1).standard_normal((args.batch, 784)).astype("float32")
    kiln.nd.save(out / "inputs.kiln", {"x": x})
    kiln.nd.save(out / "expected.kiln", {"y": reference(x, *params)})
    print(f"wrote {out / 'model.so'}, inputs.kiln and expected.kiln (batch {args.batch})")


if __name__ == "__main__":
    main()
