"""A run's LLM call log (``calls.sqlite`` in the run folder): every prompt and raw reply, and what each call cost.

Each message text and reply is stored once, zlib-compressed, under its hash — the 30 prompts of one episode
share their prefix, so it is kept once, not 30 times. One row per call names its scope (the eval condition,
``collect``, ``distill-<namespace>``), its item (the episode id), the message hashes in order, the usage the
endpoint reported (or the cache stored) and the error, if any. Rows are committed as calls end, so the spend of a
run killed mid-episode is still on disk for the resumed run's totals; ``Step.call_id`` links a step to its row.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from msi_agent.llm.journal import CallRecord, wire_messages
from msi_agent.llm.sqlite import ThreadConnections
from msi_agent.records import USAGE_FIELDS, TokenUsage

CALLS_FILE = "calls.sqlite"
_USAGE = USAGE_FIELDS
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS texts (hash TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL, scope TEXT NOT NULL, item TEXT, purpose TEXT NOT NULL,
    messages TEXT NOT NULL, reply TEXT NOT NULL, cached INTEGER NOT NULL, error TEXT,
    attempts INTEGER NOT NULL, seconds REAL NOT NULL, {", ".join(f"{c} INTEGER NOT NULL" for c in _USAGE)}
);
CREATE INDEX IF NOT EXISTS calls_call_id ON calls (call_id);
CREATE INDEX IF NOT EXISTS calls_item ON calls (item);
"""


class LoggedCall(BaseModel):
    """One call read back: the messages as (role, content) exactly as sent, and the raw reply."""

    model_config = ConfigDict(extra="forbid")
    seq: int
    call_id: str
    scope: str
    item: str | None
    purpose: str
    messages: list[tuple[str, str]]
    reply: str
    usage: TokenUsage
    cached: bool
    error: str | None
    attempts: int
    seconds: float


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class CallLog:
    """Thread-safe; one per run folder (``RunFolder.calls``). Implements ``journal.CallSink``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connections = ThreadConnections(self.path)
        self._connections.get().executescript(_SCHEMA)
        self._known: set[str] = set()
        self._lock = threading.Lock()

    @classmethod
    def existing(cls, path: Path) -> CallLog | None:
        """The log at ``path`` for reading, or None when the run made no LLM call (nothing is created)."""
        return cls(path) if Path(path).is_file() else None

    def record(self, call: CallRecord, *, scope: str, item: str | None) -> None:
        wire = wire_messages(call.messages)
        hashes = [_hash(content) for _, content in wire]
        reply_hash = _hash(call.reply)
        texts = {h: content for h, (_, content) in zip(hashes, wire, strict=True)} | {reply_hash: call.reply}
        with self._lock:
            new = [(h, zlib.compress(t.encode("utf-8"))) for h, t in texts.items() if h not in self._known]
        row = (
            call.call_id,
            scope,
            item,
            call.purpose,
            json.dumps([[role, h] for (role, _), h in zip(wire, hashes, strict=True)]),
            reply_hash,
            int(call.cached),
            call.error,
            call.attempts,
            call.seconds,
            *(getattr(call.usage, c) for c in _USAGE),
        )
        conn = self._connections.get()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR IGNORE INTO texts VALUES (?, ?)", new)
            conn.execute(
                "INSERT INTO calls (call_id, scope, item, purpose, messages, reply, cached, error, attempts, seconds, "
                f"{', '.join(_USAGE)}) VALUES ({', '.join('?' * len(row))})",
                row,
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        with self._lock:
            self._known.update(h for h, _ in new)

    def spend(self) -> dict[str, TokenUsage]:
        """Usage by scope over every call ever made in this run (errored and interrupted attempts included)."""
        sums = ", ".join(f"SUM({c})" for c in _USAGE)
        rows = self._connections.get().execute(f"SELECT scope, {sums} FROM calls GROUP BY scope").fetchall()
        return {scope: TokenUsage(**dict(zip(_USAGE, values, strict=True))) for scope, *values in rows}

    def failed(self) -> int:
        """Calls that reached for the endpoint and failed (after their retries); cache answers never fail."""
        return int(self._connections.get().execute("SELECT count(*) FROM calls WHERE error IS NOT NULL").fetchone()[0])

    def calls(self, *, item: str | None = None, call_id: str | None = None) -> list[LoggedCall]:
        """Calls in the order they ended, of one item (episode) and/or one call id."""
        where, args = [], []
        for column, value in (("item", item), ("call_id", call_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM calls" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY seq"
        conn = self._connections.get()
        conn.row_factory = sqlite3.Row
        try:
            return [self._read(conn, row) for row in conn.execute(sql, args).fetchall()]
        finally:
            conn.row_factory = None

    def _read(self, conn: sqlite3.Connection, row: sqlite3.Row) -> LoggedCall:
        def text(h: str) -> str:
            found = conn.execute("SELECT data FROM texts WHERE hash = ?", (h,)).fetchone()
            return zlib.decompress(found[0]).decode("utf-8") if found else f"(text {h} missing)"

        return LoggedCall(
            seq=row["seq"],
            call_id=row["call_id"],
            scope=row["scope"],
            item=row["item"],
            purpose=row["purpose"],
            messages=[(role, text(h)) for role, h in json.loads(row["messages"])],
            reply=text(row["reply"]),
            usage=TokenUsage(**{c: row[c] for c in _USAGE}),
            cached=bool(row["cached"]),
            error=row["error"],
            attempts=row["attempts"],
            seconds=row["seconds"],
        )

    def close(self) -> None:
        self._connections.close()
