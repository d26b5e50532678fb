"""The paper's operation format (scale tags, section headers, MOVE without TO) read alongside ours, round-tripped
over generated replies, and resolved under every invariant (≤ 4 ops per part, ≤ 1 per rule, name limits)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from insights_store import open_store
from msi_agent.insights.grammar import operations_grammar
from msi_agent.insights.parser import ParsedOp, parse_operations
from msi_agent.insights.resolve import GeneratorLimits, resolve
from msi_agent.insights.rules import NumberedRules
from msi_agent.records import Insight, OpKind, Provenance, Scale

G1 = Insight(id="g1", text="Look before acting.", scale=Scale.GENERAL)
G2 = Insight(id="g2", text="Open closed receptacles first.", scale=Scale.GENERAL)
E1 = Insight(id="e1", text="Food is usually in the fridge.", scale=Scale.ENVIRONMENT, key="Kitchen")
S1 = Insight(id="s1", text="Heat with the microwave.", scale=Scale.SUBTASK, key="Heating")
S2 = Insight(id="s2", text="Cool with the fridge.", scale=Scale.SUBTASK, key="Cooling")
RULES = NumberedRules(((1, G1), (2, G2), (3, E1), (4, S1), (5, S2)), ("Cooling", "Heating"), "Kitchen")
PROV = Provenance(experience_ids=["s"], llm_call_id="c", llm="scripted")

PAPER_REPLY = """Here is my reflection on the trials.

