"""Environments' own commands (``EnvSpec.commands``) mounted as ``msi-agent NAME …``, lazily and generically."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import envs
from envs.registration import registry
from msi_agent.cli.context import console, state
from msi_agent.cli.main import app
from tests.pipeline.fetch_world import FetchEnv

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

GREETER = typer.Typer(help="Commands of a test's environment.", no_args_is_help=True)


@GREETER.command("hello")
def hello(ctx: typer.Context, loud: bool = typer.Option(False, "--loud")) -> None:
    """Greet, with the configured environment (the root's state reaches mounted commands)."""
    text = f"hello from {state(ctx).resolved().settings.env.name}"
    console.print(text.upper() if loud else text, highlight=False)


@pytest.fixture
def mounted() -> Iterator[None]:
    specs = {
        "test-greeter": "tests.cli.test_env_commands:GREETER",
        "test-missing": "tests.cli.no_such_module:app",
        "test-not-an-app": "tests.cli.test_env_commands:hello",
        "tasks": "tests.cli.test_env_commands:GREETER",  # a built-in command's name: the built-in wins
    }
    for name, commands in specs.items():
        envs.register(envs.EnvSpec(name=name, entry_point=FetchEnv, commands=commands))
    yield
    for name in specs:
        registry._entries.pop(name, None)


def test_an_environments_commands_run_under_its_name(mounted: None) -> None:
    result = runner.invoke(app, ["--env", "test-greeter", "test-greeter", "hello", "--loud"])
    assert result.exit_code == 0, result.output
    assert "HELLO FROM TEST-GREETER" in result.output


def test_help_lists_them_in_their_own_panel(mounted: None) -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    panel = result.output[result.output.index("Environment commands") :]
    assert "test-greeter" in panel and "Commands of a test's environment." in panel
    names = [line.split()[1] for line in panel.splitlines() if line.startswith("│ ")]
    assert names == ["ai2thor", "alfworld", "test-greeter", "test-missing", "test-not-an-app"]  # household: none
    assert "test-missing" in panel and "cannot be loaded" in panel


def test_a_builtin_command_keeps_its_name(mounted: None) -> None:
    result = runner.invoke(app, ["tasks", "families"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "pick_and_place_simple" in result.output


@pytest.mark.parametrize(("name", "message"), [
    ("test-missing", "cannot import 'tests.cli.no_such_module'"),
    ("test-not-an-app", "which is not a typer.Typer app"),
])  # fmt: skip
def test_commands_that_cannot_load_say_why(mounted: None, name: str, message: str) -> None:
    result = runner.invoke(app, [name, "anything"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert f"the commands of environment {name!r} cannot be loaded" in result.output and message in result.output


def test_help_imports_no_simulator() -> None:
    code = (
        "import sys\nfrom msi_agent.cli.main import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ai2thor', 'alfworld', 'textworld', "
        "'textworld_express')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "COLUMNS": "200", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ai2thor" in done.stdout and "alfworld" in done.stdout  # their commands are listed...
    assert done.stdout.strip().splitlines()[-1] == "[]"  # ...without importing their backends
