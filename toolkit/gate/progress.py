"""How far an application has come and how long its open steps have waited: the figures the tracking
issue, ``sopkit status`` and the dashboard show, computed once here from a state report.

A step becomes the one to work on when the last step it requires was completed (the time of that step's
last sign-off), or when the repository's history began if it requires none completed. It is *overdue*
when it is open (neither complete nor blocked by a dependency: a blocked step waits for another step, not
for its own team) and has waited more whole days than the office's ``time_limit_days`` for it.
"""

from __future__ import annotations

from typing import NamedTuple

from toolkit.gate.model import Report, Status, StepReport
from toolkit.sop.model import Sop

DAY = 86_400


class Waiting(NamedTuple):
    """How long an unfinished step has waited, against its time limit."""

    since: int  # when it became the one to work on (seconds since the epoch)
    days: int  # whole days since then
    limit: int | None  # the office's time limit in days, if it set one
    overdue: bool


class Progress(NamedTuple):
    """One application's progress: what a row of ``sopkit status`` says."""

    done: int  # steps complete
    total: int
    current: StepReport | None  # the first step not complete; None when all are
    waiting: Waiting | None  # how long the current step has waited
    overdue: tuple[str, ...]  # the ids of the open steps past their time limit


def waiting(sop: Sop, report: Report, started: int, now: int) -> dict[str, Waiting]:
    """How long each step not complete has waited, by step id. ``started``: when the repository's
    history began; ``now``: the time the days are counted to."""
    done = {s.id: s for s in report.steps if s.status is Status.COMPLETE}
    found = {}
    for step in report.steps:
        if step.id in done:
            continue
        times = [done[d].signed_at or started for d in sop.step(step.id).requires if d in done]
        since = max(times, default=started)
        days = max(0, (now - since) // DAY)
        limit = sop.step(step.id).time_limit_days
        late = limit is not None and days > limit and step.status is not Status.BLOCKED
        found[step.id] = Waiting(since, days, limit, late)
    return found


def progress(sop: Sop, report: Report, started: int, now: int) -> Progress:
    """The application's progress at ``now`` (see :func:`waiting`)."""
    waits = waiting(sop, report, started, now)
    current = next((s for s in report.steps if s.status is not Status.COMPLETE), None)
    return Progress(
        done=len(report.steps) - len(waits),
        total=len(report.steps),
        current=current,
        waiting=waits[current.id] if current is not None else None,
        overdue=tuple(step_id for step_id, wait in waits.items() if wait.overdue),
    )
