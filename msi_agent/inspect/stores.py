"""Open the configured insight store for inspection, refusing to conjure an empty one by accident.

Reading commands (``insights list``, ``ui``) on a workspace that has no store yet would otherwise create an
empty store and report "no insights", hiding a wrong ``--workspace``; here they fail with a message instead.
"""

from __future__ import annotations

from pathlib import Path

from insights_store import open_store
from insights_store.base import InsightStore, StoreError
from msi_agent.config import Settings

# Where ``insights_store.factory`` keeps the embedded Chroma store (spec "chroma") inside a workspace.
EMBEDDED_CHROMA = Path("stores") / "chroma"


class StoreMissingError(StoreError):
    """No store exists where the configuration points."""


def open_configured(settings: Settings, *, create: bool = False) -> InsightStore:
    """The store named by ``settings.store`` (spec, embedder) for ``settings.workspace``.

    With ``create=False`` an embedded store must already exist, and the in-memory store (empty in every new
    process) is refused; ``create=True`` is for commands that write (import).
    """
    spec = settings.store.spec.strip()
    if not create:
        if spec == "chroma":
            folder = settings.workspace / EMBEDDED_CHROMA
            if not folder.is_dir():
                raise StoreMissingError(
                    f"no insight store at {folder}: nothing has been distilled in workspace {settings.workspace}. "
                    "Run `msi-agent run` (or `msi-agent distill`), import a file with `msi-agent insights import`, "
                    "or point --workspace / --store at an existing store"
                )
        elif spec == "memory":
            raise StoreMissingError(
                "the memory store lives only inside one process, so there is nothing to inspect; "
                "use --store chroma (the default) or chroma+http://HOST:PORT"
            )
    return open_store(spec, workspace=settings.workspace, embeddings=settings.store.embedder)
