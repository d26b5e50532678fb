"""`msi-agent ui` start-up checks (serving itself is covered by the browser tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from insight_fixtures import NS, fill
from typer.testing import CliRunner

from insights_store import open_store
from msi_agent.cli import app


def test_ui_without_a_store_fails_before_serving(tmp_path: Path) -> None:
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", "--port", "1"], env=env)
    assert result.exit_code == 2
    assert "anyone who can reach" in result.output and "no insight store at" in result.output


def test_allow_edit_on_a_public_address_needs_explicit_consent(tmp_path: Path) -> None:
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", "--port", "1", "--allow-edit"], env=env)
    assert result.exit_code == 2
    assert "--i-know-this-is-public" in result.output and "Traceback" not in result.output
    for host in ("::", "192.168.1.4"):
        result = CliRunner().invoke(app, ["ui", "--host", host, "--allow-edit"], env=env)
        assert result.exit_code == 2 and "not a loopback address" in result.output


def test_empty_namespace_is_an_error(tmp_path: Path) -> None:
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["ui", "--ns", ""], env=env)
    assert result.exit_code == 2 and "--ns is empty" in result.output


@pytest.mark.slow
def test_cli_on_ipv6_loopback_refuses_a_rebinding_host(tmp_path: Path) -> None:
    """The break: `msi-agent ui --host ::1 --allow-edit` answered any Host, so a DNS-rebinding page could delete."""
    store = open_store("chroma", workspace=tmp_path, embeddings="hash")
    ids = fill(store)
    store.close()
    with socket.socket(socket.AF_INET6) as sock:
        sock.bind(("::1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash"}
    argv = ["-c", "from msi_agent.cli import app; app()", "ui", "--host", "::1", "--port", str(port), "--allow-edit"]
    proc = subprocess.Popen([sys.executable, *argv, "--ns", NS], env=env, stdout=subprocess.PIPE, text=True)
    try:
        url = f"http://[::1]:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/insights", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"msi-agent ui did not start: {proc.communicate(timeout=5)[0]}")
                time.sleep(0.2)
        assert httpx.get(f"{url}/insights?ns={NS}").status_code == 200
        evil = {"host": f"rebind.evil.example:{port}"}
        assert httpx.get(f"{url}/insights?ns={NS}", headers=evil).status_code == 400
        deleted = httpx.post(f"{url}/insights/{ids['general']}/delete", data={"ns": NS}, headers=evil)
        assert deleted.status_code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    reopened = open_store("chroma", workspace=tmp_path, embeddings="hash")
    try:
        assert reopened.get(ids["general"], namespace=NS)
    finally:
        reopened.close()
