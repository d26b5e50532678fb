"""Opening the configured store for inspection: never conjure an empty store by accident."""

from __future__ import annotations

from pathlib import Path

import pytest

from msi_agent.config import Settings
from msi_agent.inspect.stores import EMBEDDED_CHROMA, StoreMissingError, open_configured


def _settings(workspace: Path, spec: str = "chroma") -> Settings:
    return Settings(workspace=workspace, store={"spec": spec, "embedder": "hash"})


def test_missing_embedded_store_is_refused_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match=r"no insight store at .*msi-agent run"):
        open_configured(_settings(tmp_path / "ws"))
    assert not (tmp_path / "ws").exists()


def test_create_opens_a_new_store_that_later_reads_find(tmp_path: Path) -> None:
    open_configured(_settings(tmp_path), create=True).close()
    assert (tmp_path / EMBEDDED_CHROMA).is_dir()  # the factory's layout, which this module assumes
    store = open_configured(_settings(tmp_path))
    assert store.namespaces() == []
    store.close()


def test_memory_store_cannot_be_inspected_from_outside(tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="only inside one process"):
        open_configured(_settings(tmp_path, "memory"))
