"""Shared CLI state: the resolved configuration and a console, built once per invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from msi_agent.config_sources import ConfigError, Resolved, resolve

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    config_file: Path | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    _warned: bool = False

    def resolved(
        self,
        flags: dict[str, Any] | None = None,
        *,
        preset: str | None = None,
        inherited: tuple[str, dict[str, Any]] | None = None,
    ) -> Resolved:
        """Resolve config with the global flags plus a command's own (dotted keys), a preset, a run's settings."""
        merged = self.flags | {k: v for k, v in (flags or {}).items() if v is not None}
        try:
            resolved = resolve(config_file=self.config_file, flags=merged, preset=preset, inherited=inherited)
        except ConfigError as exc:
            fail(str(exc))
            raise  # unreachable; fail exits
        if not self._warned:
            self._warned = True
            for warning in resolved.warnings:
                err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
        return resolved


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def fail(message: str, code: int = 2) -> None:
    """Print a readable error (no traceback) and exit non-zero."""
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True, emoji=False
    )
    raise typer.Exit(code)
