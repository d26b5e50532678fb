"""Generator updates against a real (in-memory) store: scores, provenance, limits, variants, order, snapshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import BaseMessage

from insights_store import ScoringRules, open_store
from msi_agent.experience.seeds import Seed
from msi_agent.insights.generator import GeneratorConfig, InsightGenerator
from msi_agent.insights.resolve import GeneratorLimits
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.modes import SeedOrder, Variant
from msi_agent.records import Episode, Scale, Source, Step, Task


def _ep(eid: str, *, success: bool, env: str = "Kitchen") -> Episode:
    task = Task(
        id=f"task-{eid}",
        family="pick_heat_then_place_in_recep",
        environment=env,
        scene="FloorPlan1",
        instruction=f"heat some egg {eid} and put it in garbagecan.",
    )
    return Episode(
        id=eid,
        task=task,
        success=success,
        gc_satisfied=int(success),
        gc_total=1,
        steps=[Step(thought="find egg", action="go to fridge 1", observation="The fridge 1 is closed.")],
        failure_reason=None if success else "step limit (30) reached",
        source=Source.AGENT,
    )


class Script:
    """Replies in turn; records every prompt."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.prompts: list[str] = []

    def __call__(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(str(messages[-1].content))
        return self.replies.pop(0) if self.replies else "nothing to change"


def _generator(script: Callable[[list[BaseMessage]], str], **config: object) -> InsightGenerator:
    llm = LLMClient(ScriptedChatModel(script, name="scripted"), name="scripted")
    store = open_store("memory", embeddings="hash")
    return InsightGenerator(llm, store, namespace="ns", config=GeneratorConfig(**config))  # type: ignore[arg-type]


def test_three_updates_give_expected_scores_and_provenance() -> None:
    script = Script(
        "GENERAL:\nADD: Open a closed fridge before looking inside.\n"
        "ENVIRONMENT:\nADD: Eggs are often in the fridge.\nSUBTASK:\nADD [Heating]: Heat food with the microwave.",
        "GENERAL:\n**AGREE 1**: yes\nENVIRONMENT:\nREMOVE 2\nSUBTASK:\nEDIT 3: Heat food in the microwave 1 way.",
        "Reflection first.\nENVIRONMENT:\nAGREE 2\nSUBTASK:\nMOVE 3 TO general: Heating is done with a microwave.",
    )
    gen = _generator(script, order=SeedOrder.GIVEN)
    seeds = [
        Seed(_ep("s1", success=True), _ep("f1", success=False)),
        Seed(_ep("s2", success=True)),
        Seed(_ep("s3", success=True)),
    ]
    reports = gen.run(seeds)
    assert [r.error for r in reports] == [None, None, None]
    store = gen.store
    general = store.list(scale=Scale.GENERAL, namespace="ns")
    assert [(i.text, i.score) for i in general] == [
        ("Open a closed fridge before looking inside.", 3.0),  # ADD 2, AGREE +1
        ("Heating is done with a microwave.", 2.0),  # MOVE resets to 2
    ]
    env = store.list(scale=Scale.ENVIRONMENT, key="Kitchen", namespace="ns")
    assert [(i.text, i.score) for i in env] == [("Eggs are often in the fridge.", 2.0)]  # 2, -1, +1
    assert store.keys(Scale.SUBTASK, namespace="ns") == []
    moved = general[1]
    history = store.history(moved.id, namespace="ns")
    assert [h.op.value for h in history] == ["ADD", "EDIT", "MOVE"]
    assert history[0].provenance.experience_ids == ["s1", "f1"]
    assert history[0].provenance.llm_call_id == reports[0].call_id and history[0].provenance.llm == "scripted"
    assert history[2].provenance.experience_ids == ["s3"]
    # the second prompt numbered the first update's rules continuously, with the seed's room
    assert "1. Open a closed fridge" in script.prompts[1] and "2. Eggs are often" in script.prompts[1]
    assert "3. [Heating] Heat food with the microwave." in script.prompts[1]
    assert "here the environment is Kitchen" in script.prompts[1] and "SUCCESS" in script.prompts[0]
    assert "Reason for failure: step limit (30) reached" in script.prompts[0]


def test_removal_to_zero_deletes_and_it_never_returns() -> None:
    script = Script("ADD: Rule A.", "REMOVE 1", "REMOVE 1", "AGREE 1\nADD: Rule B.")
    gen = _generator(script, order=SeedOrder.GIVEN)
    reports = gen.run([Seed(_ep(f"s{i}", success=True)) for i in range(4)])
    # Rule A: 2 → 1 → 0, deleted; at the fourth update the list is empty, so "AGREE 1" names no rule
    assert [(i.text, i.score) for i in gen.store.list(namespace="ns")] == [("Rule B.", 2.0)]
    assert reports[2].result is not None and len(reports[2].result.deleted) == 1
    assert reports[3].dropped == [("AGREE 1", "AGREE names rule 1, but there are no rules yet")]


def test_llm_failure_and_garbage_never_crash() -> None:
    def broken(messages: list[BaseMessage]) -> str:
        raise ConnectionError("server down")

    gen = _generator(broken)
    gen.llm._retrier.policy = gen.llm._retrier.policy.__class__(max_retries=0)  # type: ignore[attr-defined]
    report = gen.update(Seed(_ep("s", success=True)))
    assert report.error and "server down" in report.error and report.result is None
    gen = _generator(Script("I cannot help with that. ADD ???", "EDIT 99: x\nADD [" + "n" * 40 + "]: y"))
    r1, r2 = gen.run([Seed(_ep("a", success=True)), Seed(_ep("b", success=True))])
    assert r1.ops == [] and r2.ops == [] and len(r2.dropped) == 2
    assert gen.store.list(namespace="ns") == []


def test_expel_variant_uses_a_flat_list_and_configurable_scoring() -> None:
    script = Script("ADD: Rule A.\nADD: Rule B.", "EDIT 1: Rule A, refined.\nAGREE 2")
    gen = _generator(script, order=SeedOrder.GIVEN, variant=Variant.EXPEL, scoring=ScoringRules(edit=1.0))
    gen.run([Seed(_ep("a", success=True)), Seed(_ep("b", success=True))])
    got = {(i.text, i.score, i.scale) for i in gen.store.list(namespace="ns")}
    assert got == {("Rule A, refined.", 3.0, Scale.GENERAL), ("Rule B.", 3.0, Scale.GENERAL)}
    assert "GENERAL:" not in script.prompts[0] and "1. Rule A." in script.prompts[1]


def test_the_prompt_sent_follows_the_seed_kind() -> None:
    script = Script()
    for variant in Variant:
        gen = _generator(script, order=SeedOrder.GIVEN, variant=variant)
        gen.run([Seed(_ep("s", success=True)), Seed(_ep("p", success=True), _ep("f", success=False))])
    for lone, pair in (script.prompts[0:2], script.prompts[2:4]):
        assert "The experience above succeeded. Find what made it succeed" in lone
        assert "Compare what led to success" not in lone and "Experience 2" not in lone
        assert "The first experience above succeeded and the second failed" in pair
        assert "Compare what led to success with what led to failure" in pair and "Experience 2" in pair
        assert "must not mention specific trials" in lone + pair or "the trials themselves" in lone
    assert "operate only on the rules numbered in that part" in script.prompts[0]


def test_scales_switched_off_leave_the_prompt_and_the_store() -> None:
    script = Script(*["GENERAL:\nADD: Rule A.\nENVIRONMENT:\nADD: Rule B.\nSUBTASK:\nADD: Rule C. (TASK: Heating)"] * 2)
    full = _generator(script, order=SeedOrder.GIVEN)
    full.update(Seed(_ep("s", success=True)))
    assert "Rules come in three scales:\n- General rules apply to every task.\n- Environment rules" in script.prompts[0]
    assert "Answer with three sections headed GENERAL:, ENVIRONMENT: and SUBTASK:," in script.prompts[0]
    assert "MOVE <NUMBER> TO <general|environment|subtask [Name]>:" in script.prompts[0]
    gen = _generator(script, order=SeedOrder.GIVEN, scales=(Scale.GENERAL, Scale.SUBTASK))
    report = gen.update(Seed(_ep("s", success=True)))
    prompt = script.prompts[1]
    assert "Rules come in two scales:\n- General rules apply to every task.\n- Subtask rules apply" in prompt
    assert "Answer with two sections headed GENERAL: and SUBTASK:," in prompt
    assert (
        "TO <general|subtask [Name]>:" in prompt and "Environment rules" not in prompt and "ENVIRONMENT" not in prompt
    )
    assert {i.scale for i in gen.store.list(namespace="ns")} == {Scale.GENERAL, Scale.SUBTASK}
    assert [r for _, r in report.dropped] == ["the environment scale is off in this run (scales: general, subtask)"]
    with pytest.raises(ValueError, match="at most once"):
        GeneratorConfig(scales=())


def test_expel_list_cap_says_full_and_removes_harder() -> None:
    adds = "\n".join(f"ADD: Rule {i}." for i in range(4))
    script = Script(adds, adds.replace("Rule", "Other rule"), "REMOVE 1", "REMOVE 7")
    scoring = ScoringRules(remove=-1.0, remove_when_full=-3.0)
    gen = _generator(script, order=SeedOrder.GIVEN, variant=Variant.EXPEL, max_rules=3, scoring=scoring)
    assert gen.config.applied_scoring.full_size == 8  # ExpeL: max_num_rules + 5
    gen.run([Seed(_ep(f"s{i}", success=True)) for i in range(4)])
    assert "The list is full" not in script.prompts[0]
    assert "The list is full: it holds 4 rules and the cap is 3." in script.prompts[1]
    scores = {i.text: i.score for i in gen.store.list(namespace="ns")}
    assert "Rule 0." not in scores  # REMOVE on a full list (8 rules): 2 - 3 < 0, deleted
    assert sorted(scores.values()) == [1.0] + [2.0] * 6  # 7 rules, not full any more: 2 - 1
    with pytest.raises(ValueError, match="ExpeL's flat list"):
        GeneratorConfig(max_rules=3)


def test_seed_order_shuffle_is_seeded_and_snapshots_are_kept() -> None:
    seeds = [Seed(_ep(f"s{i}", success=True)) for i in range(6)]
    a = _generator(Script(), shuffle_seed=1).ordered(seeds)
    assert a == _generator(Script(), shuffle_seed=1).ordered(seeds) and a != seeds
    assert _generator(Script(), order=SeedOrder.GIVEN).ordered(seeds) == seeds
    gen = _generator(Script("ADD: Rule A.", "ADD: Rule B."), snapshots=True, order=SeedOrder.GIVEN)
    reports = gen.run(seeds[:2])
    assert [r.snapshot for r in reports] == ["ns.0001", "ns.0002"]
    assert [i.text for i in gen.store.list(namespace="ns.0001")] == ["Rule A."]
    assert len(gen.store.list(namespace="ns.0002")) == 2
    done = {tuple(seeds[0].experience_ids)}
    assert len(_generator(Script(), order=SeedOrder.GIVEN).run(seeds[:2], skip=done)) == 1


_OPS = st.sampled_from(
    [
        "ADD: rule {n}.",
        "AGREE {n}",
        "REMOVE {n}",
        "EDIT {n}: rule {n} edited.",
        "MOVE {n} TO subtask [Name{n}]: moved {n}.",
        "ADD [Key{n}]: sub {n}.",
        "ADD: paper sub {n}. (TASK: Key{n})",
        "ADD (TASK: Key{n}): paper sub {n}, tag first.",
        "MOVE {n}: moved by the paper's format {n} (TASK: Name{n}).",
        "MOVE {n}: moved to the section it is written under {n}.",
        "EDIT {n}: edited with a tag {n}. (TASK: Key{n})",
        "GENERAL:",
        "ENVIRONMENT:",
        "SUBTASK:",
        "noise {n}",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(_OPS, st.integers(1, 6)), max_size=14), min_size=1, max_size=6))
