"""Ranges of symbolic dims from PyTorch: kiln.frontend.Dim(name, min, max) in
input_specs (from_torch, from_fx) and ep.range_constraints (an
ExportedProgram exported with torch.export.Dim ranges) become the function
attributes "tir_var_lower_bound" / "tir_var_upper_bound"; torch's unbounded
upper end gives none. Memory planning then plans the sizes at the bound, and
the VM refuses a run-time shape outside the range, naming the variable."""

import numpy as np
import pytest
import torch

import kiln
import kiln.frontend
from kiln.frontend import Dim


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8)).eval()


def bounds(mod):
    attrs = mod["main"].attrs
    return attrs.get("tir_var_lower_bound"), attrs.get("tir_var_upper_bound")


def test_from_torch_dim_ranges_become_attributes():
    mod = kiln.frontend.from_torch(mlp(), [((Dim("batch", min=1, max=8), 16), "float32")])
    assert bounds(mod) == ([["batch", 1]], [["batch", 8]])
    assert str(mod["main"].params[0].struct_info) == "Tensor((batch, 16), float32)"
    mod = kiln.frontend.from_torch(mlp(), [((Dim("batch", max=8), 16), "float32")])
    assert bounds(mod) == (None, [["batch", 8]])
    mod = kiln.frontend.from_torch(mlp(), [(("batch", 16), "float32")])  # no range: no attributes
    assert bounds(mod) == (None, None)
    assert kiln.parse(mod.script()).script() == mod.script()


def test_from_exported_program_reads_range_constraints():
    ep = torch.export.export(mlp(), (torch.randn(5, 16),), dynamic_shapes=({0: torch.export.Dim("b", min=2, max=40)},))
    mod = kiln.frontend.from_exported_program(ep, dynamic_shapes=({0: torch.export.Dim("b", min=2, max=40)},))
    assert bounds(mod) == ([["b", 2]], [["b", 40]])
    ep = torch.export.export(mlp(), (torch.randn(5, 16),), dynamic_shapes=({0: torch.export.Dim("b")},))
    assert bounds(kiln.frontend.from_exported_program(ep)) == (None, None)  # torch's int_oo: no bound


def test_from_fx_dim_ranges():
    gm = torch.fx.symbolic_trace(mlp())
    mod = kiln.frontend.from_fx(gm, [((Dim("n", min=3, max=16), 16), "float32")])
    assert bounds(mod) == ([["n", 3]], [["n", 16]])


def test_bad_dims_raise():
    with pytest.raises(kiln.Error, match=r"Dim\('b'\): min 9 is above max 8"):
        Dim("b", min=9, max=8)
    with pytest.raises(kiln.Error, match="the dim 'b' is given two ranges"):
        kiln.frontend.from_torch(torch.nn.Bilinear(4, 4, 2).eval(),
                                 [((Dim("b", max=8), 4), "float32"), ((Dim("b", max=9), 4), "float32")])


def planned_storage(mod):
    lowered = kiln.pipeline.get("default", "llvm")(mod)
    return [line.split("alloc_storage(")[1] for line in lowered.script().splitlines() if "alloc_storage(" in line]


def test_memory_plan_uses_the_upper_bound():
    bounded = kiln.frontend.from_torch(mlp(), [((Dim("batch", max=8), 16), "float32")])
    # (batch, 32) float32 at batch = 8: 1024 bytes; without a bound the size stays symbolic.
    assert "shape(1024))" in planned_storage(bounded)
    assert "shape(batch * 128))" in planned_storage(kiln.frontend.from_torch(mlp(), [(("batch", 16), "float32")]))
    vm = kiln.VirtualMachine(kiln.compile(bounded, target="llvm"), kiln.cpu())
    for b in (1, 5, 8):
        x = np.random.default_rng(b).standard_normal((b, 16)).astype(np.float32)
        np.testing.assert_allclose(vm["main"](x).numpy(), mlp()(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    # Above the bound (the planned storage would be too small) the VM refuses
    # the argument when it binds the variable, naming it and its range.
    with pytest.raises(kiln.Error, match=r"symbolic dimension 'batch' is 9, above its declared upper bound 8"):
        vm["main"](np.zeros((9, 16), np.float32))


def test_run_time_check_names_the_variable_and_the_lower_bound():
    mod = kiln.frontend.from_torch(mlp(), [((Dim("batch", min=2, max=64), 16), "float32")])
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    with pytest.raises(kiln.Error, match=r"main.*symbolic dimension 'batch' is 1, below its declared lower bound 2"):
        vm["main"](np.zeros((1, 16), np.float32))
    with pytest.raises(kiln.Error, match=r"'batch' is 65, above its declared upper bound 64"):
        vm["main"](np.zeros((65, 16), np.float32))
    x = np.ones((64, 16), np.float32)
    np.testing.assert_allclose(vm["main"](x).numpy(), mlp()(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    # The zero pipeline plans no memory from the bound, but the check is the VM's: it holds there too.
    vm0 = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline="zero"), kiln.cpu())
    with pytest.raises(kiln.Error, match=r"'batch' is 65, above its declared upper bound 64"):
        vm0["main"](np.zeros((65, 16), np.float32))
