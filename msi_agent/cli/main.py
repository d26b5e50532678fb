"""Root typer app: global options, then one sub-module per command group."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from typer.core import TyperGroup

from msi_agent.cli import credit_cmd  # noqa: F401 - adds `insights credit|apply-credit`
from msi_agent.cli.config_cmd import list_presets, show_config
from msi_agent.cli.context import state
from msi_agent.cli.env_commands import env_command, env_names
from msi_agent.cli.envs_cmd import app as envs_app
from msi_agent.cli.insights_cmd import app as insights_app
from msi_agent.cli.llm_cmd import app as llm_app
from msi_agent.cli.pipeline_cmd import register as register_pipeline
from msi_agent.cli.prompts_cmd import app as prompts_app
from msi_agent.cli.report_cmd import report
from msi_agent.cli.runs_cmd import app as runs_app
from msi_agent.cli.tasks_cmd import app as tasks_app
from msi_agent.cli.ui_cmd import ui

ANYWHERE = ("--env", "--prompts")
"""Root options a user may also give after the subcommand (`msi-agent run --env alfworld`)."""


class _RootGroup(TyperGroup):
    """Moves ``ANYWHERE`` options (``--env X`` / ``--env=X``) in front of the subcommand, where the root reads them,
    and adds each environment's own commands (``msi-agent ENV …``, from its ``EnvSpec.commands``) when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        own = super().list_commands(ctx)
        return [*own, *env_names(set(own))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or env_command(cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        hoisted: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                rest += args[i:]
                break
            if token.split("=", 1)[0] in ANYWHERE:
                width = 1 if "=" in token else 2
                hoisted += args[i : i + width]
                i += width
                continue
            rest.append(token)
            i += 1
        return super().parse_args(ctx, hoisted + rest)


app = typer.Typer(
    name="msi-agent",
    cls=_RootGroup,
    help="LLM agents in text simulators that learn multi-scale insights from experience.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", help="TOML config file (default ./msi.toml)"),
    workspace: Path | None = typer.Option(None, "--workspace", help="workspace folder (MSI_WORKSPACE)"),
    llm: str | None = typer.Option(None, "--llm", help="LLM spec: local, openai:MODEL, provider:model"),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint"),
    store: str | None = typer.Option(None, "--store", help="insight store spec: chroma, memory, chroma+http://h:p"),
    env: str | None = typer.Option(
        None, "--env", help="environment (`msi-agent envs list`; MSI_ENV__NAME); also accepted after the subcommand"
    ),
    prompts: Path | None = typer.Option(
        None, "--prompts", help="folder of prompt templates searched first (default: workspace/prompts)"
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="bypass the LLM response cache"),
) -> None:
    st = state(ctx)
    st.config_file = config
    st.flags = {
        "workspace": workspace,
        "llm.spec": llm,
        "llm.base_url": base_url,
        "store.spec": store,
        "env.name": env,
        "env.prompts": prompts,
        "llm.cache": False if no_cache else None,
    }


app.command("config")(show_config)
app.command("presets")(list_presets)
app.add_typer(insights_app, name="insights")
app.command("ui")(ui)
app.command("report")(report)
app.add_typer(runs_app, name="runs")
app.add_typer(llm_app, name="llm")
register_pipeline(app)
app.add_typer(tasks_app, name="tasks")
app.add_typer(envs_app, name="envs")
app.add_typer(prompts_app, name="prompts")
