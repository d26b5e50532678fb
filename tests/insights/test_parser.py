"""The op parser reads real LLM formats, tags sections, reports unreadable op lines and never crashes."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from msi_agent.insights.parser import parse_operations
from msi_agent.records import OpKind, Scale

REPLY = """Sure! Here are my updates.

### General insights
1. **AGREE 2**: Always look around first.
- EDIT #3: Open containers before taking things.
* remove rule 4
**Environment (Kitchen):**
ADD: The fridge starts closed.
SUBTASK:
ADD [Object Placement]: Put the object on the target receptacle.
MOVE 5 TO SUBTASK <Heating>: Heat food with the microwave.
add (Cleaning) - Use the sinkbasin to clean.
ADDITIONAL thoughts: these are just ideas.
REMOVE (7).
Add 9: new rule number nine
ADD something weird
General: AGREE 1
"""


def test_reads_numbering_bullets_bold_sections_and_keys() -> None:
    result = parse_operations(REPLY)
    got = [(o.kind, o.number, o.key, o.section, o.destination, o.text) for o in result.ops]
    assert got == [
        (OpKind.AGREE, 2, None, Scale.GENERAL, None, "Always look around first."),
        (OpKind.EDIT, 3, None, Scale.GENERAL, None, "Open containers before taking things."),
        (OpKind.REMOVE, 4, None, Scale.GENERAL, None, ""),
        (OpKind.ADD, None, None, Scale.ENVIRONMENT, None, "The fridge starts closed."),
        (OpKind.ADD, None, "Object Placement", Scale.SUBTASK, None, "Put the object on the target receptacle."),
        (OpKind.MOVE, 5, "Heating", Scale.SUBTASK, Scale.SUBTASK, "Heat food with the microwave."),
        (OpKind.ADD, None, "Cleaning", Scale.SUBTASK, None, "Use the sinkbasin to clean."),
        (OpKind.REMOVE, 7, None, Scale.SUBTASK, None, ""),
        (OpKind.ADD, 9, None, Scale.SUBTASK, None, "new rule number nine"),
        (OpKind.AGREE, 1, None, Scale.GENERAL, None, ""),
    ]
    assert result.unreadable == [("ADD something weird", "looks like an operation but is not 'KIND [n]: text'")]


def test_expel_flat_format_and_move_destinations() -> None:
    ops = parse_operations("ADD 12: Check the fridge.\nMOVE 2 to general: Be careful.\nMOVE 3 -> environment: x").ops
    assert [(o.kind, o.number, o.section, o.destination) for o in ops] == [
        (OpKind.ADD, 12, None, None),
        (OpKind.MOVE, 2, None, Scale.GENERAL),
        (OpKind.MOVE, 3, None, Scale.ENVIRONMENT),
    ]


def test_pathological_lines_are_fast() -> None:
    start = time.perf_counter()
    for line in [
        "ADD" + " " * 5000 + "x",
        "MOVE 3 TO " + " " * 5000,
        "EDIT (" + "a" * 9000,
        "general" * 2000,
        "ADD [" * 3000,
        "- " * 4000 + "ADD: x",
    ]:
        parse_operations(line)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ADEITRMVOGSUBKL[]<>()#:-*._ 0123456789\n\"'xyz")), max_size=400))
def test_never_crashes_on_op_like_noise(reply: str) -> None:
    result = parse_operations(reply)
    for op in result.ops:
        assert op.kind in OpKind
        assert op.number is None or op.number >= 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_crashes_on_any_text(reply: str) -> None:
    parse_operations(reply)


def test_scale_and_room_names_in_brackets_are_sections_not_subtasks() -> None:
    ops = parse_operations(
        "ADD (general): Rule one.\nADD [Kitchen]: Rule two.\nADD [Living Room]: Rule three.\n"
        "MOVE 3 TO [Heating]: Rule four.\nMOVE 4 -> [Cooling]: Rule five.\nADD [Towels]: six",
        categories=("Kitchen", "LivingRoom", "Bedroom"),
    ).ops
    assert [(o.section, o.key, o.destination) for o in ops] == [
        (Scale.GENERAL, None, None),
        (Scale.ENVIRONMENT, None, None),
        (Scale.ENVIRONMENT, None, None),
        (None, "Heating", Scale.SUBTASK),
        (None, "Cooling", Scale.SUBTASK),
        (None, "Towels", None),
    ]
    # without the environment's categories a bracketed name is a subtask
    assert parse_operations("ADD [Kitchen]: Rule two.").ops[0].key == "Kitchen"
