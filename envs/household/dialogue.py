"""Commander–Driver dialogues for TEACh tasks, generated from the task's goal (TEACh's TfD input, arXiv 2110.00534).

A dialogue opens with a greeting, the Commander's request (the family's instruction), the details the goal
needs (``Family.goal_details``: the TEACh definition's descriptions, or the goal conditions, in words), and the
Driver asking where the objects it needs are, answered with the receptacles that hold them in the initial
arrangement. Wording, order and who speaks first come from the
task's seeded random stream, so a task's dialogue is the same on every machine and differs between seeds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from envs.backend import WorldInit
from envs.household.catalog import KNIVES, display_name

COMMANDER, DRIVER = "Commander", "Driver"
Turn = list[str]
"""``[speaker, utterance]`` (JSON-friendly; stored in ``Task.params["dialogue"]``)."""

_GREETINGS = ("Hello, what should I do today?", "Hi! What is my task?", "Hello. How can I help?", "Hi, ready to work.")
_OPENERS = ("", "Hi. ", "Hello! ", "Today ")
_DETAIL = ("It is done when {}.", "Make sure that {}.", "What matters: {}.")
_ASK = ("Where is the {}?", "Where can I find a {}?", "Do you know where the {} is?")
_ANSWER = ("The {} is {}.", "You can find the {} {}.", "Check {2}: the {0} is there.")
_CLOSE = ("Okay, on it.", "Got it.", "Thanks, starting now.")


def dialogue(instruction: str, details: Sequence[str], init: WorldInit, rng: random.Random) -> list[Turn]:
    """The dialogue of a task whose goal ``details`` say what it needs over ``init``; ``rng`` is the task's own
    stream."""
    turns: list[Turn] = []
    if rng.random() < 0.6:
        turns.append([DRIVER, rng.choice(_GREETINGS)])
    request = instruction[0].lower() + instruction[1:] if rng.random() < 0.5 else instruction
    opener = rng.choice(_OPENERS)
    turns.append([COMMANDER, f"{opener}{request}" if opener.strip() != "Today" else f"Today, {request}"])
    if details:
        turns.append([COMMANDER, rng.choice(_DETAIL).format("; ".join(details))])
    for kind in _needed(instruction, details, init):
        where = _where(kind, init)
        if not where:
            continue
        name = display_name(kind)
        turns.append([DRIVER, rng.choice(_ASK).format(name)])
        template = rng.choice(_ANSWER)
        turns.append([COMMANDER, template.format(name, where, where.split(" ", 1)[-1])])
    turns.append([DRIVER, rng.choice(_CLOSE)])
    return turns


def _needed(instruction: str, details: Sequence[str], init: WorldInit) -> list[str]:
    """Object types of the arrangement that the request or the goal names (and a knife when slicing is asked)."""
    text = " ".join([instruction, *details]).lower()
    kinds = sorted({o.object_type for o in init.objects if o.parent is not None})
    wanted = [k for k in kinds if re.search(rf"\b{display_name(k)}s?\b", text) and k not in KNIVES]
    if "slice" in text:
        wanted += [k for k in kinds if k in KNIVES][:1]
    return wanted


def _where(kind: str, init: WorldInit) -> str:
    """``"in the cabinet"`` / ``"on the countertop"``: the receptacle type of the first object of ``kind``."""
    by_id = {o.object_id: o for o in init.objects}
    first = next((o for o in init.objects if o.object_type == kind and o.parent), None)
    if first is None or first.parent is None:
        return ""
    parent = first.parent
    while parent in by_id and by_id[parent].parent:  # inside a plate or a pot: name the receptacle under it
        parent = by_id[parent].parent  # type: ignore[assignment]
    rtype = parent.split("|")[0]
    word = "in" if rtype in _CONTAINERS else "on"
    return f"{word} the {display_name(rtype)}"


_CONTAINERS = frozenset(
    {"Cabinet", "Drawer", "Fridge", "Microwave", "SinkBasin", "BathtubBasin", "GarbageCan", "Box", "Safe", "Toaster"}
)
