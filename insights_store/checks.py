"""What the store checks in a caller's input before anything is written: namespaces, filters, import lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from insights_store.base import StoreError
from insights_store.batch import StoredInsight
from msi_agent.records import HistoryEntry, Insight, OpKind, Provenance, Scale

NAMESPACE_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,46}[A-Za-z0-9])?$")
MAX_IMPORT_LINE = 1_000_000
"""Characters in one import line: an insight (≤ 2,000 characters) with a long history fits many times over."""


class InvalidInputError(StoreError, ValueError):
    """A caller passed something the store cannot accept; nothing was written."""


def check_namespace(namespace: str) -> str:
    if not isinstance(namespace, str) or not NAMESPACE_PATTERN.match(namespace):
        raise InvalidInputError(
            f"namespace {namespace!r} is not valid: use 1-48 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit (e.g. 'exp1-pair-hashmap')"
        )
    return namespace


def check_scale_key(scale: Scale | str | None, key: str | None) -> tuple[Scale | None, str | None]:
    """Normalise a (scale, key) filter; a key on the general scale or an unknown scale is an error."""
    if scale is not None:
        try:
            scale = Scale(scale)
        except ValueError:
            raise InvalidInputError(
                f"unknown scale {scale!r}; choose one of {', '.join(s.value for s in Scale)}"
            ) from None
    if key is not None and not key.strip():
        raise InvalidInputError("key is empty; pass None to match every key")
    if scale is Scale.GENERAL and key is not None:
        raise InvalidInputError("general insights have no key; drop the key or choose scale environment/subtask")
    return scale, key


def validation_error(exc: ValidationError, what: str) -> InvalidInputError:
    reasons = "; ".join(
        (f"{'.'.join(map(str, err['loc']))}: " if err["loc"] else "") + err["msg"].removeprefix("Value error, ")
        for err in exc.errors()
    )
    return InvalidInputError(f"invalid {what}: {reasons}")


def parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, StoredInsight]]:
    """Lines of ``export_jsonl`` (or bare Insight objects), validated; numbered from 1 for error messages."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_IMPORT_LINE:
            raise InvalidInputError(
                f"line {number} has {len(line):,} characters, more than the {MAX_IMPORT_LINE:,} an insight with its "
                "history can need; nothing was imported"
            )
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"line {number} is not JSON ({exc.msg}); nothing was imported") from None
        except RecursionError:
            raise InvalidInputError(f"line {number} nests too deeply to be an insight; nothing was imported") from None
        try:
            if isinstance(data, dict) and "insight" in data:
                rec = StoredInsight.model_validate(data)
            else:
                insight = Insight.model_validate(data)
                rec = StoredInsight(
                    insight=insight,
                    history=[
                        HistoryEntry(
                            insight_id=insight.id,
                            op=OpKind.ADD,
                            text=insight.text,
                            score_after=insight.score,
                            provenance=Provenance(note="imported"),
                        )
                    ],
                )
        except ValidationError as exc:
            raise validation_error(exc, f"line {number} (nothing was imported)") from None
        if any(h.insight_id != rec.insight.id for h in rec.history):
            raise InvalidInputError(f"line {number}: history entries belong to another insight id")
        yield number, rec
