"""The interpreter over a small in-test world: subgoals in order, loops and conditions, the first failure stops the
program, variables outlive a program, and the step budget ends a long one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import pytest

from msi_agent.agent.program.api import Handle, Outcome, PrimitiveSpec, ProgramAPI
from msi_agent.agent.program.interpreter import Interpreter
from msi_agent.agent.program.language import parse


class Shelf:
    """Three mugs (two dirty) the program can wash; ``pickup`` of a second object fails: one hand."""

    api = ProgramAPI((PrimitiveSpec("pickup"), PrimitiveSpec("clean"), PrimitiveSpec("give", ("to",))), ("dirty",))

    def __init__(self) -> None:
        self.dirty = {"mug-1": True, "mug-2": False, "mug-3": True}
        self.held: str | None = None
        self.calls: list[str] = []

    def _bind(self, h: Handle, taken: Collection[str]) -> str:
        if h.object_id is None:
            h.object_id = next(m for m in sorted(self.dirty) if m not in taken)
        return h.object_id

    def call(self, primitive: str, target: Handle, args: Sequence[Handle], taken: Collection[str]) -> Outcome:
        oid = self._bind(target, taken)
        self.calls.append(f"{primitive} {oid}")
        if primitive == "pickup":
            if self.held not in (None, oid):
                return Outcome(False, "hands are full")
            self.held = oid
        elif primitive == "clean":
            self.dirty[oid] = False
        return Outcome(True, f"{primitive} ok", info={"won": not any(self.dirty.values())})

    def check(self, target: Handle, attribute: str, taken: Collection[str]) -> bool | str:
        return self.dirty[self._bind(target, taken)]

    def find_all(self, cls: str, attributes: Sequence[str]) -> list[Handle]:
        return [Handle(cls, object_id=m) for m in sorted(self.dirty) if self.dirty[m] or "dirty" not in attributes]

    def info(self) -> dict[str, Any]:
        return {"won": not any(self.dirty.values())}


def test_loops_and_conditions_yield_one_subgoal_per_primitive_call() -> None:
    world = Shelf()
    source = 'for m in find_all("Mug"):\n    if m.check("dirty"):\n        m.clean()\n'
    subgoals = list(Interpreter(world).run(parse(source, world.api)))
    assert [(s.line, s.text, s.outcome.ok) for s in subgoals] == [(3, "m.clean()", True), (3, "m.clean()", True)]
    assert world.calls == ["clean mug-1", "clean mug-3"]


def test_the_first_failed_subgoal_stops_the_program_and_variables_persist() -> None:
    world = Shelf()
    interpreter = Interpreter(world)
    source = 'a = InteractionObject("Mug")\nb = InteractionObject("Mug")\na.pickup()\nb.pickup()\na.clean()\n'
    subgoals = list(interpreter.run(parse(source, world.api)))
    assert [(s.line, s.outcome.ok, s.outcome.feedback) for s in subgoals] == [
        (3, True, "pickup ok"),
        (4, False, "hands are full"),
    ]
    assert world.calls == ["pickup mug-1", "pickup mug-2"]  # b avoided a's mug; a.clean() never ran
    again = list(interpreter.run(parse("a.clean()\nb.give(a)\n", world.api)))
    assert [s.outcome.ok for s in again] == [True, True] and world.calls[-2:] == ["clean mug-1", "give mug-2"]


def test_an_unknown_variable_fails_its_line_with_a_reason() -> None:
    world = Shelf()
    [failed] = Interpreter(world).run(parse("knife.pickup()\n", world.api))
    assert not failed.outcome.ok and failed.line == 1
    assert failed.outcome.feedback == "knife is not defined yet; create it with knife = InteractionObject(...)"
    assert world.calls == []


def test_the_step_budget_ends_a_long_program() -> None:
    world = Shelf()
    source = 'm = InteractionObject("Mug")\nfor i in range(20):\n    for j in range(20):\n        m.clean()\n'
    subgoals = list(Interpreter(world, budget=50).run(parse(source, world.api)))
    assert not subgoals[-1].outcome.ok and "more than 50 steps" in subgoals[-1].outcome.feedback
    assert len(world.calls) < 50


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="budget must be >= 1"):
        Interpreter(Shelf(), budget=0)
