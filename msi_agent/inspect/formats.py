"""Insight sets as text a person or a spreadsheet reads: Markdown grouped by scale and key, and CSV.

JSONL export is the store's own (``InsightStore.export_jsonl``) because only it can be imported back;
these two are for reading and sharing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from enum import StrEnum

from msi_agent import markdown
from msi_agent.records import Insight, Scale

CSV_COLUMNS = ("id", "scale", "key", "score", "text", "created", "updated", "experience_ids", "llm_call_id")


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    MD = "md"
    CSV = "csv"


SCALE_ORDER = (Scale.GENERAL, Scale.ENVIRONMENT, Scale.SUBTASK)


def grouped(insights: Iterable[Insight]) -> dict[Scale, dict[str, list[Insight]]]:
    """Scale → key → insights, in the order the executor prompt presents them (general, environment, subtask).

    General insights sit under the key ``""``; within a key the given order (by score) is kept.
    """
    out: dict[Scale, dict[str, list[Insight]]] = {scale: {} for scale in SCALE_ORDER}
    for ins in insights:
        out[ins.scale].setdefault(ins.key or "", []).append(ins)
    return {scale: dict(sorted(keys.items())) for scale, keys in out.items() if keys}


def to_markdown(insights: Iterable[Insight], *, title: str) -> str:
    lines = [f"# {markdown.text(title)}", ""]
    groups = grouped(insights)
    if not groups:
        lines.append("_No insights._")
    for scale, keys in groups.items():
        lines += [f"## {scale.value.capitalize()}", ""]
        for key, items in keys.items():
            if key:
                lines += [f"### {markdown.text(key)}", ""]
            lines += [f"- **{_score(ins.score)}** {markdown.text(ins.text)} {markdown.code(ins.id)}" for ins in items]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_csv(insights: Iterable[Insight]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for ins in insights:
        writer.writerow(
            [
                ins.id,
                ins.scale.value,
                ins.key or "",
                _score(ins.score),
                ins.text,
                ins.created.isoformat(),
                ins.updated.isoformat(),
                " ".join(ins.provenance.experience_ids),
                ins.provenance.llm_call_id or "",
            ]
        )
    return buf.getvalue()


def _score(score: float) -> str:
    return f"{score:g}"
