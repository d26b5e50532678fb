"""Find and read the pipeline's run folders for reports and the viewer.

The files are read through ``RunFolder`` and the records of ``msi_agent.pipeline.records`` — the same models the
pipeline writes with — so a change of the format cannot drift between writer and reader. ``calls.sqlite`` (every
LLM call's prompt and raw reply) is read through ``msi_agent.pipeline.calllog``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

from msi_agent.pipeline.calllog import CALLS_FILE, CallLog, LoggedCall
from msi_agent.pipeline.records import Manifest, Results, RunRecordError
from msi_agent.pipeline.runfolder import EPISODES_DIR, MANIFEST, RUNS_DIR, RunFolder
from msi_agent.records import Episode

__all__ = [
    "RunData",
    "RunRecordError",
    "episode_calls",
    "find_episode_file",
    "list_runs",
    "load_run",
    "resolve_run",
    "run_of_episode",
    "step_call",
]


class RunData(BaseModel):
    name: str
    path: Path
    manifest: Manifest
    results: Results

    @property
    def conditions(self) -> list[str]:
        return list(dict.fromkeys(r.condition for r in self.results.rows))

    @property
    def namespaces(self) -> list[str]:
        """Insight namespaces this run distilled into (one progress log per namespace)."""
        return RunFolder(self.path).distilled_namespaces()


def episode_files(run: Path) -> Iterator[Path]:
    folder = run / EPISODES_DIR
    return iter(sorted(folder.rglob("*.json"))) if folder.is_dir() else iter(())


def resolve_run(ref: str | Path, workspace: Path) -> Path:
    """A run given as a folder path or as a name under ``<workspace>/runs``."""
    path = Path(ref)
    if (path / MANIFEST).is_file():
        return path
    named = workspace / RUNS_DIR / str(ref)
    if (named / MANIFEST).is_file():
        return named
    known = ", ".join(p.name for p in list_runs(workspace)) or "none"
    raise RunRecordError(f"no run {str(ref)!r}: neither {path} nor {named} holds a {MANIFEST} (runs here: {known})")


def load_run(path: Path) -> RunData:
    folder = RunFolder(path)
    manifest = folder.manifest()
    return RunData(name=manifest.name, path=path, manifest=manifest, results=folder.results())


def list_runs(workspace: Path) -> list[Path]:
    """Run folders under the workspace, newest first."""
    root = workspace / RUNS_DIR
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if (p / MANIFEST).is_file()]
    return sorted(runs, key=lambda p: (p / MANIFEST).stat().st_mtime, reverse=True)


def run_episodes(run: RunData) -> list[Episode]:
    """Every episode file of a run (all conditions), read as records."""
    return _read_episodes(episode_files(run.path))


def workspace_episodes(workspace: Path) -> list[Episode]:
    """Every episode file of every run folder in the workspace, finished runs or not."""
    return _read_episodes(p for run in list_runs(workspace) for p in sorted((run / EPISODES_DIR).rglob("*.json")))


def _read_episodes(paths: Iterable[Path]) -> list[Episode]:
    out = []
    for path in paths:
        try:
            out.append(Episode.model_validate_json(path.read_bytes()))
        except ValidationError as exc:
            raise RunRecordError(f"{path} is not an episode record ({exc.errors()[0]['msg']})") from None
    return out


def find_episode_file(workspace: Path, episode_id: str) -> Episode | None:
    """An episode by id from any run folder's per-episode JSON (the pool is consulted by ``trajectories``)."""
    for run in list_runs(workspace):
        for path in episode_files(run):
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
    ``len(steps) + 1`` is the call that failed. Raises ``RunRecordError`` saying what exists instead."""
    files = sorted((run / EPISODES_DIR).glob(f"*/{episode_id}.json"))
    if not files:
        raise RunRecordError(
            f"no episode {episode_id!r} in run {run.name}; episode ids are the file names under {run / EPISODES_DIR}"
        )
    try:
        episode = Episode.model_validate_json(files[0].read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise RunRecordError(f"{files[0]} does not hold a valid episode ({exc})") from None
    last = len(episode.steps) + (1 if episode.error else 0)
    if not 1 <= step <= last:
        raise RunRecordError(f"episode {episode_id} has steps 1-{last}; there is no step {step}")
    calls = list(episode_calls(run, episode).values())
    if step <= len(episode.steps):
        found = [c for c in calls if c.call_id == episode.steps[step - 1].call_id]
    else:  # the call that failed: the last failed one made for this episode
        found = [c for c in calls if c.error]
    if not found:
        raise RunRecordError(f"step {step} of episode {episode_id} has no logged LLM call in {run / CALLS_FILE}")
    return found[-1]
