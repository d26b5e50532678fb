"""Adopt a store written before the SQLite design (layout 1: everything inside Chroma collections).

Layout 1 kept each live insight (JSON insight + history in the metadata, with its vector) in ``msi-live-<ns>``,
deleted ones in ``msi-gone-<ns>``, pending batches in ``msi-journal`` and the version in ``msi-meta``. On the
first open we copy all of it into the records in one SQLite transaction (replaying pending batches, as layout 1
itself would have), then drop the old collections (embedded stores only: on a server each workspace adopts its
own copy). A crash in between is harmless: the copy either committed (the next open only drops the leftovers) or
did not (the next open copies again).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from chromadb.api import ClientAPI
from langchain_core.embeddings import Embeddings

from insights_store.base import SchemaVersionError, StoreError
from insights_store.batch import Batch, StoredInsight
from insights_store.embeddings import embed_array, embedder_id
from insights_store.sqlite_records import Records
from msi_agent.records import HistoryEntry, Insight

META = "msi-meta"
JOURNAL = "msi-journal"
LIVE = "msi-live-"
GONE = "msi-gone-"
_PAGE = 5000


def _record(meta: dict[str, Any]) -> StoredInsight:
    return StoredInsight(
        insight=Insight.model_validate_json(meta["insight"]),
        history=[HistoryEntry.model_validate(h) for h in json.loads(meta["history"])],
    )


def _pages(client: ClientAPI, name: str, include: list[str]) -> list[dict[str, Any]]:
    col = client.get_collection(name, embedding_function=None)
    pages = []
    for offset in range(0, col.count(), _PAGE):
        pages.append(col.get(include=include, limit=_PAGE, offset=offset))  # type: ignore[arg-type]
    return pages


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def adopt_layout_1(client: ClientAPI, records: Records, embeddings: Embeddings, *, where: str, drop: bool) -> None:
    """Copy a layout-1 store found through ``client`` into ``records``; then drop its collections if ``drop``
    (an embedded folder belongs to this store; a server's collections may be another workspace's to adopt)."""
    names = [c.name for c in client.list_collections()]
    if META not in names:
        return
    meta = client.get_collection(META, embedding_function=None).metadata or {}
    if meta.get("msi_schema") != 1:
        raise SchemaVersionError(
            f"the insight store at {where} has layout version {meta.get('msi_schema')} (written by "
            f"{meta.get('msi_writer', 'an unknown version')}); this msi-agent reads layout 1 (and adopts it) "
            "and layout 2. Migrate: with the version that wrote it, export each namespace "
            "(InsightStore.export_jsonl), then import the files into a new store (import_jsonl)."
        )
    ours = embedder_id(embeddings)
    old = [n for n in names if n in (META, JOURNAL) or n.startswith((LIVE, GONE))]
    if records.generation() == 0:
        with records.transaction():
            for name in (n for n in names if n.startswith(LIVE)):
                built = (client.get_collection(name, embedding_function=None).metadata or {}).get("msi_embedder")
                if built != ours:
                    raise StoreError(
                        f"collection {name!r} in {where} was embedded differently (it was built with {built!r}); "
                        f"this store was opened with {ours!r}. Open it with the embedder it was built with."
                    )
                for page in _pages(client, name, ["metadatas", "embeddings"]):
                    upserts = [_record(m) for m in page["metadatas"] or []]
                    vectors = np.asarray(page["embeddings"], dtype=np.float32).reshape(len(upserts), -1)
                    records.write(Batch(namespace=name.removeprefix(LIVE), upserts=upserts), vectors)
            for name in (n for n in names if n.startswith(GONE)):
                for page in _pages(client, name, ["metadatas"]):
                    deletes = [_record(m) for m in page["metadatas"] or []]
                    records.write(Batch(namespace=name.removeprefix(GONE), deletes=deletes), np.zeros((0, 1)))
            if JOURNAL in names:  # batches a crash left half-applied: replay their end states, oldest first
                for page in _pages(client, JOURNAL, ["documents"]):
                    for _, doc in sorted(zip(page["ids"], page["documents"] or [], strict=True)):
                        batch = Batch.model_validate_json(doc)
                        texts = [r.insight.text for r in batch.upserts]
                        vectors = _unit(embed_array(embeddings, texts)) if texts else np.zeros((0, 1))
                        records.write(batch, vectors)
    for name in old if drop else ():
        client.delete_collection(name)
