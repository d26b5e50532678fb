"""The pending-proposal file: versioned like the run's other files, read back whole, refused when unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msi_agent.pipeline.proposals import Proposal, pending_path, read_pending, write_pending
from msi_agent.pipeline.records import RUN_SCHEMA_VERSION, RunRecordError
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.records import InsightOp, OpKind, Scale


def _proposal() -> Proposal:
    op = InsightOp(kind=OpKind.ADD, scale=Scale.GENERAL, text="Open a closed container before taking from it.")
    return Proposal(step=3, batch="b-1", seed_ids=["e1", "e2"], call_id="c-9", ops=[op])


def test_a_pending_proposal_round_trips_with_its_schema_version(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    write_pending(folder, "ns", _proposal())
    assert json.loads(pending_path(folder, "ns").read_text())["schema_version"] == RUN_SCHEMA_VERSION
    assert read_pending(folder, "ns") == _proposal()


def test_a_file_from_before_versioning_is_still_finished(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    data = json.loads(_proposal().model_dump_json(exclude={"schema_version"}))
    pending_path(folder, "ns").write_text(json.dumps(data))
    assert read_pending(folder, "ns") == _proposal()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"schema_version": 99, "step": 1, "batch": "b"}', "written by a newer msi-agent"),
        ('{"step": 1, "batch": "b", "seed_ids": [], "frobnicate": 1}', "frobnicate"),
        ('{"step": 1, "batch": ', "is not JSON"),
    ],
)
def test_an_unusable_pending_file_is_refused_with_what_to_do(tmp_path: Path, text: str, message: str) -> None:
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    pending_path(folder, "ns").write_text(text)
    with pytest.raises(RunRecordError, match=message):
        read_pending(folder, "ns")
    assert pending_path(folder, "ns").read_text() == text  # nothing is lost
