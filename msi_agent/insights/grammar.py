"""GBNF grammars for the generator's and the hashmap selector's replies, for backends that constrain decoding.

A small local model rarely writes valid operations on its own and spends its whole token budget trying; under a
grammar every reply is a well-formed list of operations the parser reads, each rule number is one the model was
shown for that part, and the reply ends as soon as the list does. Backends without grammar support get the same
prompt and the lenient parser (``parser``) instead.
"""

from __future__ import annotations

from msi_agent.insights.resolve import GeneratorLimits
from msi_agent.insights.rules import NumberedRules
from msi_agent.llm.actions import gbnf_literal
from msi_agent.records import Scale

RULE_CHARS = 120
"""Longest rule text the grammar lets a model write: one short sentence, as the prompt asks."""

_SECTIONS = ((Scale.GENERAL, "GENERAL:"), (Scale.ENVIRONMENT, "ENVIRONMENT:"), (Scale.SUBTASK, "SUBTASK:"))


def _numbers(numbers: list[int]) -> str | None:
    return " | ".join(f'"{n}"' for n in numbers) if numbers else None


def _ref_ops(rule: str, numbers: str | None, *, move: bool) -> list[str]:
    if numbers is None:
        return []
    out = [
        f'{rule}-edit ::= "EDIT " ({numbers}) ": " text',
        f'{rule}-remove ::= "REMOVE " ({numbers})',
        f'{rule}-agree ::= "AGREE " ({numbers})',
    ]
    if move:
        out.append(f'{rule}-move ::= "MOVE " ({numbers}) " TO " dest ": " text')
    return out


def _alternatives(rules: list[str]) -> str:
    return " | ".join(line.split(" ::= ")[0] for line in rules)


def operations_grammar(
    rules: NumberedRules, limits: GeneratorLimits, *, flat: bool = False, rule_chars: int = RULE_CHARS
) -> str:
    """Three headed sections of at most ``limits.max_ops_per_part`` operations each (one flat list for ExpeL)."""
    n = limits.max_ops_per_part
    lines = [f"text ::= [A-Za-z] [^\\n\\[\\]]{{7,{rule_chars - 1}}}"]
    if flat:
        ops = ['flat-add ::= "ADD: " text', *_ref_ops("flat", _numbers([k for k, _ in rules.entries]), move=False)]
        return "\n".join([f'root ::= (op "\\n"){{0,{n}}}', f"op ::= {_alternatives(ops)}", *ops, *lines]) + "\n"
    name = f"[A-Za-z] [A-Za-z ]{{0,{limits.max_key_chars - 1}}}"
    known = [gbnf_literal(k) for k in rules.subtask_names]
    dests = {Scale.GENERAL: '"general"', Scale.ENVIRONMENT: '"environment"', Scale.SUBTASK: '"subtask [" name "]"'}
    lines += [f"name ::= {' | '.join([*known, name])}"] if Scale.SUBTASK in rules.scales else []
    lines += [f"dest ::= {' | '.join(dests[s] for s in rules.scales)}"]
    root = []
    for scale, header in _SECTIONS:
        if scale not in rules.scales:
            continue
        part = scale.value
        add = f'{part}-add ::= "ADD [" name "]: " text' if scale is Scale.SUBTASK else f'{part}-add ::= "ADD: " text'
        numbers = _numbers([k for k, ins in rules.entries if ins.scale is scale])
        ops = [add, *_ref_ops(part, numbers, move=True)]
        lines += [f"{part}-op ::= {_alternatives(ops)}", *ops]
        root.append(f'"{header}\\n" ({part}-op "\\n"){{0,{n}}}')
    return "\n".join([f"root ::= {' '.join(root)}", *lines]) + "\n"


def names_grammar(names: list[str]) -> str:
    """The hashmap selector's reply: ``none`` or distinct lines each copied from the subtask-name list."""
    if not names:
        return 'root ::= "none"\n'
    choice = " | ".join(gbnf_literal(n) for n in dict.fromkeys(names))
    return f'root ::= "none" | name ("\\n" name){{0,{len(names) - 1}}}\nname ::= {choice}\n'
