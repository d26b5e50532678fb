"""Shared CLI state: the resolved configuration and a console, built once per invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from msi_agent.config import ConfigError, Resolved, resolve

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    config_file: Path | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    _resolved: Resolved | None = None

    def resolved(self, **more_flags: Any) -> Resolved:
        """Resolve config with global flags plus a command's own flags (dotted keys)."""
        flags = self.flags | {k.replace("__", "."): v for k, v in more_flags.items() if v is not None}
        try:
            return resolve(config_file=self.config_file, flags=flags)
        except ConfigError as exc:
            fail(str(exc))
            raise  # unreachable; fail exits


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def fail(message: str, code: int = 2) -> None:
    """Print a readable error (no traceback) and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)
