"""ALFRED's name mangling and ALFWorld's display names, in pure Python (no alfworld import).

PDDL identifiers cannot hold ``|``, ``+``, ``-``, ``.`` or ``,``; ALFRED spells them out (``Cabinet|+00.68|...`` →
``Cabinet_bar__plus_00_dot_68...``) and the planner lower-cases everything. ALFWorld then shows each entity as
``<type> <n>``: it sorts the lower-cased mangled ids, counts them per type and hands out numbers from the top, so
the *first* id in sorted order gets the *highest* number. Any simulator that wants its "cabinet 3" to be ALFWorld's
"cabinet 3" must number the same way; :func:`display_names` is that rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from envs.household.scenes import place

_MANGLE = (("-", "_minus_"), ("|", "_bar_"), ("+", "_plus_"), (".", "_dot_"), (",", "_comma_"))


def mangle(object_id: str) -> str:
    """A THOR objectId as a PDDL identifier (ALFRED's scheme), e.g. ``Apple|+00.10|...`` → ``Apple_bar__plus_00...``."""
    for plain, spelled in _MANGLE:
        object_id = object_id.replace(plain, spelled)
    return object_id


def demangle(identifier: str) -> str:
    """The inverse of :func:`mangle` (case is not restored: the planner lower-cases identifiers)."""
    for plain, spelled in reversed(_MANGLE):
        identifier = identifier.replace(spelled, plain)
    return identifier


def location_id(pose: Sequence[float]) -> str:
    """ALFRED's location for an interaction pose ``(x, z, rotation°, horizon°)``: a 0.25 m grid cell, a quarter turn."""
    return mangle("loc|" + "|".join(str(n) for n in place(pose)))


def _type_name(identifier: str) -> str:
    head = identifier.split("_bar_", 1)[0]
    # ALFWorld's Demangler appends "basin" to ids that contain it: Sink|...|SinkBasin reads "sinkbasin".
    return head + "basin" if "basin" in identifier else head


def display_names(object_ids: Iterable[str]) -> dict[str, str]:
    """ALFWorld's display name (``"cabinet 3"``) for each THOR objectId, numbered exactly as ALFWorld numbers them."""
    ids = {object_id: mangle(object_id).lower() for object_id in object_ids}
    ordered = sorted(ids.items(), key=lambda item: item[1])
    remaining = Counter(_type_name(identifier) for _, identifier in ordered)
    names: dict[str, str] = {}
    for object_id, identifier in ordered:
        kind = _type_name(identifier)
        names[object_id] = f"{kind} {remaining[kind]}"
        remaining[kind] -= 1
    return names
