"""collect → distill → evaluate, with run folders that resume; ``Session`` holds the parts every stage uses.

with Session.from_settings(settings) as session:
    folder = experiment.open_run(session, "my-run", command="script")
    experiment.run_all(session, folder)      # or stages.collect / stages.distill / stages.evaluate
"""

from msi_agent.pipeline import experiment, stages
from msi_agent.pipeline.offline import ExpertPlayer, expert_chat_model
from msi_agent.pipeline.records import DistillUpdate, Manifest, ResultRow, Results, RunRecordError
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError
from msi_agent.pipeline.session import Session
from msi_agent.pipeline.suite import Suite

__all__ = [
    "DistillUpdate",
    "ExpertPlayer",
    "Manifest",
    "ResultRow",
    "Results",
    "RunFolder",
    "RunFolderError",
    "RunRecordError",
    "Session",
    "Suite",
    "experiment",
    "expert_chat_model",
    "stages",
]