General:
1. ADD: Check every receptacle before giving up.
2. AGREE 1: Look before acting.
Environment:
ADD: Knives lie on the counter.
EDIT 3: Food is usually in the fridge or on the counter. (TASK: Cooling)
MOVE 4: Heat food where the microwave is.
Subtask:
ADD: Place the object only after holding it. (TASK: Object Placement)
ADD (TASK: Finding): Search closed receptacles first.
ADD: (Task: Slicing) Hold a knife before slicing.
MOVE 2: Open closed receptacles before searching them (TASK: Finding).
"""


def _rows(reply: str) -> list[tuple[object, ...]]:
    return [(o.kind, o.number, o.text, o.key, o.section, o.destination) for o in parse_operations(reply).ops]


def test_paper_reply_with_headers_tags_before_and_after_and_bare_moves() -> None:
    assert _rows(PAPER_REPLY) == [
        (OpKind.ADD, None, "Check every receptacle before giving up.", None, Scale.GENERAL, None),
        (OpKind.AGREE, 1, "Look before acting.", None, Scale.GENERAL, None),
        (OpKind.ADD, None, "Knives lie on the counter.", None, Scale.ENVIRONMENT, None),
        (OpKind.EDIT, 3, "Food is usually in the fridge or on the counter.", "Cooling", Scale.SUBTASK, None),
        (OpKind.MOVE, 4, "Heat food where the microwave is.", None, Scale.ENVIRONMENT, Scale.ENVIRONMENT),
        (OpKind.ADD, None, "Place the object only after holding it.", "Object Placement", Scale.SUBTASK, None),
        (OpKind.ADD, None, "Search closed receptacles first.", "Finding", Scale.SUBTASK, None),
        (OpKind.ADD, None, "Hold a knife before slicing.", "Slicing", Scale.SUBTASK, None),
        (OpKind.MOVE, 2, "Open closed receptacles before searching them.", "Finding", Scale.SUBTASK, Scale.SUBTASK),
    ]
    res = resolve(parse_operations(PAPER_REPLY).ops, RULES, provenance=PROV)
    assert res.dropped == []
    assert [(o.kind, o.target, o.scale, o.key, o.text) for o in res.ops] == [
        (OpKind.AGREE, "g1", None, None, None),
        (OpKind.MOVE, "g2", Scale.SUBTASK, "Finding", "Open closed receptacles before searching them."),
        (OpKind.ADD, None, Scale.GENERAL, None, "Check every receptacle before giving up."),
        (OpKind.EDIT, "e1", None, None, "Food is usually in the fridge or on the counter."),  # EDIT stays in place
        (OpKind.ADD, None, Scale.ENVIRONMENT, "Kitchen", "Knives lie on the counter."),
        (OpKind.MOVE, "s1", Scale.ENVIRONMENT, "Kitchen", "Heat food where the microwave is."),
        (OpKind.ADD, None, Scale.SUBTASK, "Object Placement", "Place the object only after holding it."),
        (OpKind.ADD, None, Scale.SUBTASK, "Finding", "Search closed receptacles first."),
        (OpKind.ADD, None, Scale.SUBTASK, "Slicing", "Hold a knife before slicing."),
    ]


def test_mixed_formats_in_one_reply_and_what_is_dropped() -> None:
    reply = (
        "ADD [Heating]: Wait for the microwave to finish.\n"  # ours, no header
        "ADD: Stand close to the target first. (TASK: heating)\n"  # paper's tag reuses the known spelling
        "ADD: Keep the knife after slicing. [subtask = Slicing];\n"
        "ADD: Turn lights on in dark rooms (ENVIRONMENT)\n"
        "ADD (general): Never give up early.\n"
        "MOVE 5 TO general: Cool things before storing them.\n"  # ours, explicit destination
        "MOVE 1: a bare move with no section and no tag\n"
        "ADD: a subtask rule without its name (TASK)\n"
    )
    rows = [(o.kind, o.text, o.key, o.section, o.destination) for o in parse_operations(reply).ops]
    assert rows[1] == (OpKind.ADD, "Stand close to the target first.", "heating", Scale.SUBTASK, None)
    assert rows[2][1:3] == ("Keep the knife after slicing.", "Slicing")
    assert rows[3][1:4] == ("Turn lights on in dark rooms", None, Scale.ENVIRONMENT)
    res = resolve(parse_operations(reply).ops, RULES, provenance=PROV)
    assert [(o.kind, o.scale, o.key) for o in res.ops] == [
        (OpKind.ADD, Scale.GENERAL, None),
        (OpKind.ADD, Scale.ENVIRONMENT, "Kitchen"),
        (OpKind.MOVE, Scale.GENERAL, None),
        (OpKind.ADD, Scale.SUBTASK, "Heating"),
        (OpKind.ADD, Scale.SUBTASK, "Heating"),
        (OpKind.ADD, Scale.SUBTASK, "Slicing"),
    ]
    reasons = [r for _, r in res.dropped]
    assert reasons[0].startswith("MOVE needs a destination") and "under a section header" in reasons[0]
    assert reasons[1].startswith("a subtask rule needs its subtask name")
    assert all("TASK" not in (o.text or "") and "(" not in (o.text or "") for o in res.ops)


def test_bare_move_within_its_own_subtask_keeps_the_name_and_becomes_an_edit() -> None:
    res = resolve(parse_operations("Subtask:\nMOVE 4: Heat food in the microwave.").ops, RULES, provenance=PROV)
    assert [(o.kind, o.target, o.text) for o in res.ops] == [(OpKind.EDIT, "s1", "Heat food in the microwave.")]


# -- generated replies ------------------------------------------------------------------------------------------

WORDS = ["open", "the", "fridge", "before", "taking", "task", "items", "general", "rule", "subtask", "Check", "it"]
NAMES = ["Heating", "Cooling", "Object Placement", "Finding", "Slicing"]
HEADERS = {
    Scale.GENERAL: ["General:", "**General insights:**", "### GENERAL", "1. General rules"],
    Scale.ENVIRONMENT: ["Environment:", "ENVIRONMENT:", "## Environment insights (Kitchen)"],
    Scale.SUBTASK: ["Subtask:", "**Subtask insights**", "SUBTASK:"],
}


@dataclass(frozen=True)
class Spec:
    """One operation to write: for ADD ``scale`` is its scale, for MOVE its destination."""

    kind: OpKind
    number: int | None
    text: str
    scale: Scale
    name: str | None


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    kind = draw(st.sampled_from(list(OpKind)))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=8))
    text = " ".join(words).capitalize() + draw(st.sampled_from([".", "", "!"]))
    scale = draw(st.sampled_from(list(Scale))) if kind in (OpKind.ADD, OpKind.MOVE) else Scale.GENERAL
    name = draw(st.sampled_from(NAMES)) if scale is Scale.SUBTASK else None
    number = None if kind is OpKind.ADD else draw(st.integers(1, 7))
    return Spec(kind, number, text, scale, name)


def _tag(scale: Scale, name: str | None, style: int) -> str:
    if scale is Scale.SUBTASK:
        return [f"(TASK: {name})", f"(task: {name})", f"[Subtask = {name}]", f"(TASK:{name})"][style % 4]
    return {Scale.GENERAL: ["(GENERAL)", "(general)"], Scale.ENVIRONMENT: ["(ENVIRONMENT)", "(Env)"]}[scale][style % 2]


def _write(spec: Spec, headers: bool, fmt: int, deco: int) -> str:
    """``fmt``: 0 ours, 1 paper tag after, 2 paper tag before the separator, 3 paper tag leading the text."""
    k, n, t = spec.kind.value, spec.number, spec.text
    if spec.kind in (OpKind.AGREE, OpKind.REMOVE):
        line = [f"{k} {n}", f"{k} {n}: {t}", f"{k} #{n}", f"{k} rule {n}: {t}"][fmt]
    elif spec.kind is OpKind.EDIT:  # a tag on an EDIT is read and dropped from the text
        line = [f"{k} {n}: {t}", f"{k} {n}: {t} (TASK: Heating)", f"{k} {n} (GENERAL): {t}", f"{k} {n}: {t}"][fmt]
    else:
        head = k if n is None else f"{k} {n}"
        implicit = headers and spec.scale is not Scale.SUBTASK and fmt != 0  # the section says it
        tag = "" if implicit else _tag(spec.scale, spec.name, deco)
        if fmt == 0:
            dest = {Scale.GENERAL: "general", Scale.ENVIRONMENT: "environment", Scale.SUBTASK: f"subtask [{spec.name}]"}
            if spec.kind is OpKind.MOVE:
                line = f"{head} TO {dest[spec.scale]}: {t}"
            elif spec.scale is Scale.SUBTASK:
                line = f"{head} [{spec.name}]: {t}"
            else:
                line = f"{head} ({spec.scale.value}): {t}"
        elif fmt == 1:
            line = f"{head}: {t} {tag}".rstrip()
        elif fmt == 2:
            line = f"{head} {tag}: {t}".replace(" :", ":")
        else:
            line = f"{head}: {tag} {t}".replace(":  ", ": ")
    return ["{}", "- {}", "* **{}**", "1. {}", "  {}  "][deco % 5].format(line)


@st.composite
def replies(draw: st.DrawFn) -> tuple[str, list[Spec]]:
    ops = draw(st.lists(specs(), max_size=12))
    headers = draw(st.booleans())
    fmts = draw(st.lists(st.integers(0, 3), min_size=len(ops), max_size=len(ops)))
    decos = draw(st.lists(st.integers(0, 9), min_size=len(ops), max_size=len(ops)))
    written = list(zip(ops, fmts, decos, strict=True))
    if not headers:
        return "\n".join(_write(s, False, f, d) for s, f, d in written), ops
    lines, order = [draw(st.sampled_from(["", "Sure, here you go:"]))], []
    for scale in Scale:
        lines.append(draw(st.sampled_from(HEADERS[scale])))
        for s, f, d in written:
            if s.scale is scale:
                lines.append(_write(s, True, f, d))
                order.append(s)
    return "\n".join(lines), order


_WITH_TEXT = (OpKind.ADD, OpKind.EDIT, OpKind.MOVE)


def _effective(op: ParsedOp) -> tuple[Scale, str | None]:
    if op.kind is OpKind.MOVE:
        return op.destination or Scale.GENERAL, op.key
    return (Scale.SUBTASK if op.key else op.section or Scale.GENERAL), op.key


@settings(max_examples=400, deadline=None)
@given(replies())
def test_generated_replies_round_trip(case: tuple[str, list[Spec]]) -> None:
    reply, written = case
    result = parse_operations(reply)
    assert result.unreadable == []
    assert [(o.kind, o.number) for o in result.ops] == [(s.kind, s.number) for s in written]
    texts = [(o.text, s.text) for o, s in zip(result.ops, written, strict=True) if s.kind in _WITH_TEXT]
    assert all(got == want for got, want in texts), texts
    for op, spec in zip(result.ops, written, strict=True):
        if spec.kind in (OpKind.ADD, OpKind.MOVE):
            scale, key = _effective(op)
            assert (scale, key) == (spec.scale, spec.name), op.line


@settings(max_examples=300, deadline=None)
@given(replies(), st.integers(1, 4), st.integers(1, 5))
def test_generated_replies_keep_every_invariant(case: tuple[str, list[Spec]], max_ops: int, names: int) -> None:
    limits = GeneratorLimits(max_ops_per_part=max_ops, max_subtask_names=names)
    res = resolve(parse_operations(case[0]).ops, RULES, provenance=PROV, limits=limits)
    targets = [o.target for o in res.ops if o.target]
    assert len(targets) == len(set(targets))  # ≤ 1 operation per existing rule
    per_part: dict[Scale, int] = {}
    part_of = {ins.id: ins.scale for ins in RULES.insights}
    for o in res.ops:
        part = part_of[o.target] if o.target else o.scale
        assert part is not None
        per_part[part] = per_part.get(part, 0) + 1
        assert o.text is None or ("(" not in o.text and "[" not in o.text)  # tags never stay in the text
        assert o.key is None or len(o.key) < 20
    assert all(v <= max_ops for v in per_part.values())
    new_names = {o.key.lower() for o in res.ops if o.key and o.scale is Scale.SUBTASK}
    assert len(new_names | {n.lower() for n in RULES.subtask_names}) <= max(names, len(RULES.subtask_names))


def test_a_scale_switched_off_is_neither_listed_nor_written() -> None:
    store = open_store("memory", embeddings="hash")
    for ins in (G1, E1, S1):
        store.add(ins, namespace="ns")
    no_env = (Scale.GENERAL, Scale.SUBTASK)
    rules = NumberedRules.from_store(store, namespace="ns", category="Kitchen", scales=no_env)
    assert [(n, i.id) for n, i in rules.entries] == [(1, "g1"), (2, "s1")]
    assert "Environment rules" not in rules.render() and "Subtask rules" in rules.render()
    reply = (
        "General:\nADD: Rule for all.\nMOVE 1: Look first, in the kitchen.\nEnvironment:\nADD: Rule for a room.\n"
        "MOVE 2: Heat things in the kitchen.\nSubtask:\nADD: Sub rule. (TASK: Heating)\n"
    )
    res = resolve(parse_operations(reply).ops, rules, provenance=PROV)
    assert [(o.kind, o.target, o.scale) for o in res.ops] == [
        (OpKind.EDIT, "g1", None),  # a bare MOVE under its own section rewrites the rule in place
        (OpKind.ADD, None, Scale.GENERAL),
        (OpKind.ADD, None, Scale.SUBTASK),
    ]
    assert [r for _, r in res.dropped] == ["the environment scale is off in this run (scales: general, subtask)"] * 2
    grammar = operations_grammar(rules, GeneratorLimits())
    assert "ENVIRONMENT:" not in grammar and "environment" not in grammar.split("dest ::=")[1].split("\n")[0]
    assert '"SUBTASK:\\n"' in grammar
