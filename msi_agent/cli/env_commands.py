"""Commands an environment brings: an ``EnvSpec`` whose ``commands`` names a Typer app gets ``msi-agent NAME …``.

msi_agent knows no environment by name: the root group asks the registry which environments have commands when it
lists them (help, completion) or meets a name it does not own, and imports the app only then. The app's module is
expected to import its backend inside the commands, so ``msi-agent --help`` loads no simulator.
"""

from __future__ import annotations

import click
import typer

from msi_agent.cli.context import fail

PANEL = "Environment commands"


def env_names(taken: set[str]) -> list[str]:
    """Environments with commands, except names a built-in command already uses."""
    import envs

    return [name for name in envs.names() if name not in taken and _app_path(name)]


def env_command(name: str) -> click.Command | None:
    """The click group of environment ``name``'s commands, or None if it has none (or is not registered). Commands
    that cannot be loaded become one that says why when run, so that ``--help`` still lists everything else."""
    from msi_agent.registry import load_attr

    path = _app_path(name)
    if path is None:
        return None
    try:
        app = load_attr(path)
    except ImportError as exc:
        return _broken(name, str(exc))
    if not isinstance(app, typer.Typer):
        return _broken(name, f"EnvSpec.commands is {path!r}, which is not a typer.Typer app")
    group = typer.main.get_group(app)
    group.name = name
    group.rich_help_panel = PANEL  # type: ignore[attr-defined]  # typer's help groups commands by this attribute
    return group


def _broken(name: str, reason: str) -> click.Command:
    def explain() -> None:
        fail(f"the commands of environment {name!r} cannot be loaded: {reason}")

    command = click.Command(name, callback=explain, help=f"(cannot be loaded: {reason})",
                            context_settings={"ignore_unknown_options": True, "allow_extra_args": True})  # fmt: skip
    command.rich_help_panel = PANEL  # type: ignore[attr-defined]
    return command


def _app_path(name: str) -> str | None:
    import envs
    from envs.registration import registry

    if name not in registry:
        return None
    try:
        return envs.spec(name).commands
    except ImportError:
        return None  # a plugin that cannot be imported has no commands here; `msi-agent envs list` says why
