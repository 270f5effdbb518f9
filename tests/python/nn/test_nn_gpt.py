"""The GPT-style decoder of nn_gpt.py: exported once (prefill and decode
with symbolic batch, seq_len and cache_len), compiled once with the default
pipeline, run token by token with a growing cache, and checked against the
PyTorch model with the same weights and against one full-sequence run."""

import numpy as np
import pytest
import torch
from nn_gpt import GPT, Config, TorchGPT
from nn_util import Runner

CFG = Config()


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    reference = TorchGPT(CFG).eval()
    model = GPT(CFG)
    model.load_state_dict(reference.state_dict())
    return Runner(model, model.spec()), reference


def test_export_signature(models):
    run, _ = models
    assert set(run.vm.function_names) >= {"prefill", "decode"}
    prefill, decode = run.mod["prefill"], run.mod["decode"]
    assert prefill.attrs["num_input"] == 1 and decode.attrs["num_input"] == 1 + 2 * CFG.num_layers
    assert str(decode.params[1].struct_info) == "Tensor((batch, 4, cache_len, 8), float32)"
    logits, caches = decode.ret_struct_info.fields
    assert str(logits) == "Tensor((batch, seq_len, 96), float32)"
    assert str(caches.fields[0]) == "Tensor((batch, 4, cache_len + seq_len, 8), float32)"


@pytest.mark.parametrize("batch,prompt", [(1, 5), (3, 2)])
def test_decode_token_by_token(models, batch, prompt):
    run, reference = models
    total = 11
    tokens = np.random.default_rng(batch).integers(0, CFG.vocab_size, (batch, total))
    with torch.no_grad():
        expected = reference(torch.from_numpy(tokens)).numpy()

    logits, caches = run("prefill", tokens[:, :prompt])
    steps = [logits.numpy()]
    for i in range(prompt, total):
        logits, caches = run("decode", tokens[:, i:i + 1], *caches)
        assert caches[0].shape == (batch, CFG.num_heads, i + 1, CFG.embed_dim // CFG.num_heads)
        steps.append(logits.numpy())
    incremental = np.concatenate(steps, axis=1)
    assert np.abs(incremental - expected).max() <= 1e-4

    full, full_caches = run("prefill", tokens)
    np.testing.assert_allclose(incremental, full.numpy(), rtol=1e-4, atol=1e-5)
    for a, b in zip(caches, full_caches):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-5)


def test_decode_several_tokens_at_once(models):
    run, reference = models
    tokens = np.random.default_rng(7).integers(0, CFG.vocab_size, (2, 9))
    with torch.no_grad():
        expected = reference(torch.from_numpy(tokens)).numpy()
    _, caches = run("prefill", tokens[:, :4])
    logits, _ = run("decode", tokens[:, 4:], *caches)
    assert np.abs(logits.numpy() - expected[:, 4:]).max() <= 1e-4
