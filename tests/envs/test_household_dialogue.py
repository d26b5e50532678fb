"""TEACh dialogues: deterministic per seed, in plain English, saying what the goal needs and where every object it
needs is, varied by seed."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from envs.backend import WorldInit
from envs.household.families import family, family_names
from envs.household.goals import type_of_id
from envs.household.scenes import scene
from envs.household.speech import noun, number, plural, sentence
from envs.tasks import TaskSpec, sample_tasks
from envs.teach.definitions import BoundTask, TaskComponent
from envs.teach.properties import object_classes
from msi_agent.agent.program.dialogue import request
from msi_agent.records import Split, Task

TEACH = [f for f in family_names() if family(f).source == "teach"]


def test_every_teach_task_carries_a_dialogue_beside_its_instruction() -> None:
    tasks = sample_tasks(TaskSpec(families=TEACH, n=len(TEACH), seed=1))
    for task in tasks:
        turns = task.params["dialogue"]
        assert task.instruction and {s for s, _ in turns} == {"Commander", "Driver"}
        assert request(task).startswith("Dialogue:\nDriver: ") or request(task).startswith("Dialogue:\nCommander: ")
    assert "dialogue" not in sample_tasks(TaskSpec(families=["pick_and_place_simple"], n=1))[0].params


def test_dialogues_are_deterministic_per_seed_and_differ_across_seeds() -> None:
    spec = TaskSpec(families=TEACH, n=2 * len(TEACH), seed=4)
    first = [t.params["dialogue"] for t in sample_tasks(spec)]
    assert first == [t.params["dialogue"] for t in sample_tasks(spec)]
    other = [t.params["dialogue"] for t in sample_tasks(spec.model_copy(update={"seed": 5}))]
    assert sum(a != b for a, b in zip(first, other, strict=True)) == len(first)
    wordings = {tuple(u for _, u in turns if "?" in u) for turns in first}
    assert len(wordings) > len(first) // 2  # the Driver does not always ask the same way


def test_the_dialogue_says_what_the_goal_needs_and_where_things_are() -> None:
    task = sample_tasks(TaskSpec(families=["n_slices_of_x_in_y"], n=1, seed=1))[0]
    goal, text = task.params["goal"], "\n".join(u for _, u in task.params["dialogue"]).lower()
    assert noun(goal["obj"]) in text and noun(goal["recep"]) in text and "clean" in text
    assert f"{number(goal['n'])} slices of {noun(goal['obj'])}" in text if goal["n"] > 1 else "a slice" in text
    init = task.params["init"]
    knife = next(o for o in init["objects"] if o["object_type"] == "Knife")  # TEACh's Sliced X counts a Knife
    assert re.search(rf"knife (is )?(in|on) the {noun(type_of_id(knife['parent']))}\b", text), text
    homes = {noun(type_of_id(o["parent"])) for o in init["objects"] if o["object_type"] == goal["obj"]}
    assert any(f"the {h}" in text for h in homes)


def test_sentences_read_as_english() -> None:
    assert sentence("Boil Potato.") == "Boil a potato."
    cook = sentence("Cook 2 slice(s) of Potato and serve on a Plate")
    assert cook == "Cook two slices of potato and serve on a plate."
    assert sentence("The Pillow needs to be put onto a ArmChair") == "The pillow needs to be put onto an armchair."
    assert sentence("Put all peppershakers in one sidetable.") == "Put all pepper shakers in one side table."
    assert sentence("Clean all the Pots.") == "Clean all the pots." and plural("Bread") == "loaves of bread"
    details = family("sandwich").teach.details({"filling": "Tomato"})  # type: ignore[union-attr]
    assert details[0] == "Make two slices of toast." and "Make a slice of tomato." in details


def _tasks() -> list[Task]:
    specs = [TaskSpec(families=TEACH, n=12 * len(TEACH), seed=3, split=split) for split in Split]
    return [t for spec in specs for t in sample_tasks(spec)]


def _needed(task: Task) -> set[str]:
    """Object types the goal needs, read from the goal and its TEACh definition (not from the dialogue's code): its
    parameters, the objects its conditions name (whole ones for pieces), a knife to cut, a pot to boil in."""
    goal, teach = task.params["goal"], family(task.family).teach
    assert teach is not None
    kinds = {goal[k] for k in ("obj", "recep", "filling", "serving", "container", "cls") if k in goal}
    kinds |= set(goal.get("parts", []))
    conditions = _conditions(teach.bind(goal))
    named = {str(c.get("objectType", c.get("simbotObjectClass"))) for c in conditions if not c.get("receptacle")}
    kinds |= {re.sub("(Sliced|Cracked)$", "", k) for k in named}
    kinds |= {"Knife"} if any(re.search("Sliced|Cracked", k) for k in named) else set()
    kinds |= {"Pot"} if any(c.get("simbotIsBoiled") for c in conditions) else set()
    return kinds


def _conditions(task: BoundTask) -> list[Mapping[str, object]]:
    """The conditions of every object the task asks for (parts asked zero times left out)."""
    out: list[Mapping[str, object]] = []
    for c in task.components:
        if c.determiner == "0":
            continue
        out += _conditions(c.task) if isinstance(c, TaskComponent) else [c.conditions]
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def test_every_dialogue_reads_as_english_and_locates_what_the_goal_needs() -> None:
    tasks = _tasks()
    assert {t.family for t in tasks} == set(TEACH)
    for task in tasks:
        turns = task.params["dialogue"]
        text = " ".join(u for _, u in turns)
        for _, utterance in turns:
            assert utterance == utterance.strip() and "  " not in utterance, (task.id, utterance)
            assert utterance[-1] in ".!?", (task.id, utterance)
            for piece in _SENTENCE_END.split(utterance):
                assert piece[0].isupper(), (task.id, utterance)
        assert not re.search(r"\b(\w+) \1\b", text, re.IGNORECASE), (task.id, text)
        assert not re.search(r"\b\d+ x\b|\(s\)|[a-z][A-Z]|\ba [aeiou]|\ban [b-df-hj-np-tv-z]\b", text), (task.id, text)
        lower = text.lower()
        init = WorldInit.model_validate(task.params["init"])
        for detail in family(task.family).goal_details(task.params["goal"], init):  # nothing the goal says is lost
            words = set(re.findall(r"[a-z]{3,}", detail.lower())) - {"need", "needs"}
            assert all(w in lower for w in words), (task.id, detail, text)
        for kind in _needed(task):
            assert noun(kind) in lower or (kind == "Lamps" and "lamp" in lower), (task.id, kind, text)
        _assert_locations(task)


def _assert_locations(task: Task) -> None:
    """Every object the definition names is located: a Commander turn names it beside the receptacle that holds
    one of them, and every receptacle a Commander names as a place holds something in this world."""
    init = WorldInit.model_validate(task.params["init"])
    teach = family(task.family).teach
    assert teach is not None
    said = [u.lower() for s, u in task.params["dialogue"] if s == "Commander"]
    holders = {noun(r.type) for r in scene(task.scene).receptacles} | {noun(o.object_type) for o in init.objects}
    for kind in teach.objects(task.params["goal"]):
        found = [o for o in init.objects if kind in object_classes(o.object_type)]  # Lamps: desk and floor lamps
        places = {
            (noun(o.object_type), rf"\b(in|on) the {noun(type_of_id(o.parent))}\b" if o.parent else
             rf"\bnext to the {noun(type_of_id(o.near or ''))}\b")
            for o in found
        }  # fmt: skip
        hit = any(name.lower() in u and re.search(where, u, re.IGNORECASE) for u in said for name, where in places)
        assert hit, (task.id, kind, said)
    for utterance in said[1:]:
        for place in re.findall(r"\b(?:in|on|next to) the ([a-z ]+?)(?= on | in |[.,;]| and )", utterance):
            assert place in {h.lower() for h in holders}, (task.id, place, utterance)


@pytest.mark.parametrize("family_name", ["toast", "plate_of_toast", "sandwich", "breakfast", "omelette"])
def test_bread_and_eggs_are_located_though_the_request_does_not_name_them(family_name: str) -> None:
    for task in sample_tasks(TaskSpec(families=[family_name], n=5, seed=2)):
        food = "egg" if family_name == "omelette" else "bread"
        answers = [u.lower() for s, u in task.params["dialogue"] if s == "Commander" and food in u.lower()]
        assert any(re.search(r"\b(in|on) the \w", u) for u in answers), (task.id, task.params["dialogue"])
