"""Host-header parsing and the allow-list the viewer applies on every bind address (IPv6 included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from insight_fixtures import NS

from insights_store.base import InsightStore
from msi_agent.inspect.hosts import allowed_hosts, host_name, is_loopback
from msi_agent.inspect.viewer import create_app


def test_loopback_detection() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2", "LOCALHOST"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org", "localhost.evil.com"))


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8765", "127.0.0.1"),
        ("localhost", "localhost"),
        ("[::1]:8765", "::1"),
        ("[::1]", "::1"),
        ("Example.ORG:80", "example.org"),
        ("[::1]x", None),
        ("[::1", None),
        ("host:port", None),
        ("", None),
        (":80", None),
        (None, None),
    ],
)
def test_host_name(header: str | None, name: str | None) -> None:
    assert host_name(header) == name


def test_allowed_hosts_are_loopback_names_the_bind_address_and_extras() -> None:
    assert allowed_hosts("::1") == {"localhost", "127.0.0.1", "::1"}
    assert allowed_hosts("0.0.0.0", ["Box.lan", " "]) == {"localhost", "127.0.0.1", "::1", "0.0.0.0", "box.lan"}


@pytest.mark.parametrize("bind", ["127.0.0.1", "::1", "0.0.0.0", "::"])
def test_every_bind_refuses_a_rebinding_host(
    bind: str, memory_store: tuple[InsightStore, dict[str, str]], workspace: Path
) -> None:
    """The break: `ui --host ::1 --allow-edit` used to answer any Host, so a DNS-rebinding page could edit."""
    store, ids = memory_store
    app = create_app(store, workspace=workspace, namespace=NS, allow_edit=True, hosts=allowed_hosts(bind))
    client = TestClient(app, base_url="http://[::1]:8765")
    assert client.get("/insights").status_code == 200
    evil = {"host": "rebind.evil.example:8765"}
    assert client.get("/insights", headers=evil).status_code == 400
    posted = client.post(f"/insights/{ids['general']}/delete", data={"ns": NS}, headers=evil)
    assert posted.status_code == 400 and "--allowed-host" in posted.text
    assert store.get(ids["general"], namespace=NS)


def test_public_edits_need_the_token(memory_store: tuple[InsightStore, dict[str, str]], workspace: Path) -> None:
    store, ids = memory_store
    app = create_app(
        store, workspace=workspace, namespace=NS, allow_edit=True, hosts=allowed_hosts("0.0.0.0"), edit_token="s3cret"
    )
    client = TestClient(app, base_url="http://0.0.0.0:8765")
    refused = client.post(f"/insights/{ids['general']}/delete", data={"ns": NS})
    assert refused.status_code == 403 and "token" in refused.text
    assert client.get("/insights?token=wrong").status_code == 403
    login = client.get("/insights?scale=general&token=s3cret", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/insights?scale=general"
    assert "s3cret" not in client.get("/insights").text
    assert client.post(f"/insights/{ids['general']}/delete", data={"ns": NS}, follow_redirects=False).status_code == 303
    assert ids["general"] not in {i.id for i in store.list(namespace=NS)}
