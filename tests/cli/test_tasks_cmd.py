"""`msi-agent tasks families|sample`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from envs.tasks import TaskSpec, sample_tasks
from msi_agent.cli.main import app
from msi_agent.records import Split, Task

runner = CliRunner()


def test_families_lists_every_family_with_its_definition() -> None:
    result = runner.invoke(app, ["tasks", "families"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("pick_and_place_simple", "look_at_obj_in_light", "breakfast", "n_cooked_slices_of_x_in_y"):
        assert name in result.output
    assert "301 Breakfast" in result.output and "107 N Cooked Slices Of X In Y" in result.output


def test_sample_json_matches_python_api() -> None:
    spec = "families=toast,coffee;split=valid_seen;n=3;seed=1"
    result = runner.invoke(app, ["tasks", "sample", spec, "--json"])
    assert result.exit_code == 0, result.output
    tasks = [Task.model_validate(json.loads(line)) for line in result.output.splitlines()]
    expected = sample_tasks(TaskSpec(families=["toast", "coffee"], split=Split.VALID_SEEN, n=3, seed=1))
    assert [t.id for t in tasks] == [t.id for t in expected]
    assert [t.params for t in tasks] == [t.params for t in expected]


def test_sample_table_with_plan_lengths() -> None:
    result = runner.invoke(app, ["tasks", "sample", "families=toast;n=2;seed=3", "--plan"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Make a slice of toast." in result.output or "Toast a slice of bread." in result.output


def test_bad_spec_is_a_clean_error() -> None:
    result = runner.invoke(app, ["tasks", "sample", "families=juggling"], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "unknown families ['juggling']" in result.output and "Traceback" not in result.output
