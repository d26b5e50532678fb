"""A GBNF grammar for programs, for backends that constrain decoding (the bundled local model).

A 135M model does not write valid Python over an unseen API on its own; under this grammar every reply is one
fenced block of object constructors and primitive calls whose classes, attributes and methods are those of the
episode's API, so the parser accepts it and the executor can run it. Loops and conditions stay available to
models that write them unconstrained.
"""

from __future__ import annotations

from msi_agent.agent.program.api import ProgramAPI
from msi_agent.agent.program.language import CONSTRUCTOR
from msi_agent.llm.actions import gbnf_literal

MAX_LINES = 16
"""Statements one constrained program may have: enough for a TEACh task, short enough for a small model."""


def _choice(words: list[str], quoted: bool = False) -> str:
    return " | ".join(gbnf_literal(f'"{w}"' if quoted else w) for w in words)


def program_grammar(api: ProgramAPI, *, max_lines: int = MAX_LINES) -> str:
    """One ```python block of 1..``max_lines`` statements over ``api``."""
    nullary = [p.name for p in api.primitives if not p.params]
    unary = [p.name for p in api.primitives if len(p.params) == 1]
    lines = [
        f'root ::= "```python\\n" (stmt "\\n"){{1,{max_lines}}} "```"',
        "stmt ::= assign | call",
        f'assign ::= var " = {CONSTRUCTOR}(" cls ("," " landmark=" cls)? ("," " attributes=[" attr "]")? ")"',
        "var ::= [a-z] [a-z0-9_]{0,15}",
        "cls ::= " + (_choice(list(api.classes), quoted=True) if api.classes else '"\\"" [A-Z] [A-Za-z]{1,30} "\\""'),
    ]
    calls = []
    if nullary:
        calls.append('var "." nullary "()"')
        lines.append("nullary ::= " + _choice(nullary))
    if unary:
        calls.append('var "." unary "(" var ")"')
        lines.append("unary ::= " + _choice(unary))
    lines.append("call ::= " + " | ".join(calls))
    attrs = list(api.attributes) or ["clean"]
    lines.append("attr ::= " + _choice(attrs, quoted=True))
    return "\n".join(lines) + "\n"
