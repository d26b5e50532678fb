"""A GBNF grammar for programs, for backends that constrain decoding (the bundled local model).

A 135M model does not write valid Python over an unseen API on its own (left alone it names variables ``def``
and repeats one line until its tokens run out); under this grammar every reply is one fenced block of at most
``MAX_LINES`` object constructors and primitive calls whose classes, attributes and methods are those of the
episode's API, with HELPER's ``target_<name>`` variables (never a Python keyword), so the parser accepts it.
``token_budget`` is a ``max_tokens`` the grammar always fits in, so a reply is never cut off mid-program.
Loops and conditions stay available to models that write them unconstrained.
"""

from __future__ import annotations

from msi_agent.agent.program.api import ProgramAPI
from msi_agent.agent.program.language import CONSTRUCTOR
from msi_agent.llm.actions import gbnf_literal

MAX_LINES = 8
"""Statements one constrained program may have: a short TEACh program, and few tokens for a small model."""
VAR_CHARS = 16
_FENCE_OPEN, _FENCE_CLOSE = "```python\n", "```"
_ANY_CLASS_CHARS = 32


def _choice(words: list[str], quoted: bool = False) -> str:
    return " | ".join(gbnf_literal(f'"{w}"' if quoted else w) for w in words)


def _var_chars() -> int:
    return len("target_") + VAR_CHARS + 2


def program_grammar(api: ProgramAPI, *, max_lines: int = MAX_LINES) -> str:
    """One ```python block of 1..``max_lines`` statements over ``api``."""
    nullary = [p.name for p in api.primitives if not p.params]
    unary = [p.name for p in api.primitives if len(p.params) == 1]
    any_class = f'"\\"" [A-Z] [A-Za-z]{{1,{_ANY_CLASS_CHARS - 3}}} "\\""'
    lines = [
        f"root ::= {gbnf_literal(_FENCE_OPEN)} (stmt {gbnf_literal(chr(10))}){{1,{max_lines}}} "
        f"{gbnf_literal(_FENCE_CLOSE)}",
        "stmt ::= assign | call",
        f'assign ::= var " = {CONSTRUCTOR}(" cls (", landmark=" cls)? (", attributes=[" attr "]")? ")"',
        f'var ::= "target_" [a-z] [a-z]{{0,{VAR_CHARS - 1}}} ("_" [0-9])?',
        "cls ::= " + (_choice(list(api.classes), quoted=True) if api.classes else any_class),
    ]
    calls = []
    if nullary:
        calls.append('var "." nullary "()"')
        lines.append("nullary ::= " + _choice(nullary))
    if unary:
        calls.append('var "." unary "(" var ")"')
        lines.append("unary ::= " + _choice(unary))
    lines.append("call ::= " + " | ".join(calls))
    lines.append("attr ::= " + _choice(list(api.attributes) or ["clean"], quoted=True))
    return "\n".join(lines) + "\n"


def token_budget(api: ProgramAPI, *, max_lines: int = MAX_LINES) -> int:
    """A ``max_tokens`` no grammar-shaped reply can exceed: every token spells at least one character."""
    cls = max((len(c) for c in api.classes), default=_ANY_CLASS_CHARS) + 2
    attr = max((len(a) for a in api.attributes), default=5) + 2
    prim = max((len(p.name) for p in api.primitives), default=0)
    assign = _var_chars() + len(f" = {CONSTRUCTOR}(") + cls + len(", landmark=") + cls + len(", attributes=[]") + attr
    call = _var_chars() + 1 + prim + 2 + _var_chars()
    return len(_FENCE_OPEN) + len(_FENCE_CLOSE) + max_lines * (max(assign, call) + 2) + 1
