"""Whole models exported with torch.onnx.export (onnx_models.py, in a child
process that also records PyTorch's outputs), imported with
kiln.frontend.from_onnx, compiled with the default pipeline and checked
against PyTorch and onnxruntime at batch 1 and 4 (max abs error 1e-4,
float32; relative to the output scale where it exceeds 1) from one
compiled module with a symbolic batch (and sequence
length). The default run covers an MLP, resnet18 and a two-layer BERT;
KILN_TEST_FULL=1 adds resnet50, mobilenet_v2, a two-layer GPT-2, BERT-base
(seq 128) and GPT-2 (12 layers, prefill of 128 tokens)."""

import os
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import kiln
import kiln.frontend

sys.path.insert(0, str(Path(__file__).parent))
from onnx_models import DEFAULT, FULL, export_with_references  # noqa: E402

NAMES = FULL if os.environ.get("KILN_TEST_FULL") == "1" else DEFAULT


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx_models")


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


@pytest.mark.compat("onnx_import", "llvm")
@pytest.mark.parametrize("name", NAMES)
def test_model_matches_torch_and_onnxruntime(name, onnx_dir):
    t0 = time.perf_counter()
    path, refs = export_with_references(name, onnx_dir)
    refs = np.load(refs)
    t1 = time.perf_counter()
    mod = kiln.frontend.from_onnx(path)
    t2 = time.perf_counter()
    main = str(mod).split("\n")[1]
    assert "batch" in main, main  # the batch dim stayed symbolic
    if "bert" in name or "gpt2" in name:
        assert "seq" in main, main
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    t3 = time.perf_counter()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (1, 4):
        inputs = [refs[k] for k in sorted(refs.files) if k.startswith(f"b{batch}_in")]
        want = [refs[f"b{batch}_out{i}"] for i in range(sum(k.startswith(f"b{batch}_out") for k in refs.files))]
        ort_out = sess.run(None, {i.name: x for i, x in zip(sess.get_inputs(), inputs)})
        got = [o.numpy() for o in as_list(vm["main"](*inputs))]
        assert len(got) == len(want) == len(ort_out)
        for g, w, o in zip(got, want, ort_out):
            assert g.shape == w.shape
            # 1e-4, relative to the outputs' scale where it exceeds 1
            # (resnet50's random-weight logits reach ~160, where float32
            # sums of 2048 terms differ by ~3e-4 between any two libraries).
            atol = 1e-4 * max(1.0, float(np.abs(w).max()))
            np.testing.assert_allclose(g, w, atol=atol, rtol=0)
            np.testing.assert_allclose(g, o, atol=atol, rtol=0)
    print(f"{name}: export {t1 - t0:.1f}s, import {t2 - t1:.2f}s, compile {t3 - t2:.1f}s")
