"""Errored work: what an infrastructure failure (an LLM call that failed after retries) left undone.

Such a failure is never an outcome. The episode or insight update it hit is kept aside, counted apart from the
scores, and redone by the next run of the same command; ``ErrorBudget`` stops a command early once ``limit``
items errored, so a dead endpoint does not burn through the whole task list.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class IncompleteWork(Exception):
    """A command ended with errored or unstarted work; ``str()`` is the one-line summary for the user."""

    def __init__(self, errored: int, first_error: str, not_started: int, what: str) -> None:
        self.errored, self.first_error, self.not_started, self.what = errored, first_error, not_started, what
        left = f", {not_started} not started" if not_started else ""
        super().__init__(f"{errored} {what} errored{left}; first error: {first_error}")

    def summary(self, command: str) -> str:
        return f"{self}. Rerun `{command}` to resume: finished work is kept, only the rest is redone."


@dataclass
class ErrorBudget:
    """Errored items of one command, in the order they happened; ``exhausted`` once ``limit`` is reached."""

    limit: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(item id, reason) per errored episode or insight update."""
    not_started: int = 0
    what: str = "episodes"

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"max_errors must be >= 1, got {self.limit}")

    def add(self, item: str, reason: str, *, what: str | None = None) -> None:
        self.errors.append((item, reason))
        self.what = what or self.what

    @property
    def exhausted(self) -> bool:
        return self.limit is not None and len(self.errors) >= self.limit

    def check(self) -> None:
        """Raise ``IncompleteWork`` when anything errored (or was left unstarted because of it)."""
        if self.errors:
            raise IncompleteWork(len(self.errors), self.errors[0][1], self.not_started, self.what)
