"""A small GPT-style decoder written twice, with kiln.nn and with torch.nn,
under the same parameter names (so one state dict loads into both):
token and position embeddings, blocks of causal self-attention and an MLP
(pre-norm, residuals), a final norm and the LM head.

The Kiln model exports two functions into one module: ``prefill`` (a
prompt of symbolic length, no cache) and ``decode`` (new tokens after a
cache of symbolic length); both return the logits and every layer's keys
and values, which ``decode`` takes back on the next step."""

from dataclasses import dataclass

import torch

from kiln import nn


@dataclass
class Config:
    vocab_size: int = 96
    max_positions: int = 64
    embed_dim: int = 32
    num_heads: int = 4
    num_layers: int = 2


class Block(nn.Module):
    def __init__(self, cfg: Config):
        self.ln_1 = nn.LayerNorm(cfg.embed_dim)
        self.attn = nn.MultiheadAttention(cfg.embed_dim, cfg.num_heads, causal=True)
        self.ln_2 = nn.LayerNorm(cfg.embed_dim)
        self.fc = nn.Linear(cfg.embed_dim, 4 * cfg.embed_dim)
        self.act = nn.GELU()
        self.proj = nn.Linear(4 * cfg.embed_dim, cfg.embed_dim)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, cache=None):
        a, cache = self.attn(self.ln_1(x), cache)
        x = x + a
        x = x + self.drop(self.proj(self.act(self.fc(self.ln_2(x)))))
        return x, cache


class GPT(nn.Module):
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.wpe = nn.Embedding(cfg.max_positions, cfg.embed_dim)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.num_layers)])
        self.ln_f = nn.LayerNorm(cfg.embed_dim)
        self.lm_head = nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)

    def forward(self, tokens, caches=None):
        """Logits of ``tokens`` (batch, seq_len) placed after the cached
        positions, and the flat list [k0, v0, k1, v1, ...] of extended caches."""
        b, s = tokens.shape
        if caches is None:
            positions = nn.op.arange(0, s)
        else:  # after the cache: arange(c, c + s), which has s elements
            past = caches[0].shape[2]
            positions = nn.op.arange(past, past + s).with_shape([s])
        x = self.wte(tokens) + self.wpe(positions)
        out_caches = []
        for i, block in enumerate(self.blocks):
            cache = None if caches is None else nn.KVCache(caches[2 * i], caches[2 * i + 1])
            x, cache = block(x, cache)
            out_caches += [cache.k, cache.v]
        return self.lm_head(self.ln_f(x)), tuple(out_caches)

    def prefill(self, tokens):
        return self.forward(tokens)

    def decode(self, tokens, caches):
        return self.forward(tokens, caches)

    def spec(self):
        """prefill and decode with symbolic batch, seq_len and cache_len."""
        cfg = self.cfg
        cache = nn.spec.Tensor(["batch", cfg.num_heads, "cache_len", cfg.embed_dim // cfg.num_heads])
        tokens = nn.spec.Tensor(["batch", "seq_len"], "int64")
        return {"prefill": {"tokens": tokens}, "decode": {"tokens": tokens, "caches": [cache] * (2 * cfg.num_layers)}}


class TorchBlock(torch.nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(cfg.embed_dim)
        self.attn = torch.nn.MultiheadAttention(cfg.embed_dim, cfg.num_heads, batch_first=True)
        self.ln_2 = torch.nn.LayerNorm(cfg.embed_dim)
        self.fc = torch.nn.Linear(cfg.embed_dim, 4 * cfg.embed_dim)
        self.act = torch.nn.GELU()
        self.proj = torch.nn.Linear(4 * cfg.embed_dim, cfg.embed_dim)

    def forward(self, x):
        s = x.shape[1]
        mask = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.proj(self.act(self.fc(self.ln_2(x))))


class TorchGPT(torch.nn.Module):
    """The same decoder in PyTorch, full sequence only."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.wte = torch.nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.wpe = torch.nn.Embedding(cfg.max_positions, cfg.embed_dim)
        self.blocks = torch.nn.ModuleList([TorchBlock(cfg) for _ in range(cfg.num_layers)])
        self.ln_f = torch.nn.LayerNorm(cfg.embed_dim)
        self.lm_head = torch.nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
