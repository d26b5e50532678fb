"""Config layering (defaults < file < env < flags), masked secrets, readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.config import ConfigError, masked, resolve


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "msi.toml"
    path.write_text(text)
    return path


def test_precedence_file_env_flag(tmp_path: Path) -> None:
    _write(tmp_path, '[llm]\nspec = "openai:from-file"\nmax_tokens = 99\n[pipeline]\nworkers = 2\n')
    env = {"MSI_LLM__SPEC": "openai:from-env", "MSI_PIPELINE__WORKERS": "3"}
    r = resolve(cwd=tmp_path, environ=env, flags={"pipeline.workers": 5})
    assert r.settings.llm.spec == "openai:from-env"
    assert r.settings.llm.max_tokens == 99
    assert r.settings.pipeline.workers == 5
    assert r.sources["llm.spec"] == "env"
    assert r.sources["llm.max_tokens"].startswith("file")
    assert r.sources["pipeline.workers"] == "flag"
    assert r.sources["llm.temperature"] == "default"


def test_defaults_without_file(tmp_path: Path) -> None:
    r = resolve(cwd=tmp_path, environ={})
    assert r.settings.env.name == "household"
    assert r.settings.workspace == Path("msi-workspace")
    assert set(r.sources.values()) == {"default"}


def test_env_list_values(tmp_path: Path) -> None:
    r = resolve(cwd=tmp_path, environ={"MSI_ENV__FAMILIES": "toast,coffee"})
    assert r.settings.env.families == ["toast", "coffee"]


def test_secret_is_masked(tmp_path: Path) -> None:
    r = resolve(cwd=tmp_path, environ={"MSI_LLM__API_KEY": "sk-very-secret"})
    shown = masked(r.settings)
    assert shown["llm.api_key"] == "***"
    assert "sk-very-secret" not in repr(r.settings)


@pytest.mark.parametrize(
    ("environ", "fragments"),
    [
        ({"MSI_LLM__TEMPERATURE": "hot"}, ["llm.temperature", "MSI_LLM__TEMPERATURE", "'hot'"]),
        ({"MSI_PIPELINE__SELECTOR": "best"}, ["pipeline.selector", "'best'"]),
        ({"MSI_LLM__COLOUR": "red"}, ["llm.colour", "unknown setting"]),
    ],
)
def test_bad_values_are_explained(tmp_path: Path, environ: dict, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        resolve(cwd=tmp_path, environ=environ)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    _write(tmp_path, "[llm\nspec=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve(cwd=tmp_path, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        resolve(config_file=tmp_path / "nope.toml", environ={})


def test_cli_config_shows_sources_and_masks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MSI_LLM__API_KEY", "sk-hidden-123")
    result = CliRunner().invoke(app, ["--llm", "openai:gpt-test", "config"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "openai:gpt-test" in result.output and "flag" in result.output
    assert "sk-hidden-123" not in result.output


def test_cli_bad_config_exits_with_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MSI_PIPELINE__WORKERS", "0")
    result = CliRunner().invoke(app, ["config"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "pipeline.workers" in result.output


def test_cli_env_flag_selects_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--env", "ai2thor", "config"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "env.name" in line)
    assert "ai2thor" in row and "flag" in row
