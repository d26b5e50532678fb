"""Expert plans as HELPER-style programs: the example pool of the program executor.

``program_from_plan`` replays the expert's text commands on a private twin of the task's world and writes each
as a primitive call on ``InteractionObject`` variables (``mug.pickup_and_place(coffeemachine)``); walking and
opening are implied by the primitives and left out. A variable's constructor names the object's class, the class
of the receptacle it stood in/on when first used (its landmark) and ``"dirty"`` when it was dirty then, so the
program binds the same kind of object the expert used.
"""

from __future__ import annotations

from envs.backend import WorldInit
from envs.household.catalog import display_name
from envs.household.text import Command, TextLayer, Verb
from envs.household.world import HouseholdWorld


def program_from_plan(init: WorldInit, plan: list[str]) -> str:
    """The program that plays ``plan`` (text commands admissible in turn from ``init``)."""
    t = TextLayer(HouseholdWorld())
    t.reset(init)
    near = {o.object_id: o.near for o in init.objects if o.near}
    names: dict[str, str] = {}
    lines: list[str] = []
    pending: str | None = None  # a pickup() not yet written, merged with the next place()

    def obj(oid: str) -> dict:
        return next(o for o in t.metadata["objects"] if o["objectId"] == oid)

    def var(oid: str) -> str:
        if oid in names:
            return names[oid]
        o = obj(oid)
        stem = "target_" + display_name(o["objectType"]).replace(" ", "")
        taken = set(names.values())
        name = stem if stem not in taken else next(f"{stem}_{i}" for i in range(2, 99) if f"{stem}_{i}" not in taken)
        names[oid] = name
        args = [f'"{o["objectType"]}"']
        home = (o["parentReceptacles"] or [None])[-1] or near.get(oid)
        if home is not None and oid not in t.receptacles:
            args.append(f'landmark="{obj(home)["objectType"]}"')
        if o["isDirty"]:
            args.append('attributes=["dirty"]')
        lines.append(f"{name} = InteractionObject({', '.join(args)})")
        return name

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            lines.append(f"{var(pending)}.pickup()")
            pending = None

    for command in plan:
        cmd: Command | None = t._commands.get(t.normalize(command))  # same package; read only
        if cmd is None:
            raise ValueError(f"expert command {command!r} is not admissible at its turn; the plan does not fit init")
        if cmd.verb is Verb.TAKE:
            flush()
            var(cmd.obj)  # type: ignore[arg-type]
            pending = cmd.obj
        elif cmd.verb is Verb.MOVE:
            held, target = var(cmd.obj), var(cmd.target)  # type: ignore[arg-type]
            if pending == cmd.obj:
                lines.append(f"{held}.pickup_and_place({target})")
                pending = None
            else:
                flush()
                lines.append(f"{held}.place({target})")
        elif cmd.verb in _CALLS:
            flush()
            if cmd.verb is Verb.USE:
                word = "toggle_off" if obj(cmd.obj)["isToggled"] else "toggle_on"  # type: ignore[arg-type]
            else:
                word = _CALLS[cmd.verb]
            if cmd.verb is Verb.POUR:
                lines.append(f"{var(cmd.obj)}.pour({var(cmd.target)})")  # type: ignore[arg-type]
            else:
                lines.append(f"{var(cmd.obj)}.{word}()")  # type: ignore[arg-type]
        t.step(command)
    flush()
    return "\n".join(lines)


_CALLS = {
    Verb.USE: "toggle_on",
    Verb.HEAT: "cook",
    Verb.CLEAN: "clean",
    Verb.FILL: "fill_up",
    Verb.POUR: "pour",
    Verb.SLICE: "slice",
}
"""Text verbs that become one primitive call (go to, open, close, examine, look, inventory are implied or idle;
cool has no HELPER primitive and is left out — TEACh's families never cool)."""
