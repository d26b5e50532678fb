"""Test data: a workspace with an experience pool and two run folders, and insight stores filled through the
real store API (ADD/AGREE/EDIT batches with provenance) so history and trajectories are genuine."""

from __future__ import annotations

from pathlib import Path

from insights_store.base import InsightStore
from msi_agent.config import Settings
from msi_agent.llm.accounting import Price
from msi_agent.pipeline.records import DistillUpdate
from msi_agent.pipeline.results import build_results, render_markdown
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.records import (
    Episode,
    InsightOp,
    OpKind,
    Provenance,
    Scale,
    Split,
    Step,
    Task,
    TokenUsage,
)

NS = "exp1"
SNAPSHOT = "exp1.0001"  # the generator names snapshots <namespace>.<nnnn>


def _episode(eid: str, family: str, instruction: str, success: bool, room: str) -> Episode:
    task = Task(id=f"t-{eid}", family=family, environment=room, scene="FloorPlan1", instruction=instruction)
    steps = [
        Step(thought="The mug should be in a cabinet.", action="open cabinet 1", observation="You open the cabinet 1."),
        Step(action="take mug 1 from cabinet 1", observation="You pick up the mug 1 from the cabinet 1."),
    ]
    return Episode(
        id=eid,
        task=task,
        steps=steps,
        success=success,
        gc_satisfied=1 if success else 0,
        gc_total=1,
        path_length=len(steps),
        failure_reason=None if success else "ran out of steps",
    )


EPISODES = [
    _episode("ep-success-1", "pick_and_place_simple", "put a mug in the coffee machine", True, "Kitchen"),
    _episode(
        "ep-failure-1",
        "pick_heat_then_place_in_recep",
        "heat a mug and put it on the table",
        False,
        "Kitchen",
    ),
]


def _add(text: str, scale: Scale, key: str | None, *experience_ids: str) -> InsightOp:
    return InsightOp(
        kind=OpKind.ADD,
        text=text,
        scale=scale,
        key=key,
        provenance=Provenance(experience_ids=list(experience_ids), llm_call_id="call-1", llm="scripted"),
    )


def fill(store: InsightStore) -> dict[str, str]:
    """Two distill steps into ``NS`` with a snapshot after the first; returns text-stem → insight id."""
    first = store.apply(
        [
            _add(
                "Check every cabinet before concluding an object is missing.",
                Scale.GENERAL,
                None,
                "ep-success-1",
                "ep-failure-1",
            ),
            _add(
                "In kitchens, the microwave heats objects; open it first.",
                Scale.ENVIRONMENT,
                "Kitchen",
                "ep-success-1",
                "ep-failure-1",
            ),
            _add(
                "Take the object before going to the target receptacle.",
                Scale.SUBTASK,
                "Object Placement",
                "ep-success-1",
            ),
            _add(
                "Open closed receptacles to reveal hidden objects.",
                Scale.SUBTASK,
                "Revealing Hidden Objects",
                "ep-failure-1",
            ),
        ],
        namespace=NS,
    )
    store.import_jsonl(list(store.export_jsonl(namespace=NS)), namespace=SNAPSHOT)  # as the generator does
    general, kitchen, placement, hidden = first.added
    store.apply(
        [
            InsightOp(
                kind=OpKind.AGREE,
                target=general,
                provenance=Provenance(experience_ids=["ep-success-1"], llm_call_id="call-2"),
            ),
            InsightOp(
                kind=OpKind.EDIT,
                target=placement,
                text="Take the object first, then go to the receptacle.",
                provenance=Provenance(experience_ids=["ep-failure-1"], llm_call_id="call-2"),
            ),
            _add("Bedrooms keep books on shelves and desks.", Scale.ENVIRONMENT, "Bedroom", "ep-success-1"),
        ],
        namespace=NS,
    )
    return {"general": general, "kitchen": kitchen, "placement": placement, "hidden": hidden}


# Run → condition → (family, split, successes out of 4, goal conditions satisfied out of 8).
RUNS = {
    "run-a": {
        "no-insights": [
            ("pick_and_place_simple", Split.VALID_SEEN, 1, 4),
            ("pick_heat_then_place_in_recep", Split.VALID_UNSEEN, 0, 2),
        ],
        "msi": [
            ("pick_and_place_simple", Split.VALID_SEEN, 2, 6),
            ("pick_heat_then_place_in_recep", Split.VALID_UNSEEN, 1, 4),
        ],
    },
    "run-b": {"expel": [("pick_and_place_simple", Split.VALID_SEEN, 2, 5)]},
}
PRICES = {"scripted": Price(prompt=1.0, completion=2.0)}  # USD per million tokens


def _evaluated(run: str, condition: str, family: str, split: Split, successes: int, satisfied: int) -> list[Episode]:
    """Four episodes of one family with the given number of successes and satisfied goal conditions (of 2 each)."""
    per_episode = [min(2, max(0, satisfied - 2 * i)) for i in range(4)]
    return [
        Episode(
            id=f"{run}.{condition}.{family}-{split.value}-{i}",
            task=Task(
                id=f"{family}-{split.value}-{i}",
                family=family,
                environment="Kitchen",
                scene="FloorPlan1",
                instruction=f"do {family}",
                split=split,
            ),
            success=i < successes,
            gc_satisfied=per_episode[i],
            gc_total=2,
            path_length=5,
            usage=TokenUsage(prompt_tokens=325, completion_tokens=50, calls=1),
            llm="scripted",
        )
        for i in range(4)
    ]


def write_run(workspace: Path, name: str) -> Path:
    """A finished run folder written by the pipeline's own writers (manifest, episodes, results)."""
    folder = RunFolder.in_workspace(workspace, name)
    folder.start(command="eval", settings=Settings(workspace=workspace, llm={"spec": "scripted"}))
    by_condition: dict[str, list[Episode]] = {}
    for condition, cells in RUNS[name].items():
        by_condition[condition] = [ep for cell in cells for ep in _evaluated(name, condition, *cell)]
        for ep in by_condition[condition]:
            folder.save_episode(condition, ep)
    updates = [
        DistillUpdate(step=1, seed_ids=["s1"], counts={"general": 1, "environment": 1, "subtask": 2}),
        DistillUpdate(step=2, seed_ids=["s2"], counts={"general": 1, "environment": 2, "subtask": 2}),
    ]
    results = build_results(by_condition, llm="scripted", prices=PRICES, updates=updates)
    folder.write_results(results, render_markdown(results, title=name))
    return folder.path
