"""Insight stores: where MSI's multi-scale insights live (embedded Chroma by default).

``open_store(spec, workspace=..., embeddings=...)`` picks a backend; ``InsightStore`` (in ``base``) is the
contract; ``insights_store.embeddings`` holds the offline embedders. Backends import lazily.
"""

from insights_store.base import (
    DEFAULT_NAMESPACE,
    BatchResult,
    InsightNotFoundError,
    InsightStore,
    NamespaceBusyError,
    Reindexable,
    SchemaVersionError,
    ScoringRules,
    SearchHit,
    StoreError,
    StoreStats,
)
from insights_store.factory import STORES, open_store

__all__ = [
    "DEFAULT_NAMESPACE",
    "STORES",
    "BatchResult",
    "InsightNotFoundError",
    "InsightStore",
    "NamespaceBusyError",
    "Reindexable",
    "SchemaVersionError",
    "ScoringRules",
    "SearchHit",
    "StoreError",
    "StoreStats",
    "open_store",
]
