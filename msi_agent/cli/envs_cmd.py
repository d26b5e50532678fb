"""`msi-agent envs list`: the registered environments and their specs. An environment's own commands (its
``EnvSpec.commands``) are mounted under its name by ``msi_agent.cli.env_commands``."""

from __future__ import annotations

import typer
from rich.table import Table

from msi_agent.cli.context import console

app = typer.Typer(help="Registered environments.", no_args_is_help=True)


@app.command("list")
def list_envs() -> None:
    """Each registered environment's spec: factory, sampler, families, step budget, scale and categories, status."""
    import envs
    from envs.registration import registry

    table = Table(
        "name", "factory", "sampler", "families (default)", "max steps", "scale: categories", "commands", "status"
    )
    for name in registry.names():
        try:
            spec = envs.spec(name)
            factory = spec.factory()
            families = spec.family_names()
        except ImportError as exc:
            table.add_row(name, "?", "?", "?", "?", "?", "?", f"[red]cannot import: {exc}[/]")
            continue
        target = f"{getattr(factory, '__module__', '?')}:{getattr(factory, '__qualname__', repr(factory))}"
        check = getattr(factory, "unavailable_reason", None)
        reason = check() if callable(check) else None
        if spec.sampler is None:
            reason = "no task sampler: register an EnvSpec with sampler=..."
        sampler = spec.sampler if isinstance(spec.sampler, str) or spec.sampler is None else spec.sampler.__qualname__
        shown = f"{len(families)}" + (f" ({', '.join(spec.default_families)})" if spec.default_families else "")
        table.add_row(
            name,
            target,
            str(sampler or "-"),
            shown,
            str(spec.max_steps),
            f"{spec.scale}: {', '.join(spec.categories) or '-'}",
            f"msi-agent {name} --help" if spec.commands else "-",
            f"[yellow]{reason}[/]" if reason else "[green]ready[/]",
        )
    console.print(table)
