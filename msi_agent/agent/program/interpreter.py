"""Run a checked ``Program`` statement by statement over a ``ProgramWorld``, one subgoal (primitive call) at a time.

``run`` is a generator of ``Subgoal`` records and stops at the first failed one: a primitive's failure reason, a
variable used before it was set, or the step budget running out (every statement and loop turn costs a step, so
even a program that passed the checks cannot run long). The interpreter walks the syntax tree itself; it never
calls ``exec``, ``eval`` or ``compile``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from msi_agent.agent.program.api import Handle, Outcome, ProgramWorld
from msi_agent.agent.program.language import CHECK, CONSTRUCTOR, FIND_ALL, Program

DEFAULT_BUDGET = 500
"""Statements and loop turns one program may execute."""


@dataclass(frozen=True, slots=True)
class Subgoal:
    """One executed line: its number in the program, its text, and what happened."""

    line: int
    text: str
    outcome: Outcome


class _Stop(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line, self.reason = line, reason


class Interpreter:
    """Holds the object variables across programs of one episode, so a correction can reuse them."""

    def __init__(self, world: ProgramWorld, *, budget: int = DEFAULT_BUDGET) -> None:
        if budget < 1:
            raise ValueError(f"budget must be >= 1, got {budget}")
        self.world, self.budget = world, budget
        self.variables: dict[str, Handle | int] = {}
        self.last: Subgoal | None = None

    def run(self, program: Program) -> Iterator[Subgoal]:
        """Yield each subgoal; the last one yielded failed, or the episode ended, or the program ran out."""
        self._program, self._steps = program, 0
        try:
            yield from self._block(program.tree.body)
        except _Halt:
            return
        except _Stop as stop:
            failed = Subgoal(stop.line, program.line(stop.line), Outcome(False, stop.reason, info=self.world.info()))
            self.last = failed
            yield failed

    # ------------------------------------------------------------------ statements
    def _block(self, body: list[ast.stmt]) -> Iterator[Subgoal]:
        for node in body:
            self._tick(node.lineno)
            if isinstance(node, ast.Assign):
                name = node.targets[0].id  # type: ignore[attr-defined]
                value = node.value
                if isinstance(value, ast.Name):
                    self.variables[name] = self._object(value.id, node.lineno)
                else:
                    self.variables[name] = self._construct(value)  # type: ignore[arg-type]
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                subgoal = self._call(node.value)
                self.last = subgoal
                yield subgoal
                if not subgoal.outcome.ok or subgoal.outcome.done:
                    raise _Halt
            elif isinstance(node, ast.For):
                var = node.target.id  # type: ignore[attr-defined]
                for item in self._iterate(node.iter):
                    self._tick(node.lineno)
                    self.variables[var] = item
                    yield from self._block(node.body)
            elif isinstance(node, ast.If):
                yield from self._block(node.body if self._test(node.test) else node.orelse)

    def _tick(self, line: int) -> None:
        self._steps += 1
        if self._steps > self.budget:
            raise _Stop(line, f"the program ran more than {self.budget} steps; write a shorter program")

    # ------------------------------------------------------------------ expressions
    def _construct(self, call: ast.Call) -> Handle:
        args: dict[str, ast.expr] = dict(zip(("object_class", "landmark", "attributes"), call.args, strict=False))
        args |= {k.arg: k.value for k in call.keywords if k.arg}
        landmark = args.get("landmark")
        attributes = args.get("attributes")
        return Handle(
            cls=args["object_class"].value,  # type: ignore[attr-defined]
            landmark=landmark.value if isinstance(landmark, ast.Constant) else None,
            attributes=tuple(e.value for e in attributes.elts) if attributes is not None else (),  # type: ignore[attr-defined]
        )

    def _object(self, name: str, line: int) -> Handle:
        value = self.variables.get(name)
        if not isinstance(value, Handle):
            why = "is not defined yet" if value is None else "is a loop counter, not an object"
            raise _Stop(line, f"{name} {why}; create it with {name} = {CONSTRUCTOR}(...)")
        return value

    def _taken(self, *mine: Handle) -> set[str]:
        return {
            v.object_id
            for v in self.variables.values()
            if isinstance(v, Handle) and v.object_id and all(v is not m for m in mine)
        }

    def _call(self, call: ast.Call) -> Subgoal:
        line = call.lineno
        func: ast.Attribute = call.func  # type: ignore[assignment]
        target = self._object(func.value.id, line)  # type: ignore[attr-defined]
        args = [self._object(a.id, line) for a in call.args]  # type: ignore[attr-defined]
        outcome = self.world.call(func.attr, target, args, self._taken(target))
        return Subgoal(line, self._program.line(line), outcome)

    def _iterate(self, node: ast.expr) -> list[Handle] | range:
        call: ast.Call = node  # type: ignore[assignment]
        if call.func.id == "range":  # type: ignore[attr-defined]
            return range(call.args[0].value)  # type: ignore[attr-defined]
        attributes = next((k.value for k in call.keywords), None)
        words = [e.value for e in attributes.elts] if attributes is not None else []  # type: ignore[attr-defined]
        assert call.func.id == FIND_ALL  # type: ignore[attr-defined]
        return self.world.find_all(call.args[0].value, words)  # type: ignore[attr-defined]

    def _test(self, node: ast.expr) -> bool:
        if isinstance(node, ast.BoolOp):
            values = (self._test(v) for v in node.values)
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp):
            return not self._test(node.operand)
        if isinstance(node, ast.Constant):
            return bool(node.value)
        call: ast.Call = node  # type: ignore[assignment]
        assert call.func.attr == CHECK  # type: ignore[attr-defined]
        target = self._object(call.func.value.id, node.lineno)  # type: ignore[attr-defined]
        answer = self.world.check(target, call.args[0].value, self._taken(target))  # type: ignore[attr-defined]
        if isinstance(answer, str):
            raise _Stop(node.lineno, answer)
        return answer


class _Halt(Exception):
    """Internal: a subgoal failed or ended the episode; ``run`` stops after yielding it."""
