"""Seed orders: parsed from text, checked against the environment, and arranging seeds as written."""

from __future__ import annotations

import pytest

from msi_agent.experience.order import SeedOrderError, SeedOrdering
from msi_agent.experience.seeds import Seed
from msi_agent.records import Episode, Task

ROOMS = ("Kitchen", "LivingRoom", "Bedroom", "Bathroom")


def _seed(i: int, room: str, family: str) -> Seed:
    task = Task(id=f"t{i}", family=family, environment=room, scene="s", instruction=f"task {i}")
    return Seed(Episode(id=f"e{i}", task=task, success=True))


SEEDS = [_seed(i, ROOMS[i % 4], "heat" if i % 3 else "cool") for i in range(12)]


def test_parse_and_print_back() -> None:
    assert SeedOrdering.parse("shuffle") == SeedOrdering()
    assert SeedOrdering.parse(" given ").kind == "given"
    rooms = SeedOrdering.parse("rooms: Kitchen, LivingRoom,Bedroom")
    assert (rooms.kind, rooms.groups, str(rooms)) == ("categories", ("Kitchen", "LivingRoom", "Bedroom"), str(rooms))
    assert str(rooms) == "rooms:Kitchen,LivingRoom,Bedroom"
    assert SeedOrdering.parse("families:heat,cool").kind == "families"
    for bad in ("", "random", "rooms:", ":Kitchen", "rooms:Kitchen,Kitchen"):
        with pytest.raises(SeedOrderError, match="seed order"):
            SeedOrdering.parse(bad)


def test_groups_must_come_from_the_environment() -> None:
    SeedOrdering.parse("rooms:Bedroom,Kitchen").check(families=["heat"], categories=ROOMS, environment="household")
    with pytest.raises(SeedOrderError, match=r"\['Garage'\] are not categories of environment 'household'"):
        SeedOrdering.parse("rooms:Kitchen,Garage").check(families=[], categories=ROOMS, environment="household")
    with pytest.raises(SeedOrderError, match="are not task families"):
        SeedOrdering.parse("families:boil").check(families=["heat"], categories=ROOMS, environment="household")


def test_arrange_by_category_then_the_rest() -> None:
    got = SeedOrdering.parse("rooms:Bathroom,Kitchen").arrange(SEEDS)
    rooms = [str(s.success.task.environment) for s in got]
    assert rooms == ["Bathroom"] * 3 + ["Kitchen"] * 3 + ["LivingRoom", "Bedroom"] * 3
    assert [s.success.id for s in got[:3]] == ["e3", "e7", "e11"]  # given order inside a group
    families = [s.success.task.family for s in SeedOrdering.parse("families:cool").arrange(SEEDS)]
    assert families == ["cool"] * 4 + ["heat"] * 8
    assert SeedOrdering().arrange(SEEDS) == SEEDS == SeedOrdering("given").arrange(SEEDS)  # the generator shuffles
    assert SeedOrdering().shuffled and not SeedOrdering.parse("rooms:Kitchen").shuffled
