"""Parse the insight generator's reply into operations, accepting what LLMs really write.

Accepted: ``ADD: rule``, ``EDIT 3: rule``, ``REMOVE #3``, ``AGREE rule 3: …``, ``MOVE 3 TO SUBTASK [Name]: rule``,
with bullets, list numbers, bold/italic/backticks, any letter case, ``:``/``-``/``–`` separators, section headers
(``GENERAL:``, ``### Environment insights (Kitchen)``, ``**Subtask:**``) and stray prose (ignored).
Subtask names come in ``[brackets]``, ``<angles>`` or ``"quotes"``. Lines that are not operations are skipped;
lines that look like operations but cannot be read are returned with the reason. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from msi_agent.records import EnvCategory, OpKind, Scale

MAX_LINE_CHARS = 4000  # longer than any valid rule (records.MAX_INSIGHT_CHARS); bounds regex work
_MARKUP = re.compile(r"[*_`]+")
_LEAD = re.compile(r"^\s*(?:[-+•>#]+|\(?\d{1,3}[.)]|\(\d{1,3}\))\s*")
_HEADER = re.compile(
    r"^(?P<scale>general|global|environments?|environmental|room|sub-?tasks?)\b[^:]{0,50}:?\s*$", re.IGNORECASE
)
_INLINE_HEADER = re.compile(
    r"^(?P<scale>general|environment|subtask)\b[^:]{0,30}:\s*(?=(?:ADD|EDIT|REMOVE|AGREE|MOVE)\b)", re.IGNORECASE
)
# An operation line is read piece by piece (kind, number, destination, key, separator, text) with anchored
# patterns and lstrip between them: one big regex with adjacent optional groups backtracks exponentially on spaces.
_KIND = re.compile(r"(ADD|EDIT|REMOVE|AGREE|MOVE)\b", re.IGNORECASE)
_FILLER = re.compile(r"(?:rule|insight|number|no\.?)\b", re.IGNORECASE)
_NUMBER = re.compile(r"[#(\[]?\s*(\d{1,6})\s*[)\]]?")
_DEST = re.compile(r"(?:TO\b|->|→|INTO\b)\s*(?:(general|environment(?:al)?|room|sub-?task)\b)?", re.IGNORECASE)
_KEY = re.compile(r"\[[^\]]*\]|<[^>]*>|\"[^\"]*\"|\((?!\s*\d+\s*\))[^)]*\)")
_SEPARATORS = ":.-–—="
_ROOMS = {c.value.lower() for c in EnvCategory}
_SCALE_WORDS = {
    "general": Scale.GENERAL,
    "global": Scale.GENERAL,
    "environment": Scale.ENVIRONMENT,
    "environments": Scale.ENVIRONMENT,
    "environmental": Scale.ENVIRONMENT,
    "room": Scale.ENVIRONMENT,
    "subtask": Scale.SUBTASK,
    "subtasks": Scale.SUBTASK,
    "sub-task": Scale.SUBTASK,
    "sub-tasks": Scale.SUBTASK,
}


@dataclass(frozen=True, slots=True)
class ParsedOp:
    """One operation as written: numbers still refer to the numbered list the LLM saw."""

    kind: OpKind
    number: int | None
    text: str
    key: str | None = None
    section: Scale | None = None
    destination: Scale | None = None
    line: str = ""


@dataclass(slots=True)
class ParseResult:
    ops: list[ParsedOp] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def parse_operations(reply: str) -> ParseResult:
    """Operations in reply order, each tagged with the section header above it (if any)."""
    result = ParseResult()
    section: Scale | None = None
    for raw in (reply or "").splitlines():
        line = _clean(raw[:MAX_LINE_CHARS])
        if not line:
            continue
        if inline := _INLINE_HEADER.match(line):  # "GENERAL: ADD: rule"
            section, line = _scale_word(inline.group("scale")), line[inline.end() :]
        kind = _KIND.match(line)
        if kind is None:
            header = _HEADER.match(line)
            if header:
                section = _scale_word(header.group("scale"))
            continue
        op = _read_op(OpKind(kind.group(1).upper()), line[kind.end() :], section, raw.strip())
        if op is None:
            result.unreadable.append((raw.strip()[:300], "looks like an operation but is not 'KIND [n]: text'"))
        else:
            result.ops.append(op)
    return result


def _clean(raw: str) -> str:
    line = _MARKUP.sub("", raw).strip()
    for _ in range(3):  # "- 1. **ADD**" → "ADD"
        stripped = _LEAD.sub("", line, count=1).strip()
        if stripped == line:
            break
        line = stripped
    return line


def _read_op(kind: OpKind, rest: str, section: Scale | None, raw: str) -> ParsedOp | None:
    rest = rest.lstrip()
    if m := _FILLER.match(rest):
        rest = rest[m.end() :].lstrip()
    number = None
    if m := _NUMBER.match(rest):
        number, rest = int(m.group(1)), rest[m.end() :].lstrip()
    destination = None
    if m := _DEST.match(rest):
        destination, rest = _scale_word(m.group(1)) if m.group(1) else None, rest[m.end() :].lstrip()
    key = None
    if m := _KEY.match(rest):
        key, rest = _key(m.group(0)[1:-1]), rest[m.end() :].lstrip()
    if rest and rest[0] not in _SEPARATORS:
        return None
    if key and key.lower() in _SCALE_WORDS:  # "ADD (general): …" names a scale, not a subtask
        section, key = _SCALE_WORDS[key.lower()], None
    elif key and key.replace(" ", "").lower() in _ROOMS:  # "ADD [Kitchen]: …" is an environment rule
        section, key = Scale.ENVIRONMENT, None
    if kind is OpKind.MOVE and destination is None and key:  # "MOVE 3 TO [Heating]: …"
        destination = Scale.SUBTASK
    text = rest[1:].strip().strip("\"'“”").strip()
    return ParsedOp(
        kind=kind, number=number, text=text, key=key, section=section, destination=destination, line=raw[:300]
    )


def _key(name: str) -> str | None:
    name = re.sub(r"^\s*(?:sub-?task|name)\s*[:=]\s*", "", name, flags=re.IGNORECASE)
    name = " ".join(name.split()).strip("\"' ")
    return name or None


def _scale_word(word: str) -> Scale:
    return _SCALE_WORDS.get(word.lower(), Scale.SUBTASK if word.lower().startswith("sub") else Scale.ENVIRONMENT)
