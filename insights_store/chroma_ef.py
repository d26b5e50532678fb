"""Our embedders as registered Chroma embedding functions, so collections record which one built them.

Any process that imports this module can reopen a collection with plain ``chromadb`` and query it by
text, without Chroma falling back to its default embedder (which downloads a model and fails offline).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

from insights_store.embeddings import HashEmbeddings, MiniLMEmbeddings, embed_array


class _Adapter(EmbeddingFunction[Documents]):
    _embeddings: Embeddings

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(embed_array(self._embeddings, list(input)).astype(np.float32))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        return ["cosine"]


@register_embedding_function
class MiniLMFunction(_Adapter):
    """all-MiniLM-L6-v2 via ``MiniLMEmbeddings`` (offline numpy forward pass)."""

    def __init__(self, embeddings: MiniLMEmbeddings | None = None) -> None:
        self._embeddings = embeddings or MiniLMEmbeddings()

    @staticmethod
    def name() -> str:
        return "msi-minilm"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMFunction:
        return MiniLMFunction()


@register_embedding_function
class HashFunction(_Adapter):
    """The hashing bag-of-words embedder via ``HashEmbeddings``."""

    def __init__(self, embeddings: HashEmbeddings | None = None, dimension: int = 384) -> None:
        self._embeddings = embeddings or HashEmbeddings(dimension)

    @staticmethod
    def name() -> str:
        return "msi-hash"

    def get_config(self) -> dict[str, Any]:
        return {"dimension": self._embeddings.dimension}  # type: ignore[attr-defined]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashFunction:
        return HashFunction(dimension=int(config.get("dimension", 384)))


def chroma_function(embeddings: Embeddings) -> EmbeddingFunction[Documents] | None:
    """The registered function for one of our embedders; None for other LangChain embedders (the store
    then always passes vectors explicitly and the collection records no function)."""
    if isinstance(embeddings, MiniLMEmbeddings):
        return MiniLMFunction(embeddings)
    if isinstance(embeddings, HashEmbeddings):
        return HashFunction(embeddings)
    return None
