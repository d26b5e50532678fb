"""Durability of the persistent backends: kill -9 at every step of a batch, two writing processes, writer claims.

Kill points are injected by the child process itself: it patches one method (before or after it runs) to
SIGKILL its own process, after opening the store, so production code carries no test hook.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from insights_store import NamespaceBusyError, open_store
from insights_store.testing import FRIDGE, KNIFE, SINK, general

CHROMA = "chroma"
LANGCHAIN = "langchain:langchain_core.vectorstores:InMemoryVectorStore"  # an ephemeral index: rebuilt at open

CHILD = """
import importlib, json, os, signal, sys, time
from pathlib import Path
from insights_store import open_store
from msi_agent.records import InsightOp, Scale

args = json.loads(sys.argv[1])
store = open_store(args["spec"], workspace=Path(args["workspace"]), embeddings="hash")
if args.get("kill"):
    module, attr, when = args["kill"]
    owner_name, method = attr.split(".")
    owner = getattr(importlib.import_module(module), owner_name)
    original = getattr(owner, method)

    def killer(*a, **kw):
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*a, **kw)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, method, killer)
if args.get("hold"):
    with store.writer(args["hold"]):
        print("held", flush=True)
        time.sleep(args["seconds"])
for n in range(args["batches"]):
    ops = [InsightOp(kind="AGREE", target=t) for t in args["agree"]]
    ops += [InsightOp(kind="EDIT", target=t, text=f"Rewritten rule {t}") for t in args.get("edit", [])]
    ops.append(InsightOp(kind="ADD", text=f"{args['tag']} rule number {n}", scale=Scale.SUBTASK, key=args["tag"]))
    if n < len(args["remove"]):
        ops.append(InsightOp(kind="REMOVE", target=args["remove"][n]))
    result = store.apply(ops)
    assert not result.rejected, result.rejected
