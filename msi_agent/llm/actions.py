"""The executor's reply format and how a reply becomes one admissible command.

The executor prompt asks for exactly two lines::

    Think: <one line of reasoning>
    Action: <one command, verbatim from the admissible list>

``parse_reply`` reads that format leniently (case, markdown, missing ``Think``); ``map_to_admissible`` turns the
proposed command into a member of the admissible list, exactly when possible and otherwise by similarity after
normalisation, so a sloppy model still acts. ``action_grammar`` writes the same contract as a GBNF grammar for
backends that can constrain decoding (llama.cpp), where the Action line can only be an admissible command.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

REPLY_FORMAT = "Think: <your reasoning in one line>\nAction: <one command copied from the possible commands>"
"""The instruction text prompts should show the model (kept here so prompt and parser cannot drift)."""

ACT_FORMAT = "Action: <one command copied from the possible commands>"
"""The act-only variant (no thought), for ``choose_action(..., think=False)``."""

MAX_THOUGHT_CHARS = 200
"""Bound on the Think line: under a grammar the model cannot write more; without one, a longer thought is cut to it
before it is recorded, since every later prompt replays it (the raw reply keeps the whole text)."""

_ACTION_RE = re.compile(r"^\W*action\W*[:\-]\s*(.*)$", re.IGNORECASE)
_THINK_RE = re.compile(r"^\W*(?:think|thought)\W*[:\-]\s*(.*)$", re.IGNORECASE)
_DECOR = " \t*`_\"'"
"""Markdown and quoting that models wrap around labels and commands."""
_ARTICLES = {"a", "an", "the"}
# Symmetric aliases: applied to both sides before comparing, so they only ever bring equivalent phrasings together.
_ALIASES = {"put": "move", "place": "move", "into": "to", "onto": "to", "in": "to", "on": "to", "inside": "to"}


@dataclass(frozen=True)
class ParsedReply:
    thought: str
    action: str | None
    """The text after ``Action:``; None when the reply has no Action line."""


def parse_reply(text: str) -> ParsedReply:
    """Split a reply into its thought and proposed action.

    The first non-empty Action line wins and ends the reply: what follows is the model imagining later turns.
    """
    thought_lines: list[str] = []
    action: str | None = None
    for raw in text.strip().splitlines():
        line = raw.strip(_DECOR)
        if m := _ACTION_RE.match(line):
            action = m.group(1).strip(_DECOR) or None
            if action:
                break
        elif m := _THINK_RE.match(line):
            thought_lines.append(m.group(1).strip(_DECOR))
        elif line:
            thought_lines.append(line)
    return ParsedReply(thought=" ".join(t for t in thought_lines if t), action=action)


def normalise(command: str) -> str:
    """Lower-case, drop punctuation and articles, unify a few verb/preposition spellings, squeeze spaces."""
    words = re.sub(r"[^\w\s]", " ", command.lower()).split()
    return " ".join(_ALIASES.get(w, w) for w in words if w not in _ARTICLES)


def similarity(a: str, b: str) -> float:
    """In [0, 1]: mean of word-set overlap (Jaccard) and character sequence ratio, over normalised strings.

    Word overlap keeps ``cabinet 1`` apart from ``cabinet 10``; the sequence ratio rewards near spellings.
    """
    na, nb = normalise(a), normalise(b)
    wa, wb = set(na.split()), set(nb.split())
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 1.0
    return 0.5 * jaccard + 0.5 * difflib.SequenceMatcher(None, na, nb).ratio()


@dataclass(frozen=True)
class MappedAction:
    command: str
    mapped: bool
    """True when ``command`` is not the model's text verbatim (normalised match, nearest match or fallback)."""
    score: float


FALLBACK_COMMANDS = ("look", "inventory")
"""Harmless commands preferred when the reply names no action at all."""


def map_to_admissible(proposed: str | None, admissible: list[str], *, context: str = "") -> MappedAction:
    """The admissible command meant by ``proposed``; ``context`` (the whole reply) is used when nothing was proposed.

    Raises ValueError for an empty admissible list: that is the caller's bug, not the model's.
    """
    if not admissible:
        raise ValueError("admissible command list is empty; the environment must offer at least one command")
    if proposed is not None:
        if proposed in admissible:
            return MappedAction(proposed, mapped=False, score=1.0)
        target = normalise(proposed)
        for cmd in admissible:
            if normalise(cmd) == target:
                return MappedAction(cmd, mapped=True, score=1.0)
    probe = proposed if proposed is not None else context
    if probe.strip():
        scores = [similarity(probe, cmd) for cmd in admissible]
        best = max(range(len(admissible)), key=scores.__getitem__)  # first wins ties: keeps env order
        return MappedAction(admissible[best], mapped=True, score=scores[best])
    fallback = next((c for c in FALLBACK_COMMANDS if c in admissible), admissible[0])
    return MappedAction(fallback, mapped=True, score=0.0)


def gbnf_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def grammar_token_budget(
    admissible: list[str], *, think: bool = True, max_thought_chars: int = MAX_THOUGHT_CHARS
) -> int:
    """A max_tokens that can never cut a grammar-shaped reply short: every token spells at least one character."""
    thought = len("Think: \n") + max_thought_chars if think else 0
    return thought + len("Action: ") + max(map(len, admissible), default=0) + 8


def action_grammar(admissible: list[str], *, think: bool = True, max_thought_chars: int = MAX_THOUGHT_CHARS) -> str:
    """GBNF for ``Think: …\\nAction: <admissible>`` (or just the Action line): bounded thought, closed action set."""
    if not admissible:
        raise ValueError("admissible command list is empty; cannot build an action grammar")
    alternatives = " | ".join(gbnf_literal(c) for c in dict.fromkeys(admissible))
    if not think:
        return f'root ::= "Action: " action\naction ::= {alternatives}\n'
    return (
        f'root ::= "Think: " thought "\\nAction: " action\n'
        f"thought ::= [^\\n]{{1,{max_thought_chars}}}\n"
        f"action ::= {alternatives}\n"
    )
