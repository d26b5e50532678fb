"""Read the pipeline's run folders — the only inspection module that knows their on-disk shape.

A run folder (``msi_agent.pipeline.runfolder``) holds ``manifest.json`` (config, versions, seeds, commit),
``results.json`` (``msi_agent.pipeline.results.build_results``: rows per condition × split × family, insight
counts per distill step, usage, cost), ``episodes/<condition>/<id>.json`` and ``calls.sqlite`` (every LLM call's
prompt and raw reply, ``msi_agent.pipeline.calllog``). Reports and the viewer see runs
only through ``RunData``, so a change of the pipeline's format is absorbed here. Extra fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from msi_agent.pipeline.calllog import CALLS_FILE, CallLog, LoggedCall
from msi_agent.pipeline.runfolder import EPISODES_DIR, MANIFEST, RUNS_DIR, RunFolderError, check_run_name
from msi_agent.records import Episode, TokenUsage

RESULTS = "results.json"
DISTILL_LOG = "distill-"  # msi_agent.pipeline.experiment.DISTILL_LOG_PREFIX: distill-<namespace>.jsonl


class RunFormatError(ValueError):
    """A run folder is missing or unreadable; the message names the file and what to do."""


class ResultRow(BaseModel):
    """One aggregate: a task family (or ``all``) × split × condition (with or without insights, a baseline)."""

    model_config = ConfigDict(extra="ignore")

    family: str
    split: str
    condition: str
    episodes: int = Field(ge=0)
    sr: float = Field(ge=0, le=1)
    gc: float = Field(ge=0, le=1)
    plw_sr: float | None = None
    plw_gc: float | None = None


class InsightCount(BaseModel):
    """How many insights each scale held after one distill step."""

    model_config = ConfigDict(extra="ignore")

    step: int
    counts: dict[str, int]


class ConditionUsage(BaseModel):
    """What one condition (evaluation arm) cost: its episodes' tokens and, with a price table, dollars."""

    model_config = ConfigDict(extra="ignore")

    episodes: int = 0
    errored: int = 0
    """Episodes an LLM failure cut short: not scored, redone when the run is resumed."""
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None


