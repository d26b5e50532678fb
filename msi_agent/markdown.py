"""Values from data (run, family, condition names, insight texts) made inert inside Markdown we write.

A CommonMark renderer passes raw HTML through and turns ``[x](javascript:…)`` into a link, so a crafted name in a
run folder could run script in whoever renders ``report.md`` or ``results.md``. Every character that can open
HTML, an entity, a link, an image, code or a table cell is backslash-escaped (CommonMark lets any ASCII
punctuation be escaped); names stay readable because ``_``, ``-`` and ``.`` are left alone.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*<>&\[\]|!])")
_TICKS = re.compile(r"`+")


def text(value: object) -> str:
    """One line of inert Markdown text (whitespace runs collapse to one space)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def code(value: object) -> str:
    """A code span showing ``value`` literally, fenced by more backticks than it contains; table-safe."""
    body = " ".join(str(value).split()).replace("|", "\\|")
    fence = "`" * (max((len(t) for t in _TICKS.findall(body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"
