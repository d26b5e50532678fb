"""What a store writes: one insight with its history, and one batch (the unit of atomicity and of the journal).

A batch holds the *end state* of every record it touches, never deltas, so applying it twice is the same as
applying it once; that is what lets a backend replay a journaled batch after a crash.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from msi_agent.records import HistoryEntry, Insight, new_id


class StoredInsight(BaseModel):
    """A live (or deleted) insight with its full history, oldest first."""

    model_config = ConfigDict(extra="forbid")
    insight: Insight
    history: list[HistoryEntry] = Field(default_factory=list)


class Batch(BaseModel):
    """Records to upsert into the live set and records to move to the deleted set, in one namespace."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(default_factory=new_id)
    namespace: str
    upserts: list[StoredInsight] = Field(default_factory=list)
    deletes: list[StoredInsight] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes


def estimate_tokens(text: str) -> int:
    """Token estimate without tiktoken (which downloads its tables): ceil(characters / 4), the usual rule
    of thumb for English with BPE tokenisers; it errs on the high side for short common words."""
    return max(1, math.ceil(len(text) / 4))
