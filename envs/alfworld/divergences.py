"""Known, explained differences between the household simulator and the ALFWorld engine.

Each rule says why the engines differ (the same text is in ``docs/alfworld-crosscheck.md``) and recognizes its
cases from the situation at one step. The cross-check counts every difference a rule explains and reports the rest
as unexplained. Rules see names in ALFWorld's numbering.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Side = Literal["household", "alfworld"]
_LIST_ITEM = re.compile(r"(?:, )?a (floorlamp \d+)")


@dataclass(frozen=True, slots=True)
class Situation:
    """What the rules know of the game, in ALFWorld names. kinds: name → THOR type for every named entity."""

    kinds: dict[str, str]

    def kind(self, name: str) -> str:
        return self.kinds.get(name, name.rsplit(" ", 1)[0])


@dataclass(frozen=True, slots=True)
class Divergence:
    key: str
    reason: str
    command: Callable[[str, Side, Situation], bool] = lambda _c, _s, _x: False
    feedback: Callable[[str, str, str, Situation], bool] = lambda _c, _h, _a, _x: False


def _args(command: str) -> list[str]:
    """The entity names a command mentions ("take apple 1 from countertop 2" → apple 1, countertop 2)."""
    return re.findall(r"[a-z]+ \d+", command)


def _help(command: str, side: Side, _: Situation) -> bool:
    return side == "alfworld" and command == "help"


_EXTRA_VERBS = ("fill ", "pour ")
_MOVABLE = frozenset({"Bowl", "Box", "Cup", "Mug", "Pan", "Plate", "Pot"})
_LAMPS = frozenset({"DeskLamp", "FloorLamp"})


def _household_extension(command: str, side: Side, x: Situation) -> bool:
    if side != "household":
        return False
    args = _args(command)
    if command.startswith(_EXTRA_VERBS) or any(x.kind(a) == "Faucet" or a.startswith("faucet ") for a in args):
        return True
    if command.startswith("use ") and args and x.kind(args[0]) not in _LAMPS:
        return True
    return command.startswith("move ") and len(args) == 2 and x.kind(args[1]) in _MOVABLE


def _floor_lamp_listed(_command: str, household: str, alfworld: str, _: Situation) -> bool:
    if "floorlamp" not in alfworld:
        return False
    without = _LIST_ITEM.sub("", alfworld).replace("see , ", "see ").replace("see .", "see nothing.")
    return without == household


KNOWN: tuple[Divergence, ...] = (
    Divergence("help", "ALFWorld's grammar has a `help` command; the household simulator has none.", command=_help),
    Divergence(
        "household-extensions",
        "The household simulator has faucets, switchable appliances (`use microwave 1`), liquids (`fill`, `pour`) "
        "and nested containers (`move apple 1 to plate 1`) for the TEACh families and AI2-THOR fidelity; ALFWorld's "
        "domain has none of them (only lamps toggle, containers nest only in PDDL comments).",
        command=_household_extension,
    ),
    Divergence(
        "floor-lamp-listed",
        "A floor lamp stands next to a receptacle. ALFWorld can switch an object only when it is `inReceptacle` "
        "there, so generated games put the lamp in that receptacle and ALFWorld lists it among the contents; the "
        'household simulator shows it in `look` only ("Next to it, you see a floorlamp 1").',
        feedback=_floor_lamp_listed,
    ),
)
