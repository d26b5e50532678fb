from collections.abc import Iterator
from pathlib import Path

import pytest

from insights_store import open_store
from insights_store.base import InsightStore
from insights_store.testing import InsightStoreContract


class TestEmbeddedChroma(InsightStoreContract):
    @pytest.fixture
    def empty_store(self, tmp_path: Path) -> Iterator[InsightStore]:
        self.workspace = tmp_path
        store = open_store("chroma", workspace=tmp_path, embeddings="hash")
        yield store
        store.close()

    def reopen(self, store: InsightStore) -> InsightStore:
        store.close()
        return open_store("chroma", workspace=self.workspace, embeddings="hash")
