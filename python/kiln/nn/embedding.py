"""Embedding: rows of a (num_embeddings, embedding_dim) table picked by
integer indices of any shape."""

from .core import Module, Parameter
from . import op

__all__ = ["Embedding"]


class Embedding(Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: str = "float32"):
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter((num_embeddings, embedding_dim), dtype)

    def forward(self, indices):
        return op.take(self.weight, indices, axis=0)

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"
