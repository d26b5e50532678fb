"""The program language: what is accepted, and every unsafe or unbounded form refused with the line and a reason."""

from __future__ import annotations

import pytest

from msi_agent.agent.program.api import PrimitiveSpec, ProgramAPI
from msi_agent.agent.program.language import MAX_DEPTH, MAX_RANGE, ProgramError, extract, parse

API = ProgramAPI(
    (PrimitiveSpec("pickup"), PrimitiveSpec("place", ("landmark",)), PrimitiveSpec("clean")),
    attributes=("clean", "dirty"),
    classes=("Mug", "CounterTop", "Sink"),
)

GOOD = '''
"""Wash every dirty mug, then put one on the counter."""
counter = InteractionObject("CounterTop")
mug = InteractionObject("Mug", landmark="Sink", attributes=["dirty"])
for m in find_all("Mug", attributes=["dirty"]):
    if m.check("dirty") and not m.check("clean"):
        m.clean()
    else:
        pass
for i in range(2):
    mug.pickup()
cup = mug
cup.place(counter)
'''


def test_a_program_with_every_allowed_form_is_accepted() -> None:
    program = parse(GOOD, API)
    assert program.line(2) == 'counter = InteractionObject("CounterTop")'


def test_the_program_is_taken_from_a_fenced_block() -> None:
    reply = 'Here is my plan:\n```python\nmug = InteractionObject("Mug")\nmug.pickup()\n```\nDone.'
    assert extract(reply) == 'mug = InteractionObject("Mug")\nmug.pickup()'
    assert parse(reply, API).line(2) == "mug.pickup()"


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("import os\n", 1, "imports are not allowed"),
        ("from os import system\n", 1, "imports are not allowed"),
        ('mug = InteractionObject("Mug")\nmug.__class__()\n', 2, "mug.__class__ is not part of the API"),
        ('mug = InteractionObject("Mug")\nmug.paint()\n', 2, "mug.paint is not part of the API"),
        ('mug = InteractionObject("Mug")\nmug.pickup.x()\n', 2, "call primitives on an object variable"),
        ('x = InteractionObject("Mug").objectId\n', 1, "a variable can only hold"),
        ('eval("1+1")\n', 1, "eval() is not allowed"),
        ('exec("import os")\n', 1, "exec() is not allowed"),
        ('__import__("os")\n', 1, "__import__() is not allowed"),
        ("print(1)\n", 1, "unknown function print()"),
        ('mug = InteractionObject("Mug")\nwhile True:\n    mug.pickup()\n', 2, "while loops are not allowed"),
        ("def f():\n    f()\nf()\n", 1, "defining functions or classes is not allowed (no recursion)"),
        ("class A:\n    pass\n", 1, "defining functions or classes is not allowed"),
        ("f = lambda: f()\n", 1, "a variable can only hold"),
        ('mug = InteractionObject("Mug")\nfor i in range(1000):\n    mug.pickup()\n', 2, f"0 to {MAX_RANGE}"),
        ('mug = InteractionObject("Mug")\nfor i in range(n):\n    mug.pickup()\n', 2, "literal number"),
        ('mug = InteractionObject("Mug")\nfor m in [mug, mug]:\n    m.pickup()\n', 2, "loops go over"),
        ('mug = InteractionObject("Mug")\nif mug.weight > 1:\n    pass\n', 2, "a condition is"),
        ('mug = InteractionObject("Mug")\nmug.place("counter")\n', 2, "object variables, not expressions"),
        ('mug = InteractionObject("Mug")\nmug.place()\n', 2, "takes 1 object argument"),
        ('mug = InteractionObject("Teapot")\n', 1, "unknown object class 'Teapot'"),
        ('mug = InteractionObject("Mug", attributes=["shiny"])\n', 1, "unknown attribute 'shiny'"),
        ("mug = InteractionObject()\n", 1, "needs the object's class"),
        ('mug.x = InteractionObject("Mug")\n', 1, "assign to one plain variable"),
        ("x += 1\n", 1, "only plain assignments"),
        ("mug = (\n", 1, "syntax error"),
        ("", 0, "the program is empty"),
    ],
)
def test_unsafe_or_unbounded_programs_are_refused_with_the_line_and_a_reason(
    source: str, line: int, reason: str
) -> None:
    with pytest.raises(ProgramError) as err:
        parse(source, API)
    assert err.value.line == line and reason in err.value.reason, str(err.value)


def test_deep_nesting_is_refused() -> None:
    body = ['mug = InteractionObject("Mug")']
    for depth in range(MAX_DEPTH + 2):
        body.append("    " * depth + "for i in range(1):")
    body.append("    " * (MAX_DEPTH + 2) + "mug.pickup()")
    with pytest.raises(ProgramError, match="nest deeper"):
        parse("\n".join(body), API)


def test_pathologically_deep_expressions_are_refused_not_crashing() -> None:
    with pytest.raises(ProgramError):
        parse("x = " + "(" * 5000 + "1" + ")" * 5000, API)
