"""Cross-check machinery: name translation, listing normalization, divergence rules, unexplained differences.

Real instances run in tests/envs/test_alfworld_cli.py (2) and test_alfworld_crosscheck_full.py (200)."""

from __future__ import annotations

from envs.alfworld import crosscheck as cc
from envs.alfworld.divergences import KNOWN, Situation
from envs.core import Observation

RULES = {r.key: r for r in KNOWN}
KINDS = {"cabinet 1": "Cabinet", "cabinet 2": "Cabinet", "apple 1": "Apple", "plate 1": "Plate",
         "microwave 1": "Microwave", "desklamp 1": "DeskLamp", "countertop 1": "CounterTop"}  # fmt: skip


def names() -> cc._Names:
    return cc._Names(to_a={"cabinet 1": "cabinet 2", "cabinet 2": "cabinet 1"},
                     from_a={"cabinet 2": "cabinet 1", "cabinet 1": "cabinet 2"},
                     situation=Situation(kinds=KINDS))  # fmt: skip


def obs(text: str, *admissible: str) -> Observation:
    return Observation(text, list(admissible), {"won": False, "gc_satisfied": 0, "gc_total": 1})


def test_translate_swaps_names_once() -> None:
    assert cc.translate("take apple 1 from cabinet 1 to cabinet 2", names().to_a) == \
        "take apple 1 from cabinet 2 to cabinet 1"  # fmt: skip


def test_normalize_sorts_listings_only() -> None:
    text = "On the countertop 1, you see a mug 1, a apple 2, and a bread 1.  You  wait."
    assert cc.normalize(text) == "On the countertop 1, you see a apple 2, a bread 1, a mug 1. You wait."
    assert cc.normalize("Next to it, you see a b 1 and a a 1") == "Next to it, you see a a 1, a b 1"


def test_rules_recognize_their_cases_only() -> None:
    at_counter = Situation(kinds=KINDS)
    assert RULES["help"].command("help", "alfworld", at_counter)
    assert not RULES["help"].command("help", "household", at_counter)
    ext = RULES["household-extensions"].command
    assert ext("use microwave 1", "household", at_counter) and ext("move apple 1 to plate 1", "household", at_counter)
    assert ext("use faucet 1", "household", at_counter) and ext("fill mug 1 with sinkbasin 1", "household", at_counter)
    assert not ext("use desklamp 1", "household", at_counter)
    assert not ext("move apple 1 to countertop 1", "household", at_counter)
    lamp = RULES["floor-lamp-listed"].feedback
    sofa = "On the sofa 1, you see "
    assert lamp("go to sofa 1", sofa + "a pillow 1.", sofa + "a floorlamp 1, a pillow 1.", at_counter)
    assert lamp("go to sofa 1", "On the sofa 1, you see nothing.", "On the sofa 1, you see a floorlamp 1.", at_counter)
    assert not lamp("go to sofa 1", "On the sofa 1, you see nothing.",
                    "On the sofa 1, you see a floorlamp 1, a pillow 1.", at_counter)  # fmt: skip
    assert set(RULES) == {"help", "household-extensions", "floor-lamp-listed"}


def test_explained_differences_are_counted_and_others_reported() -> None:
    n = names()
    household = obs("You open the cabinet 1. The cabinet 1 is open. In it, you see a apple 1, and a plate 1.",
                    "close cabinet 1", "use microwave 1")  # fmt: skip
    alfworld = obs("You open the cabinet 2. The cabinet 2 is open. In it, you see a plate 1, and a apple 1.",
                   "close cabinet 2", "help")  # fmt: skip
    assert cc._compare(1, "open cabinet 2", household, alfworld, n) == []
    assert n.known == {"help": 1, "household-extensions": 1}
    wrong = obs("You open the cabinet 1. The cabinet 1 is open. In it, you see a apple 1.", "close cabinet 1")
    right = obs(alfworld.text, "close cabinet 2", "take apple 1 from cabinet 2")
    found = cc._compare(2, "open cabinet 2", wrong, right, n)
    assert [m.kind for m in found] == ["admissible", "feedback"]
    assert found[0].alfworld == ["take apple 1 from cabinet 2"] and found[0].household == []
