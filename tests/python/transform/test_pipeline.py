"""kiln.pipeline: the named pipelines as lists of passes that users splice
their own passes into, and kiln.compile with each of them."""

from pathlib import Path

import numpy as np
import pytest

import kiln

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def mlp():
    return kiln.parse((FIXTURES / "mlp.kir").read_text())


def mlp_inputs(n, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(n, 784), (256, 784), (256,), (10, 256), (10,)]
    return [rng.standard_normal(s).astype("float32") * 0.1 for s in shapes]


def mlp_reference(x, w1, b1, w2, b2):
    h = np.maximum(x @ w1.T + b1, 0)
    z = h @ w2.T + b2
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def test_get_lists_passes_by_name():
    p = kiln.pipeline.get("default", target="llvm")
    assert isinstance(p, kiln.pipeline.Pipeline)
    assert p.names[0] == "Normalize"
    assert "LegalizeOps" in p.names and "DefaultSchedule" in p.names
    assert "Pipeline 'default'" in repr(p) and "LegalizeOps" in repr(p)
    assert set(kiln.pipeline.list_pipelines()) >= {"zero", "default"}
    assert kiln.pipeline.get("zero").names == ["Normalize", "LegalizeOps"]


def test_unknown_pipeline_and_pass_are_named():
    with pytest.raises(kiln.Error, match="unknown pipeline 'fastest'"):
        kiln.pipeline.get("fastest")
    with pytest.raises(ValueError, match="has no pass 'Nope'"):
        kiln.pipeline.get("zero").insert_after("Nope", kiln.transform.Normalize())


@pytest.mark.parametrize("name", ["zero", "default"])
def test_compile_with_each_pipeline_matches_numpy(name):
    args = mlp_inputs(3)
    ex = kiln.compile(mlp(), target="llvm", pipeline=kiln.pipeline.get(name))
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    got = vm["main"](*[kiln.nd.array(a) for a in args]).numpy()
    np.testing.assert_allclose(got, mlp_reference(*args), rtol=1e-4, atol=1e-5)


def test_a_user_pass_spliced_in_runs_in_order():
    seen = []

    @kiln.transform.module_pass(opt_level=0)
    def record(mod, ctx):
        """Notes whether the module still has op calls."""
        seen.append("call_tir" in mod.script())
        return mod

    p = kiln.pipeline.get("default")
    p.insert_before("LegalizeOps", record)
    p.insert_after("LegalizeOps", record)
    assert p.names.index("record") < p.names.index("LegalizeOps") < len(p.names) - 1 - p.names[::-1].index("record")
    p(mlp())
    assert seen == [False, True]
