"""The TextWorldExpress adapter: the env contract on all three games, TWX's folds as splits, the gold path as the
expert, one JVM per thread shared safely, and the CLI run that is its definition of done."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import envs
from envs.checker import check_env
from envs.textworld_express.jvm import unavailable_reason
from msi_agent.cli.main import app
from msi_agent.pipeline.suite import Suite
from msi_agent.records import Split

REASON = unavailable_reason()
pytestmark = [pytest.mark.twx, pytest.mark.skipif(REASON is not None, reason=REASON or "")]
PLAYER_DIR = Path(__file__).resolve().parents[1] / "pipeline"


@pytest.fixture(scope="module")
def suite() -> Suite:
    return Suite.from_registry("textworld-express")


def test_spec_names_games_as_the_environment_scale(suite: Suite) -> None:
    spec = envs.spec("textworld-express")
    assert (spec.scale, spec.family_names(), spec.default_families) == (
        "game",
        ["coin", "cookingworld", "twc"],
        ("coin",),
    )
    assert spec.categories == ("Coin Collector", "CookingWorld", "TextWorld Commonsense")


def test_contract_on_every_game_and_split(suite: Suite) -> None:
    tasks = [t for split in Split for t in suite.sample(split, 3, seed=1, families=[])]
    assert {t.family for t in tasks} == {"coin", "cookingworld", "twc"}
    check_env(suite.make_env(), tasks, twin=suite.make_env())


def test_splits_follow_the_folds_and_repeat_exactly(suite: Suite) -> None:
    train = suite.sample(Split.TRAIN, 8, seed=0, families=["coin"])
    seen = suite.sample(Split.VALID_SEEN, 8, seed=0, families=["coin"])
    unseen = suite.sample(Split.VALID_UNSEEN, 8, seed=0, families=["coin"])
    assert {t.params["fold"] for t in train + seen} == {"train"} and {t.params["fold"] for t in unseen} == {"test"}
    assert not {t.params["twx_seed"] for t in train} & {t.params["twx_seed"] for t in seen}
    assert suite.sample(Split.TRAIN, 8, seed=0, families=["coin"]) == train
    assert suite.sample(Split.TRAIN, 4, seed=0, families=["coin"]) == train[:4]
    with pytest.raises(ValueError, match=r"unknown task families \['zork'\]"):
        suite.sample(Split.TRAIN, 1, seed=0, families=["zork"])


def test_progress_is_the_score_and_the_expert_is_the_gold_path(suite: Suite) -> None:
    (task,) = suite.sample(Split.TRAIN, 1, seed=3, families=["cookingworld"])
    env = suite.make_env()
    first = env.reset(task)
    assert first.text.startswith(task.instruction) and first.info["gc_satisfied"] == 0 and first.info["gc_total"] > 1
    plan = env.expert_plan()
    env.step(plan[0])
    assert env.expert_plan() == plan[1:]  # the rest of the gold path while the episode follows it
    gained = []
    for command in plan[1:]:
        stepped = env.step(command)
        reward, done, info = stepped.reward, stepped.ended, stepped.info
        gained.append(info["gc_satisfied"])
    assert gained == sorted(gained) and info["won"] and done and reward == 1.0
    assert info["gc_satisfied"] == info["gc_total"]
    assert stepped.terminated and not stepped.truncated
    with pytest.raises(RuntimeError, match="the game is over"):
        env.step("look around")
    env.reset(task)
    env.step("inventory")
    with pytest.raises(LookupError, match="left TWX's gold path"):
        env.expert_plan()


def test_coin_expert_is_the_shortest_win_on_every_reset(suite: Suite) -> None:
    """TWX's own coin gold path is a fresh random walk per reset; ours must repeat and be no longer than any."""
    from textworld_express import TextWorldExpressEnv

    tasks = suite.sample(Split.TRAIN, 3, seed=0, families=["coin"])
    env = suite.make_env()
    plans = [[tuple(env.reset(t) and env.expert_plan()) for t in tasks] for _ in range(3)]
    assert plans[0] == plans[1] == plans[2]
    twx = TextWorldExpressEnv(envStepLimit=1000)
    for task, plan in zip(tasks, plans[0], strict=True):
        p = task.params
        for _ in range(4):
            twx.reset(seed=p["twx_seed"], gameFold=p["fold"], gameName="coin", gameParams=p["game_params"],
                      generateGoldPath=True)  # fmt: skip
            assert len(plan) <= len([c for c in twx.getGoldActionSequence() if c != "look around"])
        env.reset(task)
        for command in plan:
            last = env.step(command)
        assert last.info["won"]


@pytest.mark.parametrize("a_played_first", [1, 0], ids=["a-has-history", "a-only-reset"])
def test_instances_of_one_thread_share_its_jvm_and_interleave_safely(suite: Suite, a_played_first: int) -> None:
    a_task, b_task = suite.sample(Split.TRAIN, 2, seed=5, families=["twc"])
    a, b = suite.make_env(), suite.make_env()
    a.reset(a_task)
    a_plan = a.expert_plan()
    for command in a_plan[:a_played_first]:
        a.step(command)
    b.reset(b_task)  # moves the shared game to another task
    b.step(b.expert_plan()[0])
    for command in a_plan[a_played_first:]:
        stepped = a.step(command)  # a first replays its reset and its own history
        done, info = stepped.ended, stepped.info
    assert info["won"] and done
    jvms: list[object] = []

    def other_thread() -> None:
        env = suite.make_env()
        env.reset(a_task)
        jvms.append(env._game)

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert jvms[0] is not a._game and a._game is b._game  # one JVM per thread


@pytest.fixture
def player_importable() -> Iterator[None]:
    sys.path.insert(0, str(PLAYER_DIR))
    yield
    sys.path.remove(str(PLAYER_DIR))


def test_msi_agent_run_on_coin_completes_offline(tmp_path: Path, player_importable: None) -> None:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(tmp_path), "--store", "memory", "--llm", "twx_player:make_model",
         "run", "--env", "textworld-express", "--family", "coin", "--baselines", "none"],
        env={"MSI_STORE__EMBEDDER": "hash", "COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "| coin | msi-hashmap | 2 |" in result.output and "| coin | no-insights | 2 |" in result.output
    manifest = (tmp_path / "runs" / "default" / "manifest.json").read_text()
    assert '"name": "textworld-express"' in manifest and '"coin"' in manifest
