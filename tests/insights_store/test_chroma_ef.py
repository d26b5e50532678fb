from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings
from chromadb.utils.embedding_functions import known_embedding_functions
from langchain_core.embeddings import DeterministicFakeEmbedding

from insights_store import open_store
from insights_store.chroma_ef import HashFunction, MiniLMFunction, chroma_function
from insights_store.embeddings import HashEmbeddings
from insights_store.testing import FRIDGE, KNIFE, general


def test_functions_are_registered_and_rebuild_from_config() -> None:
    assert known_embedding_functions["msi-minilm"] is MiniLMFunction
    fn = HashFunction.build_from_config(HashFunction(dimension=64).get_config())
    [vec] = fn(["open the fridge"])
    np.testing.assert_allclose(vec, HashEmbeddings(64).embed_query("open the fridge"), atol=1e-7)
    assert chroma_function(DeterministicFakeEmbedding(size=8)) is None


def test_plain_chromadb_can_query_a_store_collection_by_text(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings=HashEmbeddings(128))
    store.add(general(FRIDGE))
    store.add(general(KNIFE))
    store.close()
    client = chromadb.PersistentClient(
        path=str(tmp_path / "stores" / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    try:
        [name] = [c.name for c in client.list_collections()]
        assert name.startswith("msi-") and name.endswith("-default")
        col = client.get_collection(name)
        assert col.configuration_json["embedding_function"]["name"] == "msi-hash"
        assert col.query(query_texts=["slice bread with a knife"], n_results=1)["documents"] == [[KNIFE]]
    finally:
        client.close()
