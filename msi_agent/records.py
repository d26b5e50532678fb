"""Typed records shared by every layer: tasks, steps, episodes, insights and insight operations.

One pydantic model per concept so that everything the framework stores or exchanges has a JSON schema
and round-trips losslessly. ``SCHEMA_VERSION`` is bumped whenever a stored shape changes.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
MAX_INSIGHT_CHARS = 2000
MAX_KEY_CHARS = 40
INSIGHT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
"""Insight ids go into URLs, file names and store keys: 1-64 letters, digits, '_', '.', ':' or '-'."""


def _now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A short random id; collisions are negligible at the sizes we store (< 10^7 records)."""
    return uuid.uuid4().hex[:16]


class Record(BaseModel):
    """Base: forbid unknown fields so typos in stored or user-given data fail loudly."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    schema_version: int = SCHEMA_VERSION


class Split(StrEnum):
    TRAIN = "train"
    VALID_SEEN = "valid_seen"
    VALID_UNSEEN = "valid_unseen"


class Task(Record):
    """One task of an environment. ``environment`` is its category on the environment scale (a room type, a game):
    a name from the environment's ``EnvSpec.categories``, which the pipeline checks when it samples."""

    id: str
    family: str
    environment: str
    scene: str
    instruction: str
    params: dict[str, Any] = Field(default_factory=dict)
    split: Split = Split.TRAIN
    seed: int = 0

    @field_validator("environment")
    @classmethod
    def _category_ok(cls, v: str) -> str:
        if not v.strip() or len(v) > MAX_KEY_CHARS:
            raise ValueError(
                f"environment {v!r} must be a category name of 1 to {MAX_KEY_CHARS} characters (it keys insights)"
            )
        return v


class TokenUsage(Record):
    """Tokens of the answers used. ``prompt_tokens``/``completion_tokens`` count every answer, the ``cached_*``
    part of them came from the response cache (stored counts, not spent again); ``calls`` are requests answered
    or failed at the endpoint, ``cached_calls`` answers served by the cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(**{name: getattr(self, name) + getattr(other, name) for name in USAGE_FIELDS})

    @property
    def fresh_prompt_tokens(self) -> int:
        return self.prompt_tokens - self.cached_prompt_tokens

    @property
    def fresh_completion_tokens(self) -> int:
        return self.completion_tokens - self.cached_completion_tokens

    @property
    def fresh_tokens(self) -> int:
        """Tokens the endpoint processed for these answers (what a provider bills)."""
        return self.fresh_prompt_tokens + self.fresh_completion_tokens

    @property
    def cached_tokens(self) -> int:
        return self.cached_prompt_tokens + self.cached_completion_tokens


USAGE_FIELDS = tuple(n for n in TokenUsage.model_fields if n != "schema_version")


class Step(Record):
    thought: str = ""
    action: str
    observation: str
    admissible_count: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    raw_output: str | None = None
    mapped: bool = False
    error: str | None = None
    call_id: str | None = None
    """The LLM call behind this step: its prompt and raw reply are in the run folder's call log."""


class Source(StrEnum):
    AGENT = "agent"
    EXPERT = "expert"


class Episode(Record):
    id: str = Field(default_factory=new_id)
    task: Task
    steps: list[Step] = Field(default_factory=list)
    success: bool = False
    gc_satisfied: int = 0
    gc_total: int = 0
    path_length: int = 0
    reference_length: int | None = None
    failure_reason: str | None = None
    insight_ids: list[str] = Field(default_factory=list)
    """Ids of the insights that were in the agent's prompt (what per-insight credit is computed from)."""
    error: str | None = None
    """Why infrastructure (an LLM call that failed after retries) cut the episode short. An errored episode is
    not an outcome: it is never scored nor used as experience, and a rerun of the same command replays it."""
    llm: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    source: Source = Source.AGENT
    created: datetime = Field(default_factory=_now)

    @model_validator(mode="after")
    def _gc_in_range(self) -> Episode:
        if not 0 <= self.gc_satisfied <= max(self.gc_total, 0):
            raise ValueError(f"gc_satisfied={self.gc_satisfied} must be between 0 and gc_total={self.gc_total}")
        if self.error is not None and self.success:
            raise ValueError("an errored episode cannot be a success; clear error or success")
        return self


