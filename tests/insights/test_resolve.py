"""Resolution of parsed ops: numbering, limits, ExpeL conversions, subtask names, order — each drop explained."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from msi_agent.insights.parser import ParsedOp, parse_operations
from msi_agent.insights.resolve import GeneratorLimits, Resolution, resolve
from msi_agent.insights.rules import NumberedRules
from msi_agent.records import Insight, OpKind, Provenance, Scale

G1 = Insight(id="g1", text="Look before acting.", scale=Scale.GENERAL)
G2 = Insight(id="g2", text="Open closed receptacles first.", scale=Scale.GENERAL)
E1 = Insight(id="e1", text="Food is usually in the fridge.", scale=Scale.ENVIRONMENT, key="Kitchen")
S1 = Insight(id="s1", text="Heat with the microwave.", scale=Scale.SUBTASK, key="Heating")
RULES = NumberedRules(((1, G1), (2, G2), (3, E1), (4, S1)), ("Heating",), "Kitchen")
PROV = Provenance(experience_ids=["ep1", "ep2"], llm_call_id="call-7", llm="scripted")


def _resolve(reply: str, **kw: object) -> Resolution:
    ops = parse_operations(reply, categories=("Kitchen", "Bedroom")).ops
    return resolve(ops, RULES, provenance=PROV, **kw)  # type: ignore[arg-type]


def test_render_numbers_continuously_across_parts() -> None:
    text = RULES.render()
    assert "1. Look before acting." in text and "3. Food is usually" in text and "4. [Heating] Heat" in text
    assert (
        text.index("General rules")
        < text.index("Environment rules (apply in every Kitchen)")
        < text.index("Subtask rules")
    )
    empty = NumberedRules((), (), "Bathroom").render()
    assert empty.count("(none yet)") == 3
    assert RULES.render(flat=True).startswith("1. Look before acting.\n2. Open")


def test_ops_resolve_to_ids_in_part_then_expel_order() -> None:
    res = _resolve(
        "SUBTASK:\nADD [heating]: Wait for the microwave.\nAGREE 4\n"
        "GENERAL:\nADD: Check the inventory.\nEDIT 2: Open receptacles before searching them.\nREMOVE 1\n"
        "ENVIRONMENT:\nMOVE 3 TO SUBTASK [Fridge Use]: Cool things in the fridge.\n"
    )
    assert res.dropped == []
    got = [(o.kind, o.target, o.scale, o.key) for o in res.ops]
    assert got == [
        (OpKind.REMOVE, "g1", None, None),
        (OpKind.EDIT, "g2", None, None),
        (OpKind.ADD, None, Scale.GENERAL, None),
        (OpKind.MOVE, "e1", Scale.SUBTASK, "Fridge Use"),
        (OpKind.AGREE, "s1", None, None),
        (OpKind.ADD, None, Scale.SUBTASK, "Heating"),  # existing name reused with its spelling
    ]
    assert all(o.provenance == PROV for o in res.ops)


def test_environment_rules_are_keyed_by_the_seed_room() -> None:
    res = _resolve("ENVIRONMENT:\nADD [Bedroom]: Knives lie on the counter.")
    assert [(o.scale, o.key) for o in res.ops] == [(Scale.ENVIRONMENT, "Kitchen")]


def test_expel_conversions_and_duplicates() -> None:
    res = _resolve(
        "EDIT 1: look before acting\n"  # same text → AGREE 1
        "EDIT 2: Heat with the microwave\n"  # another rule's text → AGREE 4
        "ADD: open closed receptacles first.\n"  # duplicate of 2
        "ADD: Brand new rule.\nADD: brand new rule"
    )
    assert [(o.kind, o.target) for o in res.ops] == [(OpKind.AGREE, "g1"), (OpKind.ADD, None), (OpKind.AGREE, "s1")]
    reasons = [r for _, r in res.dropped]
    assert reasons == ["ADD duplicates an existing rule", "ADD duplicates a rule added earlier in this update"]


def test_invalid_ops_are_dropped_with_reasons() -> None:
    res = _resolve(
        "AGREE 9\nREMOVE: no number\nEDIT 1:\nAGREE 1\nREMOVE 1\n"
        "SUBTASK:\nADD: no name\nADD [A name far too long for this]: x\nMOVE 2: nowhere\n"
        "MOVE 4 TO subtask [Heating]: Heat with the microwave."
    )
    reasons = [r for _, r in res.dropped]
    assert reasons[0].startswith("AGREE needs the number of a listed rule (1..4), got 9")
    assert reasons[1].startswith("REMOVE needs the number")
    assert reasons[2] == "the operation has no rule text after ':'"
    assert reasons[3] == "a rule gets at most one operation per update"
    assert reasons[4].startswith("a subtask rule needs its subtask name")
    assert "longer than 19 characters" in reasons[5]
    assert reasons[6].startswith("a subtask rule needs its subtask name")  # MOVE under SUBTASK: goes there, unnamed
    assert reasons[7] == "MOVE of rule 4 to where it already is changes nothing"
    assert [(o.kind, o.target) for o in res.ops] == [(OpKind.AGREE, "g1")]


def test_limits_per_part_and_subtask_names() -> None:
    res = _resolve("\n".join(f"ADD: general rule {i}" for i in range(6)))
    assert len(res.ops) == 4 and res.dropped[0][1] == "the general part already has 4 operations"
    few_names = GeneratorLimits(max_subtask_names=2)
    res = _resolve("SUBTASK:\nADD [A]: one\nADD [B]: two\nADD [a]: three", limits=few_names)
    assert [o.key for o in res.ops] == ["A", "A"]  # "[a]" reuses the existing spelling
    assert res.dropped[0][1].startswith("already 2 subtask names")


def test_flat_variant_is_one_general_list() -> None:
    res = _resolve(
        "SUBTASK:\nADD [Heating]: Rule one.\nMOVE 1 TO subtask [X]: y\nADD: r2\nADD: r3\nADD: r4\nADD: r5", flat=True
    )
    assert all(o.scale in (None, Scale.GENERAL) and o.key is None for o in res.ops)
    assert len(res.ops) == 4
    assert "flat" in res.dropped[0][1]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(OpKind)),
            st.one_of(st.none(), st.integers(-2, 8)),
            st.sampled_from(["", "x", "Look before acting.", "new"]),
            st.sampled_from([None, "Heating", "B", "C" * 30]),
            st.sampled_from([None, *Scale]),
            st.sampled_from([None, *Scale]),
        ),
        max_size=25,
    )
)
def test_limits_hold_for_any_op_sequence(raw: list[tuple]) -> None:  # type: ignore[type-arg]
    parsed = [
        ParsedOp(kind=k, number=n, text=t, key=key, section=sec, destination=d, line="l")
        for k, n, t, key, sec, d in raw
    ]
    res = resolve(parsed, RULES, provenance=PROV)
    targets = [o.target for o in res.ops if o.target]
    assert len(targets) == len(set(targets))  # at most one op per existing rule
    assert len(res.ops) <= 12 and len(res.ops) + len(res.dropped) == len(parsed)
    for o in res.ops:
        assert o.key is None or len(o.key) <= 19
        if o.kind in (OpKind.ADD, OpKind.MOVE) and o.scale is Scale.ENVIRONMENT:
            assert o.key == "Kitchen"
