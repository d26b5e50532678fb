"""Stores written before the SQLite design are adopted; newer layouts and other embedders are refused clearly;
a lost index is noticed and rebuilt, and ``reindex`` rebuilds it on demand."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings

from insights_store import SchemaVersionError, StoreError, open_store
from insights_store.batch import Batch, StoredInsight
from insights_store.embeddings import HashEmbeddings, embedder_id
from insights_store.testing import FRIDGE, KNIFE, LAMP, SINK, general, subtask
from msi_agent.records import HistoryEntry, Insight, OpKind

LANGCHAIN = "langchain:langchain_core.vectorstores:InMemoryVectorStore"


def _client(folder: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(path=str(folder), settings=Settings(anonymized_telemetry=False))


def _stored(insight: Insight, *ops: tuple[OpKind, float]) -> StoredInsight:
    history = [HistoryEntry(insight_id=insight.id, op=op, text=insight.text, score_after=s) for op, s in ops]
    return StoredInsight(insight=insight, history=history)


def _v1_metadata(rec: StoredInsight) -> dict[str, object]:
    """What layout 1 kept per record: filter fields plus the insight and its history as JSON."""
    meta: dict[str, object] = {
        "scale": rec.insight.scale.value,
        "slot": f"{rec.insight.scale.value}/{rec.insight.key or ''}",
        "score": rec.insight.score,
        "insight": rec.insight.model_dump_json(),
        "history": json.dumps([h.model_dump(mode="json") for h in rec.history]),
    }
    if rec.insight.key:
        meta["key"] = rec.insight.key
    return meta


def write_layout_1(folder: Path, schema: int = 1) -> dict[str, str]:
    """A layout-1 Chroma store: two live insights, one deleted, one batch left in the journal by a crash."""
    a, b, gone = general(FRIDGE), subtask(KNIFE, "Slicing"), general(SINK, score=0.0)
    live = [_stored(a, (OpKind.ADD, 2.0)), _stored(b, (OpKind.ADD, 2.0))]
    client = _client(folder)
    client.create_collection("msi-meta", metadata={"msi_schema": schema, "msi_writer": "msi-agent 0.1.0"})
    col = client.create_collection(
        "msi-live-exp",
        embedding_function=None,
        metadata={"msi_schema": 1, "msi_embedder": embedder_id(HashEmbeddings())},
        configuration={"hnsw": {"space": "cosine"}},
    )
    vectors = HashEmbeddings().embed_documents([r.insight.text for r in live])
    col.add(ids=[r.insight.id for r in live], embeddings=vectors, metadatas=[_v1_metadata(r) for r in live])
    dead = _stored(gone, (OpKind.ADD, 1.0), (OpKind.REMOVE, 0.0))
    client.create_collection("msi-gone-exp", embedding_function=None).add(
        ids=[gone.id], embeddings=[[1.0, 0.0]], metadatas=[_v1_metadata(dead)]
    )
    agreed = _stored(a.model_copy(update={"score": 3.0}), (OpKind.ADD, 2.0), (OpKind.AGREE, 3.0))
    batch = Batch(namespace="exp", upserts=[agreed, _stored(general(LAMP), (OpKind.ADD, 2.0))])
    client.create_collection("msi-journal", embedding_function=None).add(
        ids=[batch.id], embeddings=[[1.0, 0.0]], documents=[batch.model_dump_json()]
    )
    client.close()
    return {"a": a.id, "b": b.id, "gone": gone.id}


def test_chroma_layout_1_is_adopted_with_its_pending_batch(tmp_path: Path) -> None:
    folder = tmp_path / "stores" / "chroma"
    ids = write_layout_1(folder)
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.namespaces() == ["exp"]
        assert store.get(ids["a"], namespace="exp").score == 3.0  # the journaled AGREE was replayed
        assert [h.op for h in store.history(ids["a"], namespace="exp")] == [OpKind.ADD, OpKind.AGREE]
        assert {i.text for i in store.list(namespace="exp")} == {FRIDGE, KNIFE, LAMP}
        assert store.history(ids["gone"], namespace="exp")[-1].score_after == 0.0
        assert store.search("slice bread with a knife", k=1, namespace="exp")[0].insight.id == ids["b"]
        assert store.search("desk lamp light", k=1, namespace="exp")[0].insight.text == LAMP
    finally:
        store.close()
    client = _client(folder)
    try:
        [name] = [c.name for c in client.list_collections()]  # layout 1's collections are gone: only the index
        assert name.startswith("msi-") and name.endswith("-exp") and not name.startswith(("msi-live-", "msi-gone-"))
    finally:
        client.close()


def test_chroma_layout_from_another_version_is_refused_with_migration_hint(tmp_path: Path) -> None:
    write_layout_1(tmp_path / "stores" / "chroma", schema=99)
    with pytest.raises(SchemaVersionError, match=r"layout version 99.*msi-agent 0.1.0.*export_jsonl.*import_jsonl"):
        open_store("chroma", workspace=tmp_path, embeddings="hash")


def test_newer_records_layout_is_refused(tmp_path: Path) -> None:
    open_store("chroma", workspace=tmp_path, embeddings="hash").close()
    path = tmp_path / "stores" / "chroma" / "insights.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '9' WHERE name = 'layout'")
    db.close()
    with pytest.raises(SchemaVersionError, match=r"layout version 9 .*reads up to 2.*Upgrade msi-agent"):
        open_store("chroma", workspace=tmp_path, embeddings="hash")


def test_langchain_layout_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "stores" / "langchain" / f"{LANGCHAIN.removeprefix('langchain:').replace(':', '.')}.sqlite3"
    path.parent.mkdir(parents=True)
    rec = _stored(subtask(KNIFE, "Slicing"), (OpKind.ADD, 2.0))
    dead = _stored(general(SINK, score=0.0), (OpKind.ADD, 1.0), (OpKind.REMOVE, 0.0))
    vector = np.asarray(HashEmbeddings().embed_query(KNIFE), dtype=np.float32).tobytes()
    with sqlite3.connect(path) as db:  # the layout-1 schema of the LangChain adapter, verbatim
        db.executescript(
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE live (ns TEXT NOT NULL, id TEXT NOT NULL, scale TEXT NOT NULL, key TEXT, score REAL NOT NULL,"
            " insight TEXT NOT NULL, history TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (ns, id));"
            "CREATE TABLE gone (ns TEXT NOT NULL, id TEXT NOT NULL, insight TEXT NOT NULL, history TEXT NOT NULL,"
            " PRIMARY KEY (ns, id));"
            "CREATE TABLE pending_index (batch TEXT PRIMARY KEY, ns TEXT NOT NULL, upserts TEXT NOT NULL,"
            " deletes TEXT NOT NULL);"
        )
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("layout", "1"), ("embedder", embedder_id(HashEmbeddings()))])
        history = json.dumps([h.model_dump(mode="json") for h in rec.history])
        db.execute(
            "INSERT INTO live VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("default", rec.insight.id, "subtask", "Slicing", 2.0, rec.insight.model_dump_json(), history, vector),
        )
        dead_history = json.dumps([h.model_dump(mode="json") for h in dead.history])
        db.execute(
            "INSERT INTO gone VALUES (?, ?, ?, ?)",
            ("default", dead.insight.id, dead.insight.model_dump_json(), dead_history),
        )
    db.close()
    store = open_store(LANGCHAIN, workspace=tmp_path, embeddings="hash")
    try:
        assert [i.id for i in store.list()] == [rec.insight.id]
        assert store.search("slice the bread", k=1)[0].insight.id == rec.insight.id  # the index was rebuilt
        assert [h.op for h in store.history(dead.insight.id)] == [OpKind.ADD, OpKind.REMOVE]
        store.add(general(FRIDGE))
        assert len(store.list()) == 2
    finally:
        store.close()


def test_reopen_with_another_embedder_is_refused(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    store.add(general(FRIDGE))
    store.close()
    with pytest.raises(StoreError, match=r"embedded with 'hash-384', not 'minilm.*export"):
        open_store("chroma", workspace=tmp_path, embeddings="minilm")


def test_lost_index_is_rebuilt_at_open_and_reindex_rebuilds_on_demand(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    store.import_jsonl(general(f"{FRIDGE} number {i}").model_dump_json() for i in range(30))
    store.close()
    client = _client(tmp_path / "stores" / "chroma")
    for col in client.list_collections():
        client.delete_collection(col.name)  # e.g. a user wiped Chroma's files
    client.close()
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert len(store.search("fridge number 7", k=30)) == 30
        assert store.reindex() == 30  # type: ignore[attr-defined]
        assert store.search("fridge number 7", k=1)[0].insight.text == f"{FRIDGE} number 7"
    finally:
        store.close()
