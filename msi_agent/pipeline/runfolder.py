"""A run folder ``<workspace>/runs/<name>/``: manifest, per-episode JSON, progress logs, results.

Layout (records in ``msi_agent.pipeline.records``; read by ``msi_agent.inspect.runs`` too)::

    manifest.json                 Manifest: the full settings tree, package versions, git commit, commands
    episodes/<condition>/<id>.json one Episode each, written atomically (temp file + rename)
    distill-<namespace>.jsonl     one DistillUpdate per line, per finished insight update (resume skips those seeds)
    calls.sqlite                  every LLM call: prompt and raw reply (compressed, deduplicated), usage, error
    results.json / results.md     Results, and the same tables as Markdown

Every file is written whole or not at all, so a run killed at any moment resumes from what is on disk.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import ValidationError

from msi_agent.config import DistillSettings, Settings, is_episode_setting, masked
from msi_agent.pipeline.calllog import CALLS_FILE, CallLog
from msi_agent.pipeline.records import (
    CommandRecord,
    DistillUpdate,
    Manifest,
    Results,
    RunFolderError,
    check_run_name,
)
from msi_agent.records import Episode

RUNS_DIR = "runs"
MANIFEST = "manifest.json"
EPISODES_DIR = "episodes"
RESULTS = "results.json"
DISTILL_LOG_PREFIX = "distill-"
VERSIONED_PACKAGES = (
    "msi-agent",
    "langchain-core",
    "langchain-openai",
    "chromadb",
    "openai",
    "pydantic",
    "numpy",
    "llama_cpp_python",
    "ai2thor",
)
SEGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,198}[A-Za-z0-9])?")


def safe_segment(value: str, what: str) -> str:
    """``value`` as one file-name segment, never a path: a name read from data cannot leave its folder."""
    if not isinstance(value, str) or not SEGMENT.fullmatch(value) or ".." in value:
        raise RunFolderError(
            f"{what} {value!r} cannot name a file: use up to 200 letters, digits, '.', '_', '+' or '-', "
            "starting and ending with a letter or digit"
        )
    return value


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; run folders are meant to be shared and read by the viewer
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_commit(start: Path | None = None) -> str | None:
    """The commit of the source tree msi-agent runs from, or None outside a git checkout."""
    here = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


class RunFolder:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._calls: CallLog | None = None

    @property
    def calls(self) -> CallLog:
        """The run's LLM call log (``calllog.CallLog``), opened on first use."""
        if self._calls is None:
            self._calls = CallLog(self.path / CALLS_FILE)
        return self._calls

    @classmethod
    def in_workspace(cls, workspace: Path, name: str) -> RunFolder:
        return cls(Path(workspace) / RUNS_DIR / check_run_name(name))

    # manifest ---------------------------------------------------------------------------------------------------
    def start(self, *, command: str, settings: Settings, cache_namespace: str = "") -> Manifest:
        """Write the manifest, or check that an existing one matches (a rerun resumes the same experiment).

        ``cache_namespace`` (kept from the first start) separates this run's LLM cache entries from others'."""
        if not (self.path / MANIFEST).is_file():
            manifest = Manifest(
                name=self.name,
                settings=settings,
                cache_namespace=cache_namespace,
                versions=package_versions(),
                git_commit=git_commit(),
                commands=[CommandRecord(command=command)],
            )
        else:
            manifest = self.manifest()
            old, new = masked(manifest.settings), masked(settings)
            changed = [k for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)]
            fatal = [k for k in changed if is_episode_setting(k)]
            if fatal:
                what = "; ".join(f"{k} was {old.get(k)!r}, now {new.get(k)!r}" for k in fatal)
                raise RunFolderError(
                    f"run {self.name!r} in {self.path} was started with other settings that decide its episodes "
                    f"({what}); give another --name, or --fresh to discard the old run"
                )
            manifest.commands.append(CommandRecord(command=command, changed=changed))
        atomic_write(self.path / MANIFEST, manifest.to_json())
        return manifest

    def manifest(self) -> Manifest:
        path = self.path / MANIFEST
        return Manifest.read(_read_json(path, fix="use --fresh to start over"), str(path))

    def claim_namespace(self, namespace: str, distill: DistillSettings) -> None:
        """Record the distill settings that fill ``namespace``; refuse other ones (two insight sets would mix)."""
        manifest = self.manifest()
        old = manifest.distills.get(namespace)
        if old == distill:
            return
        if old is not None:
            was, now = old.model_dump(mode="json"), distill.model_dump(mode="json")
            what = "; ".join(f"distill.{k} was {was[k]!r}, now {now[k]!r}" for k in was if was[k] != now[k])
            raise RunFolderError(
                f"insight namespace {namespace!r} of run {self.name!r} was filled with other distill settings "
                f"({what}); distill into another namespace (--namespace), or --fresh to discard the run"
            )
        manifest.distills[namespace] = distill
        atomic_write(self.path / MANIFEST, manifest.to_json())

    # episodes ---------------------------------------------------------------------------------------------------
    def episode_path(self, condition: str, episode_id: str) -> Path:
        folder = self.path / EPISODES_DIR / safe_segment(condition, "condition")
        *parents, leaf = [safe_segment(p, "episode id") for p in str(episode_id).split("/")]  # alfworld ids nest
        return folder.joinpath(*parents, f"{leaf}.json")

    def load_episode(self, condition: str, episode_id: str) -> Episode | None:
        """The finished episode, or None if it was never written (a half-written file cannot exist)."""
        path = self.episode_path(condition, episode_id)
        if not path.is_file():
            return None
        try:
            return Episode.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as exc:
            raise RunFolderError(f"{path} does not hold a valid episode ({exc}); delete it to replay it") from None

    def save_episode(self, condition: str, episode: Episode) -> Path:
        path = self.episode_path(condition, episode.id)
        atomic_write(path, episode.model_dump_json(indent=1))
        return path

    def episodes(self, condition: str) -> list[Episode]:
        folder = self.path / EPISODES_DIR / safe_segment(condition, "condition")
        return [self.load_episode(condition, p.stem) for p in sorted(folder.glob("*.json"))]  # type: ignore[misc]

    # distill logs ---------------------------------------------------------------------------------------------
    def log_path(self, namespace: str) -> Path:
        return self.path / f"{DISTILL_LOG_PREFIX}{safe_segment(namespace, 'namespace')}.jsonl"

    def distilled_namespaces(self) -> list[str]:
        """Namespaces this run distilled into (one log each), sorted."""
        return sorted(p.stem.removeprefix(DISTILL_LOG_PREFIX) for p in self.path.glob(f"{DISTILL_LOG_PREFIX}*.jsonl"))

    def append_update(self, namespace: str, update: DistillUpdate) -> None:
        """One JSON line, flushed and fsynced; a torn last line (killed mid-write) is ignored on reading."""
        path = self.log_path(namespace)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(update.to_line() + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def updates(self, namespace: str) -> list[DistillUpdate]:
        path = self.log_path(namespace)
        if not path.is_file():
            return []
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise RunFolderError(f"{path} is unreadable ({exc}); --fresh discards the run") from None
        out = []
        for number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                if number == len(lines):
                    continue  # the torn last line of a killed run: that update is redone
                raise RunFolderError(f"{path} line {number} is not JSON; --fresh discards the run") from None
            if isinstance(data, dict):  # anything else is no update of ours: skipped, so its seed is redone
                out.append(DistillUpdate.read(data, f"{path} line {number}"))
        return out

    # results ----------------------------------------------------------------------------------------------------
    def write_results(self, results: Results, markdown: str) -> None:
        atomic_write(self.path / RESULTS, results.model_dump_json(indent=2))
        atomic_write(self.path / "results.md", markdown)

    def results(self) -> Results:
        path = self.path / RESULTS
        return Results.read(_read_json(path, fix="rerun the pipeline to rewrite it"), str(path))


def _read_json(path: Path, *, fix: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"{path} is missing; is {path.parent} a finished run folder?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{path} is not readable JSON ({exc}); {fix}") from None
    except RecursionError:
        raise RunFolderError(f"{path} nests too deeply to be a run file; {fix}") from None
