"""floor, ceil and round legalized and run against NumPy: halves (round
to even, as NumPy and PyTorch), negatives, float64, a bad dtype."""

import numpy as np
import pytest
from legalize_util import check, run_op

import kiln
from kiln import relax
from kiln.relax import op

ROUNDING = {"floor": np.floor, "ceil": np.ceil, "round": np.round}


@pytest.mark.parametrize("name", list(ROUNDING))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rounding(name, dtype):
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.2, 0.7, 3.0, -3.0], dtype=dtype)
    x = np.concatenate([halves, np.random.default_rng(0).uniform(-50, 50, 22).astype(dtype)]).reshape(4, 8)
    check(run_op(getattr(op, name), x), ROUNDING[name](x), rtol=0, atol=0)


@pytest.mark.parametrize("name", list(ROUNDING))
def test_rounding_rejects_ints(name):
    x = relax.Var("x", relax.TensorStructInfo([3], "int32"))
    with pytest.raises(kiln.Error, match=f"relax.{name}"):
        relax.BlockBuilder().normalize(getattr(op, name)(x))
