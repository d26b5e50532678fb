"""The files of a run folder as typed records, written and read by the same models (pipeline, viewer, report).

- ``Manifest`` (``manifest.json``): the full resolved settings tree, versions, commit, every command that used it.
- ``DistillUpdate`` (one line of ``distill-<namespace>.jsonl``): one insight update and what the namespace held after.
- ``Results`` of ``ResultRow`` (``results.json``): the tables.

Each file carries ``schema_version``. A file from a newer msi-agent is refused with a message saying so; a file
from before versioning (no ``schema_version``) is read when its shape did not change (distill logs, results) and
refused with what to do otherwise (manifests: the settings tree changed shape, and the agent settings of such a
run were never recorded). Rows inside ``Results`` are versioned by their file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from msi_agent.config import DistillSettings, Settings
from msi_agent.records import InsightOp, TokenUsage
from msi_agent.stats import Effect

RUN_SCHEMA_VERSION = 2
"""Bumped whenever the shape of a run-folder file changes. 2: results gained 95 % intervals per row and the
paired comparison of arms (optional fields, so version-1 results are still read)."""


RUN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?")


class RunRecordError(ValueError):
    """A run-folder file is from another msi-agent version or has the wrong shape; the message says what to do."""


class RunFolderError(RunRecordError):
    """A run folder cannot be used as asked; the message says what to change (a name, --fresh)."""


def check_run_name(name: object) -> str:
    """A run name also names files, report folders and namespaces: never a path."""
    if not isinstance(name, str) or not RUN_NAME.fullmatch(name):
        raise RunFolderError(
            f"run name {name!r} is not valid: use 1-40 letters, digits, '.', '_' or '-', starting and ending "
            "with a letter or digit (it also names the run's insight namespaces)"
        )
    return name


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class RunRecord(BaseModel):
    """Base of the run-folder files: unknown fields are errors (a newer writer bumps ``schema_version``)."""

    model_config = ConfigDict(extra="forbid")
    schema_version: int = RUN_SCHEMA_VERSION
    legacy_readable: ClassVar[bool] = True
    """Whether a file written before versioning (no ``schema_version``) has this shape and can be read."""

    @classmethod
    def read(cls, data: Any, where: str) -> Self:
        """Validate ``data`` read from ``where`` (a path, for messages), checking the schema version first."""
        if not isinstance(data, dict):
            raise RunRecordError(f"{where} must hold a JSON object; rerun the pipeline to rewrite it")
        version = data.get("schema_version")
        if isinstance(version, int) and version > RUN_SCHEMA_VERSION:
            raise RunRecordError(
                f"{where} was written by a newer msi-agent (run-record schema {version}; this one reads up to "
                f"{RUN_SCHEMA_VERSION}): upgrade msi-agent to read it"
            )
        if version is None and not cls.legacy_readable:
            raise RunRecordError(
                f"{where} was written by an msi-agent from before run records were versioned; this version cannot "
                "resume or show it: start a new run (another --name), or --fresh to discard it"
            )
        try:
            return cls.model_validate({**data, "schema_version": version or RUN_SCHEMA_VERSION})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors())
            raise RunRecordError(f"{where} does not have the expected shape ({problems})") from None


class CommandRecord(BaseModel):
    """One command that used the run, with the settings it changed against the manifest's."""

    model_config = ConfigDict(extra="forbid")

    command: str
    at: datetime = Field(default_factory=_now)
    changed: list[str] = Field(default_factory=list)


class Manifest(RunRecord):
    """What a run is: its settings (secrets masked), package versions, source commit, and its commands."""

    legacy_readable: ClassVar[bool] = False

    name: str
    started: datetime = Field(default_factory=_now)
    settings: Settings
    cache_namespace: str = ""
    """This run's own LLM cache namespace (a ``--fresh`` run asks the model anew); empty: the shared cache."""
    versions: dict[str, str | None] = Field(default_factory=dict)
    git_commit: str | None = None
    commands: list[CommandRecord] = Field(default_factory=list)
    distills: dict[str, DistillSettings] = Field(default_factory=dict)
    """Namespace → the distill settings that fill it: resuming a namespace with others would mix two insight sets."""

    @field_validator("name", mode="before")
    @classmethod
    def _run_name(cls, name: object) -> str:
        return check_run_name(name)  # it ends up in report paths and Markdown: a run name, never a path

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


