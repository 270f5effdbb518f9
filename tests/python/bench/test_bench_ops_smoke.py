"""bench/ops/blocks.py in quick mode, correctness only: every workload at a
tiny size, built as a torch module and a Kiln module from the same weights,
compiled with kiln.compile and checked against torch (no timing)."""

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

OPS = Path(__file__).resolve().parents[3] / "bench" / "ops"
sys.path.insert(0, str(OPS))

import blocks  # noqa: E402


@pytest.mark.parametrize("index", range(len(blocks.workloads(quick=True))))
def test_quick_workload_matches_torch(index):
    w = blocks.workloads(quick=True)[index]()
    vm = blocks.kiln.VirtualMachine(blocks.compile_kiln(w.kiln_module), blocks.kiln.cpu())
    err = blocks.check(w, vm, [torch.from_numpy(a) for a in w.inputs])
    assert err <= blocks.TOLERANCE


def test_check_fails_loudly_on_a_wrong_result():
    w = blocks.workloads(quick=True)[-2]()  # softmax rows
    vm = blocks.kiln.VirtualMachine(blocks.compile_kiln(w.kiln_module), blocks.kiln.cpu())
    w.torch_module = lambda x: torch.softmax(x, dim=-1) + 0.01
    with pytest.raises(AssertionError, match="kiln differs from torch by 0.01"):
        blocks.check(w, vm, [torch.from_numpy(a) for a in w.inputs])


def test_check_only_run(capsys):
    args = blocks.parse_args(["--quick", "--check-only", "--only", "softmax"])
    assert blocks.main(args) == 0
    assert "softmax 8x64" in capsys.readouterr().out
