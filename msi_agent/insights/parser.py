"""Parse the insight generator's reply into operations, accepting what LLMs really write.

Two formats, mixed freely in one reply:
- ours: ``ADD: rule``, ``EDIT 3: rule``, ``REMOVE #3``, ``AGREE rule 3: …``, ``MOVE 3 TO SUBTASK [Name]: rule``,
  subtask names in ``[brackets]``, ``<angles>`` or ``"quotes"``;
- the paper's: a scale tag before or after the rule, ``ADD: rule (TASK: Object Placement)``,
  ``ADD (TASK: Name): rule``, ``(ENVIRONMENT)`` / ``(GENERAL)``, usually under section headers; its ``MOVE n: rule``
  has no ``TO`` and takes its destination from the tag, else from the section it is written under.
Tags never stay in the rule text. Bullets, list numbers, bold/italic/backticks, any letter case, ``:``/``-``/``–``
separators, section headers (``GENERAL:``, ``### Environment insights (Kitchen)``, ``**Subtask:**``) and stray
prose (ignored) are all read. Lines that look like operations but cannot be read are returned with the reason.
Never raises.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from msi_agent.records import OpKind, Scale

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
# The paper's scale tag: "(TASK: Object Placement)", "[Subtask = Heating]", "(ENVIRONMENT)", "(general)".
_TAG_BODY = r"(?P<label>sub-?task|task|environment|env|general)\b\s*(?:[:=\-–]\s*(?P<name>[^()\[\]\n]{0,80}?))?\s*"
_TAG = re.compile(r"[(\[]\s*" + _TAG_BODY + r"[)\]]", re.IGNORECASE)
_TRAILING_TAG = re.compile(r"[(\[]\s*" + _TAG_BODY + r"[)\]]\s*(?P<end>[.;!]?)\s*$", re.IGNORECASE)
_SEPARATORS = ":.-–—="
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
    "task": Scale.SUBTASK,
    "env": Scale.ENVIRONMENT,
}


@dataclass(frozen=True, slots=True)
class ParsedOp:
    """One operation as written: numbers still refer to the numbered list the LLM saw.

    ``section`` is the scale an ADD belongs to (a tag, a scale word in brackets or the section header above it);
    ``destination`` is where a MOVE sends its rule (``TO …``, else a tag or a subtask name, else the section).
    """

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


def parse_operations(reply: str, *, categories: Collection[str] = ()) -> ParseResult:
    """Operations in reply order, each tagged with the section header above it (if any). ``categories`` are the
    environment's category names: ``ADD [Kitchen]: …`` names the environment scale, not a subtask."""
    result = ParseResult()
    folded = {_fold(c) for c in categories}
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
        op = _read_op(OpKind(kind.group(1).upper()), line[kind.end() :], section, raw.strip(), folded)
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


def _fold(name: str) -> str:
    return name.replace(" ", "").lower()


def _read_op(kind: OpKind, rest: str, section: Scale | None, raw: str, categories: set[str]) -> ParsedOp | None:
    rest = rest.lstrip()
    if m := _FILLER.match(rest):
        rest = rest[m.end() :].lstrip()
    number = None
    if m := _NUMBER.match(rest):
        number, rest = int(m.group(1)), rest[m.end() :].lstrip()
    destination = None
    if m := _DEST.match(rest):
        destination, rest = _scale_word(m.group(1)) if m.group(1) else None, rest[m.end() :].lstrip()
    key, tag = None, None
    if m := _TAG.match(rest):  # "ADD (TASK: Name): rule"
        tag, rest = _tag(m), rest[m.end() :].lstrip()
    elif m := _KEY.match(rest):
        key, rest = _key(m.group(0)[1:-1]), rest[m.end() :].lstrip()
    if rest and rest[0] not in _SEPARATORS:
        return None
    if key and key.lower() in _SCALE_WORDS:  # "ADD (general): …" names a scale, not a subtask
        tag, key = (_SCALE_WORDS[key.lower()], None), None
    elif key and _fold(key) in categories:  # "ADD [Kitchen]: …" is an environment rule
        tag, key = (Scale.ENVIRONMENT, None), None
    text = rest[1:].strip().strip("\"'“”").strip()
    text, text_tag = _split_tag(text)
    tag = text_tag or tag
    if tag is not None:
        scale = section = tag[0]
        key = (tag[1] or key) if scale is Scale.SUBTASK else None
        if kind is OpKind.MOVE and destination is None:
            destination = scale
    if kind is OpKind.MOVE and destination is None:  # "MOVE 3 TO [Heating]: …", or the paper's bare MOVE
        destination = Scale.SUBTASK if key else section
    return ParsedOp(
        kind=kind, number=number, text=text, key=key, section=section, destination=destination, line=raw[:300]
    )


def _split_tag(text: str) -> tuple[str, tuple[Scale, str | None] | None]:
    """The rule text without its scale tag (trailing, else leading), and the tag."""
    if m := _TRAILING_TAG.search(text):  # "rule (TASK: Name)." keeps its full stop
        rule = text[: m.start()].strip().strip("\"'“”").strip()
        return (rule + m.group("end") if rule and rule[-1] not in ".;!?" else rule), _tag(m)
    if m := _TAG.match(text):
        return text[m.end() :].lstrip(" :.-–—").strip().strip("\"'“”").strip(), _tag(m)
    return text, None


def _tag(m: re.Match[str]) -> tuple[Scale, str | None]:
    scale = _scale_word(m.group("label"))
    name = _key(m.group("name") or "") if scale is Scale.SUBTASK else None
    return scale, name


def _key(name: str) -> str | None:
    name = re.sub(r"^\s*(?:sub-?task|task|name)\s*[:=]\s*", "", name, flags=re.IGNORECASE)
    name = " ".join(name.split()).strip("\"'<>[] ")
    return name or None


def _scale_word(word: str) -> Scale:
    return _SCALE_WORDS.get(word.lower(), Scale.SUBTASK if word.lower().startswith("sub") else Scale.ENVIRONMENT)
