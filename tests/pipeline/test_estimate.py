"""Token estimates: measured on a small offline sample of the experiment, scaled to its task counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.config_sources import resolve
from msi_agent.pipeline.estimate import CHARS_PER_TOKEN, measure


def _settings(tmp_path: Path, train: int, test: int) -> object:
    flags = {"pipeline.train_tasks": train, "pipeline.test_tasks": test}
    return resolve(preset="paper-alfworld-dev", flags=flags, environ={}, cwd=tmp_path).settings


def test_measured_sizes_scale_with_the_task_counts(tmp_path: Path) -> None:
    small, large = measure(_settings(tmp_path, 8, 2)), measure(_settings(tmp_path, 16, 4))  # type: ignore[arg-type]
    for stage in ("collect", "distill", "eval"):
        assert small.calls[stage] > 0 and small.chars[stage] > small.calls[stage] * 200  # real prompts, not stubs
        assert large.calls[stage] == pytest.approx(2 * small.calls[stage])
        assert large.chars[stage] == pytest.approx(2 * small.chars[stage])
    tokens, how = small.tokens()
    assert tokens == round(sum(small.chars.values()) / CHARS_PER_TOKEN) and "characters per token" in how
    words, how = small.tokens(lambda text: len(text.split()))
    assert 0 < words < tokens and "tokenizer" in how  # a counter gives its own characters per token


def test_presets_lists_tables_task_counts_and_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["presets", "--model", "openai:gpt-4o"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") >= 6}
    for name in ("paper-teach", "paper-alfworld-dev", "paper-domain-shift", "paper-insight-selectors"):
        cells = [c.strip() for c in rows[name].split("│")]
        assert cells[5].replace(",", "").isdigit() and cells[6].replace(",", "").isdigit(), cells
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name, line in rows.items():  # the README's cost table is what this command prints (it budgets runs)
        if name.startswith("paper-"):
            cells = [c.strip() for c in line.split("│")]
            calls, tokens = cells[5], int(cells[6].replace(",", ""))
            documented = next(r for r in readme.splitlines() if r.startswith(f"| `{name}` |")).split("|")
            assert (documented[-3].strip(), documented[-2].strip()) == (calls, _millions(tokens)), name
    assert "Headline table, ALFWorld dev (20 tasks) row" in rows["paper-alfworld-dev"]
    assert "60 train, 10 seen + 10 unseen" in rows["paper-alfworld-dev"]
    assert "tokens for openai:gpt-4o" in result.output and "4 characters per token" in result.output


def _millions(tokens: int) -> str:
    """How the README writes a token count: 0.69 M, 1.22 M."""
    return f"{tokens / 1e6:.2f} M"


def test_real_engines_are_measured_on_the_built_in_simulator(tmp_path: Path) -> None:
    flags = {"pipeline.train_tasks": 4, "pipeline.test_tasks": 1, "env.name": "ai2thor"}
    settings = resolve(preset="paper-alfworld-dev", flags=flags, environ={}, cwd=tmp_path).settings
    measured = measure(settings)  # no Unity build is launched, nothing is downloaded
    assert measured.calls["collect"] > 0 and measured.chars["eval"] > 0
