"""Commander–Driver dialogues for TEACh tasks, generated from the task's goal (TEACh's TfD input, arXiv 2110.00534).

A dialogue opens with an optional greeting from the Driver, the Commander's request (the family's instruction in
plain English), the details the goal needs (``Family.goal_details``: the TEACh definition's descriptions as
sentences, leaving out those the request already says), and where the objects the goal needs are: the Driver asks
about each one (or about all at once) and the Commander answers with the receptacles that hold them in the initial
arrangement — every instance when the goal counts all of them. Wording, order and who speaks first come from the
task's seeded random stream, so a task's dialogue is the same on every machine and differs between seeds.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from envs.backend import ObjectInit, WorldInit
from envs.household.goals import type_of_id
from envs.household.speech import count, indefinite, noun, plural, sentence
from envs.teach.properties import object_classes

COMMANDER, DRIVER = "Commander", "Driver"
Turn = list[str]
"""``[speaker, utterance]`` (JSON-friendly; stored in ``Task.params["dialogue"]``)."""

_GREETINGS = ("Hello, what should I do today?", "Hi! What is my task?", "Hello. How can I help?", "Hi, ready to work.")
_OPENERS = ("{R}", "Hi. {R}", "Hello! {R}", "Today, {r}", "We need to {r}")
_DETAILS = ("{}", "Here is what it takes. {}", "Here are the details. {}")
_ASK = ("Where is the {n}?", "Where can I find {a}?", "Do you know where the {n} is?")
_ASK_ALL = ("Where are the {p}?", "Where can I find the {p}?")
_ASK_EVERYTHING = ("Where can I find what I need?", "Where are the things I need?")
_ANSWER = ("The {n} is {w}.", "There is {a} {w}.", "You will find {a} {w}.")
_UNKNOWN = "I am not sure where {a} is; please look around."
_CLOSE = ("Okay, on it.", "Got it.", "Thanks, starting now.", "Great, I will get started.")

_CONTAINERS = frozenset(
    {"Cabinet", "Drawer", "Fridge", "Microwave", "SinkBasin", "BathtubBasin", "GarbageCan", "Box", "Safe", "Toaster",
     "Sink", "Bowl", "Pot", "Cup", "Mug", "Kettle", "CoffeeMachine", "LaundryHamper"}
)  # fmt: skip
_FILLER = frozenset({"the", "and", "all", "any", "one", "needs", "need", "with"})


def dialogue(
    instruction: str, details: Sequence[str], wanted: Mapping[str, bool], init: WorldInit, rng: random.Random
) -> list[Turn]:
    """The dialogue of a task requested by ``instruction``, whose goal ``details`` say what it asks and ``wanted``
    names the object types it needs over ``init`` (True: every instance counts); ``rng`` is the task's own
    stream."""
    turns: list[Turn] = []
    if rng.random() < 0.6:
        turns.append([DRIVER, rng.choice(_GREETINGS)])
    request = sentence(instruction)
    openers = [o for o in _OPENERS if not (request.startswith("Please") and o.startswith("We"))]
    turns.append([COMMANDER, rng.choice(openers).format(R=request, r=request[0].lower() + request[1:])])
    new = [d for d in details if not _said(d, request)]
    if new:
        turns.append([COMMANDER, rng.choice(_DETAILS).format(" ".join(new))])
    if rng.random() < 0.3 and len(wanted) > 1:
        turns.append([DRIVER, rng.choice(_ASK_EVERYTHING)])
        turns.append([COMMANDER, _all_at_once(wanted, init, rng)])
    else:
        for kind, every in wanted.items():
            ask = rng.choice(_ASK_ALL if every else _ASK)
            turns.append([DRIVER, ask.format(n=noun(kind), a=indefinite(kind), p=plural(kind))])
            turns.append([COMMANDER, _answer(kind, every, init, rng)])
    turns.append([DRIVER, rng.choice(_CLOSE)])
    return turns


def _said(detail: str, request: str) -> bool:
    """True when every content word of ``detail`` is already in ``request`` ("Water the plant." after "Please
    water the houseplant.")."""
    words = {w for w in re.findall(r"[a-z]+", detail.lower()) if len(w) > 2 and w not in _FILLER}
    return all(w in request.lower() for w in words)


def _all_at_once(wanted: Mapping[str, bool], init: WorldInit, rng: random.Random) -> str:
    """Where everything ``wanted`` is, in one turn; single objects that share a place are said together ("The
    bread and the knife are on the countertop.")."""
    said: dict[str, list[str]] = {}  # a place → the single objects there; a whole answer → []
    for kind, every in wanted.items():
        first = _instances(kind, init)[:1]
        where = _place(first[0], init) if first and not every else ""
        if where:
            said.setdefault(where, []).append(first[0].object_type)
        else:
            said[_answer(kind, every, init, rng)] = []
    out = []
    for where, kinds in said.items():
        if len(kinds) == 1:
            out.append(rng.choice(_ANSWER).format(n=noun(kinds[0]), a=indefinite(kinds[0]), w=where))
        elif kinds:
            names = [f"the {noun(k)}" for k in kinds]
            listed = f"{', '.join(names[:-1])} and {names[-1]}"
            out.append(f"{listed[0].upper()}{listed[1:]} are {where}.")
        else:
            out.append(where)
    return " ".join(out)


def _instances(kind: str, init: WorldInit) -> list[ObjectInit]:
    """The objects of ``kind``: a type, or a TEACh class such as ``Lamps`` (desk and floor lamps)."""
    return [o for o in init.objects if kind in object_classes(o.object_type)]


def _answer(kind: str, every: bool, init: WorldInit, rng: random.Random) -> str:
    """Where the objects of ``kind`` are: the first one, or all of them when ``every``, each named by its own type
    ("a desk lamp on the desk and a floor lamp next to the sofa")."""
    found = _instances(kind, init)
    groups = Counter((o.object_type, p) for o in (found if every else found[:1]) if (p := _place(o, init)))
    if not groups:
        return _UNKNOWN.format(a=indefinite(kind))
    if sum(groups.values()) == 1:
        ((one, where),) = groups
        return rng.choice(_ANSWER).format(n=noun(one), a=indefinite(one), w=where)
    parts = [f"{count(n, t)} {where}" for (t, where), n in groups.items()]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"There {'is' if listed.startswith('a') else 'are'} {listed}."


def _place(obj: ObjectInit, init: WorldInit) -> str:
    """``"in the cabinet"``, ``"on the plate on the countertop"``, ``"next to the sofa"``; "" when unknown."""
    if obj.parent is None:
        return f"next to the {noun(type_of_id(obj.near))}" if obj.near else ""
    holder = next((o for o in init.objects if o.object_id == obj.parent), None)
    rtype = type_of_id(obj.parent)
    where = f"{'in' if rtype in _CONTAINERS else 'on'} the {noun(rtype)}"
    return f"{where} {_place(holder, init)}".rstrip() if holder is not None else where
