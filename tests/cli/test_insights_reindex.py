"""`msi-agent insights reindex`: rebuild the derived vector index of the workspace's store from its records."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings
from typer.testing import CliRunner

from insights_store import open_store
from insights_store.testing import FRIDGE, KNIFE, general
from msi_agent.cli import app


def test_reindex_rebuilds_a_damaged_index(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    knife = general(KNIFE).model_copy(update={"id": "zz-knife"})  # not the row the store probes at open (first id)
    fridges = [general(f"{FRIDGE} number {i}") for i in range(60)]
    store.import_jsonl(i.model_dump_json() for i in [*fridges, knife])
    store.close()
    client = chromadb.PersistentClient(
        path=str(tmp_path / "stores" / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    client.list_collections()[0].delete(ids=[knife.id])  # damage the index behind the store's back
    client.close()
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.search("slice bread with a knife", k=1)[0].insight.id != knife.id
    finally:
        store.close()
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "MSI_STORE__NAMESPACE": "default"}
    result = CliRunner().invoke(app, ["insights", "reindex"], env=env)
    assert result.exit_code == 0, result.output
    assert "rebuilt the vector index from the records: 61 insights" in result.output
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.search("slice bread with a knife", k=1)[0].insight.id == knife.id
    finally:
        store.close()


def test_reindex_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["insights", "reindex"], env={"MSI_WORKSPACE": str(tmp_path)})
    assert result.exit_code != 0 and "no insight store at" in result.output
