"""Hostile and careless inputs to the CLI: each gets one line saying what was wrong, exit status 2, no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from msi_agent.cli import app
from msi_agent.pipeline.namespaces import writer_lock


def _one_error(result, fragment: str) -> None:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0], result.output


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"MSI_WORKSPACE": str(tmp_path / "ws"), "MSI_STORE__EMBEDDER": "hash", "COLUMNS": "100"}


def _good_line(i: int) -> str:
    return json.dumps({"id": f"ins-{i}", "text": f"Rule number {i}.", "scale": "general"})


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--store", "os:getcwd", "insights", "list"], "cannot be called as factory"),
        (["--store", "os:getcwd", "insights", "import", "good.jsonl"], "cannot be called as factory"),
        (["insights", "import", "."], "is a folder"),
        (["insights", "import", "nested.jsonl"], "line 1 nests too deeply"),
        (["insights", "import", "binary.jsonl"], "is not UTF-8 text"),
        (["insights", "import", "good.jsonl", "--ns", ""], "--ns is empty"),
        (["insights", "import", "good.jsonl", "--ns", "../x"], "namespace '../x' is not valid"),
        (["insights", "list", "--ns", ""], "--ns is empty"),
        (["insights", "export", "--ns", "default", "--out", "blocker/out.jsonl"], "choose a writable --out"),
        (["--workspace", "blocker/ws", "insights", "import", "good.jsonl"], "cannot open the insight store"),
        (["--workspace", "blocker/ws", "collect", "--train-tasks", "1"], "choose a writable --workspace"),
        (["--store", "memory", "distill", "--namespace", ""], "namespace '' is not valid"),
        (["--config", ".", "config"], "is a folder"),
        (["report", "x", "--out", "blocker/r"], "no run 'x'"),
    ],
)
def test_probe_is_one_line(env: dict[str, str], tmp_path: Path, args: list[str], fragment: str) -> None:
    (tmp_path / "blocker").write_text("a file where a folder is expected")
    (tmp_path / "good.jsonl").write_text(_good_line(1) + "\n")
    (tmp_path / "nested.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n")
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe\x00\x81")
    if args[:2] == ["insights", "export"]:  # export needs a store to read from
        assert CliRunner().invoke(app, ["insights", "import", "good.jsonl", "--ns", "default"], env=env).exit_code == 0
    _one_error(CliRunner().invoke(app, args, env=env), fragment)


def test_import_of_a_bad_id_imports_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """The break: 5,001 good lines and one bad id imported 5,001 lines, then a traceback. Ids are checked first."""
    bad_ids = ["x" * 100_000, "line\nbreak", "", "../up", "a b"]
    for n, bad in enumerate(bad_ids):
        lines = [_good_line(i) for i in range(30)]
        lines.insert(20, json.dumps({"id": bad, "text": "A rule.", "scale": "general"}))
        (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
        result = CliRunner().invoke(app, ["insights", "import", "in.jsonl", "--ns", f"ns{n}"], env=env)
        _one_error(result, "line 21")
        assert "insight id" in result.output and len(result.output) < 400  # the 100k id is not echoed whole
    listed = CliRunner().invoke(app, ["insights", "stats", "--ns", "ns0"], env=env)
    assert "total 0" in listed.output


def test_unknown_msi_variable_is_a_warning_not_an_error(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["config"], env=env | {"MSI_FOO": "1", "MSI_LLM__BASE_URL": "http://h/v1?a=1,2"})
    assert result.exit_code == 0, result.output
    assert "warning: environment variable MSI_FOO is not an msi-agent setting" in result.output
    assert "http://h/v1?a=1,2" in result.output


def test_secret_in_msi_toml_is_not_echoed(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "msi.toml").write_text('[llm]\napi_key = ["sk-secret-part-1", "sk-secret-part-2"]\n')
    result = CliRunner().invoke(app, ["config"], env=env)
    _one_error(result, "llm.api_key")
    assert "sk-secret" not in result.output


def test_a_writer_is_refused_while_another_holds_the_namespace(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "good.jsonl").write_text(_good_line(1) + "\n")
    with writer_lock(Path(env["MSI_WORKSPACE"]), "busy", holder="distill of run r"):
        result = CliRunner().invoke(app, ["insights", "import", "good.jsonl", "--ns", "busy"], env=env)
        _one_error(result, f"namespace 'busy' is being written by pid {os.getpid()} (distill of run r)")
    assert CliRunner().invoke(app, ["insights", "import", "good.jsonl", "--ns", "busy"], env=env).exit_code == 0


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "\x00\xff not json", "[1, 2]"])
def test_a_broken_manifest_is_one_line(env: dict[str, str], text: str) -> None:
    run = Path(env["MSI_WORKSPACE"]) / "runs" / "k"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text(text)
    result = CliRunner().invoke(app, ["--store", "memory", "collect", "--name", "k", "--train-tasks", "1"], env=env)
    _one_error(result, "manifest.json")
