"""The paper's protocol end to end with the scripted chat model: what reaches the executor and the generator."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fetch_world import FETCH_SUITE, expert_player, fetch_tasks
from langchain_core.messages import BaseMessage

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.config_sources import ConfigError, resolve
from msi_agent.experience.order import SeedOrderError
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.modes import ExpelSeeds, InsightMode
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.pipeline.session import Session
from msi_agent.records import Insight, Scale, Split

GENERATOR_MARK = "update the rules with these operations"


class Recorder:
    """The fetch world's expert player, keeping every prompt it is sent (joined messages)."""

    def __init__(self, insight_reply: Callable[[str], str] = lambda p: "", tasks: int = 6) -> None:
        all_tasks = [t for s in Split for t in fetch_tasks(s, tasks, seed=0, families=[])]
        self.play = expert_player(all_tasks, insight_reply, lambda p: "none")
        self.prompts: list[str] = []

    def __call__(self, messages: list[BaseMessage]) -> str:
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return self.play(messages)

    @property
    def generator_prompts(self) -> list[str]:
        return [p for p in self.prompts if GENERATOR_MARK in p]


@contextmanager
def scripted_session(tmp_path: Path, recorder: Recorder, **pipeline: Any) -> Iterator[Session]:
    settings = Settings(
        workspace=tmp_path, agent={"max_steps": 10}, pipeline={"train_tasks": 6, "test_tasks": 1, **pipeline}
    )
    llm = LLMClient(ScriptedChatModel(recorder, name="s"), name="s")
    store = open_store("memory", embeddings="hash")
    with Session.from_settings(settings, suite=FETCH_SUITE, llm=llm, store=store, embeddings="hash") as session:
        yield session


def test_general_only_prompts_hold_no_environment_rule(tmp_path: Path) -> None:
    recorder = Recorder()
    with scripted_session(tmp_path, recorder) as session:
        room = str(fetch_tasks(Split.VALID_SEEN, 1, seed=0, families=[])[0].environment)
        for text, scale, key in [
            ("Carry one thing at a time.", Scale.GENERAL, None),
            ("The sofa is by the window.", Scale.ENVIRONMENT, room),
            ("Put things down gently.", Scale.SUBTASK, "Placing"),
        ]:
            session.store.add(Insight(text=text, scale=scale, key=key), namespace="ns")
        folder = experiment.open_run(session, "go", command="test")
        for mode in (InsightMode.GENERAL_ONLY, InsightMode.GENERAL_ENVIRONMENT):
            recorder.prompts.clear()
            stages.play_arm(session, folder, stages.Arm(mode.value, mode, "ns"))
            assert len(recorder.prompts) > 4
            assert all("Carry one thing at a time." in p for p in recorder.prompts)
            assert not any("Put things down gently." in p for p in recorder.prompts)
            with_room = [("The sofa is by the window." in p) for p in recorder.prompts]
            assert all(with_room) if mode is InsightMode.GENERAL_ENVIRONMENT else not any(with_room)


# -- the paper's presets on the household simulator, played by its expert through the scripted model -------------

ROOM_OF_SEED = re.compile(r"Experience 1, [^\n]*\nTask: [^\n]*\(room type: (\w+);")
ROOM_OF_EXPERIENCE = re.compile(r"Experience \d+, [^\n]*\nTask: [^\n]*\(room type: (\w+);")


class HouseholdRecorder:
    """The household expert through the scripted model: it stumbles on every other task (failures to pair with),
    writes rules of all three scales in the paper's format, and keeps every prompt."""

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.player: ExpertPlayer | None = None
        self.rules = 0

    def start(self, session: Session) -> None:
        counts = {Split.TRAIN: session.settings.pipeline.train_tasks}
        tasks = [t for split in Split for t in stages.tasks_for(session, split, counts.get(split, 2))]
        self.player = ExpertPlayer(
            session.suite.make_env,
            tasks,
            stumble=lambda first, prompt, turn: zlib.crc32(first.encode()) % 2 == 1 and turn >= 1,
            insight_reply=self.insight_reply,
            names_reply=lambda prompt: "Step Order",
        )

    def insight_reply(self, prompt: str) -> str:
        self.rules += 1
        n = self.rules
        return (
            f"General:\nADD: Rule {n} for every task.\nEnvironment:\nADD: Rule {n} for this room.\n"
            f"Subtask:\nADD: Rule {n} for one step. (TASK: Step Order)"
        )

    def __call__(self, messages: list[BaseMessage]) -> str:
        assert self.player is not None
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return self.player(messages)


@contextmanager
def preset_session(tmp_path: Path, preset: str, recorder: HouseholdRecorder, **flags: Any) -> Iterator[Session]:
    small = {"pipeline.train_tasks": 6, "pipeline.test_tasks": 1, "agent.max_steps": 12, **flags}
    settings = resolve(preset=preset, flags={"workspace": str(tmp_path), **small}, environ={}, cwd=tmp_path).settings
    llm = LLMClient(ScriptedChatModel(recorder, name="s"), name="s")
    store = open_store("memory", embeddings="hash")
    with Session.from_settings(settings, llm=llm, store=store, embeddings="hash") as session:
        recorder.start(session)
        yield session


