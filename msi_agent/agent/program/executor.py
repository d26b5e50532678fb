"""The program executor (HELPER's, as the MSI paper plays TEACh): the LLM writes a program, we run it subgoal by
subgoal, and on a failed subgoal we ask for a corrected program, a bounded number of times.

Every program (accepted or refused; its text is the step's thought, the agent's plan) and every executed subgoal
is a ``Step`` of the episode, so experiences, metrics, the viewer and the insight generator read program episodes
as they read ReAct ones. The prompt is a
projection of those steps: system (the environment's API, which names the room's object classes), the task
(examples, insights, the dialogue or instruction — not the opening observation, which would repeat the
instruction beside a dialogue), then per program the model's reply and, after a failure, the correction request
built from the subgoals done so far, the failed line and its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from envs.core import Env
from msi_agent.agent.executor import ASK_EXPERT, Attempt, ExecutorConfig
from msi_agent.agent.program.api import ProgramWorld, supports_programs
from msi_agent.agent.program.dialogue import request
from msi_agent.agent.program.grammar import program_grammar, token_budget
from msi_agent.agent.program.interpreter import DEFAULT_BUDGET, Interpreter
from msi_agent.agent.program.language import ProgramError, extract, parse
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.agent.unmet import unmet_note
from msi_agent.llm import LLMClient
from msi_agent.records import Episode, Step, Task

PROGRAM_ACTION = "write program"
CORRECTION_ACTION = "correct program"
END_OF_PROGRAM = "(end of program)"
NOT_COMPLETE = "the program ended but the task is not complete"


@dataclass(frozen=True, slots=True)
class ProgramConfig:
    """``max_programs``: the first program plus corrections; ``budget``: statements one program may execute;
    ``max_tokens``: cap on one program reply (under a grammar, the grammar's own bound)."""

    max_programs: int = 3
    budget: int = DEFAULT_BUDGET
    max_tokens: int = 400

    def __post_init__(self) -> None:
        if self.max_programs < 1:
            raise ValueError(f"max_programs must be >= 1, got {self.max_programs}")


class ProgramAttempt(Attempt):
    """One episode played by programs; iterate it for the steps, then ask for the ``episode()`` record."""

    def __init__(
        self,
        llm: LLMClient,
        env: Env,
        task: Task,
        config: ProgramConfig,
        *,
        insight_block: str = "",
        examples: str = "",
        episode_id: str | None = None,
        prompts: Prompts = DEFAULT_PROMPTS,
        reference_length: int | Literal["ask-expert"] | None = ASK_EXPERT,
    ) -> None:
        if not supports_programs(env):
            raise ValueError(
                f"environment {type(env).__name__} offers no program primitives (no program_world()); "
                "use the react executor with it"
            )
        super().__init__(
            llm,
            env,
            task,
            ExecutorConfig(),
            insight_block=insight_block,
            examples=examples,
            episode_id=episode_id,
            prompts=prompts,
            reference_length=reference_length,
        )
        self.program_config = config
        self.commands = 0

    def program_messages(self, world: ProgramWorld) -> list[BaseMessage]:
        """The prompt for the next program: system, task, then each earlier program and what became of it."""
        system = self.templates.render("program_system", api=world.api.describe())
        task = self.templates.render(
            "program_task",
            examples=self.examples,
            insights=self.insight_block,
            request=request(self.task),
        )
        messages: list[BaseMessage] = [SystemMessage(content=system), HumanMessage(content=task)]
        done: list[str] = []
        for step in self.steps:
            if step.action in (PROGRAM_ACTION, CORRECTION_ACTION):
                messages.append(AIMessage(content=step.raw_output or ""))
                if step.error:
                    messages.append(HumanMessage(content=self._correction(done, "(the program)", step.error, True)))
            elif step.error:
                messages.append(HumanMessage(content=self._correction(done, step.action, step.error, False)))
            else:
                done.append(step.action)
        return messages

    def __iter__(self) -> Iterator[Step]:
        first = self.env.reset(self.task)
        self.info = dict(first.info)
        self.reference_length = self._resolved_reference()
        world: ProgramWorld = self.env.program_world()  # type: ignore[attr-defined]
        interpreter = Interpreter(world, budget=self.program_config.budget)
        grammar = program_grammar(world.api) if self.llm.supports_grammar else None
        max_tokens = token_budget(world.api) if grammar else self.program_config.max_tokens
        for round_ in range(self.program_config.max_programs):
            messages = self.program_messages(world)
            self.prompts.append("\n\n".join(str(m.content) for m in messages))
            reply = self.llm.complete(messages, purpose="program", max_tokens=max_tokens, grammar=grammar)
            if reply.error:  # not the agent's doing: the episode is errored, never an outcome
                self.extra_usage = self.extra_usage + reply.usage
                self.error = f"LLM call failed at program {round_ + 1}: {reply.error}"
                return
            action = PROGRAM_ACTION if round_ == 0 else CORRECTION_ACTION
            try:
                program = parse(reply.text, world.api)
            except ProgramError as exc:
                step = Step(
                    thought=extract(reply.text),
                    action=action,
                    observation=f"The program was refused: {exc}",
                    tokens=reply.usage,
                    raw_output=reply.text,
                    call_id=reply.call_id,
                    error=str(exc),
                )
                self.steps.append(step)
                yield step
                self.failure = f"program {round_ + 1} was refused: {exc}"
                continue
            step = Step(
                thought=program.source,
                action=action,
                observation="The program was accepted.",
                tokens=reply.usage,
                raw_output=reply.text,
                call_id=reply.call_id,
            )
            self.steps.append(step)
            yield step
            last = None
            for subgoal in interpreter.run(program):
                last = subgoal.outcome
                self.info = dict(subgoal.outcome.info) or self.info
                self.commands += subgoal.outcome.actions
                step = Step(
                    action=subgoal.text,
                    observation=subgoal.outcome.feedback,
                    error=None if subgoal.outcome.ok else subgoal.outcome.feedback,
                )
                self.steps.append(step)
                yield step
            if self.info.get("won"):
                self.failure = None
                return
            if last is None or last.ok:
                missing = NOT_COMPLETE + unmet_note(self.info)
                step = Step(action=END_OF_PROGRAM, observation=missing, error=missing)
                self.steps.append(step)
                yield step
            self.failure = f"program {round_ + 1} failed: {self.steps[-1].error}"
            if last is not None and last.done:
                return

    def _correction(self, done: list[str], line: str, reason: str, refused: bool) -> str:
        return self.templates.render(
            "correction",
            what="The program was refused before it ran." if refused else "A subgoal failed.",
            done="\n".join(done) or "(none)",
            line=line,
            reason=reason,
        )

    def episode(self) -> Episode:
        """As ``Attempt.episode``; the path length counts environment commands, comparable to the expert's."""
        return super().episode().model_copy(update={"path_length": self.commands})
