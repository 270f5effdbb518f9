"""
Construct a model with nn.Module
================================

``kiln.nn`` writes models directly in Python, the way ``torch.nn`` does:
modules hold parameters and sub-modules, ``forward`` computes with tensors,
and ``export`` turns the methods you name into relax functions with
symbolic dimensions such as ``"batch"`` and ``"seq_len"``. **S0** shows the
elements (Module, Parameter, the spec, export and the module it prints),
**S1** writes a small GPT-style decoder with a key/value cache, compiles it
once and generates token by token, timing each decode step against
recomputing the whole sequence, **S2** sends the exported module through the
default pipeline with a pass of your own and shows the Torch-side view,
``kiln.torch.compile``.
"""

import os
import time

import numpy as np

import kiln
from kiln import nn

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"

######################################################################
# S0: the elements
# ----------------
# A :class:`kiln.nn.Module` is a plain Python object: its attributes that
# are :class:`~kiln.nn.Parameter` objects are its weights, those that are
# modules are its children, and parameter names follow PyTorch's
# (``fc1.weight``), so a ``torch.nn`` state dict loads as is. ``forward``
# receives :class:`kiln.nn.Tensor` values, each a relax expression, and
# every operation on them (``+``, ``@``, ``reshape``, a layer) emits one op
# into the function being built.


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * 0.5


mlp = MLP(64, 128, 10).init_params(seed=0)  # random weights; load_state_dict sets real ones
print(mlp)
print([(name, p.shape) for name, p in mlp.named_parameters()])

######################################################################
# The spec names the methods to export and the shape of each input; a
# string is a symbolic dimension. ``export`` returns the IRModule and the
# named parameters, which follow the inputs as function parameters (the
# attribute ``num_input`` counts the inputs, so the default pipeline's
# LiftTransformParams precomputes what depends on the weights alone, here
# the transposed weight matrices). ``forward`` becomes the function ``main``.

spec = {"forward": {"x": nn.spec.Tensor(["batch", 64], "float32")}}
mod, params = mlp.export(spec)
print(mod)

######################################################################
# Compile, run at two batch sizes, check against NumPy. The compiled module
# has ``main_transform_params`` (from LiftTransformParams): run it once on
# the weights, then pass its results to ``main`` on every call. A mistake
# in ``forward`` is reported with the module and the op, e.g. a 63-feature
# input to the first layer:

vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
weights = vm["main_transform_params"](*[p.data for _, p in params])
w = mlp.state_dict()
for batch in (1, 8):
    x = np.random.default_rng(batch).standard_normal((batch, 64)).astype("float32")
    h = x @ w["fc1.weight"].T + w["fc1.bias"]
    h = 0.5 * h * (1 + np.vectorize(__import__("math").erf)(h / np.sqrt(2)))
    want = (h @ w["fc2.weight"].T + w["fc2.bias"]) * 0.5
    got = vm["main"](x, *weights).numpy()
    print(f"batch {batch}: max abs error vs NumPy {np.abs(got - want).max():.2e}")

try:
    mlp.export({"forward": {"x": nn.spec.Tensor(["batch", 63])}})
except kiln.Error as err:
    print(str(err).splitlines()[0])

######################################################################
# S1: transformations and their effect
# ------------------------------------
# A GPT-style decoder: token and position embeddings, blocks of causal
# self-attention and an MLP, a final norm and the LM head. The attention
# (:class:`kiln.nn.MultiheadAttention`) takes its key/value cache as
# tensors and returns it extended, so generation is a loop the caller
# drives. Two methods are exported into one module: ``prefill`` reads a
# prompt of any length, ``decode`` reads new tokens after a cache of any
# length (``cache_len`` and ``seq_len`` are symbolic).

D, HEADS, LAYERS, VOCAB = (256, 8, 4, 1000) if full else (128, 4, 2, 500)


class Block(nn.Module):
    def __init__(self):
        self.ln_1, self.ln_2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.attn = nn.MultiheadAttention(D, HEADS, causal=True)
        self.mlp = nn.Sequential(nn.Linear(D, 4 * D), nn.GELU(), nn.Linear(4 * D, D))

    def forward(self, x, cache=None):
        a, cache = self.attn(self.ln_1(x), cache)
        x = x + a
        return x + self.mlp(self.ln_2(x)), cache


class GPT(nn.Module):
    def __init__(self):
        self.wte, self.wpe = nn.Embedding(VOCAB, D), nn.Embedding(1024, D)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, VOCAB, bias=False)

    def forward(self, tokens, caches=None):
        b, s = tokens.shape
        if caches is None:
            positions = nn.op.arange(0, s)
        else:  # positions c .. c + s - 1 after a cache of c
            c = caches[0].shape[2]
            positions = nn.op.arange(c, c + s).with_shape([s])
        x = self.wte(tokens) + self.wpe(positions)
        new_caches = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if caches is None else nn.KVCache(caches[2 * i], caches[2 * i + 1]))
            new_caches += [kv.k, kv.v]
        return self.lm_head(self.ln_f(x)), tuple(new_caches)

    def prefill(self, tokens):
        return self.forward(tokens)

    def decode(self, tokens, caches):
        return self.forward(tokens, caches)