class Results(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rows: list[ResultRow] = Field(default_factory=list)
    conditions: dict[str, ConditionUsage] = Field(default_factory=dict)
    insight_counts: list[InsightCount] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: float | None = None


class RunData(BaseModel):
    name: str
    path: Path
    manifest: dict[str, Any]
    results: Results

    @property
    def conditions(self) -> list[str]:
        return list(dict.fromkeys(r.condition for r in self.results.rows))

    @property
    def namespaces(self) -> list[str]:
        """Insight namespaces this run distilled into (one progress log per namespace)."""
        return sorted(p.stem.removeprefix(DISTILL_LOG) for p in self.path.glob(f"{DISTILL_LOG}*.jsonl"))

    def episode_files(self) -> Iterator[Path]:
        folder = self.path / EPISODES_DIR
        return iter(sorted(folder.rglob("*.json"))) if folder.is_dir() else iter(())


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFormatError(f"{path} is missing; is {path.parent} a finished run folder?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFormatError(f"{path} is not readable JSON ({exc}); rerun the pipeline to rewrite it") from None
    except RecursionError:
        raise RunFormatError(f"{path} nests too deeply to be a run file; rerun the pipeline to rewrite it") from None


def resolve_run(ref: str | Path, workspace: Path) -> Path:
    """A run given as a folder path or as a name under ``<workspace>/runs``."""
    path = Path(ref)
    if (path / MANIFEST).is_file():
        return path
    named = workspace / RUNS_DIR / str(ref)
    if (named / MANIFEST).is_file():
        return named
    known = ", ".join(p.name for p in list_runs(workspace)) or "none"
    raise RunFormatError(f"no run {str(ref)!r}: neither {path} nor {named} holds a {MANIFEST} (runs here: {known})")


def load_run(path: Path) -> RunData:
    manifest = _read_json(path / MANIFEST)
    if not isinstance(manifest, dict):
        raise RunFormatError(f"{path / MANIFEST} must hold a JSON object")
    try:
        results = Results.model_validate(_read_json(path / RESULTS))
    except ValidationError as exc:
        raise RunFormatError(f"{path / RESULTS} does not have the expected shape: {exc}") from None
    try:  # the name ends up in report paths and Markdown: it must be a run name, not a path
        name = check_run_name(manifest.get("name") or path.resolve().name)
    except RunFolderError as exc:
        raise RunFormatError(f'{path / MANIFEST}: {exc}; fix its "name" field') from None
    return RunData(name=name, path=path, manifest=manifest, results=results)


def list_runs(workspace: Path) -> list[Path]:
    """Run folders under the workspace, newest first."""
    root = workspace / RUNS_DIR
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if (p / MANIFEST).is_file()]
    return sorted(runs, key=lambda p: (p / MANIFEST).stat().st_mtime, reverse=True)


def run_episodes(run: RunData) -> list[Episode]:
    """Every episode file of a run (all conditions), read as records."""
    return _read_episodes(run.episode_files())


def workspace_episodes(workspace: Path) -> list[Episode]:
    """Every episode file of every run folder in the workspace, finished runs or not."""
    return _read_episodes(p for run in list_runs(workspace) for p in sorted((run / EPISODES_DIR).rglob("*.json")))


def _read_episodes(paths: Iterable[Path]) -> list[Episode]:
    out = []
    for path in paths:
        try:
            out.append(Episode.model_validate_json(path.read_bytes()))
        except ValidationError as exc:
            raise RunFormatError(f"{path} is not an episode record ({exc.errors()[0]['msg']})") from None
    return out


def find_episode_file(workspace: Path, episode_id: str) -> Episode | None:
    """An episode by id from any run folder's per-episode JSON (the pool is consulted by ``trajectories``)."""
    for run in list_runs(workspace):
        for path in RunData(name=run.name, path=run, manifest={}, results=Results()).episode_files():
            if path.stem == episode_id:
                try:
                    return Episode.model_validate_json(path.read_text(encoding="utf-8"))
                except (OSError, ValidationError):
                    continue
    return None


def run_of_episode(workspace: Path, episode_id: str) -> Path | None:
    """The run folder holding the episode's file (where its LLM calls are logged), if any."""
    for run in list_runs(workspace):
        if any((run / EPISODES_DIR).glob(f"*/{episode_id}.json")):
            return run
    return None


def episode_calls(run: Path, episode: Episode) -> dict[str, LoggedCall]:
    """The logged LLM calls of an episode by call id (empty when the run has no call log)."""
    log = CallLog.existing(run / CALLS_FILE)
    if log is None:
        return {}
    try:
        return {c.call_id: c for c in log.calls(item=episode.id)}
    finally:
        log.close()


def step_call(run: Path, episode_id: str, step: int) -> LoggedCall:
    """The LLM call behind step ``step`` (1-based) of an episode of ``run``; for an errored episode, step
    ``len(steps) + 1`` is the call that failed. Raises ``RunFormatError`` saying what exists instead."""
    files = sorted((run / EPISODES_DIR).glob(f"*/{episode_id}.json"))
    if not files:
        raise RunFormatError(
            f"no episode {episode_id!r} in run {run.name}; episode ids are the file names under {run / EPISODES_DIR}"
        )
    try:
        episode = Episode.model_validate_json(files[0].read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise RunFormatError(f"{files[0]} does not hold a valid episode ({exc})") from None
    last = len(episode.steps) + (1 if episode.error else 0)
    if not 1 <= step <= last:
        raise RunFormatError(f"episode {episode_id} has steps 1-{last}; there is no step {step}")
    calls = list(episode_calls(run, episode).values())
    if step <= len(episode.steps):
        found = [c for c in calls if c.call_id == episode.steps[step - 1].call_id]
    else:  # the call that failed: the last failed one made for this episode
        found = [c for c in calls if c.error]
    if not found:
        raise RunFormatError(f"step {step} of episode {episode_id} has no logged LLM call in {run / CALLS_FILE}")
    return found[-1]
