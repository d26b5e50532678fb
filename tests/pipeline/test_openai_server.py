"""One short MSI run against a real loopback OpenAI-compatible server (pytest-httpserver), 4 workers."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from household_player import FAMILIES, player
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm.wire import chat_completion, request_messages
from msi_agent.pipeline import experiment
from msi_agent.pipeline.session import Session


def test_short_run_against_a_loopback_server(tmp_path: Path, httpserver: HTTPServer) -> None:
    play = player()
    bodies: list[dict] = []  # type: ignore[type-arg]
    lock = threading.Lock()

    def chat(request: Request) -> Response:
        body = json.loads(request.data)
        with lock:
            bodies.append(body)
        text = play(request_messages(body))
        reply = chat_completion(
            text, model=body["model"], prompt_tokens=100, completion_tokens=10, response_id=f"chatcmpl-{len(bodies)}"
        )
        return Response(json.dumps(reply), content_type="application/json")

    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(chat)
    settings = Settings(
        workspace=tmp_path,
        agent={"max_steps": 6},
        env={"families": FAMILIES},
        eval={"baselines": ["none"]},
        llm={
            "spec": "openai:loopback-model",
            "base_url": httpserver.url_for("/v1"),
            "api_key": "sk-test",
            "cache": False,
        },
        pipeline={"train_tasks": 2, "test_tasks": 2, "workers": 4},
    )
    with Session.from_settings(settings, store=open_store("memory", embeddings="hash"), embeddings="hash") as session:
        folder = experiment.open_run(session, "http", command="test")
        results = experiment.run_all(session, folder)
        assert session.pool.count(run="http", source="agent") == 2 + 2 * 4

    assert bodies and all(b["model"] == "loopback-model" for b in bodies)
    assert any("update the rules with these operations" in b["messages"][-1]["content"] for b in bodies)
    rows = {(r.condition, r.split, r.family): r for r in results.rows}
    assert rows[("msi-hashmap", "all", "all")].sr == 1.0  # the lamp rule reached the prompt over HTTP
    assert rows[("no-insights", "all", "all")].sr == 0.5
    assert results.usage.prompt_tokens == 100 * results.usage.calls