gpt = GPT().init_params(seed=1)
tokens_spec = nn.spec.Tensor(["batch", "seq_len"], "int64")
cache_spec = nn.spec.Tensor(["batch", HEADS, "cache_len", D // HEADS])
gpt_spec = {"prefill": {"tokens": tokens_spec}, "decode": {"tokens": tokens_spec, "caches": [cache_spec] * (2 * LAYERS)}}
gpt_mod, gpt_params = gpt.export(gpt_spec)
print(gpt_mod["decode"].ret_struct_info)

######################################################################
# One compile serves every prompt and cache length. Generation: prefill a
# prompt, then feed back the most likely token one at a time with the
# cache. The same tokens through ``prefill`` in one go must give the same
# logits, which checks the cache and the causal mask.

start = time.perf_counter()
gpt_vm = kiln.VirtualMachine(kiln.compile(gpt_mod), kiln.cpu())
print(f"compile: {time.perf_counter() - start:.1f} s")
raw = [p.data for _, p in gpt_params]
prefill_w = gpt_vm["prefill_transform_params"](*raw)
decode_w = gpt_vm["decode_transform_params"](*raw)

prompt = np.random.default_rng(2).integers(0, VOCAB, (1, 16))
steps = 48 if full else 16
logits, caches = gpt_vm["prefill"](prompt, *prefill_w)
tokens = [int(logits.numpy()[0, -1].argmax())]
step_logits = []
for _ in range(steps - 1):
    logits, caches = gpt_vm["decode"](np.array([[tokens[-1]]]), *caches, *decode_w)
    step_logits.append(logits.numpy()[0, -1])
    tokens.append(int(step_logits[-1].argmax()))

whole = np.concatenate([prompt, [tokens[:-1]]], axis=1)
full_logits = gpt_vm["prefill"](whole, *prefill_w)[0].numpy()[0, prompt.shape[1]:]
print("generated:", tokens[:12], "...")
print(f"decode steps vs one full pass: max abs diff {np.abs(np.array(step_logits) - full_logits).max():.2e}")

######################################################################
# Timing: a decode step at growing cache lengths against recomputing the
# whole sequence with ``prefill``, which is what a model without a cache
# does for every new token. The step's cost grows slowly with the cache;
# the recompute grows with the sequence.

decode_fn = gpt_vm.time_evaluator("decode", number=20, repeat=5)
prefill_fn = gpt_vm.time_evaluator("prefill", number=5, repeat=5)
print(f"{'length':>7} {'decode step (ms)':>17} {'full recompute (ms)':>20}")
for length in (16, 64, 128) if not full else (16, 64, 256, 512):
    seq = np.random.default_rng(length).integers(0, VOCAB, (1, length))
    _, cache = gpt_vm["prefill"](seq, *prefill_w)
    one = np.array([[1]])
    step_ms = decode_fn(one, *cache, *decode_w).median * 1e3
    recompute_ms = prefill_fn(np.concatenate([seq, one], axis=1), *prefill_w).median * 1e3
    print(f"{length:>7} {step_ms:>17.3f} {recompute_ms:>20.3f}")

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# The exported module is an ordinary IRModule: any pipeline takes it, and a
# pass of your own goes anywhere in the list. Here, an analysis pass after
# fusion reports how many kernels each exported function calls (the
# decoder's dozens of ops fuse into fewer kernels); a rewrite pass would be
# spliced in the same way.


@kiln.transform.module_pass(opt_level=0)
def count_kernels(mod, ctx):
    """Prints the number of call_tir kernels each relax function calls."""
    for name in ("prefill", "decode"):
        calls = [b.value for block in mod[name].body.blocks for b in block.bindings
                 if isinstance(b.value, kiln.relax.Call) and getattr(b.value.op, "name", "") == "relax.call_tir"]
        print(f"  {name}: {len(calls)} kernels after fusion")
    return mod


pipeline = kiln.pipeline.get("default", target="llvm")
pipeline.insert_after("FuseTIR", count_kernels)
ex = kiln.compile(gpt_mod, target="llvm", pipeline=pipeline)
print(ex)

######################################################################
# The Torch-side view: ``kiln.torch.compile`` imports a PyTorch model
# (``kiln.frontend.from_torch``), compiles it with the default pipeline and
# returns a ``torch.nn.Module``; tensors cross by DLPack without copies and
# ``dynamic=True`` makes the batch symbolic. When a model already exists in
# PyTorch, that is the shorter path; ``kiln.nn`` is for models written for
# Kiln, e.g. with an explicit cache layout or functions (``prefill`` and
# ``decode``) a single ``forward`` cannot express.

import torch  # noqa: E402  (kiln.torch imports PyTorch; ``import kiln`` alone does not)

import kiln.torch  # noqa: E402

torch_mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.GELU(), torch.nn.Linear(128, 10)).eval()
fast = kiln.torch.compile(torch_mlp, (torch.randn(4, 64),), dynamic=True)
for batch in (1, 8):
    x = torch.randn(batch, 64)
    with torch.no_grad():
        print(f"kiln.torch.compile, batch {batch}: max abs error vs eager {(fast(x) - torch_mlp(x)).abs().max():.2e}")
