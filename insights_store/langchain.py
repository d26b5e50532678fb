"""Adapter over any LangChain ``VectorStore`` (spec ``langchain:module:factory``) as the derived index.

A generic ``VectorStore`` cannot list documents, keep history, apply several writes atomically or filter
portably, so — as for every backend — the records live in SQLite (``<workspace>/stores/langchain/<slug>.sqlite3``)
and the vector store only ranks candidates (see ``sqlite_store``). What it cannot honour:

- ranking comes from the vector store (approximate for ANN stores); similarities are recomputed exactly from
  the stored vectors so they mean the same as on other backends, and filters are applied to the candidates
  (widened until enough match), so a very selective scale filter can cost several index queries;
- the vector store embeds the text itself (``add_documents``), with the embeddings handed to the factory.

The factory is called as ``factory(embeddings)`` and must return a ``VectorStore`` that uses them and
implements ``similarity_search_by_vector``, ``add_documents(ids=...)``, ``delete(ids=...)`` and, so that an
empty (ephemeral, e.g. ``InMemoryVectorStore``) index is noticed and rebuilt at open, ``get_by_ids``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from insights_store.base import StoreError
from insights_store.batch import StoredInsight
from insights_store.sqlite_records import IndexChanges, Records
from insights_store.sqlite_store import SQLiteStore
from msi_agent.registry import load_attr


def _doc_id(namespace: str, insight_id: str) -> str:
    return f"{namespace}/{insight_id}"


class LangChainIndex:
    """The ``VectorIndex`` over one LangChain ``VectorStore`` object (this process's own)."""

    shared = caches = drops = replicates = False

    def __init__(self, vector_store: VectorStore) -> None:
        self.store = vector_store
        self.seen = -1

    def open(self, records: Records) -> None:
        """Nothing to adopt: layout-1 files are upgraded by ``Records`` itself."""

    def holds(self, namespace: str, insight_id: str) -> bool | None:
        try:
            return bool(self.store.get_by_ids([_doc_id(namespace, insight_id)]))
        except NotImplementedError:
            return None

    def apply(self, changes: IndexChanges) -> None:
        for namespace, rows in changes.upserts.items():
            docs = [Document(page_content=r.text, metadata={"namespace": namespace, "insight_id": r.id}) for r in rows]
            self.store.add_documents(docs, ids=[_doc_id(namespace, r.id) for r in rows])
        dead = [_doc_id(ns, i) for ns, ids in changes.deletes.items() for i in ids]
        if dead:
            self.store.delete(ids=dead)

    def nearest(self, namespace: str, vector: np.ndarray, n: int) -> tuple[list[str], bool]:
        docs = self.store.similarity_search_by_vector(vector.tolist(), k=n)
        ids = [d.metadata.get("insight_id") for d in docs if d.metadata.get("namespace") == namespace]
        return [i for i in dict.fromkeys(ids) if isinstance(i, str)], len(docs) < n

    def reset(self, namespaces: list[str]) -> None:
        """A generic VectorStore cannot be emptied; the rebuild re-adds every record by id, over the old ones."""

    def versions(self) -> dict[str, str]:
        return {}

    def pull(self, namespace: str) -> tuple[list[StoredInsight], np.ndarray]:
        raise NotImplementedError("a LangChain index does not replicate records")

    def reload(self) -> None:
        """Never called: this index is not shared through files."""

    def close(self) -> None:
        """The vector store belongs to the factory's caller."""


class LangChainStore(SQLiteStore):
    """Records in SQLite at ``path``, similarity through ``vector_store``; see the module docstring."""

    def __init__(self, vector_store: VectorStore, *, path: Path, embeddings: Embeddings) -> None:
        if not isinstance(vector_store, VectorStore):
            raise StoreError(f"expected a LangChain VectorStore, got {type(vector_store).__name__}")
        super().__init__(embeddings, path=path, index=lambda _store_id: LangChainIndex(vector_store))

    @classmethod
    def from_factory(cls, target: str, *, workspace: Path, embeddings: Embeddings) -> LangChainStore:
        try:
            factory = load_attr(target)
        except (ImportError, ValueError) as exc:
            raise StoreError(f"cannot load VectorStore factory {target!r}: {exc}") from None
        slug = target.replace(":", ".")
        return cls(
            factory(embeddings), path=workspace / "stores" / "langchain" / f"{slug}.sqlite3", embeddings=embeddings
        )
