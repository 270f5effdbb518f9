"""The models of bench/models, built by the builders the frontend tests use
(tests/python/frontend/test_torch_models.py: torchvision models with
calibrated batch norm, BERT-base and GPT-2 from Hugging Face configs with
random weights, the MLP), at a fixed batch: eval mode, float32, no downloads.

    model, specs, inputs = zoo.build("resnet50", batch=8)

`specs` is the input list for kiln.frontend.from_torch with static shapes
(the row's batch), `inputs` the torch tensors of one call (seeded)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "python" / "frontend"))

import test_torch_models as _tests  # noqa: E402

# The bench's names, in the order of the table: (name in the tests, what it is).
MODELS = {
    "resnet18": ("resnet18", "torchvision resnet18, 224x224"),
    "resnet50": ("resnet50", "torchvision resnet50, 224x224"),
    "mobilenet_v2": ("mobilenet_v2", "torchvision mobilenet_v2, 224x224"),
    "bert_base": ("bert_base", "BERT-base encoder (12 layers, 768), seq 128"),
    "gpt2": ("gpt2", "GPT-2 decoder (12 layers, 768), prefill of 128 tokens, logits"),
    "mlp": ("mlp", "MLP 784-256-128-10"),
}


def build(name, batch):
    """(torch module in eval mode, static input specs, inputs) for `name`."""
    import torch

    if name not in MODELS:
        raise KeyError(f"zoo.build: no model {name!r}; known: {', '.join(MODELS)}")
    make, specs, make_inputs = _tests.MODELS[MODELS[name][0]]
    model = make().eval()
    model.requires_grad_(False)
    torch.manual_seed(batch)
    inputs = make_inputs(batch)
    static = [(tuple(x.shape), str(x.dtype).replace("torch.", "")) for x in inputs]
    assert len(static) == len(specs), f"zoo.build: {name}: {len(specs)} specs, {len(static)} inputs"
    return model, static, inputs
