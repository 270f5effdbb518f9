"""bench/models: the correctness part on the MLP only (no timing): Kiln's
import and compile of the bench's MLP checked against eager PyTorch, a wrong
result flagged, a failing peer reported as null with its reason, and the
report written from records with a missing peer."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

HERE = Path(__file__).resolve().parents[3] / "bench" / "models"
sys.path.insert(0, str(HERE))

import bench_models  # noqa: E402
import report  # noqa: E402


def test_mlp_matches_eager():
    err = bench_models.check_kiln("mlp", batch=2)
    assert err <= bench_models.TOLERANCE


def test_check_only_row_of_the_mlp():
    args = bench_models.parse_args(["--models", "mlp", "--batches", "1", "--check-only"])
    row = bench_models.bench_one("mlp", 1, args)
    assert row["model"] == "mlp" and row["batch"] == 1 and row["threads"] == 2
    assert row["kiln_compile_s"] > 0
    assert row["kiln_max_abs_err"] <= bench_models.TOLERANCE and not row["flagged"]
    assert row["notes"] == ""


def test_max_abs_err_sees_a_wrong_output():
    ref = np.zeros((2, 3), "float32")
    assert bench_models.max_abs_err([ref + 0.5], [ref]) == pytest.approx(0.5)
    with pytest.raises(AssertionError, match="output shape"):
        bench_models.max_abs_err([np.zeros((3, 2), "float32")], [ref])
    with pytest.raises(AssertionError, match="1 outputs, eager gives 2"):
        bench_models.max_abs_err([ref], [ref, ref])


def test_failing_peer_is_null_with_a_reason(tmp_path):
    args = bench_models.parse_args(["--models", "mlp", "--quick"])
    result = bench_models.run_peer("onnxruntime", tmp_path / "missing.pt2", tmp_path / "missing.npz", tmp_path,
                                   args, timeout=120)
    assert result["ms"] is None
    assert result["notes"].startswith("onnxruntime: ") and "missing.npz" in result["notes"]


def test_report_with_a_missing_peer(tmp_path):
    rows = [{"model": "mlp", "batch": 1, "threads": 2, "kiln_ms": 1.0, "torch_eager_ms": 4.0, "inductor_ms": 2.0,
             "onnxruntime_ms": None, "tvm_ms": 8.0, "kiln_compile_s": 1.5, "kiln_max_abs_err": 1e-7,
             "flagged": False, "notes": "onnxruntime: RuntimeError: no"},
            {"model": "resnet18", "batch": 1, "threads": 2, "kiln_ms": 2.0, "torch_eager_ms": 4.0,
             "inductor_ms": 8.0, "onnxruntime_ms": None, "tvm_ms": None, "kiln_compile_s": 3.0,
             "kiln_max_abs_err": 2e-3, "flagged": True, "notes": ""}]
    meta = {"threads": 2, "kiln": "x", "torch": "y", "load_average_after": 0.0, "cpus": 2}
    report.write(rows, meta, tmp_path / "r")
    assert json.loads((tmp_path / "r.json").read_text()) == rows
    md = (tmp_path / "r.md").read_text()
    assert "| mlp | 1 | 1.00 | 4.00 | 2.00 | - | 8.00 | 4.00 | 2.00 | - | 8.00 |" in md
    assert "| geometric mean | | | | | | | 2.83 (2) | 2.83 (2) | - | 8.00 (1) |" in md
    assert "mlp b1: onnxruntime: RuntimeError: no" in md and "2.0e-03 (!)" in md
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_tvm_batch_over_the_limit_is_not_run(monkeypatch):
    args = bench_models.parse_args(["--models", "mlp", "--tvm-timeout", "100"])
    monkeypatch.setattr(bench_models, "TVM_SECONDS", {"mlp": (1, 20.0, 5.0)})
    assert bench_models.tvm_over_limit("mlp", 4, args) is None  # about 80 s + 5 s of build
    note = bench_models.tvm_over_limit("mlp", 8, args)
    assert note.startswith("tvm: not run: 20 s per call at batch 1, about 160 s at batch 8")
    assert bench_models.tvm_over_limit("resnet18", 8, args) is None
    args = bench_models.parse_args(["--models", "mlp", "--tvm-timeout", "100", "--peers", "onnxruntime"])
    assert bench_models.tvm_over_limit("mlp", 8, args) is None
