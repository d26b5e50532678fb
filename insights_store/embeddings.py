"""Offline embedders: all-MiniLM-L6-v2 (default, semantic) and a hashing bag of words (fast, lexical).

``get_embeddings`` turns a name or any LangChain ``Embeddings`` into the embedder a store uses;
``embedder_id`` is what a store records so that reopening it with a different embedder fails clearly.
Chroma's own default embedding function is never used: it downloads a model at first use.
"""

from __future__ import annotations

import itertools
import re
import zlib

import numpy as np
from langchain_core.embeddings import Embeddings

from insights_store.minilm import MiniLMEmbeddings

__all__ = ["EMBEDDERS", "HashEmbeddings", "MiniLMEmbeddings", "embed_array", "embedder_id", "get_embeddings"]

_TOKEN = re.compile(r"[a-z0-9]+")


class HashEmbeddings(Embeddings):
    """Feature hashing of lower-cased word unigrams and bigrams (crc32, signed), L2-normalised.

    Deterministic across processes (crc32, never Python's salted ``hash``), ~1000x faster than MiniLM,
    but only lexical: "fridge" and "refrigerator" are unrelated. Meant for tests and bulk benchmarks.
    """

    name = "hash"

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 8:
            raise ValueError(f"hash embedding dimension must be >= 8, got {dimension}")
        self.dimension = dimension

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        words = _TOKEN.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        for feature in features:
            h = zlib.crc32(feature.encode())
            vec[h % self.dimension] += 1.0 if (h >> 31) & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # no word characters: a fixed unit vector keeps cosine defined
            vec[0] = 1.0
            return vec
        return vec / norm

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()


EMBEDDERS = {"minilm": MiniLMEmbeddings, "hash": HashEmbeddings}


def get_embeddings(name_or_obj: str | Embeddings = "minilm") -> Embeddings:
    """``"minilm"``, ``"hash"`` or any LangChain ``Embeddings`` instance (returned as is)."""
    if isinstance(name_or_obj, Embeddings):
        return name_or_obj
    if isinstance(name_or_obj, str) and name_or_obj in EMBEDDERS:
        return EMBEDDERS[name_or_obj]()
    raise ValueError(
        f"unknown embedder {name_or_obj!r}; choose one of {', '.join(EMBEDDERS)} or pass a LangChain Embeddings object"
    )


def embedder_id(embeddings: Embeddings) -> str:
    """A stable name for an embedder, recorded by stores: 'minilm', 'hash-384', or the class path."""
    if isinstance(embeddings, HashEmbeddings):
        return f"hash-{embeddings.dimension}"
    if isinstance(embeddings, MiniLMEmbeddings):
        return "minilm"
    cls = type(embeddings)
    model = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None)
    return f"{cls.__module__}.{cls.__qualname__}" + (f"[{model}]" if isinstance(model, str) else "")


def embed_array(embeddings: Embeddings, texts: list[str]) -> np.ndarray:
    """Embed documents as a float32 matrix, using the fast path when the embedder has one."""
    fast = getattr(embeddings, "embed_array", None)
    if callable(fast):
        return np.asarray(fast(texts), dtype=np.float32)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
