"""`msi-agent ui` start-up checks (serving itself is covered by the browser tests)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.cli.ui_cmd import _is_loopback


def test_loopback_detection() -> None:
    assert all(_is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "127.0.0.2"))
    assert not any(_is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "example.org"))


def test_ui_without_a_store_fails_before_serving(tmp_path: Path) -> None:
    env = {"MSI_WORKSPACE": str(tmp_path), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", "--port", "1"], env=env)
    assert result.exit_code == 2
    assert "anyone who can reach it" in result.output and "no insight store at" in result.output
