"""The whole experiment on a toy world with a scripted expert-like model: pool, insights, prompts, tables."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fetch_world import CURSE_RULE, FETCH_SUITE, expert_player, fetch_tasks
from langchain_core.messages import BaseMessage

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.namespaces import NamespaceLedger, NamespaceOwnedError
from msi_agent.pipeline.records import RUN_SCHEMA_VERSION
from msi_agent.pipeline.runfolder import RunFolderError
from msi_agent.pipeline.session import Session
from msi_agent.records import InsightOp, OpKind, Scale, Source, Split

GENERAL_RULE = "Go to the object before taking it."


def insight_reply(prompt: str) -> str:
    if "SUBTASK:" not in prompt:  # ExpeL's flat list
        return f"ADD: {GENERAL_RULE}"
    if m := re.search(r"(\d+)\. \[Cursed Items\] " + re.escape(CURSE_RULE), prompt):
        return f"Reflection: the rule held.\nSUBTASK:\nAGREE {m.group(1)}: {CURSE_RULE}"
    return f"GENERAL:\nADD: {GENERAL_RULE}\nSUBTASK:\n- ADD [Cursed Items]: {CURSE_RULE}"


def names_reply(prompt: str) -> str:
    return "Cursed Items" if "cursed" in prompt.split("about to do this task:")[1].splitlines()[0] else "none"


@pytest.fixture
def session(tmp_path: Path) -> Session:
    settings = Settings(
        workspace=tmp_path, agent={"max_steps": 12}, pipeline={"train_tasks": 4, "test_tasks": 2, "seed": 0}
    )
    tasks = [t for s in Split for t in fetch_tasks(s, 4, seed=0, families=[])]
    prompts: list[list[BaseMessage]] = []

    def respond(messages: list[BaseMessage]) -> str:
        prompts.append(messages)
        return expert_player(tasks, insight_reply, names_reply)(messages)

    llm = LLMClient(ScriptedChatModel(respond, name="scripted"), name="scripted")
    s = Session.from_settings(
        settings, suite=FETCH_SUITE, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    )
    s.prompts = prompts  # type: ignore[attr-defined]
    return s


def test_run_all_end_to_end(session: Session) -> None:
    folder = experiment.open_run(session, "exp", command="test")
    results = experiment.run_all(session, folder)

    # experiences: 4 expert demos (all won) + 4 agent attempts (the two cursed tasks fail)
    assert session.pool.count(run="exp", source=Source.EXPERT, success=True) == 4
    agent = session.pool.query(run="exp", source=Source.AGENT, split=Split.TRAIN)
    assert [(e.task.id, e.success) for e in agent] == [
        ("train-fetch_one-0", True),
        ("train-fetch_two-1", False),
        ("train-fetch_one-2", False),
        ("train-fetch_two-3", True),
    ]
    assert agent[1].failure_reason == "step limit (12) reached" and agent[1].gc_satisfied == 0

    # insights: 6 seeds (4 expert + 2 agent successes), the subtask rule added once then agreed 5 times
    store = session.store
    (curse,) = store.list(scale=Scale.SUBTASK, key="Cursed Items", namespace="exp")
    assert (curse.text, curse.score) == (CURSE_RULE, 7.0)
    history = store.history(curse.id, namespace="exp")
    assert [h.op.value for h in history] == ["ADD"] + ["AGREE"] * 5
    log = folder.updates("exp")
    assert log[0].seed_ids == history[0].provenance.experience_ids
    assert history[0].provenance.llm_call_id == log[0].call_id and history[0].provenance.llm == "scripted"
    assert len(history[0].provenance.experience_ids) == 2  # pair mode: a success and a failure
    assert [(i.text, i.score) for i in store.list(scale=Scale.GENERAL, namespace="exp")] == [(GENERAL_RULE, 2.0)]
    assert [(i.text, i.score) for i in store.list(namespace="exp-expel")] == [(GENERAL_RULE, 2.0)]
    assert log[-1].counts == {"general": 1, "environment": 0, "subtask": 1}

    # the selector put the chosen insights into the prompt of the cursed test task, and only in the MSI arm
    cursed = [
        m
        for m in session.prompts
        if len(m) > 1 and "Your task is to: put the cursed idol and the book" in str(m[1].content)
    ]
    first = {str(m[1].content) for m in cursed if len(m) == 2}  # the first prompt of each arm
    block = "Here is experience you have summarized in the past:\n"
    msi = f"{block}General:\n- {GENERAL_RULE}\nCursed Items:\n- {CURSE_RULE}\n\nYour task is to:"
    expel = f"{block}General:\n- {GENERAL_RULE}\n\nYour task is to:"
    assert len(first) == 3
    assert sorted(msi in t for t in first) == [False, False, True]
    assert sorted(expel in t for t in first) == [False, False, True]
    assert sum(block not in t for t in first) == 1  # the no-insight baseline

    # tables, by hand: seen = [vase (4 steps, won), cursed idol + book (2 objects, ref 8)]; unseen both won
    rows = {(r.condition, r.split, r.family): r for r in results.rows}
    seen_none = rows[("no-insights", "valid_seen", "all")]
    assert (seen_none.sr, seen_none.gc) == (0.5, pytest.approx(2 / 3))  # cursed: book placed, idol not
    assert seen_none.plw_sr == pytest.approx(4 / 12)
    assert seen_none.plw_gc == pytest.approx((1 * 4 + 0.5 * 8 * 8 / 12) / 12)
    seen_msi = rows[("msi-hashmap", "valid_seen", "all")]
    assert (seen_msi.sr, seen_msi.gc, seen_msi.plw_sr, seen_msi.plw_gc) == (1.0, 1.0, 1.0, 1.0)
    assert rows[("expel-all", "valid_seen", "fetch_two")].sr == 0.0
    assert rows[("no-insights", "valid_unseen", "all")].sr == 1.0
    assert rows[("msi-hashmap", "all", "all")].episodes == 4
    md = (folder.path / "results.md").read_text()
    assert "| msi-hashmap | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |" in md
    assert "| all | no-insights | 2 | 50.0 | 66.7 | 33.3 |" in md
    saved = json.loads((folder.path / "results.json").read_text())
    assert saved["usage"]["calls"] > 0 and saved["conditions"]["msi-hashmap"]["episodes"] == 4
    manifest = json.loads((folder.path / "manifest.json").read_text())
    assert manifest["settings"]["pipeline"]["train_tasks"] == 4 and manifest["settings"]["agent"]["max_steps"] == 12
    assert manifest["schema_version"] == RUN_SCHEMA_VERSION and "python" in manifest["versions"]
    assert set(manifest["distills"]) == {"exp", "exp-expel"} and manifest["distills"]["exp-expel"]["variant"] == "expel"

    # a rerun resumes: nothing is replayed, no LLM call is made, the pool holds no duplicate
    calls = len(session.prompts)
    experiment.run_all(session, experiment.open_run(session, "exp", command="test again"))
    assert len(session.prompts) == calls
    assert session.pool.count(run="exp") == 8 + 3 * 4


def test_eval_refuses_a_store_that_lost_the_runs_insights(session: Session) -> None:
    folder = experiment.open_run(session, "lost", command="test")
    stages.collect(session, folder)
    stages.distill(session, folder)
    for insight in session.store.list(namespace="lost"):
        session.store.delete(insight.id, namespace="lost")
    with pytest.raises(RunFolderError, match="'lost' is empty in this store"):
        stages.evaluate(session, folder)


def test_fresh_deletes_only_the_namespaces_the_run_created(session: Session) -> None:
    """The break: --fresh deleted every namespace named in the run folder's distill log, so a crafted or copied
    log wiped unrelated namespaces. Only what the ledger recorded at creation is deleted now."""
    victim = InsightOp(kind=OpKind.ADD, text="Somebody else's rule.", scale=Scale.GENERAL)
    session.store.apply([victim], namespace="victim")
    folder = experiment.open_run(session, "own", command="test")
    stages.collect(session, folder)
    stages.distill(_with(session, namespace="own", snapshots=True), folder)
    owned = NamespaceLedger(session.settings.workspace, "chroma").owned_by("own")
    steps = len(folder.updates("own"))
    assert steps > 1 and owned == ["own", *(f"own.{i:04d}" for i in range(1, steps + 1))]
    with folder.log_path("victim").open("w") as log:  # a crafted log naming the victim, twice over
        log.write(json.dumps({"step": 1, "seed_ids": [], "snapshot": "victim", "usage": {}, "counts": {}}) + "\n")
    copy = experiment.RunFolder.in_workspace(session.settings.workspace, "copy")
    shutil.copytree(folder.path, copy.path)  # a copied run folder is not the run that created "own"

    experiment.discard(session, copy)
    assert session.store.list(namespace="own") and session.store.list(namespace="victim")
    experiment.discard(session, folder)
    assert not any(session.store.list(namespace=ns) for ns in owned)
    assert [i.text for i in session.store.list(namespace="victim")] == ["Somebody else's rule."]
    assert not folder.path.exists() and session.pool.count(run="own") == 0


def test_distill_refuses_a_namespace_another_run_created(session: Session) -> None:
    first = experiment.open_run(session, "first", command="test")
    stages.collect(session, first)
    stages.distill(_with(session, namespace="shared"), first)
    second = experiment.open_run(session, "second", command="test")
    with pytest.raises(NamespaceOwnedError, match="created by run 'first'"):
        stages.distill(_with(session, namespace="shared", from_run="first"), second)


def _with(session: Session, *, namespace: str, **distill: object) -> Session:
    """The session distilling into ``namespace`` with other distill settings."""
    s = session.settings
    pipeline = s.pipeline.model_copy(update={"namespace": namespace})
    return session.with_settings(
        s.model_copy(update={"pipeline": pipeline, "distill": s.distill.model_copy(update=distill)})
    )
