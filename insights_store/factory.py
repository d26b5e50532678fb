"""``open_store(spec)``: choose an insight-store backend by a spec string (CLI ``--store``, config ``store.spec``).

Spec forms:
- ``chroma``: embedded Chroma, persistent folder ``<workspace>/stores/chroma`` (the default);
- ``chroma+http://host:port``: a Chroma server holds the index, shared by workspaces (see ``chroma``);
- ``memory``: in-process, nothing persisted;
- ``langchain:module:factory``: any LangChain ``VectorStore`` (see ``insights_store.langchain``);
- ``module:factory``: a callable ``factory(*, workspace, embeddings) -> InsightStore``;
- any name registered with ``STORES.register`` or in the entry-point group ``msi_agent.stores``; such a
  factory is called as ``factory(argument, workspace=..., embeddings=...)`` where ``argument`` is the text
  after ``name+`` or ``name:`` (None when absent).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from insights_store.base import InsightStore, StoreError
from insights_store.embeddings import get_embeddings
from msi_agent.registry import Registry, load_attr

STORES: Registry[InsightStore] = Registry("insight store", "msi_agent.stores")

SPEC_FORMS = "chroma, chroma+http://HOST:PORT, memory, langchain:MODULE:FACTORY, MODULE:FACTORY"


def _memory(argument: str | None, *, workspace: Path, embeddings: Embeddings) -> InsightStore:
    from insights_store.memory import MemoryStore

    if argument:
        raise StoreError(f"the memory store takes no argument, got {argument!r}; use --store memory")
    return MemoryStore(embeddings)


def _chroma(argument: str | None, *, workspace: Path, embeddings: Embeddings) -> InsightStore:
    from insights_store.chroma import ChromaStore

    if not argument:
        return ChromaStore(embeddings, path=workspace / "stores" / "chroma")
    url = urlparse(argument)
    if url.scheme != "http" or not url.hostname or url.path not in ("", "/"):
        raise StoreError(f"chroma server spec must be chroma+http://HOST:PORT, got chroma+{argument}")
    try:
        port = url.port or 8000
    except ValueError:
        raise StoreError(f"bad port in chroma+{argument}; give a number, e.g. chroma+http://127.0.0.1:8000") from None
    records = workspace / "stores" / "chroma-server" / f"{url.hostname}-{port}"
    return ChromaStore(embeddings, path=records, host=url.hostname, port=port)


def _langchain(argument: str | None, *, workspace: Path, embeddings: Embeddings) -> InsightStore:
    from insights_store.langchain import LangChainStore

    if not argument or ":" not in argument:
        raise StoreError("langchain store spec must be langchain:MODULE:FACTORY (a callable returning a VectorStore)")
    return LangChainStore.from_factory(argument, workspace=workspace, embeddings=embeddings)


STORES.register("memory", _memory)
STORES.register("chroma", _chroma)
STORES.register("langchain", _langchain)


def _split(spec: str) -> tuple[str, str | None]:
    if "+" in spec.split(":", 1)[0]:
        name, argument = spec.split("+", 1)
        return name, argument
    head, sep, rest = spec.partition(":")
    if sep and head in STORES:
        return head, rest
    return spec, None


def open_store(
    spec: str = "chroma", *, workspace: Path = Path("msi-workspace"), embeddings: str | Embeddings = "minilm"
) -> InsightStore:
    """Open (creating if needed) the store named by ``spec``; see the module docstring for the forms."""
    if not isinstance(spec, str) or not spec.strip():
        raise StoreError(f"empty store spec; choose one of: {SPEC_FORMS}")
    spec = spec.strip()
    embedder = get_embeddings(embeddings)
    name, argument = _split(spec)
    if name in STORES:
        return STORES.create(name, argument=argument, workspace=Path(workspace), embeddings=embedder)
    if ":" in spec:
        try:
            factory = load_attr(spec)
        except (ImportError, ValueError) as exc:
            raise StoreError(f"cannot load store factory {spec!r}: {exc}; forms: {SPEC_FORMS}") from None
        if not callable(factory):
            raise StoreError(f"{spec!r} is not callable; it must be factory(*, workspace, embeddings)")
        try:
            store = factory(workspace=Path(workspace), embeddings=embedder)
        except TypeError as exc:  # e.g. os:getcwd, which takes no such arguments
            raise StoreError(f"{spec!r} cannot be called as factory(*, workspace, embeddings): {exc}") from None
        if not isinstance(store, InsightStore):
            raise StoreError(f"{spec!r} returned {type(store).__name__}, which does not implement InsightStore")
        return store
    raise StoreError(f"unknown insight store {spec!r}; registered: {', '.join(STORES.names())}; forms: {SPEC_FORMS}")
