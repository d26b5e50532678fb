"""A custom insight-store backend: one JSON file per namespace, registered by name and used by the pipeline.

``BaseInsightStore`` supplies the whole ``InsightStore`` contract (validation, score rules, history, token budgets,
export/import); a backend writes five storage primitives and two locks. Register it with ``STORES.register`` (or
the ``msi_agent.stores`` entry-point group) and choose it by name: ``open_store("jsonfile")`` / ``--store jsonfile``.

    python examples/custom_store.py [WORKSPACE]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from offline_pipeline import offline_llm

from insights_store import STORES, open_store
from insights_store.batch import Batch, StoredInsight
from insights_store.core import BaseInsightStore
from msi_agent.config import Settings
from msi_agent.pipeline import Session, Suite, experiment
from msi_agent.records import Insight, Scale


class JsonFileStore(BaseInsightStore):
    """Live and deleted records plus vectors in ``<folder>/<namespace>.json``, rewritten atomically per batch."""

    def __init__(self, embeddings: Embeddings, folder: Path) -> None:
        super().__init__(embeddings)
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            yield

    _writing = _reading

    def _load(self, namespace: str) -> dict[str, dict]:  # type: ignore[type-arg]
        path = self.folder / f"{namespace}.json"
        return json.loads(path.read_text()) if path.exists() else {"live": {}, "deleted": {}, "vectors": {}}

    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        live = self._load(namespace)["live"]
        return {i: StoredInsight.model_validate(live[i]) for i in ids if i in live}

    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        rec = self._load(namespace)["deleted"].get(insight_id)
        return StoredInsight.model_validate(rec) if rec else None

    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        records = (StoredInsight.model_validate(r).insight for r in self._load(namespace)["live"].values())
        return [i for i in records if (scale is None or i.scale is scale) and (key is None or i.key == key)]

    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        vectors = self._load(namespace)["vectors"]
        scored = [(i, float(np.dot(vectors[i.id], vector))) for i in self._scan(namespace, scale, key)]
        return sorted(scored, key=lambda pair: -pair[1])[:k]

    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        data = self._load(batch.namespace)
        for rec, vec in zip(batch.upserts, vectors, strict=True):
            data["live"][rec.insight.id] = rec.model_dump(mode="json")
            data["vectors"][rec.insight.id] = vec.tolist()
        for rec in batch.deletes:
            data["live"].pop(rec.insight.id, None)
            data["vectors"].pop(rec.insight.id, None)
            data["deleted"][rec.insight.id] = rec.model_dump(mode="json")
        tmp = self.folder / f".{batch.namespace}.json.tmp"
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.folder / f"{batch.namespace}.json")  # all or nothing

    def _namespaces(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def close(self) -> None:
        pass


def jsonfile(argument: str | None, *, workspace: Path, embeddings: Embeddings) -> JsonFileStore:
    return JsonFileStore(embeddings, Path(argument) if argument else workspace / "stores" / "jsonfile")


def main(workspace: Path) -> list[Insight]:
    STORES.register("jsonfile", jsonfile, replace=True)
    store = open_store("jsonfile", workspace=workspace, embeddings="hash")
    settings = Settings(
        workspace=workspace,
        agent={"max_steps": 10},
        env={"families": ["look_at_obj_in_light"]},
        pipeline={"train_tasks": 2, "test_tasks": 1},
        eval={"baselines": ["none"]},
    )
    suite = Suite.from_registry("household")
    with Session.from_settings(
        settings, suite=suite, llm=offline_llm(settings, suite), store=store, embeddings="hash"
    ) as session:
        folder = experiment.open_run(session, "jsonfile", command="examples/custom_store.py", fresh=True)
        experiment.run_all(session, folder)
    reopened = JsonFileStore(store.embeddings, workspace / "stores" / "jsonfile")  # survives the process
    insights = reopened.list(namespace="jsonfile")
    for insight in insights:
        print(f"{insight.scale.value:<8} {insight.key or '':<10} score {insight.score:g}  {insight.text}")
    return insights


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="msi-jsonfile-")))
