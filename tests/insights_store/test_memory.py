from collections.abc import Iterator

import pytest

from insights_store.base import InsightStore
from insights_store.embeddings import HashEmbeddings
from insights_store.memory import MemoryStore
from insights_store.testing import InsightStoreContract


class TestMemoryStore(InsightStoreContract):
    @pytest.fixture
    def empty_store(self) -> Iterator[InsightStore]:
        store = MemoryStore(HashEmbeddings())
        yield store
        store.close()
