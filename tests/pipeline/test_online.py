"""Continual mode: the online arm learns while it is evaluated, and ends where offline distillation of the same
episodes, in the same order, ends."""

from __future__ import annotations

from pathlib import Path

from household_player import FAMILIES, player

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.experience.seeds import Seed
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.modes import InsightMode, SeedOrder
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.namespaces import NamespaceLedger
from msi_agent.pipeline.online import online_arm
from msi_agent.pipeline.session import Session
from msi_agent.records import Insight, Scale


def _content(session: Session, namespace: str) -> list[tuple[str, str | None, str, float]]:
    return sorted((i.scale.value, i.key, i.text, i.score) for i in session.store.list(namespace=namespace))


def test_online_memory_learns_as_it_goes_and_equals_offline_distillation(tmp_path: Path) -> None:
    settings = Settings(
        workspace=tmp_path,
        agent={"max_steps": 8},
        env={"families": FAMILIES},
        pipeline={"test_tasks": 4, "seed": 0},
        distill={"selector": "success"},
    )
    llm = LLMClient(ScriptedChatModel(player(), name="player"), name="player")
    with Session.from_settings(
        settings, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
    ) as s:
        s.store.add(Insight(text="Go to a receptacle before taking from it.", scale=Scale.GENERAL), namespace="base")
        folder = experiment.open_run(s, "on", command="test")
        frozen = stages.Arm("msi-hashmap", InsightMode.HASHMAP, "base")
        arm = online_arm(s, folder, frozen)
        out = stages.evaluate(s, folder, [frozen, arm])
        played = out[arm.name]
        assert [e.task.id for e in played] == [e.task.id for e in out[frozen.name]]
        # the frozen arm never learns the lamp rule; the online one does after its first success
        lamp = [(e.task.family == FAMILIES[1], e.success) for e in out[frozen.name]]
        assert (True, True) not in lamp
        assert (True, True) in [(e.task.family == FAMILIES[1], e.success) for e in played]
        log = folder.updates("base-online")
        assert len(log) == sum(e.success for e in played) and all(u.snapshot for u in log)

        # offline: the same seeds, in the same order, into a copy of the starting memory
        NamespaceLedger(tmp_path, settings.store.spec).claim("offline", "off")
        s.store.import_jsonl(s.store.export_jsonl(namespace="base"), namespace="offline")
        offline = experiment.open_run(s, "off", command="test")
        seeds = [Seed(e) for e in played if e.success]
        given = settings.model_copy(
            update={
                "pipeline": settings.pipeline.model_copy(update={"namespace": "offline"}),
                "distill": settings.distill.model_copy(update={"seed_order": SeedOrder.GIVEN}),
            }
        )
        stages.distill(s.with_settings(given), offline, seeds=seeds)
        assert _content(s, "base-online") == _content(s, "offline") != _content(s, "base")

        # a rerun replays nothing and updates nothing
        again = stages.evaluate(s, folder, [frozen, arm])
        assert [e.id for e in again[arm.name]] == [e.id for e in played]
        assert len(folder.updates("base-online")) == len(log)
