"""Run folders: manifest written once and checked on resume, atomic episode files, torn log lines ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msi_agent.pipeline.runfolder import RunFolder, RunFolderError, atomic_write, git_commit
from msi_agent.records import Episode, Task

CONFIG = {
    "llm": {"spec": "local", "temperature": 0.0},
    "pipeline": {"seed": 0, "workers": 1, "selector": "pair"},
    "env": {"name": "household"},
}


def _episode(eid: str) -> Episode:
    return Episode(id=eid, task=Task(id="t", family="f", environment="Kitchen", scene="s", instruction="do it"))


def test_manifest_then_resume_with_compatible_changes(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    first = folder.start(command="msi-agent collect", config=CONFIG, seeds={"tasks": 0})
    assert first["name"] == "r1" and first["config"] == CONFIG and "python" in first["versions"]
    assert first["git_commit"] == git_commit()
    changed = json.loads(json.dumps(CONFIG))
    changed["pipeline"]["workers"], changed["pipeline"]["selector"] = 8, "success"
    again = folder.start(command="msi-agent distill", config=changed, seeds={"tasks": 0})
    assert again["config"] == CONFIG  # the first configuration stays the run's record
    assert again["commands"][1]["command"] == "msi-agent distill"
    assert again["commands"][1]["changed"] == ["pipeline.selector", "pipeline.workers"]
    assert (folder.path / "manifest.json").stat().st_mode & 0o777 == 0o644


def test_resume_refuses_a_different_experiment(tmp_path: Path) -> None:
    folder = RunFolder.in_workspace(tmp_path, "r1")
    folder.start(command="c", config=CONFIG, seeds={"tasks": 0})
    other = json.loads(json.dumps(CONFIG))
    other["llm"]["spec"] = "openai:gpt-4o"
    with pytest.raises(RunFolderError, match=r"different configuration \(llm.spec\).*--name.*--fresh"):
        folder.start(command="c", config=other, seeds={"tasks": 0})
    with pytest.raises(RunFolderError, match="seeds"):
        folder.start(command="c", config=CONFIG, seeds={"tasks": 1})
    (folder.path / "manifest.json").write_text("{not json")
    with pytest.raises(RunFolderError, match="unreadable"):
        folder.start(command="c", config=CONFIG, seeds={"tasks": 0})


@pytest.mark.parametrize("name", ["", "a/b", ".hidden", "x" * 41, "bad name", "-x"])
def test_run_names_are_checked(tmp_path: Path, name: str) -> None:
    with pytest.raises(RunFolderError, match="run name"):
        RunFolder.in_workspace(tmp_path, name)


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
    folder.append_log("distill-x", {"step": 1})
    with folder.log_path("distill-x").open("a") as fh:
        fh.write('{"step": 2, "torn')  # killed mid-write
    assert folder.read_log("distill-x") == [{"step": 1}]
    assert folder.read_log("missing") == []


def test_atomic_write_leaves_old_content_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    atomic_write(path, "old")

    with pytest.raises(TypeError):
        atomic_write(path, 42)  # type: ignore[arg-type]
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.json"]
