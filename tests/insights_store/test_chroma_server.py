from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings

from insights_store import StoreError, open_store
from insights_store.base import InsightStore
from insights_store.testing import FRIDGE, KNIFE, InsightStoreContract, general
from msi_agent.records import InsightOp, OpKind


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


def test_workspaces_share_namespaces_through_the_server(chroma_server: str, tmp_path: Path) -> None:
    """Each workspace keeps its own records; the server's index replicates them, so a namespace written in one
    workspace is copied into another when it reads, and a later write from the other is copied back."""
    _wipe(chroma_server)
    spec = f"chroma+http://{chroma_server}"
    first = open_store(spec, workspace=tmp_path / "a", embeddings="hash")
    second = open_store(spec, workspace=tmp_path / "b", embeddings="hash")
    try:
        knife = general(KNIFE)
        first.add(knife, namespace="shared")
        first.add(general(FRIDGE), namespace="shared")
        assert {i.text for i in second.list(namespace="shared")} == {KNIFE, FRIDGE}
        assert second.search("slice bread", k=1, namespace="shared")[0].insight.id == knife.id
        second.apply([InsightOp(kind=OpKind.AGREE, target=knife.id)], namespace="shared")
        assert first.get(knife.id, namespace="shared").score == 3.0
        assert [h.op for h in first.history(knife.id, namespace="shared")] == [OpKind.ADD, OpKind.AGREE]
        assert second.list(namespace="default") == [] and "shared" in second.namespaces()
    finally:
        first.close()
        second.close()
