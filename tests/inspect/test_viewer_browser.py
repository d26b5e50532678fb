"""The viewer in real headless Chromium (Debian's package, driven by Playwright; never `playwright install`).

Every request leaving 127.0.0.1 is recorded and aborted, and the tests assert there were none.
Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from insight_fixtures import NS, fill

from insights_store import open_store
from insights_store.base import InsightStore
from msi_agent.inspect.hosts import allowed_hosts
from msi_agent.inspect.viewer import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not shutil.which("chromium"),
        reason="Debian chromium missing: apt-get install chromium (scripts/install-browser.sh)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright missing: pip install playwright (the dev extra)",
    ),
]


class ServerThread:
    """uvicorn serving an app on a free loopback port (127.0.0.1, or ``::1``) in a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.host = host
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the viewer did not start within 20 s")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://{'[::1]' if self.host == '::1' else self.host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _executable() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    b = playwright.chromium.launch(executable_path=_executable(), args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def offsite() -> list[str]:
    return []


LOCAL_PREFIXES = ("http://127.0.0.1:", "http://[::1]:")


def _page(browser: Any, offsite: list[str], local: tuple[str, ...] = LOCAL_PREFIXES) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def guard(route: Any) -> None:
        if route.request.url.startswith(local):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def read_only(memory_store: tuple[InsightStore, dict[str, str]], workspace: Path) -> Iterator[str]:
    store, _ = memory_store
    with ServerThread(create_app(store, workspace=workspace, namespace=NS)) as url:
        yield url


def test_browse_filter_search_history_compare(browser: Any, read_only: str, offsite: list[str]) -> None:
    page = _page(browser, offsite)
    page.goto(f"{read_only}/insights")
    assert page.locator("tr.insight").count() == 5
    assert page.locator("#mode").inner_text() == "read-only"
    _shot(page, "viewer-insights.png")

    page.click("nav.side a[data-key='Kitchen']")
    assert page.locator("tr.insight").count() == 1
    assert "microwave" in page.locator("tr.insight").inner_text()

    page.goto(f"{read_only}/insights")
    page.fill("input[name=min_score]", "3")
    page.click("#filters button")
    assert page.locator("tr.insight").count() == 1
    assert "cabinet" in page.locator("tr.insight").inner_text()

    page.fill("input[name=min_score]", "")
    page.fill("input[name=q]", "reveal hidden objects")
    page.click("#filters button")
    assert "hidden objects" in page.locator("#search-results tr.insight").first.inner_text()

    page.goto(f"{read_only}/insights?scale=subtask&key=Object+Placement")
    page.click("tr.insight a.open")
    page.wait_for_selector("#history")
    assert page.locator("tr.history-entry").count() == 2
    assert page.locator(".trajectory").count() == 2
    assert page.locator("#edit-form").count() == 0
    _shot(page, "viewer-history.png")

    page.goto(f"{read_only}/runs")
    page.click("#compare-form button")
    chart = page.locator("svg[data-chart='sr-valid_seen']")
    assert chart.is_visible()
    series = {chart.locator("rect.bar").nth(i).get_attribute("data-series") for i in range(6)}
    assert chart.locator("rect.bar").count() == 6  # 2 families (one + all) x 3 run-conditions
    assert series == {"run-a · no-insights", "run-a · msi", "run-b · expel"}
    _shot(page, "viewer-compare.png")
    assert offsite == []


def test_editing_refused_when_read_only(
    browser: Any, read_only: str, offsite: list[str], memory_store: tuple[InsightStore, dict[str, str]]
) -> None:
    store, ids = memory_store
    page = _page(browser, offsite)
    page.goto(f"{read_only}/insights/{ids['general']}")
    response = page.request.post(
        f"{read_only}/insights/{ids['general']}/edit", form={"text": "overwritten", "score": "1", "ns": NS}
    )
    assert response.status == 403
    assert "--allow-edit" in response.text()
    assert store.get(ids["general"], namespace=NS).text.startswith("Check every cabinet")