class Scale(StrEnum):
    GENERAL = "general"
    ENVIRONMENT = "environment"
    SUBTASK = "subtask"


class Provenance(Record):
    """Why an insight changed: the seed experiences and the LLM call behind the operation."""

    experience_ids: list[str] = Field(default_factory=list)
    llm_call_id: str | None = None
    llm: str | None = None
    note: str | None = None
    batch: str | None = None
    """The distill update that applied the operation: a resumed run finds by it whether an update it had
    recorded as proposed reached the store."""
    measured: str | None = None
    """The measured effect behind a credit operation (`insights apply-credit`); None for the generator's votes."""


class Insight(Record):
    id: str = Field(default_factory=new_id)
    text: str
    scale: Scale
    key: str | None = None
    score: float = 2.0
    created: datetime = Field(default_factory=_now)
    updated: datetime = Field(default_factory=_now)
    provenance: Provenance = Field(default_factory=Provenance)

    @field_validator("id")
    @classmethod
    def _id_ok(cls, v: str) -> str:
        if not INSIGHT_ID.fullmatch(v):
            shown = repr(v) if len(v) <= 40 else f"{v[:40]!r}… ({len(v)} characters)"
            raise ValueError(
                f"insight id {shown} is not valid: use 1-64 letters, digits, '_', '.', ':' or '-', "
                "starting with a letter or digit"
            )
        return v

    @field_validator("text")
    @classmethod
    def _text_ok(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("insight text is empty; give the rule as a sentence")
        if len(v) > MAX_INSIGHT_CHARS:
            raise ValueError(f"insight text has {len(v)} characters; the limit is {MAX_INSIGHT_CHARS}")
        return v

    @field_validator("score")
    @classmethod
    def _score_ok(cls, v: float) -> float:
        if math.isnan(v) or math.isinf(v) or v < 0:
            raise ValueError(f"score must be a finite number >= 0, got {v}")
        return v

    @model_validator(mode="after")
    def _key_matches_scale(self) -> Insight:
        if self.scale is Scale.GENERAL and self.key:
            raise ValueError("a general insight has no key; drop the key or choose scale environment/subtask")
        if self.scale is not Scale.GENERAL:
            if not self.key or not self.key.strip():
                raise ValueError(f"a {self.scale.value} insight needs a key (environment category or subtask name)")
            if len(self.key) > MAX_KEY_CHARS:
                raise ValueError(f"key {self.key!r} is longer than {MAX_KEY_CHARS} characters")
        return self


def rule_form(text: str) -> str:
    """The comparison form of an insight's text; two rules are duplicates when their forms are equal.

    Case, runs of whitespace and trailing sentence punctuation do not make a new rule. The one definition
    of "duplicate rule", used by the store (it rejects a duplicate ADD, EDIT or MOVE) and by the insight
    resolver (it drops such operations before they reach the store).
    """
    return " ".join(text.split()).rstrip(".!;").rstrip().casefold()


class OpKind(StrEnum):
    ADD = "ADD"
    EDIT = "EDIT"
    REMOVE = "REMOVE"
    AGREE = "AGREE"
    MOVE = "MOVE"


class InsightOp(Record):
    """One operation proposed by the insight generator, resolved to a stored insight id (``target``)."""

    kind: OpKind
    target: str | None = None
    text: str | None = None
    scale: Scale | None = None
    key: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> InsightOp:
        needs_target = self.kind is not OpKind.ADD
        needs_text = self.kind in (OpKind.ADD, OpKind.EDIT, OpKind.MOVE)
        if needs_target and not self.target:
            raise ValueError(f"{self.kind.value} needs the id of the insight it changes (target)")
        if needs_text and not (self.text and self.text.strip()):
            raise ValueError(f"{self.kind.value} needs the new rule text")
        if self.kind in (OpKind.ADD, OpKind.MOVE) and self.scale is None:
            raise ValueError(f"{self.kind.value} needs a scale (general, environment or subtask)")
        return self


class HistoryEntry(Record):
    """One applied operation in an insight's history, with the score it left behind."""

    insight_id: str
    op: OpKind
    text: str | None = None
    score_after: float
    at: datetime = Field(default_factory=_now)
    provenance: Provenance = Field(default_factory=Provenance)
