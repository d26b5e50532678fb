"""`msi-agent config`: show the resolved configuration and where each value came from."""

from __future__ import annotations

import typer
from rich.table import Table

from msi_agent.cli.context import console, state
from msi_agent.config import masked


def show_config(ctx: typer.Context) -> None:
    """Print the resolved configuration with the source of each value (secrets masked)."""
    resolved = state(ctx).resolved()
    table = Table(title="msi-agent configuration")
    table.add_column("setting")
    table.add_column("value")
    table.add_column("source")
    for leaf, value in masked(resolved.settings).items():
        table.add_row(leaf, str(value), resolved.sources.get(leaf, "default"))
    console.print(table)