def test_expel_and_msi_receive_the_same_seed_ids(tmp_path: Path) -> None:
    recorder = HouseholdRecorder()
    react = {"distill.seed_from": "both", "agent.executor": "react"}  # the ReAct player stumbles: failures to pair
    with preset_session(tmp_path, "paper-teach", recorder, **react) as session:
        folder = experiment.open_run(session, "same", command="test")
        stages.collect(session, folder)
        stages.distill(session, folder)
        expel = experiment.expel_session(session, folder)
        stages.distill(expel, folder)
        msi_seeds = [u.seed_ids for u in folder.updates("same")]
        expel_seeds = [u.seed_ids for u in folder.updates("same-expel")]
        assert len(msi_seeds) >= 4 and any(len(ids) == 2 for ids in msi_seeds)  # pairs, in the same shuffled order
        assert expel_seeds == msi_seeds
        own = experiment.distill_session(session, folder, "own", expel_seeds=ExpelSeeds.SAME_TASK)
        stages.distill(experiment.expel_session(own, folder), folder)
        assert [u.seed_ids for u in folder.updates("same-expel")] == msi_seeds  # the run's ExpeL set is untouched
        same_task = [u.seed_ids for u in folder.updates("own-expel")]
        assert same_task != msi_seeds
        tasks = {ep.id: ep.task.id for ep in session.pool.query(run="same")}
        assert all(tasks[ids[0]] == tasks[ids[-1]] for ids in same_task)  # ExpeL's pairing: the same task


def test_the_alfworld_preset_writes_no_environment_insight(tmp_path: Path) -> None:
    recorder = HouseholdRecorder()
    with preset_session(tmp_path, "paper-alfworld-dev", recorder) as session:
        folder = experiment.open_run(session, "alf", command="test")
        stages.collect(session, folder)
        updates = stages.distill(session, folder)
        assert updates and session.store.list(namespace="alf", scale=Scale.GENERAL)
        assert session.store.list(namespace="alf", scale=Scale.SUBTASK)
        assert session.store.list(namespace="alf", scale=Scale.ENVIRONMENT) == []
        generator = [p for p in recorder.prompts if GENERATOR_MARK in p]
        assert generator and not any("Environment rules" in p or "ENVIRONMENT:" in p for p in generator)
        assert all(u.dropped and "environment scale is off" in u.dropped[0][1] for u in updates)


def test_the_domain_shift_order_feeds_rooms_in_the_given_order(tmp_path: Path) -> None:
    recorder = HouseholdRecorder()
    order = ["Bedroom", "Kitchen", "LivingRoom"]
    flags = {"env.families": [], "distill.seed_from": "both", "distill.seed_order": "rooms:" + ",".join(order)}
    with preset_session(tmp_path, "paper-domain-shift", recorder, **flags) as session:
        folder = experiment.open_run(session, "shift", command="test")
        stages.collect(session, folder)
        recorder.prompts.clear()
        stages.distill(session, folder)
        rooms = [m.group(1) for p in recorder.prompts if (m := ROOM_OF_SEED.search(p))]
        assert len(rooms) == len(recorder.prompts) >= 8 and len(set(rooms)) >= 3
        rank = {room: i for i, room in enumerate(order)}
        assert rooms == sorted(rooms, key=lambda r: rank.get(r, len(rank)))  # room by room, the rest after
        # a room's step sees that room's experience only: its failures too, never another room's
        per_prompt = [ROOM_OF_EXPERIENCE.findall(p) for p in recorder.prompts]
        assert sum(len(found) == 2 for found in per_prompt) >= 4
        assert all(set(found) == {room} for found, room in zip(per_prompt, rooms, strict=True))
    garage = {"distill.seed_order": "rooms:Kitchen,Garage"}
    with (
        preset_session(tmp_path, "paper-domain-shift", recorder, **garage) as s,
        pytest.raises(SeedOrderError, match=r"\['Garage'\] are not categories of environment 'household'"),
    ):
        stages.distill(s, experiment.open_run(s, "bad", command="test"))
    with pytest.raises(ConfigError, match="seed order 'rooms' is not one of"):
        resolve(flags={"distill.seed_order": "rooms"}, environ={}, cwd=tmp_path)


def test_every_paper_preset_runs_end_to_end_and_names_its_differences(tmp_path: Path) -> None:
    arms = {
        "paper-teach": {"msi-hashmap", "no-insights", "expel-all", "msi-vector", "msi-general-only"},
        "paper-alfworld-dev": {"msi-hashmap", "no-insights", "expel-all", "msi-general-only"},
        "paper-alfworld-std": {"msi-hashmap", "no-insights", "expel-all", "msi-general-only"},
        "paper-experience-selectors": {"msi-hashmap", "msi-success-hashmap"},
        "paper-insight-selectors": {"msi-hashmap", "msi-vector", "msi-general-only", "msi-all"},
        "paper-domain-shift": {"msi-hashmap", "no-insights", "msi-general-only"},
    }
    for preset, expected in arms.items():
        recorder = HouseholdRecorder()
        flags = {"pipeline.train_tasks": 4, "agent.max_steps": 8, "distill.seed_from": "both"}
        with preset_session(tmp_path / preset, preset, recorder, **flags) as session:
            folder = experiment.open_run(session, preset, command="test")
            results = experiment.run_all(session, folder)
        assert set(results.conditions) == expected, preset
        assert all(c.episodes == 2 for c in results.conditions.values())
        differences = "\n".join(results.protocol_differences)
        assert "Expert demonstrations count as successes (distill.seed_from=both)" in differences
        assert ("Insight scales" in differences) is False, (preset, differences)  # each preset keeps its scales
        md = (folder.path / "results.md").read_text(encoding="utf-8")
        assert "## Protocol differences from the paper" in md and "gpt-4 for insights" in md
