"""Whole models imported from PyTorch, compiled with the default pipeline and
checked against PyTorch at batch 1 and 4 (max abs error 1e-4, float32), with
the named parameters of one import each. The default run covers resnet18, an
MLP and two-layer BERT / GPT-2 at small sizes with a symbolic batch and
sequence length; KILN_TEST_FULL=1 adds resnet50, mobilenet_v2, BERT-base
(12 layers, seq 128) and GPT-2 (12 layers, prefill of 128 tokens)."""

import os
import time

import numpy as np
import pytest
import torch

import kiln

FULL = os.environ.get("KILN_TEST_FULL") == "1"
full_only = pytest.mark.skipif(not FULL, reason="full model list: KILN_TEST_FULL=1")


class Outputs(torch.nn.Module):
    """A Hugging Face model returning plain tensors: (last_hidden_state,
    pooler_output) for BERT, logits for GPT-2."""

    def __init__(self, model, fields):
        super().__init__()
        self.model, self.fields = model, fields

    def forward(self, ids):
        out = self.model(ids)
        values = tuple(getattr(out, f) for f in self.fields)
        return values if len(values) > 1 else values[0]


def torchvision_model(name):
    import torchvision

    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    # Batch norm statistics of the activations (as training leaves them):
    # outputs of order 1, not the 1e2 of random weights with unit variance.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the calibration batches
    with torch.no_grad():
        model.train()(torch.randn(8, 3, 224, 224))
    return model.eval()


def bert(layers, hidden, heads, inter, vocab=1000):
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=heads,
                     intermediate_size=inter, vocab_size=vocab)
    cfg._attn_implementation = "eager"
    return Outputs(BertModel(cfg), ["last_hidden_state", "pooler_output"]).eval()


def gpt2(layers, hidden, heads, vocab=1000, positions=256):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    cfg = GPT2Config(n_layer=layers, n_embd=hidden, n_head=heads, vocab_size=vocab, n_positions=positions,
                     use_cache=False)
    cfg._attn_implementation = "eager"
    return Outputs(GPT2LMHeadModel(cfg), ["logits"]).eval()


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 128), torch.nn.GELU(), torch.nn.Linear(128, 10)).eval()


def image(b, size=224):
    return [torch.randn(b, 3, size, size)]


def tokens(seq, vocab=1000):
    return lambda b: [torch.randint(0, vocab, (b, seq))]


# name: (make model, input specs, inputs for batch b)
MODELS = {
    "mlp": (mlp, [(("batch", 1, 28, 28), "float32")], lambda b: [torch.randn(b, 1, 28, 28)]),
    "resnet18": (lambda: torchvision_model("resnet18"), [(("batch", 3, 224, 224), "float32")], image),
    "bert_small": (lambda: bert(2, 64, 4, 128), [(("batch", "seq_len"), "int64")], tokens(16)),
    "gpt2_small": (lambda: gpt2(2, 64, 4), [(("batch", "seq_len"), "int64")], tokens(16)),
    "resnet50": (lambda: torchvision_model("resnet50"), [(("batch", 3, 224, 224), "float32")], image),
    "mobilenet_v2": (lambda: torchvision_model("mobilenet_v2"), [(("batch", 3, 224, 224), "float32")], image),
    "bert_base": (lambda: bert(12, 768, 12, 3072, vocab=30522), [(("batch", 128), "int64")], tokens(128, 30522)),
    "gpt2": (lambda: gpt2(12, 768, 12, vocab=50257, positions=1024), [(("batch", 128), "int64")], tokens(128, 50257)),
}
DEFAULT = ["mlp", "resnet18", "bert_small", "gpt2_small"]


def check_model(name, keep_params):
    make, specs, inputs = MODELS[name]
    model = make()
    start = time.perf_counter()
    if keep_params:
        mod, params = kiln.frontend.from_torch(model, specs, keep_params_as_input=True)
        state = model.state_dict()
        assert params and set(params) <= set(state)
        for key, value in params.items():
            np.testing.assert_array_equal(value, state[key].numpy(), err_msg=key)
        weights = list(params.values())
    else:
        mod, weights = kiln.frontend.from_torch(model, specs), []
    imported = time.perf_counter()
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm"), kiln.cpu())
    compiled = time.perf_counter()
    lifted = list(vm["main_transform_params"](*weights)) if keep_params else []
    errors = []
    for b in (1, 4):
        torch.manual_seed(b)
        xs = inputs(b)
        with torch.no_grad():
            ref = model(*xs)
        refs = ref if isinstance(ref, tuple) else (ref,)
        out = vm["main"](*[x.numpy() for x in xs], *lifted)
        outs = tuple(out) if isinstance(ref, tuple) else (out,)
        for o, r in zip(outs, refs):
            assert o.shape == tuple(r.shape)
            errors.append(float(np.abs(o.numpy() - r.numpy()).max()))
            np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=0, atol=1e-4)
    print(f"{name}: import {imported - start:.1f} s, compile {compiled - imported:.1f} s, max abs error {max(errors):.2e}")


@pytest.mark.parametrize("name", DEFAULT)
def test_model(name):
    check_model(name, keep_params=name in ("mlp", "gpt2_small"))


@full_only
@pytest.mark.parametrize("name", [n for n in MODELS if n not in DEFAULT])
def test_model_full(name):
    check_model(name, keep_params=name == "bert_base")
