"""The ReAct loop: prompts as projections of steps, mapping of sloppy output, step limit, failures, act-only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from langchain_core.messages import BaseMessage

from envs.core import Env
from msi_agent.agent.executor import Attempt, ExecutorConfig, play
from msi_agent.llm import LLMClient, RetryPolicy, ScriptedChatModel
from msi_agent.llm.actions import MAX_THOUGHT_CHARS
from msi_agent.records import Task

TASK = Task(
    id="toy-1",
    family="look_at_obj_in_light",
    environment="Bedroom",
    scene="FloorPlan301",
    instruction="look at book under the desklamp.",
)


def _llm(replies: list[str] | Callable[[list[BaseMessage]], str]) -> LLMClient:
    if callable(replies):
        fn = replies
    else:
        queue = iter(replies)
        fn = lambda m: next(queue)  # noqa: E731
    return LLMClient(ScriptedChatModel(fn, name="scripted"), name="scripted", retry=RetryPolicy(max_retries=0))


def test_wins_with_thoughts_mapping_and_full_record(toy_env: Env) -> None:
    llm = _llm(
        [
            "Think: I need the book.\nAction: take book 1 from desk 1",
            "Think: now light.\nAction: **Use the desklamp 1**",
        ]
    )
    attempt = Attempt(
        llm,
        toy_env,
        TASK,
        ExecutorConfig(max_steps=5),
        insight_block="INSIGHTS\n",
        examples="EXAMPLES\n",
        episode_id="ep-1",
    )
    steps = list(attempt)
    ep = attempt.episode()
    assert [s.action for s in steps] == ["take book 1 from desk 1", "use desklamp 1"]
    assert [s.mapped for s in steps] == [False, True]
    assert steps[0].thought == "I need the book." and steps[0].admissible_count == 4
    assert ep.id == "ep-1" and ep.success and ep.failure_reason is None
    assert (ep.gc_satisfied, ep.gc_total, ep.path_length, ep.reference_length) == (2, 2, 2, 2)
    assert ep.usage.calls == 2 and ep.usage.prompt_tokens > 0 and ep.llm == "scripted"
    first, second = attempt.prompts
    assert first.index("EXAMPLES") < first.index("INSIGHTS") < first.index("Your task is to: look at book")
    assert first.rstrip().endswith("Possible commands: look, take book 1 from desk 1, use desklamp 1, go to bed 1")
    assert "Think: I need the book.\nAction: take book 1 from desk 1" in second
    assert "Observation: You pick up the book 1 from the desk 1." in second
    assert first.count("Possible commands") == 1 and second.count("Possible commands") == 1


def test_step_limit_and_act_only(toy_env: Env) -> None:
    ep = play(_llm(lambda m: "Think: hmm\nAction: look"), toy_env, TASK, ExecutorConfig(max_steps=3, act_only=True))
    assert not ep.success and ep.path_length == 3 and ep.failure_reason == "step limit (3) reached"
    assert all(s.thought == "" for s in ep.steps)


def test_history_window_keeps_prompts_short(toy_env: Env) -> None:
    attempt = Attempt(_llm(lambda m: "Action: look"), toy_env, TASK, ExecutorConfig(max_steps=4, history_window=1))
    list(attempt)
    assert "(The first 2 steps are omitted.)" in attempt.prompts[-1]
    assert attempt.prompts[-1].count("Observation:") == 1


def test_a_failed_call_ends_the_episode_as_errored_not_failed(toy_env: Env) -> None:
    replies = iter(["Action: take book 1 from desk 1"])

    def down_after_one(messages: list[BaseMessage]) -> str:
        if (text := next(replies, None)) is None:
            raise ConnectionError("connection refused")
        return text

    ep = play(_llm(down_after_one), toy_env, TASK, ExecutorConfig(max_steps=5))
    assert not ep.success and len(ep.steps) == 1 and ep.path_length == 1
    assert ep.failure_reason is None  # not the agent's failure
    assert ep.error is not None and "step 2" in ep.error and "connection refused" in ep.error
    assert ep.usage.calls == 2


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        ExecutorConfig(max_steps=0)


def test_an_env_without_expert_still_plays(toy_env: Env) -> None:
    def no_plan() -> list[str]:
        raise NotImplementedError("no planner here")

    toy_env.expert_plan = no_plan  # type: ignore[method-assign]
    ep = play(
        _llm(["Action: take book 1 from desk 1", "Action: use desklamp 1"]), toy_env, TASK, ExecutorConfig(max_steps=4)
    )
    assert ep.success and ep.reference_length is None


def test_a_long_thought_is_bounded_before_it_is_replayed(toy_env: Env) -> None:
    musing = "Let me think about the room. " * 40
    prompts: list[str] = []

    def reply(messages: list[BaseMessage]) -> str:
        prompts.append("\n".join(str(m.content) for m in messages))
        return f"Think: {musing}\nAction: take book 1 from desk 1" if len(prompts) == 1 else "Action: use desklamp 1"

    ep = play(_llm(reply), toy_env, TASK, ExecutorConfig(max_steps=3))
    thought = ep.steps[0].thought
    assert len(thought) == MAX_THOUGHT_CHARS and thought.endswith("…") and musing.strip() in ep.steps[0].raw_output
    assert musing.strip() not in prompts[1] and thought in prompts[1]  # the next prompt replays the bounded one
