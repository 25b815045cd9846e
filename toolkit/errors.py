"""The one family of errors a user can act on, and the exit codes they map to.

Anything raised that is *not* a :class:`UserError` is a bug and is allowed to show a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_BLOCKED = 1  # the gate decided: the change is blocked
EXIT_USAGE = 2  # bad input, bad configuration, or the gate cannot decide (blocked in effect)


class Problem(NamedTuple):
    """One located problem in a user's file: ``FILE:LINE:COL: message`` (sorted in that order)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class UserError(Exception):
    """A mistake the user can fix; printed as one message, no traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ProblemsError(UserError):
    """Several located problems, all reported at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
