"""The viewer's pages and its refusal rules over HTTP (the browser tests cover the same pages in Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from insight_fixtures import NS, SNAPSHOT
from langchain_core.messages import HumanMessage, SystemMessage

from insights_store.base import InsightStore
from msi_agent.config import Settings
from msi_agent.inspect.viewer import READ_ONLY_MESSAGE, create_app
from msi_agent.llm.journal import CallRecord
from msi_agent.pipeline.namespaces import writer_lock
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.records import Episode, Step, Task, TokenUsage

LOCAL = "http://127.0.0.1:8765"


@pytest.fixture
def client(memory_store: tuple[InsightStore, dict[str, str]], workspace: Path) -> TestClient:
    store, _ = memory_store
    return TestClient(create_app(store, workspace=workspace, namespace=NS), base_url=LOCAL)


@pytest.fixture
def editor(memory_store: tuple[InsightStore, dict[str, str]], workspace: Path) -> TestClient:
    store, _ = memory_store
    return TestClient(create_app(store, workspace=workspace, namespace=NS, allow_edit=True), base_url=LOCAL)


def test_list_groups_by_scale_and_key_with_scores(client: TestClient) -> None:
    page = client.get("/insights")
    assert page.status_code == 200
    html = page.text
    assert html.index("<h2>General</h2>") < html.index("<h2>Environment</h2>") < html.index("<h2>Subtask</h2>")
    assert 'data-key="Revealing Hidden Objects"' in html
    assert '<span class="badge score">3</span>' in html  # the AGREEd general insight
    assert "5 insights" in html


def test_filters_by_scale_key_and_min_score(client: TestClient) -> None:
    html = client.get("/insights", params={"scale": "environment", "key": "Kitchen"}).text
    assert "microwave" in html and "Bedrooms" not in html and "cabinet before" not in html
    html = client.get("/insights", params={"min_score": "3"}).text
    assert "1 insight<" in html and "cabinet before" in html


def test_search_orders_by_similarity(client: TestClient) -> None:
    html = client.get("/insights", params={"q": "hidden objects receptacles"}).text
    assert "similarity" in html
    assert html.index("reveal hidden objects") < html.index("microwave")


def test_snapshot_namespace_shows_the_old_text(client: TestClient) -> None:
    html = client.get("/insights", params={"ns": SNAPSHOT}).text
    assert "before going to the target receptacle" in html


def test_history_page_shows_operations_and_trajectories(client: TestClient, memory_store) -> None:
    _, ids = memory_store
    html = client.get(f"/insights/{ids['placement']}").text
    assert html.count('class="history-entry"') == 2
    assert "call-2" in html and ">EDIT<" in html
    assert 'data-episode="ep-success-1"' in html and 'data-episode="ep-failure-1"' in html
    assert "take mug 1 from cabinet 1" in html
    page = client.get("/episodes/ep-failure-1").text
    assert page.count("ran out of steps") == 1 and "<th>environment</th><td>Kitchen (" in page


def test_compare_page_has_charts_for_both_runs(client: TestClient) -> None:
    html = client.get("/compare", params=[("run", "run-a"), ("run", "run-b")]).text
    assert 'data-chart="sr-valid_seen"' in html and 'data-chart="gc-valid_unseen"' in html
    assert "run-a · msi" in html and "run-b · expel" in html
    assert '<table class="comparisons" data-run="run-a">' in html  # run-a has a no-insights arm …
    assert 'data-run="run-b"' in html and '<table class="comparisons" data-run="run-b">' not in html  # … run-b not
    assert 'title="95% Wilson interval">' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bad_input_gets_a_clear_error_page(client: TestClient) -> None:
    missing = client.get("/insights/nope")
    assert missing.status_code == 404 and "no insight &#39;nope&#39;" in missing.text
    assert client.get("/insights", params={"ns": "ghost"}).status_code == 404
    assert "unknown scale" in client.get("/insights", params={"scale": "cosmic"}).text
    assert client.get("/insights", params={"min_score": "high"}).status_code == 400
    assert client.get("/compare", params={"run": "../.."}).status_code == 404
    assert client.get("/episodes/ghost").status_code == 404


def test_edit_and_delete_refused_when_read_only(client: TestClient, memory_store) -> None:
    store, ids = memory_store
    before = store.get(ids["kitchen"], namespace=NS)
    page = client.post(f"/insights/{ids['kitchen']}/edit", data={"text": "changed", "score": "9", "ns": NS})
    assert page.status_code == 403 and "--allow-edit" in page.text
    assert client.post(f"/insights/{ids['kitchen']}/delete", data={"ns": NS}).status_code == 403
    assert store.get(ids["kitchen"], namespace=NS) == before
    assert "allow-edit" in READ_ONLY_MESSAGE


def test_edit_and_delete_with_allow_edit(editor: TestClient, memory_store) -> None:
    store, ids = memory_store
    page = editor.post(f"/insights/{ids['kitchen']}/edit", data={"text": "Use the microwave to heat.", "score": "4"})
    assert page.status_code == 200 and "Use the microwave to heat." in page.text
    assert store.get(ids["kitchen"], namespace=NS).score == 4
    bad = editor.post(f"/insights/{ids['kitchen']}/edit", data={"text": "  ", "score": "1"})
    assert bad.status_code == 422 and "empty" in bad.text
    assert store.get(ids["kitchen"], namespace=NS).text == "Use the microwave to heat."
    assert editor.post(f"/insights/{ids['kitchen']}/delete", data={"ns": NS}).status_code == 200
    assert ids["kitchen"] not in {i.id for i in store.list(namespace=NS)}


def test_long_lists_are_cut_with_a_notice(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from insights_store.embeddings import HashEmbeddings
    from insights_store.memory import MemoryStore
    from msi_agent.inspect import viewer
    from msi_agent.records import Insight, Scale

    monkeypatch.setattr(viewer, "MAX_ROWS", 3)
    store = MemoryStore(HashEmbeddings())
    for i in range(5):
        store.add(Insight(text=f"rule number {i}", scale=Scale.GENERAL, score=1 + i), namespace=NS)
    html = TestClient(create_app(store, workspace=workspace, namespace=NS), base_url=LOCAL).get("/insights").text
    assert html.count('class="insight"') == 3 and "5 insights; showing the 3 best" in html
    assert "rule number 4" in html and "rule number 0" not in html


def test_runs_page_links_namespaces_and_lists_unfinished_runs(client: TestClient, workspace: Path) -> None:
    (workspace / "runs" / "run-a" / f"distill-{NS}.jsonl").write_text("{}\n")
    (workspace / "runs" / "run-a" / "distill-elsewhere.jsonl").write_text("{}\n")
    RunFolder.in_workspace(workspace, "run-c").start(command="collect", settings=Settings(workspace=workspace))
    html = client.get("/runs").text
    assert f'<a href="/insights?ns={NS}">{NS}</a>' in html and "elsewhere <span" in html
    assert "<strong>run-c</strong>" in html and "results.json is missing" in html
    assert client.get("/compare", params={"run": "run-c"}).status_code == 422


def test_cross_site_edits_and_foreign_hosts_are_refused(editor: TestClient, memory_store) -> None:
    store, ids = memory_store
    url = f"/insights/{ids['kitchen']}/edit"
    form = {"text": "planted by another site", "score": "9"}
    for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        page = editor.post(url, data=form, headers=headers)
        assert page.status_code == 403 and "another web site" in page.text
    assert store.get(ids["kitchen"], namespace=NS).text.startswith("In kitchens")
    same = editor.post(url, data=form, headers={"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200 and store.get(ids["kitchen"], namespace=NS).score == 9
    assert editor.get("/insights", headers={"Host": "rebound.example:8765"}).status_code == 400


def test_diff_page_between_a_snapshot_and_the_latest(client: TestClient) -> None:
    assert 'name="a"' in client.get("/diff").text
    html = client.get("/diff", params={"a": SNAPSHOT, "b": NS}).text
    assert "1 added, 0 removed, 2 changed, 2 unchanged." in html
    assert "Bedrooms keep books" in html and "before going to the target receptacle" in html
    assert client.get("/diff", params={"a": SNAPSHOT, "b": "ghost"}).status_code == 404


def test_edit_refused_while_another_process_writes_the_namespace(
    editor: TestClient, memory_store, workspace: Path
) -> None:
    _, ids = memory_store
    with writer_lock(workspace, NS, holder="distill of run r"):
        page = editor.post(f"/insights/{ids['general']}/edit", data={"text": "New.", "score": "2", "ns": NS})
        assert page.status_code == 409 and "distill of run r" in page.text
    page = editor.post(f"/insights/{ids['general']}/delete", data={"ns": NS}, follow_redirects=False)
    assert page.status_code == 303


def test_episode_page_shows_each_steps_prompt_and_an_errored_episode(client: TestClient, workspace: Path) -> None:
    folder = RunFolder.in_workspace(workspace, "prompted")
    folder.start(command="test", settings=Settings(workspace=workspace))
    task = Task(id="t", family="f", environment="Kitchen", scene="s", instruction="cool the <mug>")
    step = Step(action="go to fridge 1", observation="The fridge 1 is closed.", call_id="call-1")
    episode = Episode(id="prompted.eval.t", task=task, steps=[step], error="LLM call failed at step 2: refused")
    folder.save_episode("eval", episode)
    sent = [SystemMessage("You are a robot."), HumanMessage("Your task is to: cool the <mug>")]
    usage = TokenUsage(prompt_tokens=21, completion_tokens=4, calls=1)
    call = CallRecord("call-1", "action", sent, "Think: fridge.\nAction: go to fridge 1", usage, False, None, 1, 0.1)
    folder.calls.record(call, scope="eval", item=episode.id)
    folder.calls.close()
    html = client.get(f"/episodes/{episode.id}").text
    assert "errored" in html and "LLM call failed at step 2: refused" in html
    assert "You are a robot." in html and "Your task is to: cool the &lt;mug&gt;" in html  # escaped, verbatim
    assert "Think: fridge.\nAction: go to fridge 1" in html and "21 + 4 tokens" in html