class DistillUpdate(RunRecord):
    """One insight update (one seed), as the progress log keeps it; resume skips the seeds it names."""

    step: int = Field(ge=1)
    seed_ids: list[str]
    call_id: str | None = None
    error: str | None = None
    ops: list[InsightOp] = Field(default_factory=list)
    dropped: list[tuple[str, str]] = Field(default_factory=list)
    snapshot: str | None = None
    usage: TokenUsage = Field(default_factory=TokenUsage)
    counts: dict[str, int] = Field(default_factory=dict)
    """Insights per scale in the namespace after this update."""

    def to_line(self) -> str:
        """One JSON line; each op's provenance is the update's own seeds and call, so it is not repeated."""
        return self.model_dump_json(exclude={"ops": {"__all__": {"provenance", "schema_version"}}})


class ResultRow(BaseModel):
    """One aggregate: a task family (or ``all``) × split × condition (with or without insights, a baseline)."""

    model_config = ConfigDict(extra="forbid")

    family: str
    split: str
    condition: str
    episodes: int = Field(ge=0)
    """Scored episodes; errored ones (the LLM call failed, not the agent) are counted apart."""
    errored: int = Field(0, ge=0)
    sr: float = Field(ge=0, le=1)
    gc: float = Field(ge=0, le=1)
    plw_sr: float | None = None
    plw_gc: float | None = None
    sr_ci: tuple[float, float] | None = None
    """95 % Wilson interval of ``sr`` (``msi_agent.stats.wilson``); ``None`` without scored episodes or in files
    written before intervals were recorded."""
    gc_ci: tuple[float, float] | None = None
    """Conservative 95 % interval of ``gc``: Wilson's over the row's episodes (``msi_agent.pipeline.uncertainty``)."""


NO_INSIGHTS_ARM = "no-insights"
EXPEL_ARM = "expel-all"
"""Names of the baseline arms (``stages.settings_arms``): results compare every arm against these."""


class ArmVerdict(StrEnum):
    """What a paired comparison says about one arm against another (``stats.direction`` decides, as it does for
    an insight's credit, whose words speak of an insight helping rather than of an arm being better)."""

    BETTER = "better"
    WORSE = "worse"
    NO_CLEAR_DIFFERENCE = "no clear difference"
    TOO_FEW_TASKS = "too few paired tasks"


class ArmComparison(BaseModel):
    """``arm`` − ``versus`` over the test tasks both played (scored episodes only), per task then averaged."""

    model_config = ConfigDict(extra="forbid")

    arm: str
    versus: str
    pairs: int = Field(ge=0)
    """Test tasks with a scored episode in both arms."""
    success: Effect | None = None
    gc: Effect | None = None
    verdict: ArmVerdict


class InsightCount(BaseModel):
    """How many insights each scale held after one distill step."""

    model_config = ConfigDict(extra="forbid")

    step: int
    counts: dict[str, int]


class ConditionUsage(BaseModel):
    """What one condition (evaluation arm) cost: its episodes' tokens and, with a price table, dollars."""

    model_config = ConfigDict(extra="forbid")

    episodes: int = 0
    errored: int = 0
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None


class Results(RunRecord):
    """``results.json``: rows per condition × split × family, usage per condition and for the whole run."""

    rows: list[ResultRow] = Field(default_factory=list)
    conditions: dict[str, ConditionUsage] = Field(default_factory=dict)
    insight_counts: list[InsightCount] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    failed_calls: int = Field(0, ge=0)
    """Of ``usage.calls``, those that failed at the endpoint (refused, timed out, 5xx after retries)."""
    cost_usd: float | None = None
    llm: str = ""
    protocol_differences: list[str] = Field(default_factory=list)
    """Where this run departs from the paper's protocol (``pipeline.protocol``)."""
    comparisons: list[ArmComparison] = Field(default_factory=list)
    """Each arm against the no-insights arm (and MSI against ExpeL), paired by task; empty in version-1 files."""