def test_scores_never_negative_deleted_never_return_and_limits_hold(updates: list[list[tuple[str, int]]]) -> None:
    replies = ["\n".join(t.format(n=n) for t, n in ops) for ops in updates]
    gen = _generator(Script(*replies), order=SeedOrder.GIVEN, limits=GeneratorLimits(max_subtask_names=3))
    deleted: set[str] = set()
    for i, _ in enumerate(replies):
        report = gen.update(Seed(_ep(f"s{i}", success=True)))
        per_part: dict[str, int] = {}
        for op in report.ops:
            part = op.scale.value if op.kind.value == "ADD" and op.scale else "target"
            per_part[part] = per_part.get(part, 0) + 1
        assert all(v <= 4 for k, v in per_part.items() if k != "target")
        assert len({op.target for op in report.ops if op.target}) == len([op for op in report.ops if op.target])
        if report.result:
            deleted |= set(report.result.deleted)
        live = gen.store.list(namespace="ns")
        assert all(ins.score > 0 for ins in live)
        assert not [ins.text for ins in live if "(" in ins.text or "TASK" in ins.text]  # tags never stored
        assert not deleted & {ins.id for ins in live}
        assert len(gen.store.keys(Scale.SUBTASK, namespace="ns")) <= 3


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match=">= 1"):
        GeneratorLimits(max_ops_per_part=0)


def test_a_line_that_only_names_an_operation_is_never_stored_as_a_rule() -> None:
    gen = _generator(Script("SUBTASK:\nADD [Object Placement]\nADD [Object Placement]:\nADD"))
    (report,) = gen.run([Seed(_ep("a", success=True))])
    assert report.ops == [] and gen.store.list(namespace="ns") == []
    assert [reason for _, reason in report.dropped] == ["the operation has no rule text after ':'"] * 3
