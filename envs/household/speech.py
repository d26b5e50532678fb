"""How a person names household things in English: "butter knife", "a loaf of bread", "two potatoes".

Object types are THOR's CamelCase (``ButterKnife``); the family instructions write them glued and lower-case
(``butterknife``, ALFWorld's convention) and TEACh's definitions capitalised (``Make a slice of Bread.``).
``sentence`` turns any of these into a sentence a Commander would write, so dialogues never show a type name.
"""

from __future__ import annotations

import re
from functools import cache

from envs.household.catalog import SLICE_SOURCE
from envs.household.scenes import tables

_NAMES = {
    "CounterTop": "countertop",
    "SinkBasin": "sink",
    "BathtubBasin": "bathtub",
    "HousePlant": "houseplant",
    "ArmChair": "armchair",
    "TVStand": "TV stand",
    "EggCracked": "cracked egg",
    "BasketBall": "basketball",
    "CD": "CD",
}
_MASS = {"Bread": ("loaf", "loaves"), "Lettuce": ("head", "heads"), "ToiletPaper": ("roll", "rolls")}
"""Types counted by a unit: "a loaf of bread", "two heads of lettuce"."""

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def noun(object_type: str) -> str:
    """``ButterKnife`` → ``"butter knife"``, ``AppleSliced`` → ``"apple slice"``, ``Lamps`` → ``"lamp"``."""
    if object_type in _NAMES:
        return _NAMES[object_type]
    if object_type in SLICE_SOURCE:
        return noun(SLICE_SOURCE[object_type]) + " slice"
    if object_type == "Lamps":  # TEACh's class of desk and floor lamps
        return "lamp"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", object_type).lower()


def plural(object_type: str) -> str:
    """``Knife`` → ``"knives"``, ``Tomato`` → ``"tomatoes"``, ``Bread`` → ``"loaves of bread"``."""
    if object_type in _MASS:
        return f"{_MASS[object_type][1]} of {noun(object_type)}"
    return _plural_word(noun(object_type))


def _plural_word(name: str) -> str:
    if name.endswith("knife"):
        return name[:-2] + "ves"
    if re.search(r"(s|sh|ch|x|[^aeiou]o)$", name):
        return name + "es"
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    return name + "s"


def indefinite(object_type: str) -> str:
    """``Egg`` → ``"an egg"``, ``Bread`` → ``"a loaf of bread"``."""
    name = f"{_MASS[object_type][0]} of {noun(object_type)}" if object_type in _MASS else noun(object_type)
    return article(name)


def article(name: str) -> str:
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def count(n: int, object_type: str) -> str:
    """``(2, "Potato")`` → ``"two potatoes"``; one is ``indefinite``."""
    return indefinite(object_type) if n == 1 else f"{number(n)} {plural(object_type)}"


def number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


@cache
def _types() -> dict[str, str]:
    """Every spelling of a type that texts use (``CounterTop``, ``countertop``, ``Pots``, ``pots``), longest first,
    mapped to its English name or plural."""
    out: dict[str, str] = {}
    for t in tables().objects | set(SLICE_SOURCE):
        for spelling in (t, t.lower()):
            out[spelling], out[spelling + "s"] = noun(t), plural(t)
    out["Lamps"] = out["lamps"] = "lamps"
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@cache
def _type_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(map(re.escape, _types())) + r")\b")


def sentence(text: str) -> str:
    """``text`` with English names for types, counts written out and fixed articles, capitalised, ending in a full
    stop: ``"Cook 2 slice(s) of Potato and serve in a Bowl"`` → ``"Cook two slices of potato and serve in a bowl."``;
    ``"Boil Potato."`` → ``"Boil a potato."`` (a bare singular after a verb gets its article)."""
    text = re.sub(r"\b1 ((?:\w+ )?)slice\(s\)", r"one \1slice", text.strip())
    text = re.sub(r"\b(\d+) ((?:\w+ )?)slice\(s\)", lambda m: f"{number(int(m[1]))} {m[2]}slices", text)
    text = re.sub(r"^(\w+) ([A-Z]\w+)(?=\W*$)", lambda m: f"{m[1]} a {m[2]}", text)  # "Boil Potato."
    text = _type_pattern().sub(lambda m: _types()[m[1]], text)
    text = re.sub(r"\b([Aa]) (?=[aeiou])", r"\1n ", text)
    text = re.sub(r"\b([Aa])n (?=[^aeiou\W])", r"\1 ", text)
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
