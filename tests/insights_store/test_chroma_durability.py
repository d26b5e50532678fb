"""Durability of the embedded Chroma store: kill -9 mid-batch, two writing processes, layout version."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings

from insights_store import SchemaVersionError, open_store
from insights_store.chroma import CRASH_ENV, META
from insights_store.testing import FRIDGE, KNIFE, SINK, general

CHILD = """
import json, sys
from pathlib import Path
from insights_store import open_store
from msi_agent.records import InsightOp, Scale
args = json.loads(sys.argv[1])
store = open_store("chroma", workspace=Path(args["workspace"]), embeddings="hash")
for n in range(args["batches"]):
    ops = [InsightOp(kind="AGREE", target=t) for t in args["agree"]]
    ops.append(InsightOp(kind="ADD", text=f"{args['tag']} rule number {n}", scale=Scale.SUBTASK, key=args["tag"]))
    if n < len(args["remove"]):
        ops.append(InsightOp(kind="REMOVE", target=args["remove"][n]))
    result = store.apply(ops)
    assert not result.rejected, result.rejected
store.close()
"""


def run_child(workspace: Path, *, crash: str | None = None, wait: bool = True, **spec: object) -> subprocess.Popen:
    args = {"workspace": str(workspace), "batches": 1, "agree": [], "remove": [], "tag": "Child"} | spec
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV} | ({CRASH_ENV: crash} if crash else {})
    proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], env=env, stderr=subprocess.PIPE)
    if wait:
        proc.wait(timeout=120)
    return proc


def seed(workspace: Path, doomed: int = 3) -> tuple[str, str, list[str]]:
    """Two insights to AGREE on and some to REMOVE (score 1: one REMOVE deletes them)."""
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    a, b = general(FRIDGE), general(KNIFE)
    doomed_ = [general(f"{SINK} (variant {i})", score=1.0) for i in range(doomed)]
    store.import_jsonl(ins.model_dump_json() for ins in (a, b, *doomed_))
    store.close()
    return a.id, b.id, [d.id for d in doomed_]


@pytest.mark.parametrize(("stage", "applied"), [("planned", False), ("journaled", True), ("half-applied", True)])
def test_kill_mid_batch_is_all_or_nothing(tmp_path: Path, stage: str, applied: bool) -> None:
    a, b, doomed = seed(tmp_path)
    proc = run_child(tmp_path, crash=stage, agree=[a, b], remove=doomed[:1])
    assert proc.returncode == -signal.SIGKILL
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        scores = (store.get(a).score, store.get(b).score)
        added = store.list(key="Child")
        present = {i.id for i in store.list()}
        if applied:
            assert scores == (3.0, 3.0) and len(added) == 1 and doomed[0] not in present
            assert store.search("Child rule number 0", k=1)[0].insight.id == added[0].id
            assert store.history(doomed[0])[-1].score_after == 0.0
        else:
            assert scores == (2.0, 2.0) and added == [] and doomed[0] in present
    finally:
        store.close()


@pytest.mark.slow
def test_kill_at_random_moments_keeps_batches_whole(tmp_path: Path) -> None:
    a, b, doomed = seed(tmp_path, doomed=400)
    rng = random.Random(7)
    for round_ in range(3):
        tag = f"Round{round_}"
        before = open_store("chroma", workspace=tmp_path, embeddings="hash")
        base = before.get(a).score
        before.close()
        proc = run_child(tmp_path, wait=False, batches=len(doomed), agree=[a, b], remove=doomed, tag=tag)
        time.sleep(rng.uniform(2.5, 4.0))  # interpreter + chroma start-up take ~2 s, then batches run
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL, "the child finished before the kill; give it more work"
        store = open_store("chroma", workspace=tmp_path, embeddings="hash")
        try:
            agreed = store.get(a).score - base
            assert store.get(b).score - base == agreed
            present = {i.id for i in store.list()}
            removed = [d for d in doomed if d not in present]
            assert len(store.list(key=tag)) == len(removed) == agreed > 0
        finally:
            store.close()
        doomed = [d for d in doomed if d in present]


@pytest.mark.slow
def test_two_processes_writing_at_once(tmp_path: Path) -> None:
    a, _, _ = seed(tmp_path)
    batches = 15
    procs = [run_child(tmp_path, wait=False, batches=batches, agree=[a], tag=tag) for tag in ("Left", "Right")]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.get(a).score == 2.0 + 2 * batches  # no lost update
        assert len(store.history(a)) == 1 + 2 * batches
        added = {i.id for tag in ("Left", "Right") for i in store.list(key=tag)}
        assert len(added) == 2 * batches
        # unfiltered search goes through the HNSW index, which each process caches in memory
        hits = store.search("rule number", k=len(store.list()))
        assert added <= {h.insight.id for h in hits}
    finally:
        store.close()


def test_open_store_sees_another_process_writes(tmp_path: Path) -> None:
    a, _, _ = seed(tmp_path)
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert store.search("rule number 0", k=10) != []  # warm this process's vector index
        proc = run_child(tmp_path, batches=2, agree=[a], tag="Other")
        assert proc.returncode == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        assert store.get(a).score == 4.0
        hits = store.search("Other rule number 1", k=len(store.list()))
        assert {i.id for i in store.list(key="Other")} <= {h.insight.id for h in hits}
    finally:
        store.close()


def test_other_layout_version_is_refused_with_migration_hint(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    store.add(general(FRIDGE))
    store.close()
    client = chromadb.PersistentClient(
        path=str(tmp_path / "stores" / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    client.get_collection(META, embedding_function=None).modify(
        metadata={"msi_schema": 99, "msi_writer": "msi-agent 9.0"}
    )
    client.close()
    with pytest.raises(SchemaVersionError, match=r"layout version 99.*msi-agent 9.0.*export_jsonl.*import_jsonl"):
        open_store("chroma", workspace=tmp_path, embeddings="hash")


def test_reopen_with_another_embedder_is_refused(tmp_path: Path) -> None:
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    store.add(general(FRIDGE))
    store.close()
    other = open_store("chroma", workspace=tmp_path, embeddings="minilm")
    try:
        with pytest.raises(Exception, match=r"embedded differently.*export"):
            other.list()
    finally:
        other.close()
