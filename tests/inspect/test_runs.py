"""Reading run folders: by name or path, with clear errors for missing or malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msi_agent.inspect.runs import RunRecordError, find_episode_file, list_runs, load_run, resolve_run


def test_resolve_by_name_or_path_and_load(workspace: Path) -> None:
    by_name = resolve_run("run-a", workspace)
    assert resolve_run(str(by_name), workspace) == by_name
    run = load_run(by_name)
    assert run.name == "run-a" and run.conditions == ["no-insights", "msi"]
    assert run.results.usage.prompt_tokens == 5200
    assert {p.name for p in list_runs(workspace)} == {"run-a", "run-b"}


def test_unknown_run_lists_the_known_ones(workspace: Path) -> None:
    with pytest.raises(RunRecordError, match=r"no run 'ghost'.*runs here: run-[ab], run-[ab]"):
        resolve_run("ghost", workspace)


def test_missing_and_malformed_results(workspace: Path) -> None:
    folder = workspace / "runs" / "run-a"
    (folder / "results.json").unlink()
    with pytest.raises(RunRecordError, match=r"results\.json is missing"):
        load_run(folder)
    (folder / "results.json").write_text("{not json")
    with pytest.raises(RunRecordError, match="not readable JSON"):
        load_run(folder)
    (folder / "results.json").write_text(
        json.dumps({"rows": [{"family": "f", "split": "s", "condition": "c", "episodes": 1, "sr": 1.5, "gc": 0}]})
    )
    with pytest.raises(RunRecordError, match="expected shape"):
        load_run(folder)


def test_episode_found_in_run_folder_without_pool(workspace: Path) -> None:
    from insight_fixtures import EPISODES

    target = workspace / "runs" / "run-b" / "episodes" / "msi" / f"{EPISODES[0].id}.json"
    target.parent.mkdir(parents=True)
    target.write_text(EPISODES[0].model_dump_json())
    assert find_episode_file(workspace, EPISODES[0].id) == EPISODES[0]
    assert find_episode_file(workspace, "ghost") is None
