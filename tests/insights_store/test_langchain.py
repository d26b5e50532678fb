from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore

from insights_store import StoreError, open_store
from insights_store.base import InsightStore
from insights_store.testing import FRIDGE, KNIFE, InsightStoreContract, general, subtask

SPEC = f"langchain:{__name__}:in_memory_index"


def in_memory_index(embeddings: Embeddings) -> InMemoryVectorStore:
    """A fresh, ephemeral index per open: the adapter must rebuild it from its SQLite records."""
    return InMemoryVectorStore(embeddings)


class TestLangChainAdapter(InsightStoreContract):
    @pytest.fixture
    def empty_store(self, tmp_path: Path) -> Iterator[InsightStore]:
        self.workspace = tmp_path
        store = open_store(SPEC, workspace=tmp_path, embeddings="hash")
        yield store
        store.close()

    def reopen(self, store: InsightStore) -> InsightStore:
        store.close()
        return open_store(SPEC, workspace=self.workspace, embeddings="hash")


def test_selective_filter_widens_the_index_query(tmp_path: Path) -> None:
    store = open_store(SPEC, workspace=tmp_path, embeddings="hash")
    try:
        store.import_jsonl(general(f"{FRIDGE} number {i}").model_dump_json() for i in range(120))
        rare = subtask(KNIFE, "Slicing")
        store.add(rare)
        hits = store.search(FRIDGE, k=3, key="Slicing")
        assert [h.insight.id for h in hits] == [rare.id]
    finally:
        store.close()


def test_factory_must_return_a_vector_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="expected a LangChain VectorStore"):
        open_store(f"langchain:{__name__}:not_an_index", workspace=tmp_path, embeddings="hash")


def not_an_index(embeddings: Embeddings) -> object:
    return object()


def test_reopen_with_another_embedder_is_refused(tmp_path: Path) -> None:
    open_store(SPEC, workspace=tmp_path, embeddings="hash").close()
    with pytest.raises(StoreError, match=r"embedded with 'hash-384'.*export"):
        open_store(SPEC, workspace=tmp_path, embeddings="minilm")
