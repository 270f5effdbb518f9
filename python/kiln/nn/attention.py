"""Multi-head self-attention with an explicit key/value cache.

The cache is plain tensors the caller passes in and gets back: keys and
values of the positions seen so far, (batch, heads, cache_len, head_dim)
each. A step appends the new positions along the sequence axis (a concat)
and attends over all of them, so one exported function serves any prompt
and cache length (symbolic ``seq_len`` and ``cache_len``). Parameters are
those of torch.nn.MultiheadAttention (``in_proj_weight``, ``in_proj_bias``,
``out_proj``), so its state dict loads as is."""

from typing import NamedTuple, Optional

import numpy as np

from .core import Module, Parameter
from .linear import Linear
from . import op
from .tensor import Tensor

__all__ = ["KVCache", "MultiheadAttention"]


class KVCache(NamedTuple):
    """Keys and values of the positions attended to, (batch, heads, len, head_dim)."""

    k: Tensor
    v: Tensor


class MultiheadAttention(Module):
    """Self-attention of a (batch, seq_len, embed_dim) tensor. With
    ``causal``, position i of the new tokens sees the cache and new
    positions up to i."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True, causal: bool = False,
                 dtype: str = "float32"):
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} is not a multiple of num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.causal = causal
        self.in_proj_weight = Parameter((3 * embed_dim, embed_dim), dtype)
        self.in_proj_bias = Parameter((3 * embed_dim,), dtype, init="zeros") if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)

    def forward(self, x: Tensor, cache: Optional[KVCache] = None):
        """The attention output and the cache extended by ``x``'s positions."""
        b, s, _ = x.shape
        qkv = op.linear(x, self.in_proj_weight, self.in_proj_bias)
        q, k, v = (self._heads(t, b, s) for t in op.split(qkv, 3, axis=-1))
        past = 0
        if cache is not None:
            past = cache.k.shape[2]
            k, v = op.concat([cache.k, k], axis=2), op.concat([cache.v, v], axis=2)
        scores = (q @ k.transpose(2, 3)) * float(1 / np.sqrt(self.head_dim))
        if self.causal:
            scores = op.where(self._causal_mask(past, s, k.shape[2]), scores, float("-inf"))
        out = op.softmax(scores, axis=-1) @ v
        out = out.permute_dims(0, 2, 1, 3).reshape(b, s, self.embed_dim)
        return self.out_proj(out), KVCache(k, v)

    def _heads(self, t: Tensor, b, s) -> Tensor:
        """(b, s, embed_dim) -> (b, heads, s, head_dim)."""
        return t.reshape(b, s, self.num_heads, self.head_dim).permute_dims(0, 2, 1, 3)

    def _causal_mask(self, past, s, total) -> Tensor:
        """(s, total) booleans: new position i (at past + i) sees keys j <= past + i."""
        query_pos = op.arange(past, total)
        if not isinstance(past, int) or not isinstance(total, int):
            query_pos = query_pos.with_shape([s])  # arange(c, c + s) has s elements
        key_pos = op.arange(0, total)
        return op.less_equal(op.expand_dims(key_pos, 0), op.expand_dims(query_pos, 1))
