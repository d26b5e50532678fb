"""Test data: a workspace with an experience pool and two run folders, and insight stores filled through the
real store API (ADD/AGREE/EDIT batches with provenance) so history and trajectories are genuine."""

from __future__ import annotations

import json
from pathlib import Path

from insights_store.base import InsightStore
from msi_agent.records import EnvCategory, Episode, InsightOp, OpKind, Provenance, Scale, Step, Task

NS = "exp1"
SNAPSHOT = "exp1.0001"  # the generator names snapshots <namespace>.<nnnn>


def _episode(eid: str, family: str, instruction: str, success: bool, room: EnvCategory) -> Episode:
    task = Task(id=f"t-{eid}", family=family, environment=room, scene="FloorPlan1", instruction=instruction)
    steps = [
        Step(thought="The mug should be in a cabinet.", action="open cabinet 1", observation="You open the cabinet 1."),
        Step(action="take mug 1 from cabinet 1", observation="You pick up the mug 1 from the cabinet 1."),
    ]
    return Episode(
        id=eid, task=task, steps=steps, success=success, gc_satisfied=1 if success else 0, gc_total=1,
        path_length=len(steps), failure_reason=None if success else "ran out of steps",
    )


EPISODES = [
    _episode("ep-success-1", "pick_and_place_simple", "put a mug in the coffee machine", True, EnvCategory.KITCHEN),
    _episode("ep-failure-1", "pick_heat_then_place_in_recep", "heat a mug and put it on the table", False,
             EnvCategory.KITCHEN),
]


def _add(text: str, scale: Scale, key: str | None, *experience_ids: str) -> InsightOp:
    return InsightOp(
        kind=OpKind.ADD, text=text, scale=scale, key=key,
        provenance=Provenance(experience_ids=list(experience_ids), llm_call_id="call-1", llm="scripted"),
    )


def fill(store: InsightStore) -> dict[str, str]:
    """Two distill steps into ``NS`` with a snapshot after the first; returns text-stem → insight id."""
    first = store.apply(
        [
            _add("Check every cabinet before concluding an object is missing.", Scale.GENERAL, None,
                 "ep-success-1", "ep-failure-1"),
            _add("In kitchens, the microwave heats objects; open it first.", Scale.ENVIRONMENT, "Kitchen",
                 "ep-success-1", "ep-failure-1"),
            _add("Take the object before going to the target receptacle.", Scale.SUBTASK, "Object Placement",
                 "ep-success-1"),
            _add("Open closed receptacles to reveal hidden objects.", Scale.SUBTASK, "Revealing Hidden Objects",
                 "ep-failure-1"),
        ],
        namespace=NS,
    )
    store.import_jsonl(list(store.export_jsonl(namespace=NS)), namespace=SNAPSHOT)  # as the generator does
    general, kitchen, placement, hidden = first.added
    store.apply(
        [
            InsightOp(kind=OpKind.AGREE, target=general,
                      provenance=Provenance(experience_ids=["ep-success-1"], llm_call_id="call-2")),
            InsightOp(kind=OpKind.EDIT, target=placement, text="Take the object first, then go to the receptacle.",
                      provenance=Provenance(experience_ids=["ep-failure-1"], llm_call_id="call-2")),
            _add("Bedrooms keep books on shelves and desks.", Scale.ENVIRONMENT, "Bedroom", "ep-success-1"),
        ],
        namespace=NS,
    )
    return {"general": general, "kitchen": kitchen, "placement": placement, "hidden": hidden}


RUN_ROWS = {
    "run-a": [
        ("pick_and_place_simple", "valid_seen", "no-insights", 0.25, 0.5),
        ("pick_and_place_simple", "valid_seen", "msi", 0.5, 0.75),
        ("pick_heat_then_place_in_recep", "valid_unseen", "no-insights", 0.0, 0.25),
        ("pick_heat_then_place_in_recep", "valid_unseen", "msi", 0.25, 0.5),
    ],
    "run-b": [
        ("pick_and_place_simple", "valid_seen", "expel", 0.4, 0.6),
    ],
}


def write_run(workspace: Path, name: str) -> Path:
    folder = workspace / "runs" / name
    (folder / "episodes").mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"name": name, "config": {"llm": {"spec": "scripted"}}, "git_commit": "0123abc"})
    )
    results = {
        "rows": [
            {"family": f, "split": s, "condition": c, "episodes": 4, "sr": sr, "gc": gc}
            for f, s, c, sr, gc in RUN_ROWS[name]
        ],
        "insight_counts": [
            {"step": 1, "counts": {"general": 1, "environment": 1, "subtask": 2}},
            {"step": 2, "counts": {"general": 1, "environment": 2, "subtask": 2}},
        ],
        "usage": {"prompt_tokens": 5200, "completion_tokens": 800, "calls": 12},
        "cost_usd": 0.0,
    }
    (folder / "results.json").write_text(json.dumps(results))
    return folder
