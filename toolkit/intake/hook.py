"""A push to a registry server, judged as transitions by the same decision as ``sopkit request``."""

from __future__ import annotations

import time
from pathlib import Path

from toolkit.cache import Cache
from toolkit.forge.plain import pushlog
from toolkit.forge.plain.signoffs import Clock
from toolkit.i18n import _
from toolkit.intake.registry import judge_push
from toolkit.repo.gitread import ZERO, rev_list


def judge_registry_push(bare: Path, old: str, new: str, cache: Cache) -> tuple[bool, str]:
    """Whether the push ``old..new`` may land, and what to tell the pusher. A transition's time is when
    the server first saw it (the push log; now for the commits of this push), in the office's time zone."""
    brought = rev_list(bare, new if old == ZERO else f"{old}..{new}")
    clock = Clock(pushlog.arrivals(bare) or {}, frozenset(brought), int(time.time()))
    verdict = judge_push(bare, old, new, clock, cache)
    if verdict.valid:
        requests = len(verdict.registry.requests) if verdict.registry else 0
        return True, _("registry: {count} transitions accepted; {requests} requests").format(
            count=len(brought), requests=requests
        ) + "\n"
    lines = [
        _("registry: push refused: commit {commit} is not a valid transition").format(
            commit=(verdict.refused or "")[:12]
        )
    ]
    return False, "\n".join([*lines, *(f"  - {p}" for p in verdict.problems)]) + "\n"
