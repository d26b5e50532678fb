"""`msi-agent tasks families|sample` on the household, on TextWorldExpress, and on an environment of a test."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import pytest
from typer.testing import CliRunner

import envs
from envs.core import Observation
from envs.registration import registry
from envs.tasks import TaskSpec, sample_tasks
from envs.textworld_express.jvm import unavailable_reason
from msi_agent.cli.main import app
from msi_agent.pipeline.suite import Suite
from msi_agent.records import Split, Task

runner = CliRunner()
WIDE = {"COLUMNS": "250"}
NO_TWX = unavailable_reason()


def test_families_lists_every_family_with_its_definition() -> None:
    result = runner.invoke(app, ["tasks", "families"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("pick_and_place_simple", "look_at_obj_in_light", "breakfast", "n_cooked_slices_of_x_in_y"):
        assert name in result.output
    assert "301 Breakfast" in result.output and "107 N Cooked Slices Of X In Y" in result.output
    header = next(line for line in result.output.splitlines() if "family" in line)
    assert [w for w in ("source", "definition", "rooms", "max steps") if w in header] == [
        "source", "definition", "rooms", "max steps"
    ]  # fmt: skip


def test_sample_json_matches_python_api() -> None:
    spec = "families=toast,coffee;split=valid_seen;n=3;seed=1"
    result = runner.invoke(app, ["tasks", "sample", spec, "--json"])
    assert result.exit_code == 0, result.output
    tasks = [Task.model_validate(json.loads(line)) for line in result.output.splitlines()]
    expected = sample_tasks(TaskSpec(families=["toast", "coffee"], split=Split.VALID_SEEN, n=3, seed=1))
    assert [t.id for t in tasks] == [t.id for t in expected]
    assert [t.params for t in tasks] == [t.params for t in expected]


def test_sample_table_with_plan_lengths() -> None:
    result = runner.invoke(app, ["tasks", "sample", "families=toast;n=2;seed=3", "--plan"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Make a slice of toast." in result.output or "Toast a slice of bread." in result.output
    assert "room type" in result.output and "plan" in result.output


def test_room_filter_keeps_working() -> None:
    result = runner.invoke(app, ["tasks", "sample", "environments=Bathroom;n=4;seed=2", "--json"])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["environment"] for line in result.output.splitlines()} == {"Bathroom"}


@pytest.mark.parametrize(("spec", "message"), [
    ("families=juggling", "unknown task families ['juggling'] for environment 'household'; known: "),
    ("colour=red", "unknown key 'colour'"),
    ("categories=Garage", "unknown room type ['Garage']"),
    ("families=coffee;categories=Bedroom", "cannot occur in rooms ['Bedroom']"),
])  # fmt: skip
def test_bad_spec_is_a_clean_error(spec: str, message: str) -> None:
    result = runner.invoke(app, ["tasks", "sample", spec], env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_unknown_environment_is_a_clean_error() -> None:
    result = runner.invoke(app, ["tasks", "families", "--env", "holodeck"], env={"COLUMNS": "400"})
    assert result.exit_code == 2 and "unknown environment 'holodeck'; available: " in result.output


class Buttons:
    """Press the button as many times as the task says: the smallest environment with an expert."""

    def reset(self, task: Task) -> Observation:
        self.left = int(task.params["presses"])
        return self.step("look")

    def step(self, command: str) -> Observation:
        self.left -= command == "press" and self.left > 0
        won = self.left == 0
        return Observation("Click.", ["press", "look"], {"won": won, "gc_satisfied": int(won), "gc_total": 1},
                           reward=float(won), terminated=won)  # fmt: skip

    def expert_plan(self) -> list[str]:
        return ["press"] * self.left

    def close(self) -> None:
        pass


def _buttons(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
    names = list(families) or ["press_few", "press_many"]
    return [
        Task(
            id=f"buttons-{split.value}-{seed}-{i}",
            family=names[i % len(names)],
            environment="Panel",
            scene="panel",
            instruction=f"press the button {seed + i + 1} times",
            split=split,
            seed=seed,
            params={"presses": seed + i + 1},
        )
        for i in range(count)
    ]


BUTTONS = envs.EnvSpec(name="test-buttons", entry_point=Buttons, sampler=lambda **_: _buttons,
                       families=("press_few", "press_many"), scale="panel", categories=("Panel",))  # fmt: skip


@pytest.fixture
def buttons() -> Iterator[str]:
    """An environment registered by this test: no family details, no category filter."""
    envs.register(BUTTONS)
    yield BUTTONS.name
    registry._entries.pop(BUTTONS.name, None)


def test_an_environment_without_family_details_lists_its_families(buttons: str) -> None:
    result = runner.invoke(app, ["tasks", "families", "--env", buttons], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "test-buttons: 2 families" in result.output
    assert "press_few" in result.output and "press_many" in result.output


def test_sample_on_an_environment_of_a_test(buttons: str) -> None:
    result = runner.invoke(
        app, ["--env", buttons, "tasks", "sample", "n=3;seed=5;split=valid_seen", "--plan"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "buttons-valid_seen-5-" in line]
    assert [row.split("│")[-2].strip() for row in rows] == ["6", "7", "8"]  # the plan column: the expert's presses
    assert "panel" in result.output and "press the button 7 times" in result.output
    refused = runner.invoke(app, ["tasks", "sample", "categories=Panel", "--env", buttons])
    assert refused.exit_code == 2 and "environment 'test-buttons' cannot sample by panel" in refused.output


def _twx(args: Sequence[str]) -> str:
    result = runner.invoke(app, [*args, "--env", "textworld-express"], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.twx
@pytest.mark.skipif(NO_TWX is not None, reason=NO_TWX or "")
def test_families_of_textworld_express_show_games_and_parameters() -> None:
    out = _twx(["tasks", "families"])
    assert "textworld-express: 3 families" in out and "parameters" in out
    for family, game in (
        ("coin", "Coin Collector"),
        ("cookingworld", "CookingWorld"),
        ("twc", "TextWorld Commonsense"),
    ):
        assert family in out and game in out
    assert "numLocations=4,numDistractorItems=0,includeDoors=0" in out


@pytest.mark.twx
@pytest.mark.skipif(NO_TWX is not None, reason=NO_TWX or "")
def test_sample_textworld_express_matches_its_suite_and_plans() -> None:
    lines = _twx(["tasks", "sample", "families=coin,twc;split=valid_unseen;n=2;seed=3", "--json"]).splitlines()
    tasks = [Task.model_validate(json.loads(line)) for line in lines]
    expected = Suite.from_registry("textworld-express").sample(Split.VALID_UNSEEN, 2, seed=3, families=["coin", "twc"])
    assert [t.id for t in tasks] == [t.id for t in expected] and [t.family for t in tasks] == ["coin", "twc"]
    suite = Suite.from_registry("textworld-express")
    coin = suite.sample(Split.TRAIN, 1, seed=3, families=["coin"])[0]
    env = suite.make_env()
    try:
        env.reset(coin)
        length = len(env.expert_plan())
    finally:
        env.close()
    table = _twx(["tasks", "sample", "families=coin;n=1;seed=3", "--plan"])
    row = next(line for line in table.splitlines() if coin.id in line)
    assert "Coin Collector" in row and "find the coin" in row and row.split("│")[-2].strip() == str(length)
    assert "game" in table
