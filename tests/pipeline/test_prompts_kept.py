"""Every LLM call's prompt and raw reply is kept in the run folder, deduplicated, and reads back byte for byte as the
server received it; steps link to their call, eval episodes name the insights in their prompt."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from faulty_server import FaultyServer
from household_player import FAMILIES, player
from typer.testing import CliRunner

from insights_store import open_store
from msi_agent.cli.main import app
from msi_agent.config import Settings
from msi_agent.pipeline import experiment
from msi_agent.pipeline.calllog import CALLS_FILE
from msi_agent.pipeline.session import Session


def test_prompts_are_kept_byte_for_byte_and_linked(tmp_path: Path) -> None:
    server = FaultyServer(player())
    settings = Settings(
        workspace=tmp_path,
        agent={"max_steps": 6},
        env={"families": FAMILIES},
        eval={"baselines": ["none"]},
        llm={"spec": "openai:m", "base_url": server.base_url, "api_key": "sk-test", "cache": False},
        pipeline={"train_tasks": 2, "test_tasks": 1, "workers": 1},
    )
    try:
        with Session.from_settings(settings, store=open_store("memory", embeddings="hash")) as session:
            folder = experiment.open_run(session, "p", command="test")
            results = experiment.run_all(session, folder)
            calls = folder.calls.calls()
            by_condition = {c: folder.episodes(c) for c in ("collect", "msi-hashmap", "no-insights")}
            insights = {i.id: i.text for i in session.store.list(namespace="p")}
    finally:
        server.close()

    # one logged call per request, in order, each prompt exactly as the server received it
    assert len(calls) == len(server.bodies) == server.answered
    for call, body in zip(calls, server.bodies, strict=True):
        assert call.messages == [(m["role"], m["content"]) for m in body["messages"]]
    assert {c.scope for c in calls} == {"collect", "distill-p", "msi-hashmap", "no-insights"}

    # every step links its call; the reply kept is the raw reply
    for episodes in by_condition.values():
        for episode in episodes:
            mine = {c.call_id: c for c in calls if c.item == episode.id}
            for step in episode.steps:
                assert mine[step.call_id].reply == step.raw_output
    # the eval episodes name the insights that were in their prompt
    for episode in by_condition["msi-hashmap"]:
        assert episode.insight_ids and set(episode.insight_ids) <= set(insights)
        prompt = "\n".join(content for _, content in mine_first_prompt(calls, episode.id))
        assert all(insights[i] in prompt for i in episode.insight_ids)
    assert all(not e.insight_ids for e in by_condition["no-insights"])

    # stored once per distinct text, compressed
    db = sqlite3.connect(tmp_path / "runs" / "p" / CALLS_FILE)
    stored = [zlib.decompress(data).decode() for (data,) in db.execute("SELECT data FROM texts")]
    sent = [m["content"] for b in server.bodies for m in b["messages"]]
    assert len(stored) == len(set(stored)) and set(stored) == set(sent) | {c.reply for c in calls}
    raw = sum(len(t.encode()) for t in sent)
    kept = db.execute("SELECT SUM(LENGTH(data)) FROM texts").fetchone()[0]
    assert kept < raw / 4
    db.close()
    assert results.usage.calls == len(calls)


def mine_first_prompt(calls: list, episode_id: str) -> list[tuple[str, str]]:
    return next(c.messages for c in calls if c.item == episode_id and c.purpose == "action")


def test_show_prompt_prints_a_step_as_sent(tmp_path: Path) -> None:
    server = FaultyServer(player())
    args = ["--workspace", str(tmp_path), "--store", "memory", "--llm", "openai:m", "--base-url", server.base_url]
    env = {"MSI_STORE__EMBEDDER": "hash", "OPENAI_API_KEY": "", "COLUMNS": "200"}
    run = ["collect", "--name", "sp", "--train-tasks", "1", "--max-steps", "4", "-f", FAMILIES[0]]
    try:
        assert CliRunner().invoke(app, [*args, *run], env=env).exit_code == 0
    finally:
        server.close()
    (episode_file,) = (tmp_path / "runs" / "sp" / "episodes" / "collect").glob("*.json")
    episode = json.loads(episode_file.read_text())
    shown = CliRunner().invoke(app, [*args, "runs", "show-prompt", "sp", episode_file.stem, "2"], env=env)
    assert shown.exit_code == 0, shown.output
    second = server.bodies[1]["messages"]  # collect's second request is its episode's step 2
    for message in second:
        assert message["content"] in shown.output
    assert episode["steps"][1]["raw_output"] in shown.output
    wrong = CliRunner().invoke(app, [*args, "runs", "show-prompt", "sp", episode_file.stem, "99"], env=env)
    assert wrong.exit_code == 2 and "there is no step 99" in wrong.output
    unknown = CliRunner().invoke(app, [*args, "runs", "show-prompt", "sp", "nope", "1"], env=env)
    assert unknown.exit_code == 2 and "no episode 'nope'" in unknown.output