store.close()
"""


def child(workspace: Path, spec: str, *, wait: bool = True, **given: object) -> subprocess.Popen:
    args = {"workspace": str(workspace), "spec": spec, "batches": 1, "agree": [], "remove": [], "tag": "Child"}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args | given)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    if wait:
        proc.wait(timeout=120)
    return proc


def seed(workspace: Path, spec: str, doomed: int = 3) -> tuple[str, str, list[str]]:
    """Two insights to AGREE on and some to REMOVE (score 1: one REMOVE deletes them)."""
    store = open_store(spec, workspace=workspace, embeddings="hash")
    a, b = general(FRIDGE), general(KNIFE)
    doomed_ = [general(f"{SINK} (variant {i})", score=1.0) for i in range(doomed)]
    store.import_jsonl(ins.model_dump_json() for ins in (a, b, *doomed_))
    store.close()
    return a.id, b.id, [d.id for d in doomed_]


def assert_index_matches_records(store: object) -> None:
    """Unfiltered search goes through the derived index: it must find every live insight and nothing else."""
    live = {i.id for i in store.list()}  # type: ignore[attr-defined]
    hits = {h.insight.id for h in store.search("rule number fridge knife sink", k=len(live) + 5)}  # type: ignore[attr-defined]
    assert hits == live


# (module, Class.method, before/after) → whether the batch must be there after the kill
STEPS = [
    ("insights_store.sqlite_records", "Records._upsert_live", "after", False),
    ("insights_store.sqlite_records", "Records._move_to_gone", "after", False),
    ("insights_store.sqlite_records", "Records.commit", "before", False),
    ("insights_store.sqlite_records", "Records.commit", "after", True),
    ("chromadb.api.models.Collection", "Collection.upsert", "after", True),
    ("insights_store.chroma", "ChromaIndex.apply", "after", True),
    ("insights_store.sqlite_store", "SQLiteStore._save_on_disk_generation", "before", True),
]


def check_kill(workspace: Path, spec: str, module: str, attr: str, when: str, applied: bool) -> None:
    a, b, doomed = seed(workspace, spec)
    proc = child(workspace, spec, agree=[a, b], remove=doomed[:1], kill=[module, attr, when])
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    store = open_store(spec, workspace=workspace, embeddings="hash")
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
        assert_index_matches_records(store)
    finally:
        store.close()


@pytest.mark.parametrize(("module", "attr", "when", "applied"), STEPS, ids=[f"{s[1]}-{s[2]}" for s in STEPS])
def test_kill_at_every_step_of_a_batch_chroma(tmp_path: Path, module: str, attr: str, when: str, applied: bool) -> None:
    check_kill(tmp_path, CHROMA, module, attr, when, applied)


LANGCHAIN_STEPS = [s for s in STEPS if s[0] != "chromadb.api.models.Collection" and "Chroma" not in s[1]] + [
    ("insights_store.langchain", "LangChainIndex.apply", "after", True)
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "attr", "when", "applied"), LANGCHAIN_STEPS, ids=[f"{s[1]}-{s[2]}" for s in LANGCHAIN_STEPS]
)
def test_kill_at_every_step_of_a_batch_langchain(
    tmp_path: Path, module: str, attr: str, when: str, applied: bool
) -> None:
    check_kill(tmp_path, LANGCHAIN, module, attr, when, applied)


def test_kill_while_a_namespace_index_is_rebuilt(tmp_path: Path) -> None:
    """A batch that rewrites most texts of a namespace drops and refills its Chroma collection; a kill right after
    the drop leaves the index empty, and the next open rebuilds it."""
    a, b, doomed = seed(tmp_path, CHROMA, doomed=40)  # enough rewrites for a refill to be worth it
    kill = ["insights_store.chroma", "ChromaIndex._drop", "after"]
    proc = child(tmp_path, CHROMA, edit=[a, b, *doomed], kill=kill)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    store = open_store(CHROMA, workspace=tmp_path, embeddings="hash")
    try:
        assert store.get(a).text == f"Rewritten rule {a}" and len(store.list()) == 43
        assert store.search(f"Rewritten rule {b}", k=1)[0].insight.id == b
        assert_index_matches_records(store)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("spec", [CHROMA, LANGCHAIN])
def test_two_processes_writing_at_once(tmp_path: Path, spec: str) -> None:
    a, _, _ = seed(tmp_path, spec)
    batches = 15
    procs = [child(tmp_path, spec, wait=False, batches=batches, agree=[a], tag=tag) for tag in ("Left", "Right")]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
    store = open_store(spec, workspace=tmp_path, embeddings="hash")
    try:
        assert store.get(a).score == 2.0 + 2 * batches  # no lost update
        assert len(store.history(a)) == 1 + 2 * batches
        assert len({i.id for tag in ("Left", "Right") for i in store.list(key=tag)}) == 2 * batches
        assert_index_matches_records(store)
    finally:
        store.close()


def test_open_store_sees_another_process_writes(tmp_path: Path) -> None:
    a, _, _ = seed(tmp_path, CHROMA)
    store = open_store(CHROMA, workspace=tmp_path, embeddings="hash")
    try:
        assert store.search("rule number 0", k=10) != []  # warm this process's copy of Chroma's vector index
        proc = child(tmp_path, CHROMA, batches=2, agree=[a], tag="Other")
        assert proc.returncode == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        assert store.get(a).score == 4.0
        assert_index_matches_records(store)
    finally:
        store.close()


@pytest.mark.parametrize("spec", ["memory", CHROMA])
def test_writer_claim_excludes_a_second_writer(tmp_path: Path, spec: str) -> None:
    store = open_store(spec, workspace=tmp_path, embeddings="hash")
    try:
        with store.writer("exp1"):
            busy = pytest.raises(NamespaceBusyError, match=r"namespace 'exp1' is being written by")
            with busy, store.writer("exp1"):
                pass
            with store.writer("exp2"):  # other namespaces stay free
                pass
        with store.writer("exp1"):  # released
            pass
    finally:
        store.close()


def test_writer_claim_across_processes_names_the_holder(tmp_path: Path) -> None:
    seed(tmp_path, CHROMA)
    proc = child(tmp_path, CHROMA, wait=False, batches=0, hold="exp1", seconds=30)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"held"
        store = open_store(CHROMA, workspace=tmp_path, embeddings="hash")
        try:
            with (
                pytest.raises(NamespaceBusyError, match=rf"written by pid {proc.pid}; wait for it"),
                store.writer("exp1"),
            ):
                pass
            proc.kill()  # kill -9 releases the claim
            proc.wait(timeout=30)
            deadline = time.monotonic() + 10
            while True:
                try:
                    with store.writer("exp1"):
                        break
                except NamespaceBusyError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
        finally:
            store.close()
    finally:
        proc.kill()
        proc.wait(timeout=30)
