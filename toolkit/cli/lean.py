"""Commands that only read and report end their process the quick way (see :func:`lean`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_lean_run = False


def lean(command: F) -> F:
    """Mark a command that only reads and reports (the gate's checks, the pre-receive hook, the policy
    views): :func:`toolkit.cli.main` ends such a process without the interpreter's teardown once its
    output is flushed, 10-20 ms of a gate run over a large repository (``benchmarks/gate_check.py``).
    Never for a command that writes files: nothing it leaves buffered may be lost."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _lean_run  # noqa: PLW0603 - how the process ends is a process-wide fact
        _lean_run = True
        return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def ran_lean() -> bool:
    return _lean_run
