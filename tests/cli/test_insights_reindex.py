"""`msi-agent insights reindex`: rebuild the derived vector index of the workspace's store from its records."""

from __future__ import annotations

import random
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings
from typer.testing import CliRunner

from insights_store import open_store, sqlite_store
from insights_store.testing import FRIDGE, KNIFE, general
from msi_agent.cli import app
from msi_agent.records import Insight

WORDS = [
    "open",
    "close",
    "take",
    "put",
    "wash",
    "cool",
    "heat",
    "slice",
    "clean",
    "find",
    "carry",
    "drop",
    "turn",
    "look",
    "check",
    "move",
]


def _others(n: int) -> list[str]:
    """Varied rules: an HNSW graph over near-duplicates can leave an outlier unreachable (which is why small
    namespaces are searched exactly, ``EXACT_LIMIT``)."""
    rng = random.Random(0)
    return [f"{' '.join(rng.sample(WORDS, 5))} the fridge {i}" for i in range(n)]


def _damaged(tmp_path: Path, others: list[str]) -> Insight:
    """A chroma store holding ``others`` and a knife rule, whose vector is then deleted behind the store's back."""
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    knife = general(KNIFE).model_copy(update={"id": "zz-knife"})  # not the row the store probes at open (first id)
    store.import_jsonl(i.model_dump_json() for i in [*map(general, others), knife])
    store.close()
    client = chromadb.PersistentClient(
        path=str(tmp_path / "stores" / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    client.list_collections()[0].delete(ids=[knife.id])
    client.close()
    return knife


def test_a_small_namespace_is_searched_exactly_whatever_its_index_holds(tmp_path: Path) -> None:
    knife = _damaged(tmp_path, [f"{FRIDGE} number {i}" for i in range(60)])  # near-duplicates around one outlier
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.search("slice bread with a knife", k=1)[0].insight.id == knife.id
    finally:
        store.close()


def test_reindex_rebuilds_a_damaged_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_store, "EXACT_LIMIT", 0)  # every search goes through the index
    knife = _damaged(tmp_path, _others(60))
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
