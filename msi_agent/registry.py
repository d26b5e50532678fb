"""One generic registry for every plugin kind (environments, LLM backends, insight stores).

Entries are objects or lazy ``"module:attr"`` strings, so heavy backends (ai2thor, chromadb, llama.cpp)
are imported only when chosen. Third-party packages add entries through an entry-point group.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownPluginError(KeyError):
    """Raised for a name nobody registered; the message lists what is available."""

    def __str__(self) -> str:
        return str(self.args[0])


def load_attr(path: str) -> object:
    """Import ``"package.module:attr"`` and return the attribute, with an error that names the path."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{path!r} is not of the form 'package.module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ImportError(f"cannot import {module_name!r} for {path!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ImportError(f"module {module_name!r} has no attribute {attr!r} (from {path!r})") from None


class Registry(Generic[T]):
    """Name → factory, filled by ``register`` and by the entry-point group ``group``."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._entries: dict[str, Callable[..., T] | str] = {}
        self._loaded_entry_points = False

    def register(self, name: str, factory: Callable[..., T] | str, *, replace: bool = False) -> None:
        if name in self._entries and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered; pass replace=True to override")
        self._entries[name] = factory

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for ep in entry_points(group=self.group):
            self._entries.setdefault(ep.name, ep.value)

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._entries)

    def factory(self, name: str) -> Callable[..., T]:
        self._load_entry_points()
        try:
            entry = self._entries[name]
        except KeyError:
            raise UnknownPluginError(
                f"unknown {self.kind} {name!r}; available: {', '.join(self.names()) or 'none'} "
                f"(third-party {self.kind}s register in the entry-point group {self.group!r})"
            ) from None
        if isinstance(entry, str):
            entry = load_attr(entry)  # type: ignore[assignment]
            self._entries[name] = entry
        return entry  # type: ignore[return-value]

    def create(self, name: str, /, **kwargs: object) -> T:
        return self.factory(name)(**kwargs)

    def __contains__(self, name: str) -> bool:
        self._load_entry_points()
        return name in self._entries
