"""Config layering (defaults < file < env < flags), masked secrets, readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.config import masked
from msi_agent.config_sources import ConfigError, resolve


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


def test_env_values_are_toml_literals(tmp_path: Path) -> None:
    environ = {
        "MSI_ENV__FAMILIES": '["toast", "coffee"]',
        "MSI_PIPELINE__WORKERS": "3",
        "MSI_LLM__CACHE": "false",
        "MSI_ENV__OPTIONS__PLATFORM": '"CloudRendering"',
        "MSI_ENV__OPTIONS__WIDTH": "300",
    }
    s = resolve(cwd=tmp_path, environ=environ).settings
    assert s.env.families == ["toast", "coffee"] and s.pipeline.workers == 3 and s.llm.cache is False
    assert s.env.options == {"platform": "CloudRendering", "width": 300}


def test_env_text_is_never_split_at_commas(tmp_path: Path) -> None:
    """The break: `MSI_LLM__BASE_URL=http://h/v1?a=1,2` became a list and was rejected."""
    environ = {"MSI_LLM__BASE_URL": "http://h/v1?a=1,2", "MSI_LLM__SPEC": "openai:m,x", "MSI_LLM__API_KEY": "12345"}
    s = resolve(cwd=tmp_path, environ=environ).settings
    assert s.llm.base_url == "http://h/v1?a=1,2" and s.llm.spec == "openai:m,x"
    assert s.llm.api_key is not None and s.llm.api_key.get_secret_value() == "12345"
    with pytest.raises(ConfigError, match=r"env\.families"):
        resolve(cwd=tmp_path, environ={"MSI_ENV__FAMILIES": "toast,coffee"})


def test_unrelated_msi_variables_are_a_warning(tmp_path: Path) -> None:
    """The break: any `MSI_FOO` in the environment made every command fail."""
    r = resolve(cwd=tmp_path, environ={"MSI_FOO": "1", "MSI_LLM__SPECC": "x", "MSI_LLM": "x", "MSI_": "", "MSI___": ""})
    assert r.settings.llm.spec == "local"
    assert len(r.warnings) == 5 and all("not an msi-agent setting" in w for w in r.warnings)
    assert any("MSI_LLM__SPECC" in w and "did you mean MSI_LLM__SPEC?" in w for w in r.warnings)


def test_cli_warns_once_about_an_unknown_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["config"], env={"MSI_FOO": "bar", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("MSI_FOO is not an msi-agent setting") == 1


def test_secret_is_masked(tmp_path: Path) -> None:
    r = resolve(cwd=tmp_path, environ={"MSI_LLM__API_KEY": "sk-very-secret"})
    shown = masked(r.settings)
    assert shown["llm.api_key"] == "***"
    assert "sk-very-secret" not in repr(r.settings)


@pytest.mark.parametrize(
    ("environ", "fragments"),
    [
        ({"MSI_LLM__TEMPERATURE": "hot"}, ["llm.temperature", "MSI_LLM__TEMPERATURE", "'hot'"]),
        ({"MSI_DISTILL__SELECTOR": "best"}, ["distill.selector", "'best'"]),
        ({"MSI_EVAL__BASELINES": '["none", "bogus"]'}, ["eval.baselines.1", "'bogus'", "MSI_EVAL__BASELINES)"]),
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


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("env", None),
        ("file", '[llm]\napi_key = ["sk-leak-me-1", "sk-leak-me-2"]\n'),
        ("file", "[llm]\napi_key = 424242\n"),
        ("file", '[llm]\napi_key = "sk-leak-me-3"\ntemperature = "hot"\n'),
        ("file", 'llm = "sk-leak-me-4"\n'),
    ],
)
def test_secrets_are_never_echoed_in_errors(tmp_path: Path, where: str, text: str | None) -> None:
    """The break: a malformed API key was printed back in the validation error."""
    if text is not None:
        _write(tmp_path, text)
    environ = {"MSI_LLM": "sk-leak-me-5", "MSI_LLM__TEMPERATURE": "hot"} if where == "env" else {}
    environ["MSI_LLM__API_KEY"] = environ.get("MSI_LLM__API_KEY", "sk-leak-me-6") if where == "env" else ""
    with pytest.raises(ConfigError) as info:
        resolve(cwd=tmp_path, environ={k: v for k, v in environ.items() if v})
    message = str(info.value)
    assert "leak-me" not in message and "424242" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("binary", "is not UTF-8 text"),
        ("folder", "is a folder"),
        ("nested", "msi.toml"),
    ],
)
def test_config_file_probes_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: str, fragment: str):
    """The break: a binary msi.toml or `--config` naming a folder ended in a traceback."""
    monkeypatch.chdir(tmp_path)
    args = ["config"]
    if setup == "binary":
        (tmp_path / "msi.toml").write_bytes(b"\xff\xfe\x00\x81binary\x00")
    elif setup == "folder":
        args = ["--config", str(tmp_path), "config"]
    else:
        (tmp_path / "msi.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_moved_settings_say_where_they_went(tmp_path: Path) -> None:
    r = resolve(cwd=tmp_path, environ={"MSI_ENV__MAX_STEPS": "9"})
    assert r.warnings == [
        "environment variable MSI_ENV__MAX_STEPS is not an msi-agent setting, ignored; the setting is now "
        "agent.max_steps (MSI_AGENT__MAX_STEPS)"
    ]
    _write(tmp_path, "[pipeline]\ninsight_selector = 'vector'\n")
    with pytest.raises(ConfigError, match=r"pipeline\.insight_selector: this setting is now eval\.insight_selector"):
        resolve(cwd=tmp_path, environ={})


def test_presets_sit_between_defaults_and_the_file(tmp_path: Path) -> None:
    """Built-in `quick`, a user preset in the workspace overriding a built-in, and msi.toml over both."""
    r = resolve(cwd=tmp_path, environ={}, preset="quick")
    assert (r.settings.pipeline.train_tasks, r.settings.agent.max_steps, r.settings.distill.max_tokens) == (4, 8, 256)
    assert r.sources["agent.max_steps"] == "preset quick" and r.sources["llm.spec"] == "default"
    _write(tmp_path, "[agent]\nmax_steps = 12\n")
    r = resolve(cwd=tmp_path, environ={}, preset="quick")
    assert r.settings.agent.max_steps == 12 and r.sources["agent.max_steps"].startswith("file ")
    workspace = tmp_path / "ws"
    (workspace / "presets").mkdir(parents=True)
    (workspace / "presets" / "quick.toml").write_text('[preset]\ndescription = "mine"\n[pipeline]\ntest_tasks = 3\n')
    r = resolve(cwd=tmp_path, environ={"MSI_WORKSPACE": str(workspace)}, preset="quick")
    assert r.settings.pipeline.test_tasks == 3 and r.settings.pipeline.train_tasks == 8  # the user's file wins whole
    r = resolve(cwd=tmp_path, environ={}, preset="quick", inherited=("run x", {"agent.examples": 0}))
    assert r.settings.agent.examples == 0 and r.sources["agent.examples"] == "run x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[agent]\nmax_steps = 0\n", "agent.max_steps: Input should be greater than 0, got 0 (set via preset bad"),
        ('workspace = "/elsewhere"\n', "sets workspace: a preset decides an experiment"),
        ("[preset]\ncolour = 1\n", "[preset] table takes description and reproduces (problem: colour)"),
        ("[agent\n", "is not valid TOML"),
    ],
)
def test_bad_presets_are_explained(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "bad.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        resolve(cwd=tmp_path, environ={"MSI_WORKSPACE": str(tmp_path)}, preset="bad")
    assert message in str(info.value)
    with pytest.raises(
        ConfigError, match=r"no preset 'nope' \(known: bad, paper-alfworld-dev, .*, quick\); write one as"
    ):
        resolve(cwd=tmp_path, environ={"MSI_WORKSPACE": str(tmp_path)}, preset="nope")


def test_cli_presets_and_config_show_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["presets"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert (
        "quick" in result.output
        and "built-in" in result.output
        and "the environment's default families" in result.output
    )
    result = CliRunner().invoke(app, ["config", "--preset", "quick"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") >= 4}
    assert "preset quick" in rows["agent.max_steps *"] and "256" in rows["distill.max_tokens"]
    for section in ("agent.examples *", "agent.act_only *", "distill.variant", "distill.seed_order", "eval.baselines"):
        assert section in rows
