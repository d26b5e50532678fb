"""`msi-agent ui`: serve the local insight viewer (read-only unless --allow-edit)."""

from __future__ import annotations

import ipaddress

import typer

from insights_store.base import StoreError
from msi_agent.cli.context import console, err_console, fail, state
from msi_agent.inspect.stores import open_configured


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ui(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="address to bind; the viewer has no login, keep it local"),
    port: int = typer.Option(8765, min=1, max=65535, help="TCP port"),
    allow_edit: bool = typer.Option(False, "--allow-edit", help="allow editing and deleting insights"),
    namespace: str | None = typer.Option(None, "--ns", "--namespace", help="namespace shown first"),
) -> None:
    """Browse insights by scale and key, search them, read their history and trajectories, compare runs."""
    import uvicorn

    from msi_agent.inspect.viewer import LOCAL_HOSTS, create_app

    settings = state(ctx).resolved().settings
    if not _is_loopback(host):
        err_console.print(f"[yellow]warning:[/] binding to {host}: anyone who can reach it can read the insights")
    try:
        store = open_configured(settings)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
        return
    try:
        # Host names the server answers to: loopback names, or any when serving on the network (or on IPv6,
        # whose bracketed Host header the host check cannot parse).
        hosts = [*LOCAL_HOSTS, host] if _is_loopback(host) and ":" not in host else ["*"]
        app = create_app(
            store,
            workspace=settings.workspace,
            namespace=namespace or settings.store.namespace,
            allow_edit=allow_edit,
            allowed_hosts=hosts,
        )
        mode = "editing allowed" if allow_edit else "read-only"
        console.print(f"msi-agent viewer ({mode}) on http://{host}:{port}/ — Ctrl+C stops it")
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()
