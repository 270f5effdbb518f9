"""kiln.nd.save / kiln.nd.load: named arrays in one file, and clear errors
for missing, truncated and corrupt files."""

import numpy as np
import pytest
import torch

import kiln


def test_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {
        "fc.weight": rng.standard_normal((16, 8)).astype("float32"),
        "fc.bias": rng.standard_normal(16).astype("float16"),
        "steps": np.array(12, dtype="int64"),
        "mask": rng.random((3, 3)) > 0.5,
        "emb": torch.randn(4, 2, dtype=torch.bfloat16),
    }
    path = tmp_path / "weights.kiln"
    kiln.nd.save(path, arrays)
    loaded = kiln.nd.load(path)
    assert list(loaded) == list(arrays)
    for name in ["fc.weight", "fc.bias", "steps", "mask"]:
        assert loaded[name].dtype == str(arrays[name].dtype)
        np.testing.assert_array_equal(loaded[name].numpy(), arrays[name])
    assert torch.equal(torch.from_dlpack(loaded["emb"]), arrays["emb"])


def test_missing_file(tmp_path):
    with pytest.raises(kiln.Error, match="cannot open array file"):
        kiln.nd.load(tmp_path / "nope.kiln")


def test_truncated_and_corrupt(tmp_path):
    path = tmp_path / "w.kiln"
    kiln.nd.save(path, {"a": np.ones((4, 4), "float32")})
    data = path.read_bytes()
    for cut in [0, 5, 12, 20, 40, len(data) - 1]:
        path.write_bytes(data[:cut])
        with pytest.raises(kiln.Error, match="truncated"):
            kiln.nd.load(path)
    path.write_bytes(b"GARBAGE!" + data[8:])
    with pytest.raises(kiln.Error, match="bad magic"):
        kiln.nd.load(path)
