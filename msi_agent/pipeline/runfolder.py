"""A run folder ``<workspace>/runs/<name>/``: manifest, per-episode JSON, progress logs, results.

Layout (read by ``msi_agent.inspect.runs``)::

    manifest.json                 config, package versions, seeds, git commit, start time
    episodes/<condition>/<id>.json one Episode each, written atomically (temp file + rename)
    distill-<namespace>.jsonl     one line per finished insight update (resume skips those seeds)
    calls.sqlite                  every LLM call: prompt and raw reply (compressed, deduplicated), usage, error
    results.json / results.md     the tables

Every file is written whole or not at all, so a run killed at any moment resumes from what is on disk.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from msi_agent.pipeline.calllog import CALLS_FILE, CallLog
from msi_agent.records import Episode

RUNS_DIR = "runs"
MANIFEST = "manifest.json"
EPISODES_DIR = "episodes"
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
MUST_MATCH = (
    "workspace",
    "agent.executor",
    "llm.spec",
    "llm.base_url",
    "llm.temperature",
    "llm.max_tokens",
    "llm.insight_spec",
    "env",
    "store.spec",
    "store.embedder",
    "pipeline.seed",
)
"""Settings that decide what a run's episodes are: resuming with other values would mix two experiments.
Others may differ between the stages of one run (selectors, workers; task counts too, since task i of a seed does
not depend on the count); each command's changes are recorded in the manifest."""


RUN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?")
SEGMENT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,198}[A-Za-z0-9])?")


class RunFolderError(ValueError):
    pass


def check_run_name(name: str) -> str:
    if not isinstance(name, str) or not RUN_NAME.fullmatch(name):
        raise RunFolderError(
            f"run name {name!r} is not valid: use 1-40 letters, digits, '.', '_' or '-', starting and ending "
            "with a letter or digit (it also names the run's insight namespaces)"
        )
    return name


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
    def start(
        self, *, command: str, config: dict[str, Any], seeds: dict[str, int], cache_namespace: str = ""
    ) -> dict[str, Any]:
        """Write the manifest, or check that an existing one matches (a rerun resumes the same experiment).

        ``cache_namespace`` (kept from the first start) separates this run's LLM cache entries from others'."""
        path = self.path / MANIFEST
        if path.is_file():
            old = self.manifest()
            differs = _differences(old.get("config", {}), config)
            fatal = [d for d in differs if any(d == k or d.startswith(k + ".") for k in MUST_MATCH)]
            if fatal or old.get("seeds") != seeds:
                what = ", ".join(fatal) or "seeds"
                raise RunFolderError(
                    f"run {self.name!r} in {self.path} was started with a different configuration ({what}); "
                    "give another --name, or --fresh to discard the old run"
                )
            old.setdefault("commands", []).append({"command": command, "at": _now(), "changed": differs})
            atomic_write(path, json.dumps(old, indent=2, default=str))
            return old
        manifest = {
            "name": self.name,
            "started": _now(),
            "config": config,
            "seeds": seeds,
            "cache_namespace": cache_namespace,
            "versions": package_versions(),
            "git_commit": git_commit(),
            "commands": [{"command": command, "at": _now(), "changed": []}],
        }
        atomic_write(path, json.dumps(manifest, indent=2, default=str))
        return manifest

    def manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RunFolderError(f"{self.path / MANIFEST} is unreadable ({exc}); use --fresh to start over") from None
        except RecursionError:
            raise RunFolderError(f"{self.path / MANIFEST} nests too deeply to be a manifest; use --fresh") from None
        if not isinstance(data, dict):
            raise RunFolderError(f"{self.path / MANIFEST} must hold a JSON object; use --fresh to start over")
        return data

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

    # progress logs ----------------------------------------------------------------------------------------------
    def log_path(self, name: str) -> Path:
        return self.path / f"{safe_segment(name, 'log name')}.jsonl"

    def append_log(self, name: str, record: dict[str, Any]) -> None:
        """One JSON line, flushed and fsynced; a torn last line (killed mid-write) is ignored on reading."""
        path = self.log_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, default=str) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def read_log(self, name: str) -> list[dict[str, Any]]:
        path = self.log_path(name)
        if not path.is_file():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    # results ----------------------------------------------------------------------------------------------------
    def write_results(self, results: dict[str, Any], markdown: str) -> None:
        atomic_write(self.path / "results.json", json.dumps(results, indent=2, default=str))
        atomic_write(self.path / "results.md", markdown)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    keys = sorted(set(old) | set(new))
    out: list[str] = []
    for k in keys:
        path = f"{prefix}{k}"
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, path + ".")
        elif a != b:
            out.append(path)
    return out
