"""The experience pool stores whole episodes durably and answers queries by every indexed field."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from msi_agent.experience.pool import ExperiencePool, PoolError
from msi_agent.records import Episode, Source, Split, Step, Task, TokenUsage


def _episode(
    task_id: str,
    *,
    success: bool,
    family: str = "pick_and_place_simple",
    env: str = "Kitchen",
    source: Source = Source.AGENT,
    llm: str = "m1",
    split: Split = Split.TRAIN,
    ep_id: str | None = None,
) -> Episode:
    task = Task(
        id=task_id, family=family, environment=env, scene="FloorPlan1", instruction=f"do {task_id} 50%_x", split=split
    )
    kwargs = {"id": ep_id} if ep_id else {}
    return Episode(
        task=task,
        success=success,
        gc_satisfied=1 if success else 0,
        gc_total=1,
        source=source,
        llm=llm,
        steps=[Step(thought="t", action="look", observation="You see a table.")],
        usage=TokenUsage(prompt_tokens=10, completion_tokens=2, calls=1),
        failure_reason=None if success else "step limit",
        **kwargs,
    )


def test_round_trip_and_queries(tmp_path: Path) -> None:
    with ExperiencePool.in_workspace(tmp_path) as pool:
        eps = [
            _episode("a", success=True),
            _episode("b", success=False, family="look_at_obj_in_light", env="Bedroom"),
            _episode("c", success=True, source=Source.EXPERT, llm="expert", split=Split.VALID_SEEN),
        ]
        pool.add_many(eps, run="r1")
        assert len(pool) == 3
        assert pool.get(eps[1].id) == eps[1]
        assert [e.id for e in pool.query(success=True)] == sorted([eps[0].id, eps[2].id], key=[e.id for e in eps].index)
        assert pool.query(family="look_at_obj_in_light") == [eps[1]]
        assert pool.query(environment="Bedroom") == [eps[1]]
        assert pool.query(source=Source.EXPERT, split="valid_seen") == [eps[2]]
        assert pool.query(llm="m1", success=False) == [eps[1]]
        assert pool.count(run="r1") == 3 and pool.count(run="other") == 0
        assert pool.query(instruction_contains="50%_x", task_id="a") == [eps[0]]
        assert pool.query(instruction_contains="%") == eps  # LIKE wildcards are escaped, '%' is literal
        assert len(pool.query(limit=2)) == 2


def test_re_adding_an_episode_replaces_it(tmp_path: Path) -> None:
    pool = ExperiencePool(tmp_path / "p.sqlite")
    ep = _episode("a", success=False, ep_id="fixed")
    pool.add(ep)
    pool.add(ep.model_copy(update={"success": True, "gc_satisfied": 1}))
    assert len(pool) == 1 and pool.get("fixed").success
    pool.close()
    assert ExperiencePool(tmp_path / "p.sqlite").get("fixed").success  # durable across reopen


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    pool = ExperiencePool(tmp_path / "p.sqlite")
    with pytest.raises(KeyError, match="no episode 'zz'"):
        pool.get("zz")
    with pytest.raises(TypeError, match="unknown pool filter"):
        pool.count(colour="red")
    pool.close()
    db = sqlite3.connect(tmp_path / "p.sqlite")
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(PoolError, match="schema 99"):
        ExperiencePool(tmp_path / "p.sqlite")


def test_threads_write_through_one_pool_and_another_process_reads(tmp_path: Path) -> None:
    pool = ExperiencePool(tmp_path / "p.sqlite")
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(lambda i: pool.add(_episode(f"t{i}", success=i % 2 == 0)), range(40)))
    other = ExperiencePool(tmp_path / "p.sqlite")  # a second connection sees every committed row
    assert len(other) == 40 and other.count(success=True) == 20
