"""The models the ONNX importer is tested on, exported to ONNX at test time
with ``torch.onnx.export`` (the dynamo exporter of PyTorch 2.14, opset 18,
symbolic batch and sequence length), with random weights (no downloads).

``export(name, folder)`` writes ``folder/name.onnx`` and returns the path,
the PyTorch module and a function making example inputs for a batch size.
``export_with_references(name, folder)`` does it in a child process that also
writes the inputs and PyTorch's outputs at batch 1 and 4 to
``folder/name.npz`` (keys b1_in0, b1_out0, ...): the test process then needs
neither the exporter nor PyTorch. (Importing onnxscript with torch before
kiln made Kiln's JIT-compiled code crash; see the report of issue 6.)
"""

import subprocess
import sys
import warnings
from pathlib import Path

import torch

OPSET = 18


class PlainOutputs(torch.nn.Module):
    """A Hugging Face model returning tensors: (last_hidden_state,
    pooler_output) for BERT, logits for GPT-2."""

    def __init__(self, model, fields):
        super().__init__()
        self.model, self.fields = model, fields

    def forward(self, input_ids):
        out = self.model(input_ids)
        values = tuple(getattr(out, f) for f in self.fields)
        return values if len(values) > 1 else values[0]


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.GELU(),
            torch.nn.Linear(128, 10))

    def forward(self, x):
        return torch.softmax(self.layers(x), dim=-1)


def _torchvision(name):
    import torchvision

    model = getattr(torchvision.models, name)(weights=None).eval()
    with torch.no_grad():  # batch norm statistics that are not the identity
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return model


def _bert(layers, hidden, heads, inter, vocab=1000):
    from transformers import BertConfig, BertModel

    cfg = BertConfig(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=heads,
                     intermediate_size=inter, vocab_size=vocab)
    cfg._attn_implementation = "eager"
    return PlainOutputs(BertModel(cfg), ["last_hidden_state", "pooler_output"]).eval()


def _gpt2(layers, hidden, heads, vocab=1000, positions=256):
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(n_layer=layers, n_embd=hidden, n_head=heads, vocab_size=vocab, n_positions=positions,
                     use_cache=False)
    cfg._attn_implementation = "eager"
    return PlainOutputs(GPT2LMHeadModel(cfg), ["logits"]).eval()


def _image_inputs(batch):
    return (torch.randn(batch, 3, 224, 224),)


def _token_inputs(seq):
    return lambda batch: (torch.randint(0, 1000, (batch, seq)),)


# name -> (make the module, make inputs for a batch, input name, dynamic axes)
MODELS = {
    "mlp": (MLP, lambda b: (torch.randn(b, 64),), "x", {0: "batch"}),
    "resnet18": (lambda: _torchvision("resnet18"), _image_inputs, "x", {0: "batch"}),
    "resnet50": (lambda: _torchvision("resnet50"), _image_inputs, "x", {0: "batch"}),
    "mobilenet_v2": (lambda: _torchvision("mobilenet_v2"), _image_inputs, "x", {0: "batch"}),
    "bert_tiny": (lambda: _bert(2, 64, 4, 128), _token_inputs(16), "input_ids", {0: "batch", 1: "seq"}),
    "gpt2_tiny": (lambda: _gpt2(2, 64, 4), _token_inputs(16), "input_ids", {0: "batch", 1: "seq"}),
    "bert_base": (lambda: _bert(12, 768, 12, 3072), _token_inputs(128), "input_ids", {0: "batch", 1: "seq"}),
    "gpt2": (lambda: _gpt2(12, 768, 12, vocab=50257, positions=1024), _token_inputs(128), "input_ids",
             {0: "batch", 1: "seq"}),
}
DEFAULT = ["mlp", "resnet18", "bert_tiny"]
FULL = ["mlp", "resnet18", "resnet50", "mobilenet_v2", "bert_tiny", "gpt2_tiny", "bert_base", "gpt2"]


def export(name, folder, opset=OPSET):
    """Exports model `name` to folder/name.onnx; returns (path, module,
    make_inputs)."""
    make_model, make_inputs, input_name, axes = MODELS[name]
    torch.manual_seed(0)
    model = make_model()
    path = Path(folder) / f"{name}.onnx"
    example = make_inputs(2)
    dims = {i: torch.export.Dim(label, min=1, max=4096) for i, label in axes.items()}
    if "seq" in axes.values():  # positions tables bound the sequence length
        dims[1] = torch.export.Dim("seq", min=2, max=256 if "tiny" in name else 512)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, str(path), dynamo=True, opset_version=opset, input_names=[input_name],
                          dynamic_shapes=(dims,), verbose=False, optimize=True)
    return path, model, make_inputs


def _write_references(name, folder):
    path, model, make_inputs = export(name, folder)
    arrays = {}
    for batch in (1, 4):
        torch.manual_seed(batch)
        inputs = make_inputs(batch)
        with torch.no_grad():
            out = model(*inputs)
        outs = out if isinstance(out, (list, tuple)) else [out]
        arrays.update({f"b{batch}_in{i}": x.numpy() for i, x in enumerate(inputs)})
        arrays.update({f"b{batch}_out{i}": y.numpy() for i, y in enumerate(outs)})
    import numpy as np

    np.savez(Path(folder) / f"{name}.npz", **arrays)
    return path


def export_with_references(name, folder):
    """folder/name.onnx and folder/name.npz, made in a child process."""
    subprocess.run([sys.executable, __file__, name, str(folder)], check=True, capture_output=True)
    return Path(folder) / f"{name}.onnx", Path(folder) / f"{name}.npz"


if __name__ == "__main__":
    _write_references(sys.argv[1], sys.argv[2])
