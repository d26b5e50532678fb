"""What an experiment will cost in LLM calls and tokens, computed from measured prompt sizes, not guessed.

``measure`` plays the experiment at a small scale (``SAMPLE_TRAIN`` training tasks, one test task per split) in a
scratch workspace, on its own environment and prompt templates, with every stage and arm it has. The environment's
expert answers through a scripted model that stumbles on every other task, so half the episodes run to the step
limit and seeds of every kind exist; the insight replies add one rule per scale. Every prompt is measured in
characters by stage; the means per episode (collect, each eval arm) and per insight update are scaled to the
experiment's task counts. ``Estimate.tokens`` turns characters into tokens for a chosen model: with its own
tokenizer when one is available offline (the bundled local model), else at ``CHARS_PER_TOKEN`` (stated as such).
Insight lists grow with a run, so full-scale generator prompts are somewhat longer than the sample's.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.messages import BaseMessage

import envs
from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.offline import INSIGHT_PROMPT_MARK, ExpertPlayer
from msi_agent.pipeline.session import Session
from msi_agent.records import Split

SAMPLE_TRAIN = 4
CHARS_PER_TOKEN = 4.0
"""Characters per token of English prompts for BPE models without an offline tokenizer (OpenAI's rule of thumb)."""
STAGES = ("collect", "distill", "eval")


@dataclass
class Estimate:
    """Calls and prompt characters per stage at the experiment's full task counts."""

    calls: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    chars: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    sample: list[str] = field(default_factory=list, repr=False)
    """A few measured prompts, for a tokenizer's characters-per-token."""

    def tokens(self, count_tokens: Callable[[str], int] | None = None) -> tuple[int, str]:
        """Prompt tokens of the whole experiment and how characters became tokens."""
        total = sum(self.chars.values())
        if count_tokens is None or not self.sample:
            return round(total / CHARS_PER_TOKEN), f"{CHARS_PER_TOKEN:g} characters per token"
        ratio = sum(map(len, self.sample)) / max(1, sum(count_tokens(p) for p in self.sample))
        return round(total / ratio), f"the model's tokenizer ({ratio:.2f} characters per token here)"


class _Meter:
    """The expert behind the scripted model, measuring every prompt by the stage that sends it."""

    def __init__(self) -> None:
        self.stage = "collect"
        self.calls = dict.fromkeys(STAGES, 0)
        self.chars = dict.fromkeys(STAGES, 0)
        self.sample: list[str] = []
        self.player: ExpertPlayer | None = None
        self.rules = 0

    def __call__(self, messages: list[BaseMessage]) -> str:
        assert self.player is not None
        prompt = "\n".join(str(m.content) for m in messages)
        self.calls[self.stage] += 1
        self.chars[self.stage] += len(prompt)
        if len(self.sample) < 40 and self.calls[self.stage] % 5 == 1:
            self.sample.append(prompt)
        return self.player(messages)

    def insight_reply(self, prompt: str) -> str:
        self.rules += 1
        n = self.rules
        return (
            f"GENERAL:\nADD: Check the state of every object named in the task before acting ({n}).\n"
            f"ENVIRONMENT:\nADD: Search the places where such objects usually are first ({n}).\n"
            f"SUBTASK:\nADD [Step Order]: Finish one step of the task before starting the next ({n})."
        )


def _stumble(first: str, prompt: str, turn: int) -> bool:
    return zlib.crc32(first.encode()) % 2 == 1 and INSIGHT_PROMPT_MARK not in prompt and turn >= 1


def measure(settings: Settings) -> Estimate:
    """Play ``settings``' experiment at a small scale and scale its measured prompts to the full task counts."""
    p = settings.pipeline
    with tempfile.TemporaryDirectory(prefix="msi-estimate-") as scratch:
        env = settings.env
        stand_in = envs.spec(env.name).estimate_on  # a real engine measured on its fast twin (EnvSpec.estimate_on)
        if stand_in is not None:
            env = env.model_copy(update={"name": stand_in, "options": {}})
        small = settings.model_copy(
            update={
                "workspace": Path(scratch),
                "env": env,
                "pipeline": p.model_copy(
                    update={"train_tasks": SAMPLE_TRAIN, "test_tasks": 1, "workers": 1, "backend": "local"}
                ),
            }
        )
        meter = _Meter()
        llm = LLMClient(ScriptedChatModel(meter, name="estimate"), name="estimate")
        with Session.from_settings(
            small, llm=llm, store=open_store("memory", embeddings="hash"), embeddings="hash"
        ) as s:
            counts = {Split.TRAIN: SAMPLE_TRAIN}
            tasks = [t for split in Split for t in stages.tasks_for(s, split, counts.get(split, 1))]
            meter.player = ExpertPlayer(
                s.suite.make_env, tasks, stumble=_stumble, insight_reply=meter.insight_reply, names_reply=_first_name
            )
            folder = experiment.open_run(s, "estimate", command="estimate")
            stages.collect(s, folder)
            meter.stage = "distill"
            stages.distill(s, folder)
            for other in experiment.baseline_sessions(s, folder):
                stages.distill(other, folder)
            meter.stage = "eval"
            stages.evaluate(s, folder)
    scale = {"collect": p.train_tasks / SAMPLE_TRAIN, "distill": p.train_tasks / SAMPLE_TRAIN, "eval": p.test_tasks}
    return Estimate(
        calls={k: meter.calls[k] * scale[k] for k in STAGES},
        chars={k: meter.chars[k] * scale[k] for k in STAGES},
        sample=meter.sample,
    )


def _first_name(prompt: str) -> str:
    """The hashmap selector's reply: the first subtask name listed."""
    listed = [line.split(". ", 1)[1] for line in prompt.splitlines() if line[:1].isdigit() and ". " in line]
    return listed[0] if listed else "none"


def token_counter(spec: str) -> Callable[[str], int] | None:
    """The chosen model's own tokenizer when it is available offline: a local GGUF (``local``, ``local:PATH``),
    loaded vocabulary only. Others (remote APIs) have none offline: None."""
    if spec != "local" and not spec.startswith("local:"):
        return None
    from msi_agent.llm.local import bundled_model_path, check_gguf, llama_available

    if not llama_available():
        return None
    path = check_gguf(Path(spec.removeprefix("local:")).expanduser()) if ":" in spec else bundled_model_path()
    from llama_cpp import Llama

    vocab = Llama(model_path=str(path), vocab_only=True, verbose=False)
    return lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=False))
