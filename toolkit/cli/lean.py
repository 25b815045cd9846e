"""Commands that only read and report end their process the quick way (see :func:`lean`)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_lean_run = False


def lean(command: F) -> F:
    """Mark a command that only reads and reports (the gate's checks, the pre-receive hook, the policy
    views; never one that writes, such as the post-receive hook and its push log).

    Such a run is short and leaves no reference cycles worth collecting, so the cyclic garbage collector
    stays off while it runs, and :func:`toolkit.cli.main` ends the process without the interpreter's
    teardown once the output is flushed: 10-20 ms of a gate run over a large repository
    (``benchmarks/gate_check.py``).
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _lean_run  # noqa: PLW0603 - how the process ends is a process-wide fact
        _lean_run = True
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            gc.enable()  # for in-process callers (the tests); a lean process ends right after

    return run  # type: ignore[return-value]


def ran_lean() -> bool:
    return _lean_run