def test_editing_works_when_allowed(
    browser: Any, memory_store: tuple[InsightStore, dict[str, str]], workspace: Path, offsite: list[str]
) -> None:
    store, ids = memory_store
    with ServerThread(create_app(store, workspace=workspace, namespace=NS, allow_edit=True)) as url:
        page = _page(browser, offsite)
        page.goto(f"{url}/insights/{ids['kitchen']}")
        assert page.locator("#mode").inner_text() == "editing allowed"
        page.fill("#edit-form textarea", "Heat food in the microwave, opened first.")
        page.fill("#edit-form input[name=score]", "5")
        page.click("#edit-form button")
        page.wait_for_selector("text=Heat food in the microwave")
        assert page.locator("#insight-score").inner_text() == "5"
        assert page.locator("tr.history-entry").count() == 2  # ADD + the manual EDIT
    assert store.get(ids["kitchen"], namespace=NS).text == "Heat food in the microwave, opened first."
    assert offsite == []


def test_ipv6_bind_serves_its_own_pages_and_refuses_a_rebinding_name(
    playwright: Any, memory_store: tuple[InsightStore, dict[str, str]], workspace: Path, offsite: list[str]
) -> None:
    """The break: on ``--host ::1`` the Host check was off, so a page whose name re-resolved to ::1 could edit.

    Chromium maps ``rebind.test`` to ``::1`` (as a rebinding DNS server would); its requests must be refused.
    """
    store, ids = memory_store
    app = create_app(store, workspace=workspace, namespace=NS, allow_edit=True, hosts=allowed_hosts("::1"))
    rules = "--host-resolver-rules=MAP rebind.test [::1]"
    with ServerThread(app, host="::1") as url:
        browser = playwright.chromium.launch(executable_path=_executable(), args=[*CHROMIUM_ARGS, rules])
        try:
            port = url.rsplit(":", 1)[1]
            page = _page(browser, offsite, local=(*LOCAL_PREFIXES, "http://rebind.test:"))
            page.goto(f"{url}/insights/{ids['kitchen']}")
            assert page.locator("#mode").inner_text() == "editing allowed"
            page.fill("#edit-form textarea", "Open the microwave before heating food.")
            page.click("#edit-form button")
            page.wait_for_selector("text=Open the microwave before heating food.")

            rebound = page.goto(f"http://rebind.test:{port}/insights/{ids['general']}")
            assert rebound is not None and rebound.status == 400
            assert "--allowed-host" in page.content()
            script = """([id, ns]) => fetch(`/insights/${id}/delete`, {method: "POST", body: new URLSearchParams({ns})})
                .then(r => r.status)"""  # what the rebinding page's own script would send (same origin to it)
            assert page.evaluate(script, [ids["general"], NS]) == 400
        finally:
            browser.close()
    assert store.get(ids["general"], namespace=NS).text.startswith("Check every cabinet")
    assert store.get(ids["kitchen"], namespace=NS).text == "Open the microwave before heating food."
    assert offsite == []


@pytest.mark.slow
def test_cli_ui_allow_edit_on_embedded_chroma(browser: Any, tmp_path: Path, offsite: list[str]) -> None:
    """`msi-agent ui --allow-edit` as a real process over the embedded Chroma store of a workspace."""
    workspace = tmp_path / "ws"
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    ids = fill(store)
    store.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {"MSI_WORKSPACE": str(workspace), "MSI_STORE__EMBEDDER": "hash"}
    argv = [
        sys.executable,
        "-c",
        "from msi_agent.cli import app; app()",
        "ui",
        "--allow-edit",
        "--ns",
        NS,
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"msi-agent ui did not start: {proc.communicate(timeout=5)[0]}")
                time.sleep(0.2)
        page = _page(browser, offsite)
        page.goto(f"{url}/insights/{ids['general']}")
        assert page.locator("#mode").inner_text() == "editing allowed"
        page.fill("#edit-form textarea", "Search every cabinet and drawer before giving up.")
        page.click("#edit-form button")
        page.wait_for_selector("text=Search every cabinet and drawer")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#delete-form button")
        page.wait_for_selector("#count")
        assert page.locator("tr.insight").count() == 4
        _shot(page, "viewer-after-delete.png")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    reopened = open_store("chroma", workspace=workspace, embeddings="hash")
    try:
        assert ids["general"] not in {i.id for i in reopened.list(namespace=NS)}
        edits = [h.op.value for h in reopened.history(ids["general"], namespace=NS)]
        assert edits == ["ADD", "AGREE", "EDIT", "REMOVE"]
    finally:
        reopened.close()
    assert offsite == []
