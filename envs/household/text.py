"""``TextLayer``: ALFWorld's text interface over any ``envs.backend.WorldBackend``.

Commands (ALFWorld's, with ALFWorld's feedback wording): ``go to R``, ``open R``, ``close R``, ``take O from R``,
``move O to R`` (also accepted: ``put O in R`` / ``put O on R``), ``use O`` (toggle), ``heat O with R``,
``cool O with R``, ``clean O with R``, ``slice O with K``, ``examine X``, ``inventory``, ``look``; and for the
TEACh families ``fill O with R`` (water from a sink basin), ``pour O into X`` and the switch aliases
``turn on X`` / ``turn off X`` / ``toggle X`` (accepted, not listed: ``use X`` is the admissible form).
Names are numbered per type ("apple 1", "cabinet 3"). As in ALFWorld, receptacles whose interaction poses share
ALFRED's location (``scenes.place``: a drawer stack, shelves, a bathtub by a sink) are one place: after ``go to``
one of them, commands on all of them are admissible and ``go to`` between them is not. ``examine`` applies to the
receptacles here and to the held object, as ALFWorld offers it. Each command becomes one or a few THOR actions on the
backend (heat = open, put, close, toggle on, toggle off, open, pick up — as ALFWorld does on AI2-THOR).

The admissible commands are computed after every step; a command is run by looking it up there, so an unknown,
malformed or impossible command changes nothing and answers ``"Nothing happens."`` — it never raises.
Another backend plugs in by passing it to ``TextLayer(backend)``; receptacles come from the shared scene data.

One module of ~480 lines on purpose: ALFWorld's grammar, the admissible-command builder and the command runner
share one naming table and one per-step cache, and must change together when the wording does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from envs.backend import Metadata, WorldBackend, WorldInit
from envs.core import NOTHING_HAPPENS
from envs.household import catalog
from envs.household.catalog import FIXED_TYPES, KNIVES, affordances, display_name
from envs.household.scenes import Place, Receptacle, scene

MAX_COMMAND_CHARS = 200
_SPACES = re.compile(r"\s+")
_PUT = re.compile(r"^put (.+?) (?:in|on|into|onto|in/on) (.+)$")
_SWITCH = re.compile(r"^(?:turn|switch) (on|off) (.+)$|^toggle (.+)$")


class Verb(Enum):
    GOTO = "go to"
    OPEN = "open"
    CLOSE = "close"
    TAKE = "take"
    MOVE = "move"
    USE = "use"
    HEAT = "heat"
    COOL = "cool"
    CLEAN = "clean"
    SLICE = "slice"
    FILL = "fill"
    POUR = "pour"
    EXAMINE = "examine"
    INVENTORY = "inventory"
    LOOK = "look"


@dataclass(frozen=True, slots=True)
class Command:
    verb: Verb
    obj: str | None = None  # objectId
    target: str | None = None  # objectId


@dataclass(frozen=True, slots=True)
class StepResult:
    feedback: str
    changed: bool  # whether the world or the agent's place may have changed
    ok: bool
    moved_only: bool = False  # the agent only walked: object states are as before


def _listing(names: list[str]) -> str:
    if not names:
        return "nothing"
    items = [f"a {n}" for n in names]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + ", and " + items[-1]


class TextLayer:
    """Text commands in, ALFWorld-style feedback out, over a THOR-shaped world backend."""

    def __init__(self, backend: WorldBackend) -> None:
        self.backend = backend
        self._receptacles: dict[str, Receptacle] = {}
        self._names: dict[str, str] = {}  # objectId -> "apple 1"
        self._counters: dict[str, int] = {}
        self._index: dict[str, Mapping[str, Any]] = {}
        self._index_key: tuple[int, int] = (0, 0)
        self._goto: dict[str, Command] = {}
        self._goto_text: dict[str, str] = {}
        self._mates: dict[str, tuple[str, ...]] = {}  # receptacle -> the receptacles at its place, in name order
        self._loose: list[str] = []  # objects that stood in no receptacle when last indexed (faucets, floor lamps)
        self.location: str | None = None
        self.admissible: list[str] = []
        self._commands: dict[str, Command] = {}

    # ------------------------------------------------------------------ episode
    def reset(self, init: WorldInit) -> str:
        """Arrange the world as ``init``; returns the opening description (no task line)."""
        sc = scene(init.scene)
        self.backend.reset(init.scene, init=init)
        self._receptacles, self._names, self._counters = {}, {}, {}
        for r in sc.receptacles:
            self._receptacles[r.object_id] = r
            self._name(r.object_id, r.type)
        order = sorted(self._receptacles, key=self._sort_key)
        self._receptacles = {r: self._receptacles[r] for r in order}
        self._goto = {f"go to {self._names[r]}": Command(Verb.GOTO, target=r) for r in order}
        self._goto_text = {r: f"go to {self._names[r]}" for r in order}
        at_place: dict[Place, list[str]] = {}
        for r in order:
            at_place.setdefault(self._receptacles[r].place, []).append(r)
        self._mates = {r: tuple(at_place[self._receptacles[r].place]) for r in order}
        self._index_key = (0, 0)
        self.location = None
        self._refresh()
        return self._look()

    @property
    def metadata(self) -> Metadata:
        return self.backend.metadata

    @property
    def receptacles(self) -> Mapping[str, Receptacle]:
        """The scene's static receptacles by objectId, in name order ("cabinet 1", "cabinet 2", …)."""
        return self._receptacles

    @property
    def here(self) -> tuple[str, ...]:
        """The receptacles in reach: all those at the place of ``location`` (none before the first ``go to``)."""
        return self._mates[self.location] if self.location is not None else ()

    def name(self, object_id: str) -> str:
        return self._names[object_id]

    def object_id(self, name: str) -> str | None:
        return next((oid for oid, n in self._names.items() if n == name), None)

    @property
    def held(self) -> str | None:
        inv = self.backend.metadata["inventoryObjects"]
        return inv[0]["objectId"] if inv else None

    def normalize(self, command: str) -> str:
        text = _SPACES.sub(" ", command.strip().lower())
        text = text.removesuffix(".")
        m = _PUT.match(text)
        if m:
            text = f"move {m.group(1)} to {m.group(2)}"
        return text

    def step(self, command: str) -> StepResult:
        if not isinstance(command, str) or len(command) > MAX_COMMAND_CHARS:
            return StepResult(NOTHING_HAPPENS, False, False)
        text = self.normalize(command)
        cmd = self._commands.get(text) or self._switch(text)
        if cmd is None:
            return StepResult(NOTHING_HAPPENS, False, False)
        result = self._run(cmd)
        if result.changed:
            self._refresh()
        return result

    def _switch(self, text: str) -> Command | None:
        """TEACh/HELPER-style "turn on X", "turn off X", "toggle X": ``use X`` when it changes X as asked."""
        m = _SWITCH.match(text)
        if m is None:
            return None
        cmd = self._commands.get(f"use {m.group(2) or m.group(3)}")
        if cmd is None or (m.group(1) is not None and (m.group(1) == "on") == self._index[cmd.obj]["isToggled"]):
            return None
        return cmd

    # ------------------------------------------------------------------ naming and indexing
    def _name(self, object_id: str, object_type: str) -> str:
        stem = display_name(object_type)
        n = self._counters.get(stem, 0) + 1
        self._counters[stem] = n
        self._names[object_id] = f"{stem} {n}"
        return self._names[object_id]

    def _sort_key(self, object_id: str) -> tuple[str, int]:
        stem, _, number = self._names[object_id].rpartition(" ")
        return stem, int(number)

    def _refresh(self) -> None:
        self._reindex()
        self._build_admissible()

    def _reindex(self) -> None:
        """Re-read the backend's object list when it is a new one (always, for a backend that copies)."""
        objects = self.backend.metadata["objects"]
        key = (id(objects), len(objects))
        if key != self._index_key:
            self._index = {o["objectId"]: o for o in objects}
            for o in objects:
                oid = o["objectId"]
                if oid not in self._names and (o["pickupable"] or o["objectType"] in FIXED_TYPES):
                    self._name(oid, o["objectType"])
            self._loose = [o["objectId"] for o in objects if not o["parentReceptacles"] and self._shown(o["objectId"])]
            self._index_key = key

    def _shown(self, oid: str) -> bool:
        return oid in self._names and oid not in self._receptacles

    def _contents(self, container: Mapping[str, Any]) -> list[str]:
        """Objects in ``container`` and, nested, in open movable receptacles inside it (in order)."""
        out: list[str] = []
        for oid in container["receptacleObjectIds"] or ():
            if not self._shown(oid):
                continue
            out.append(oid)
            inner = self._index[oid]
            if inner["receptacleObjectIds"] and not (inner["openable"] and not inner["isOpen"]):
                out.extend(self._contents(inner))
        return out

    def _accessible(self, recep: Mapping[str, Any]) -> bool:
        return not recep["openable"] or recep["isOpen"]

    def _nearby(self) -> list[str]:
        """Objects standing next to the current receptacle, in no receptacle (a faucet, a floor lamp)."""
        index = self._index
        return [
            oid
            for oid in self._loose
            if oid in index
            and index[oid]["visible"]
            and not index[oid]["parentReceptacles"]
            and not index[oid]["isPickedUp"]
        ]

    # ------------------------------------------------------------------ admissible commands
    def _build_admissible(self) -> None:
        names = self._names
        loc, held = self.location, self.held
        cmds = dict(self._goto)
        if loc is not None:
            for rid in self._mates[loc]:
                del cmds[self._goto_text[rid]]
                self._receptacle_commands(cmds, rid, held)
                if self._accessible(self._index[rid]):
                    for oid in self._contents(self._index[rid]):
                        self._object_commands(cmds, oid, rid, held)
            for oid in self._nearby():
                self._object_commands(cmds, oid, None, held)
        if held is not None:
            cmds[f"examine {names[held]}"] = Command(Verb.EXAMINE, obj=held)
        cmds["inventory"] = Command(Verb.INVENTORY)
        cmds["look"] = Command(Verb.LOOK)
        self._commands = cmds
        self.admissible = list(cmds)

    def _object_commands(self, cmds: dict[str, Command], oid: str, rid: str | None, held: str | None) -> None:
        """Commands on an object in sight: in receptacle ``rid`` here, or standing by (``rid`` None)."""
        names, o = self._names, self._index[oid]
        oname = names[oid]
        if held is None:
            if rid is not None and o["pickupable"] and o["parentReceptacles"]:
                cmds[f"take {oname} from {names[rid]}"] = Command(Verb.TAKE, obj=oid, target=rid)
        else:
            h, hname = self._index[held], names[held]
            if h["objectType"] in KNIVES and o["sliceable"] and not o["isSliced"]:
                cmds[f"slice {oname} with {hname}"] = Command(Verb.SLICE, obj=oid, target=held)
            if (
                o["receptacle"]
                and catalog.accepts(o["objectType"], h["objectType"])
                and not (o["openable"] and not o["isOpen"])
                and len(o["receptacleObjectIds"] or ()) < catalog.CAPACITY.get(o["objectType"], 1 << 30)
            ):
                cmds[f"move {hname} to {oname}"] = Command(Verb.MOVE, obj=held, target=oid)
            if h["isFilledWithLiquid"] and o["canFillWithLiquid"] and not o["isFilledWithLiquid"]:
                cmds[f"pour {hname} into {oname}"] = Command(Verb.POUR, obj=held, target=oid)
        if o["toggleable"]:
            cmds[f"use {oname}"] = Command(Verb.USE, obj=oid)

    def _receptacle_commands(self, cmds: dict[str, Command], rid: str, held: str | None) -> None:
        """Commands on the static receptacle ``rid`` at the agent's place (and the held object with it)."""
        names, recep = self._names, self._index[rid]
        rname, rtype = names[rid], recep["objectType"]
        if recep["openable"]:
            verb = Verb.CLOSE if recep["isOpen"] else Verb.OPEN
            cmds[f"{verb.value} {rname}"] = Command(verb, target=rid)
        cmds[f"examine {rname}"] = Command(Verb.EXAMINE, target=rid)
        if recep["toggleable"]:
            cmds[f"use {rname}"] = Command(Verb.USE, obj=rid)
        if held is None:
            return
        h, hname = self._index[held], names[held]
        a = affordances(h["objectType"])
        ok_put = catalog.accepts(rtype, h["objectType"])
        room = len(recep["receptacleObjectIds"] or ()) < catalog.CAPACITY.get(rtype, 1 << 30)
        if ok_put and room and self._accessible(recep):
            cmds[f"move {hname} to {rname}"] = Command(Verb.MOVE, obj=held, target=rid)
        if rtype == "Microwave" and a.heatable and ok_put:
            cmds[f"heat {hname} with {rname}"] = Command(Verb.HEAT, obj=held, target=rid)
        elif rtype == "Fridge" and a.coolable and ok_put:
            cmds[f"cool {hname} with {rname}"] = Command(Verb.COOL, obj=held, target=rid)
        elif rtype == "SinkBasin" and ok_put and self._faucet(rid) is not None:
            if a.dirtyable:
                cmds[f"clean {hname} with {rname}"] = Command(Verb.CLEAN, obj=held, target=rid)
            if a.fillable and not h["receptacleObjectIds"]:
                cmds[f"fill {hname} with {rname}"] = Command(Verb.FILL, obj=held, target=rid)

    def _faucet(self, basin: str) -> str | None:
        return next((oid for oid in self._nearby() if self._index[oid]["objectType"] == "Faucet"), None)

    # ------------------------------------------------------------------ execution
    def _act(self, action: str, **args: Any) -> bool:
        meta = self.backend.step({"action": action, **args})
        return bool(meta["lastActionSuccess"])

    def _run(self, cmd: Command) -> StepResult:
        handler = _HANDLERS[cmd.verb]
        feedback = handler(self, cmd)
        if feedback is None:
            return StepResult(NOTHING_HAPPENS, True, False)
        return StepResult(feedback, cmd.verb not in _READ_ONLY, True, moved_only=cmd.verb is Verb.GOTO)

    def _do_goto(self, cmd: Command) -> str | None:
        r = self._receptacles[cmd.target]  # type: ignore[index]
        x, z, rot, horizon = r.pose
        if not self._act("TeleportFull", x=x, y=0.9, z=z, rotation=rot, horizon=horizon, standing=True):
            return None
        self.location = r.object_id
        self._reindex()
        return f"You arrive at {self._names[r.object_id]}. {self._describe(r.object_id)}"

    def _describe(self, rid: str) -> str:
        recep = self._index[rid]
        name = self._names[rid]
        items = _listing([self._names[o] for o in self._contents(recep)])
        if recep["openable"]:
            return f"The {name} is open. In it, you see {items}." if recep["isOpen"] else f"The {name} is closed."
        return f"On the {name}, you see {items}."

    def _do_open(self, cmd: Command) -> str | None:
        if not self._act("OpenObject", objectId=cmd.target):
            return None
        self._reindex()
        return f"You open the {self._names[cmd.target]}. {self._describe(cmd.target)}"  # type: ignore[index]

    def _do_close(self, cmd: Command) -> str | None:
        return f"You close the {self._names[cmd.target]}." if self._act("CloseObject", objectId=cmd.target) else None  # type: ignore[index]

    def _do_take(self, cmd: Command) -> str | None:
        if not self._act("PickupObject", objectId=cmd.obj):
            return None
        return f"You pick up the {self._names[cmd.obj]} from the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_move(self, cmd: Command) -> str | None:
        if not self._act("PutObject", objectId=cmd.target):
            return None
        return f"You move the {self._names[cmd.obj]} to the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_use(self, cmd: Command) -> str | None:
        on = not self._index[cmd.obj]["isToggled"]  # type: ignore[index]
        if not self._act("ToggleObjectOn" if on else "ToggleObjectOff", objectId=cmd.obj):
            return None
        return f"You turn {'on' if on else 'off'} the {self._names[cmd.obj]}."  # type: ignore[index]

    def _macro(self, steps: list[tuple[str, dict[str, Any]]]) -> bool:
        return all(self._act(action, **args) for action, args in steps)

    def _do_heat(self, cmd: Command) -> str | None:
        return self._through_appliance(cmd, "heat", toggle=True)

    def _do_cool(self, cmd: Command) -> str | None:
        return self._through_appliance(cmd, "cool", toggle=False)

    def _through_appliance(self, cmd: Command, verb: str, *, toggle: bool) -> str | None:
        """ALFWorld's heat/cool macro: open, put in, close, (switch on and off), open, take out, restore the door."""
        app, obj = cmd.target, cmd.obj
        was_open = self._index[app]["isOpen"]  # type: ignore[index]
        steps: list[tuple[str, dict[str, Any]]] = [] if was_open else [("OpenObject", {"objectId": app})]
        steps += [("PutObject", {"objectId": app}), ("CloseObject", {"objectId": app})]
        if toggle and not self._index[app]["isToggled"]:  # one already running heats as its door closes
            steps += [("ToggleObjectOn", {"objectId": app}), ("ToggleObjectOff", {"objectId": app})]
        steps += [("OpenObject", {"objectId": app}), ("PickupObject", {"objectId": obj})]
        if not was_open:
            steps.append(("CloseObject", {"objectId": app}))
        if not self._macro(steps):
            return None
        return f"You {verb} the {self._names[obj]} using the {self._names[app]}."  # type: ignore[index]

    def _through_faucet(self, cmd: Command) -> bool:
        faucet = self._faucet(cmd.target)  # type: ignore[arg-type]
        if faucet is None:
            return False
        steps: list[tuple[str, dict[str, Any]]] = [("PutObject", {"objectId": cmd.target})]
        if self._index[faucet]["isToggled"]:
            steps.append(("ToggleObjectOff", {"objectId": faucet}))
        steps += [
            ("ToggleObjectOn", {"objectId": faucet}),
            ("ToggleObjectOff", {"objectId": faucet}),
            ("PickupObject", {"objectId": cmd.obj}),
        ]
        return self._macro(steps)

    def _do_clean(self, cmd: Command) -> str | None:
        was_filled = self._index[cmd.obj]["isFilledWithLiquid"]  # type: ignore[index]
        if not self._through_faucet(cmd):
            return None
        self._reindex()  # a backend that copies its metadata answered with new object dicts
        if not was_filled and self._index[cmd.obj]["isFilledWithLiquid"]:  # type: ignore[index]
            self._act("EmptyLiquidFromObject", objectId=cmd.obj)  # shake the rinse water out
        return f"You clean the {self._names[cmd.obj]} using the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_fill(self, cmd: Command) -> str | None:
        if not self._through_faucet(cmd):
            return None
        return f"You fill the {self._names[cmd.obj]} with water using the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_pour(self, cmd: Command) -> str | None:
        liquid = self._index[cmd.obj]["fillLiquid"]  # type: ignore[index]
        if not self._macro(
            [
                ("FillObjectWithLiquid", {"objectId": cmd.target, "fillLiquid": liquid}),
                ("EmptyLiquidFromObject", {"objectId": cmd.obj}),
            ]
        ):
            return None
        return f"You pour the {liquid} from the {self._names[cmd.obj]} into the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_slice(self, cmd: Command) -> str | None:
        name = self._names[cmd.obj]  # type: ignore[index]
        if not self._act("SliceObject", objectId=cmd.obj):
            return None
        return f"You sliced the {name} with the {self._names[cmd.target]}."  # type: ignore[index]

    def _do_examine(self, cmd: Command) -> str | None:
        if cmd.target is not None:
            return self._describe(cmd.target)
        return self._examine_object(cmd.obj)  # type: ignore[arg-type]

    def _examine_object(self, oid: str) -> str:
        o, name = self._index[oid], self._names[oid]
        if o["receptacle"] and not o["openable"]:
            return f"This is a normal {name}. In it, you see {_listing([self._names[i] for i in self._contents(o)])}."
        if o["toggleable"]:
            return f"This {name} is {'on' if o['isToggled'] else 'off'}."
        words = []
        if o["ObjectTemperature"] == "Hot":
            words.append("hot")
        elif o["ObjectTemperature"] == "Cold":
            words.append("cool")
        if o["dirtyable"]:
            words.append("dirty" if o["isDirty"] else "clean")
        if o["isCooked"]:
            words.append("cooked")
        liquid = f" It is filled with {o['fillLiquid']}." if o["isFilledWithLiquid"] else ""
        if not words:
            return f"There's nothing special about {name}.{liquid}"
        return f"This is a {' and '.join(words)} {name}.{liquid}"

    def _do_inventory(self, cmd: Command) -> str | None:
        held = self.held
        return f"You are carrying: a {self._names[held]}." if held else "You are not carrying anything."

    def _do_look(self, cmd: Command) -> str | None:
        return self._look()

    def _look(self) -> str:
        if self.location is None:
            return (
                "You are in the middle of a room. Looking quickly around you, you see "
                f"{_listing([self._names[r] for r in self._receptacles])}."
            )
        near = _listing([self._names[o] for o in self._nearby()])
        return f"You are facing the {self._names[self.location]}. Next to it, you see {near}."


_READ_ONLY = frozenset({Verb.EXAMINE, Verb.INVENTORY, Verb.LOOK})
_HANDLERS = {
    Verb.GOTO: TextLayer._do_goto, Verb.OPEN: TextLayer._do_open, Verb.CLOSE: TextLayer._do_close,
    Verb.TAKE: TextLayer._do_take, Verb.MOVE: TextLayer._do_move, Verb.USE: TextLayer._do_use,
    Verb.HEAT: TextLayer._do_heat, Verb.COOL: TextLayer._do_cool, Verb.CLEAN: TextLayer._do_clean,
    Verb.SLICE: TextLayer._do_slice, Verb.FILL: TextLayer._do_fill, Verb.POUR: TextLayer._do_pour,
    Verb.EXAMINE: TextLayer._do_examine, Verb.INVENTORY: TextLayer._do_inventory, Verb.LOOK: TextLayer._do_look,
}  # fmt: skip
