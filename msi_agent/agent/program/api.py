"""What a program executor needs from an environment: its primitive API and a world to run primitives in.

msi_agent knows no household words: the environment names its primitives (with signatures and docs), the words
objects can be described by (``attributes``), and runs each primitive call itself, returning success or a
failure reason a model can act on. An environment offers programs with two methods (``SupportsPrograms``):
``program_world()`` for the episode it last reset, and ``program_of(task, plan)`` turning an expert plan into an
example program.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class PrimitiveSpec:
    """One method programs may call on an object: ``name(params...)`` — each param is another object."""

    name: str
    params: tuple[str, ...] = ()
    doc: str = ""

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.params)})"


@dataclass(frozen=True, slots=True)
class ProgramAPI:
    """The environment's vocabulary: primitives, the attribute words (constructor filters and ``check``), and
    the object classes a program may name (empty: any)."""

    primitives: tuple[PrimitiveSpec, ...]
    attributes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    def primitive(self, name: str) -> PrimitiveSpec | None:
        return next((p for p in self.primitives if p.name == name), None)

    def describe(self) -> str:
        """The API as the prompt shows it."""
        lines = [f"- obj.{p.signature}: {p.doc}" for p in self.primitives]
        lines.append('- obj.check("<attribute>"): True when the object has the attribute now (no action taken)')
        if self.attributes:
            lines.append(f"Attributes: {', '.join(self.attributes)}")
        if self.classes:
            lines.append(f"Object classes: {', '.join(self.classes)}")
        return "\n".join(lines)


@dataclass(eq=False, slots=True)
class Handle:
    """An ``InteractionObject``: a description (class, landmark, attributes) bound to one instance on first use.

    ``object_id`` is the environment's id once bound; the environment may rebind a handle whose object vanished
    (a loaf sliced into pieces)."""

    cls: str
    landmark: str | None = None
    attributes: tuple[str, ...] = ()
    object_id: str | None = None

    def __str__(self) -> str:
        return self.cls


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one primitive did: ``ok``, the feedback (on failure: the reason), whether the episode ended, and the
    environment's latest ``info`` (``won``, ``gc_satisfied``, ``gc_total``, ``steps``)."""

    ok: bool
    feedback: str
    done: bool = False
    info: dict[str, Any] = field(default_factory=dict)
    actions: int = 0
    """Environment commands the primitive issued."""


class ProgramWorld(Protocol):
    """One episode's world as programs see it."""

    @property
    def api(self) -> ProgramAPI: ...

    def call(self, primitive: str, target: Handle, args: Sequence[Handle], taken: Collection[str]) -> Outcome:
        """Run ``target.primitive(*args)``; ``taken`` are ids bound to other handles (choose others when binding)."""
        ...

    def check(self, target: Handle, attribute: str, taken: Collection[str]) -> bool | str:
        """Whether ``target`` has ``attribute`` now; a string is a failure reason (no such object)."""
        ...

    def find_all(self, cls: str, attributes: Sequence[str]) -> list[Handle]:
        """Handles bound to every object of ``cls`` having all ``attributes``, in a stable order."""
        ...

    def info(self) -> dict[str, Any]:
        """The environment's latest ``info``."""
        ...


@runtime_checkable
class SupportsPrograms(Protocol):
    def program_world(self) -> ProgramWorld:
        """The world of the episode last reset."""
        ...

    def program_of(self, task: Any, plan: list[str]) -> str:
        """An expert ``plan`` (the environment's commands from reset) written as a program, for examples."""
        ...


def supports_programs(env: object) -> bool:
    return isinstance(env, SupportsPrograms)
