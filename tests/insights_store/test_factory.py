from __future__ import annotations

from pathlib import Path

import pytest

from insights_store import STORES, InsightStore, StoreError, open_store
from insights_store.embeddings import HashEmbeddings
from insights_store.memory import MemoryStore


def make_memory(*, workspace: Path, embeddings: object) -> MemoryStore:
    return MemoryStore(HashEmbeddings())


def not_a_store(*, workspace: Path, embeddings: object) -> object:
    return object()


def test_specs_open_the_right_backend(tmp_path: Path) -> None:
    assert isinstance(open_store("memory", workspace=tmp_path, embeddings="hash"), MemoryStore)
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert type(store).__name__ == "ChromaStore"
        assert (tmp_path / "stores" / "chroma" / "chroma.sqlite3").exists()
    finally:
        store.close()
    assert isinstance(open_store(f"{__name__}:make_memory", workspace=tmp_path), MemoryStore)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuch", r"unknown insight store 'nosuch'; registered: chroma, langchain, memory"),
        ("", "empty store spec"),
        ("memory+x", "takes no argument"),
        ("chroma+ftp://h:1", "chroma\\+http://HOST:PORT"),
        ("chroma+http://127.0.0.1:notaport", "bad port"),
        ("nosuch.module:factory", "cannot load store factory"),
        (f"{__name__}:not_a_store", "does not implement InsightStore"),
        ("langchain:nothing", "langchain:MODULE:FACTORY"),
    ],
)
def test_bad_specs_explain_the_choices(tmp_path: Path, spec: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(spec, workspace=tmp_path, embeddings="hash")


def test_registered_backend_receives_its_argument(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def factory(argument: str | None, *, workspace: Path, embeddings: object) -> InsightStore:
        seen.update(argument=argument, workspace=workspace)
        return MemoryStore(HashEmbeddings())

    STORES.register("testbackend", factory, replace=True)
    open_store("testbackend+opt=1", workspace=tmp_path)
    assert seen == {"argument": "opt=1", "workspace": tmp_path}
    open_store("testbackend:x:y", workspace=tmp_path)
    assert seen["argument"] == "x:y"
