"""Run folders: manifest written once and checked on resume, atomic episode files, typed logs, old and new formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from msi_agent.config import DistillSettings, Settings
from msi_agent.pipeline.records import RUN_SCHEMA_VERSION, DistillUpdate, Results, RunRecordError
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError, atomic_write, git_commit
from msi_agent.records import Episode, Task


def _settings(tmp_path: Path, **sections: dict) -> Settings:
    return Settings(workspace=tmp_path, **({"llm": {"spec": "local"}} | sections))


def _episode(eid: str) -> Episode:
    return Episode(id=eid, task=Task(id="t", family="f", environment="Kitchen", scene="s", instruction="do it"))


def test_manifest_then_resume_with_compatible_changes(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    settings = _settings(tmp_path, pipeline={"train_tasks": 4, "test_tasks": 2})
    first = folder.start(command="msi-agent collect", settings=settings)
    assert first.name == "r1" and first.settings == settings and "python" in first.versions
    assert first.git_commit == git_commit()
    changed = _settings(
        tmp_path,
        pipeline={"train_tasks": 4, "test_tasks": 5, "workers": 8},
        distill={"selector": "success"},
        eval={"insight_selector": "vector"},
    )
    again = folder.start(command="msi-agent distill", settings=changed)
    assert again.settings == settings  # the first settings stay the run's record
    assert again.commands[1].command == "msi-agent distill"
    assert again.commands[1].changed == [
        "distill.selector",
        "eval.insight_selector",
        "pipeline.test_tasks",
        "pipeline.workers",
    ]
    assert folder.manifest() == again
    assert (folder.path / "manifest.json").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("sections", "named"),
    [
        ({"llm": {"spec": "openai:gpt-4o"}}, "llm.spec was 'local', now 'openai:gpt-4o'"),
        ({"agent": {"act_only": True}}, "agent.act_only was False, now True"),
        ({"agent": {"examples": 0}}, "agent.examples was 1, now 0"),
        ({"agent": {"max_steps": 5}}, "agent.max_steps was None, now 5"),
        ({"env": {"families": ["toast"]}}, "env.families was [], now ['toast']"),
        ({"pipeline": {"seed": 1}}, "pipeline.seed was 0, now 1"),
        ({"eval": {"token_budget": 10}}, "eval.token_budget was 2000, now 10"),
    ],
)
def test_resume_refuses_a_changed_episode_setting(tmp_path: Path, sections: dict, named: str) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    folder.start(command="c", settings=_settings(tmp_path))
    changed = _settings(tmp_path, **sections)
    with pytest.raises(RunFolderError, match=rf"decide its episodes \({re.escape(named)}\); .*--name.*--fresh"):
        folder.start(command="c", settings=changed)
    assert len(folder.manifest().commands) == 1  # nothing recorded for the refused command


def test_unreadable_manifest(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    folder.start(command="c", settings=_settings(tmp_path))
    (folder.path / "manifest.json").write_text("{not json")
    with pytest.raises(RunFolderError, match=r"not readable JSON.*--fresh"):
        folder.start(command="c", settings=_settings(tmp_path))


def test_namespace_keeps_its_distill_settings(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    folder.start(command="c", settings=_settings(tmp_path))
    folder.claim_namespace("ns", DistillSettings(variant="expel"))
    folder.claim_namespace("ns", DistillSettings(variant="expel"))  # the same again: a resume
    folder.claim_namespace("other", DistillSettings())
    with pytest.raises(RunFolderError, match=r"'ns' .*\(distill.variant was 'expel', now 'msi'\); .*--namespace"):
        folder.claim_namespace("ns", DistillSettings())
    assert set(folder.manifest().distills) == {"ns", "other"}


def test_old_run_folders(tmp_path: Path) -> None:
    """A folder written before run records were versioned: its results and logs read, its manifest refused."""
    folder = RunFolder.in_workspace(tmp_path, "old")
    folder.path.mkdir(parents=True)
    legacy_manifest = {
        "name": "old",
        "started": "2026-11-20T10:00:00+00:00",
        "config": {"llm": {"spec": "local"}, "env": {"name": "household", "max_steps": 30}},
        "seeds": {"tasks": 0, "seed_order": 0},
        "versions": {"python": "3.11.9"},
        "git_commit": None,
        "commands": [{"command": "msi-agent run", "at": "2026-11-20T10:00:00+00:00", "changed": []}],
    }
    (folder.path / "manifest.json").write_text(json.dumps(legacy_manifest))
    with pytest.raises(RunRecordError, match=r"before run records were versioned.*another --name.*--fresh"):
        folder.start(command="c", settings=_settings(tmp_path))
    legacy_update = {
        "step": 1,
        "seed_ids": ["a", "b"],
        "call_id": "c1",
        "error": None,
        "ops": [{"kind": "ADD", "target": None, "text": "Look first.", "scale": "general", "key": None}],
        "dropped": [["AGREE", "no such rule"]],
        "snapshot": None,
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "calls": 1, "cached_calls": 0},
        "counts": {"general": 1, "environment": 0, "subtask": 0},
    }
    folder.log_path("old").write_text(json.dumps(legacy_update) + "\n")
    (update,) = folder.updates("old")
    assert update.ops[0].text == "Look first." and update.dropped == [("AGREE", "no such rule")]
    row = {"family": "all", "split": "all", "condition": "msi-hashmap", "episodes": 2, "sr": 0.5, "gc": 0.5}
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "calls": 1, "cached_calls": 0}
    legacy_results = {
        "rows": [{**row, "plw_sr": 0.25, "plw_gc": 0.25}],
        "conditions": {"msi-hashmap": {"episodes": 2, "usage": usage, "cost_usd": None}},
        "insight_counts": [{"step": 1, "counts": {"general": 1}}],
        "usage": usage,
        "cost_usd": None,
        "llm": "local",
    }
    (folder.path / "results.json").write_text(json.dumps(legacy_results))
    assert folder.results().rows[0].sr == 0.5


def test_files_from_a_newer_version_are_refused(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "new")
    folder.start(command="c", settings=_settings(tmp_path))
    data = json.loads((folder.path / "manifest.json").read_text())
    (folder.path / "manifest.json").write_text(json.dumps({**data, "schema_version": 99, "future": 1}))
    reads = rf"newer msi-agent \(run-record schema 99; this one reads up to {RUN_SCHEMA_VERSION}\)"
    with pytest.raises(RunRecordError, match=reads):
        folder.manifest()
    (folder.path / "results.json").write_text(json.dumps({"schema_version": RUN_SCHEMA_VERSION + 1, "rows": []}))
    with pytest.raises(RunRecordError, match="newer msi-agent"):
        folder.results()


def test_episodes_and_logs(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r")
    assert folder.load_episode("c", "e1") is None
    episode = _episode("e1")
    folder.save_episode("c", episode)
    assert folder.load_episode("c", "e1") == episode
    assert [e.id for e in folder.episodes("c")] == ["e1"]
    folder.episode_path("c", "bad").write_text("{}")
    with pytest.raises(RunFolderError, match="delete it to replay it"):
        folder.load_episode("c", "bad")
    folder.append_update("x", DistillUpdate(step=1, seed_ids=["a"]))
    with folder.log_path("x").open("a") as fh:
        fh.write('{"step": 2, "torn')  # killed mid-write
    assert [u.step for u in folder.updates("x")] == [1]
    assert folder.updates("missing") == [] and folder.distilled_namespaces() == ["x"]
    folder.log_path("x").write_text('{"step": 0}\n')
    with pytest.raises(RunRecordError, match=r"distill-x.jsonl line 1 does not have the expected shape \(step"):
        folder.updates("x")
    folder.write_results(Results(llm="m"), "# md")
    assert folder.results() == Results(llm="m")


@pytest.mark.parametrize("name", ["", "a/b", ".hidden", "x" * 41, "bad name", "-x"])
def test_run_names_are_checked(tmp_path: Path, name: str) -> None:
    with pytest.raises(RunFolderError, match="run name"):
        RunFolder.in_workspace(tmp_path, name)


def test_atomic_write_leaves_old_content_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    atomic_write(path, "old")

    with pytest.raises(TypeError):
        atomic_write(path, 42)  # type: ignore[arg-type]
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.json"]
