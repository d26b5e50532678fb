"""Programs on the household simulator: expert plans written as programs win every TEACh family on seen and unseen
floor plans when the scripted model writes them; a wrong subgoal is corrected from its failure reason; the
primitives answer failures in words a model can act on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from langchain_core.messages import BaseMessage

from envs.household.env import HouseholdEnv
from envs.household.families import family, family_names
from envs.household.primitives import HouseholdPrograms
from envs.tasks import TaskSpec, sample_tasks
from insights_store import open_store
from msi_agent.agent.program import Handle, ProgramAttempt, ProgramConfig
from msi_agent.agent.program.dialogue import request
from msi_agent.agent.program.executor import CORRECTION_ACTION, PROGRAM_ACTION
from msi_agent.experience.seeds import Seed
from msi_agent.insights.generator import InsightGenerator
from msi_agent.insights.rules import NumberedRules
from msi_agent.llm import LLMClient, RetryPolicy, ScriptedChatModel
from msi_agent.records import Split, Task

TEACH = [f for f in family_names() if family(f).source == "teach"]


def scripted(replies: list[str] | Callable[[list[BaseMessage]], str]) -> LLMClient:
    queue = iter(replies) if isinstance(replies, list) else None
    fn = (lambda m: next(queue)) if queue is not None else replies  # type: ignore[arg-type]
    return LLMClient(ScriptedChatModel(fn), name="scripted", retry=RetryPolicy(max_retries=0))


def expert_program(task: Task) -> str:
    with HouseholdEnv() as env:
        env.reset(task)
        return env.program_of(task, env.expert_plan())


@pytest.mark.parametrize("split", [Split.VALID_SEEN, Split.VALID_UNSEEN])
def test_every_teach_family_is_won_by_its_expert_program(split: Split) -> None:
    tasks = sample_tasks(TaskSpec(families=TEACH, split=split, n=2 * len(TEACH), seed=5))
    lost = []
    for task in tasks:
        with HouseholdEnv() as env:
            attempt = ProgramAttempt(scripted([expert_program(task)]), env, task, ProgramConfig(max_programs=1))
            steps = list(attempt)
        episode = attempt.episode()
        if not episode.success:
            lost.append((task.family, task.scene, [s.error for s in steps if s.error]))
        assert steps[0].action == PROGRAM_ACTION and episode.path_length == episode.reference_length
    assert sorted({t.family for t in tasks}) == sorted(TEACH) and lost == []


def test_a_loop_over_find_all_cleans_every_dirty_object() -> None:
    task = next(t for t in sample_tasks(TaskSpec(families=["clean_all_x"], n=6, seed=2)) if t.params["goal"]["obj"])
    kind = task.params["goal"]["obj"]
    program = f'for x in find_all("{kind}"):\n    if x.check("dirty"):\n        x.clean()\n        x.put_down()\n'
    with HouseholdEnv() as env:
        attempt = ProgramAttempt(scripted([program]), env, task, ProgramConfig(max_programs=1))
        steps = list(attempt)
    assert attempt.episode().success, [s.observation for s in steps]
    assert {s.action for s in steps[1:]} == {"x.clean()", "x.put_down()"}


def test_a_wrong_subgoal_is_corrected_from_its_failure_reason() -> None:
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=1))[0]
    wrong = 'mug = InteractionObject("Mug")\nmachine = InteractionObject("CoffeeMachine")\nmug.place(machine)\n'
    llm = scripted([wrong, expert_program(task)])
    with HouseholdEnv() as env:
        attempt = ProgramAttempt(llm, env, task, ProgramConfig(max_programs=2), insight_block="RULE: rinse mugs.\n")
        steps = list(attempt)
    failed = next(s for s in steps if s.error)
    assert failed.action == "mug.place(machine)"
    assert failed.error == "you are not holding the Mug; pickup() it before you place it"
    correction = attempt.prompts[1]
    assert "Failed: mug.place(machine)" in correction and f"Reason: {failed.error}" in correction
    assert "RULE: rinse mugs." in attempt.prompts[0] and request(task) in attempt.prompts[0]
    assert [s.action for s in steps if s.action in (PROGRAM_ACTION, CORRECTION_ACTION)] == [
        PROGRAM_ACTION,
        CORRECTION_ACTION,
    ]
    episode = attempt.episode()
    assert episode.success and episode.failure_reason is None and episode.usage.calls == 2


def test_a_refused_program_never_touches_the_world_and_is_reported() -> None:
    task = sample_tasks(TaskSpec(families=["toast"], n=1, seed=1))[0]
    with HouseholdEnv() as env:
        attempt = ProgramAttempt(
            scripted(["import os\nos.system('rm -rf /')", "while True:\n    pass"]),
            env,
            task,
            ProgramConfig(max_programs=2),
        )
        steps = list(attempt)
        assert env.steps == 0
    assert [s.error for s in steps] == [
        "line 1: imports are not allowed; programs use only the primitives of the API",
        "line 1: while loops are not allowed (they may never end); loop over find_all(...) or range(N)",
    ]
    episode = attempt.episode()
    assert not episode.success and episode.failure_reason is not None
    assert episode.failure_reason.startswith("program 2 was refused: line 1: while loops")


@pytest.fixture
def coffee() -> tuple[HouseholdEnv, HouseholdPrograms]:
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=1))[0]
    env = HouseholdEnv()
    env.reset(task)
    return env, env.program_world()


def test_primitives_give_failure_reasons_a_model_can_act_on(coffee: tuple[HouseholdEnv, HouseholdPrograms]) -> None:
    env, world = coffee
    mug, machine, teapot = Handle("Mug"), Handle("CoffeeMachine"), Handle("Teapot")
    assert world.call("pickup", teapot, [], set()).feedback == "the Teapot is not visible anywhere in this room"
    assert world.call("pickup", mug, [], set()).ok
    reason = world.call("pickup", Handle("Knife"), [], set()).feedback
    assert reason == "hands are full: you hold the Mug; put_down() or place() it first"
    reason = world.call("slice", Handle("Bread"), [], set()).feedback
    assert reason == "slicing needs a Knife in hand: you hold the Mug, not a knife; pickup() a Knife first"
    assert world.call("toast", mug, [], set()).feedback.startswith("only a BreadSliced can be toasted")
    assert world.call("pickup", Handle("Mug", landmark="Toilet"), [], set()).feedback == (
        "no Mug is in/on a Toilet; drop the landmark or name another"
    )
    assert world.check(mug, "held", set()) is True and world.check(mug, "dirty", set()) is True
    done = world.call("place", mug, [machine], set())
    assert done.ok and done.actions == 2 and "coffeemachine" in done.feedback
    assert world.call("toggle_on", machine, [], set()).ok and world.call("toggle_on", machine, [], set()).feedback == (
        "The CoffeeMachine is already on."
    )
    env.close()


def test_a_failed_llm_call_errors_the_episode_instead_of_failing_it() -> None:
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=1))[0]

    def down(messages: list[BaseMessage]) -> str:
        raise ConnectionError("endpoint down")

    with HouseholdEnv() as env:
        attempt = ProgramAttempt(scripted(down), env, task, ProgramConfig())
        assert list(attempt) == []
    episode = attempt.episode()
    assert episode.error is not None and episode.error.startswith("LLM call failed at program 1: ")
    assert "endpoint down" in episode.error and episode.failure_reason is None and not episode.success


def test_the_insight_generator_sees_the_programs_and_each_subgoal_with_its_feedback() -> None:
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=1))[0]
    episodes = []
    for program in ('mug = InteractionObject("Mug")\nmug.toast()\n', expert_program(task)):
        with HouseholdEnv() as env:
            attempt = ProgramAttempt(scripted([program]), env, task, ProgramConfig(max_programs=1))
            list(attempt)
        episodes.append(attempt.episode())
    failure, success = episodes
    generator = InsightGenerator(scripted(["ADD: x"]), open_store("memory", embeddings="hash"), namespace="n")
    prompt = generator.prompt(Seed(success, failure), NumberedRules((), (), "Kitchen"))
    assert 'Think: mug = InteractionObject("Mug")\nmug.toast()\nAction: write program' in prompt
    assert "Action: mug.toast()\nObservation: only a BreadSliced can be toasted" in prompt
    assert "Reason for failure: program 1 failed: only a BreadSliced" in prompt
    assert "Action: target_coffeemachine.toggle_on()\nObservation: You turn on the coffeemachine 1." in prompt
