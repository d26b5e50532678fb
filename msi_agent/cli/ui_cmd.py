"""`msi-agent ui`: serve the local insight viewer (read-only unless --allow-edit)."""

from __future__ import annotations

import secrets

import typer

from insights_store.base import StoreError
from msi_agent.cli.context import console, err_console, fail, state
from msi_agent.inspect.hosts import TOKEN_PARAM, allowed_hosts, is_loopback
from msi_agent.inspect.stores import open_configured

PUBLIC_EDIT_REFUSED = (
    "--allow-edit on {host}, which is not a loopback address, lets anyone who can reach it change and delete "
    "insights; bind to 127.0.0.1 (the default), or add --i-know-this-is-public to serve edits guarded by a token"
)


def ui(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="address to bind; the viewer has no login, keep it local"),
    port: int = typer.Option(8765, min=1, max=65535, help="TCP port"),
    allow_edit: bool = typer.Option(False, "--allow-edit", help="allow editing and deleting insights"),
    namespace: str | None = typer.Option(None, "--ns", "--namespace", help="namespace shown first"),
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="another Host name the viewer answers (repeat); loopback names always work"
    ),
    public: bool = typer.Option(
        False, "--i-know-this-is-public", help="with --allow-edit on a non-loopback address: serve edits anyway"
    ),
) -> None:
    """Browse insights by scale and key, search them, read their history and trajectories, compare runs.

    The viewer answers only requests addressed to loopback names, the bind address and each --allowed-host.
    On a non-loopback address --allow-edit also needs --i-know-this-is-public, and edits then need a token
    printed at start-up.
    """
    import uvicorn

    import envs
    from msi_agent.inspect.viewer import create_app
    from msi_agent.registry import UnknownPluginError

    settings = state(ctx).resolved().settings
    try:
        scale_name = envs.spec(settings.env.name).scale
    except UnknownPluginError as exc:
        fail(str(exc))
        return
    if namespace == "":
        fail("--ns is empty; give a namespace name, or drop --ns for the configured one")
    local = is_loopback(host)
    if not local and allow_edit and not public:
        fail(PUBLIC_EDIT_REFUSED.format(host=host))
    if not local:
        err_console.print(
            f"[bold red]WARNING:[/] binding to {host}: this viewer has no login; anyone who can reach "
            f"{host}:{port} can read every insight{' (edits need the token below)' if allow_edit else ''}",
            highlight=False,
        )
    try:
        store = open_configured(settings)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
        return
    try:
        token = secrets.token_urlsafe(24) if allow_edit and not local else None
        app = create_app(
            store,
            workspace=settings.workspace,
            namespace=namespace or settings.store.namespace,
            allow_edit=allow_edit,
            hosts=allowed_hosts(host, allowed_host),
            edit_token=token,
            scale_name=scale_name,
        )
        mode = "editing allowed" if allow_edit else "read-only"
        shown = f"[{host}]" if ":" in host else host
        login = f"?{TOKEN_PARAM}={token}" if token else ""
        console.print(f"msi-agent viewer ({mode}) on http://{shown}:{port}/{login} — Ctrl+C stops it", highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()
