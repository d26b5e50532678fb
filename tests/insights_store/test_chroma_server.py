from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings

from insights_store import StoreError, open_store
from insights_store.base import InsightStore
from insights_store.testing import InsightStoreContract


def _wipe(address: str) -> None:
    host, port = address.split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=Settings(anonymized_telemetry=False))
    for col in client.list_collections():
        client.delete_collection(col.name)


class TestChromaServer(InsightStoreContract):
    @pytest.fixture
    def empty_store(self, chroma_server: str, tmp_path: Path) -> Iterator[InsightStore]:
        _wipe(chroma_server)
        self.spec = f"chroma+http://{chroma_server}"
        self.workspace = tmp_path
        store = open_store(self.spec, workspace=tmp_path, embeddings="hash")
        yield store
        store.close()

    def reopen(self, store: InsightStore) -> InsightStore:
        store.close()
        return open_store(self.spec, workspace=self.workspace, embeddings="hash")


def test_unreachable_server_says_how_to_start_one(tmp_path: Path, unused_port: int) -> None:
    with pytest.raises(StoreError, match="chroma run"):
        open_store(f"chroma+http://127.0.0.1:{unused_port}", workspace=tmp_path, embeddings="hash")
