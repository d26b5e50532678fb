"""Fixtures for the inspection tests; the data itself lives in ``insight_fixtures``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from insight_fixtures import EPISODES, RUNS, fill, write_run

from insights_store.base import InsightStore
from insights_store.embeddings import HashEmbeddings
from insights_store.memory import MemoryStore
from msi_agent.experience.pool import ExperiencePool


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    with ExperiencePool.in_workspace(ws) as pool:
        pool.add_many(EPISODES)
    for name in RUNS:
        write_run(ws, name)
    return ws


@pytest.fixture
def memory_store() -> Iterator[tuple[InsightStore, dict[str, str]]]:
    store = MemoryStore(HashEmbeddings())
    ids = fill(store)
    yield store, ids
    store.close()
