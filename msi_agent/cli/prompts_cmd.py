"""`msi-agent prompts list | show NAME | copy`: the prompt templates the configured environment would use.

Templates are searched in the user's folder (``msi-workspace/prompts`` or ``--prompts DIR``), then the
environment's package, then msi_agent's defaults; ``copy`` starts a user folder from what is found now.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from msi_agent.agent.templates import Prompts, TemplateError
from msi_agent.cli.context import console, fail, state

app = typer.Typer(help="Prompt templates: where each comes from; copy them to edit.", no_args_is_help=True)


def _templates(ctx: typer.Context) -> tuple[Prompts, Path]:
    import envs
    from msi_agent.pipeline.session import prompt_folder
    from msi_agent.registry import UnknownPluginError

    settings = state(ctx).resolved().settings
    try:
        spec = envs.spec(settings.env.name)
        user = prompt_folder(settings)
    except (UnknownPluginError, FileNotFoundError) as exc:
        fail(str(exc))
        raise  # unreachable; fail exits
    return Prompts.for_spec(spec, user=user), user


@app.command("list")
def list_prompts(ctx: typer.Context) -> None:
    """Every template name and the file that supplies it for the configured environment."""
    prompts, user = _templates(ctx)
    table = Table("template", "from")
    for name, path in prompts.names().items():
        table.add_row(name, str(path))
    console.print(table)
    console.print(f"user folder (searched first): {user}", highlight=False)


@app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(..., help="template name (see `prompts list`)")) -> None:
    """Print a template as found, with its source; ``$word`` placeholders are filled at run time."""
    prompts, _ = _templates(ctx)
    try:
        path = prompts.find(name)
    except TemplateError as exc:
        fail(str(exc))
        return
    console.print(f"# {path}", highlight=False, markup=False)
    console.print(path.read_text(encoding="utf-8"), highlight=False, markup=False, end="")


@app.command("copy")
def copy(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, help="templates to copy (default: all)"),
    to: Path | None = typer.Option(None, "--to", help="destination folder (default: the user folder)"),
    force: bool = typer.Option(False, "--force", help="overwrite templates already in the destination"),
) -> None:
    """Copy templates as found now into a folder you can edit; runs then use your copies first."""
    prompts, user = _templates(ctx)
    found = prompts.names()
    wanted = names or list(found)
    unknown = [n for n in wanted if n not in found]
    if unknown:
        fail(f"no prompt templates {unknown}; `msi-agent prompts list` shows the names")
    dest = to or user
    existing = [n for n in wanted if (dest / f"{n}.txt").exists() and found[n] != dest / f"{n}.txt"]
    if existing and not force:
        fail(f"{dest} already has {existing}; pass --force to overwrite them")
    dest.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        try:
            text = prompts.find(name).read_text(encoding="utf-8")
        except TemplateError as exc:
            fail(str(exc))
        if found[name] != dest / f"{name}.txt":
            (dest / f"{name}.txt").write_text(text, encoding="utf-8")
    console.print(f"copied {len(wanted)} templates to {dest}", highlight=False)
