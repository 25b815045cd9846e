"""An organisation of application repositories on the stand-in, each with a tracking issue written by
``track.tracking`` (the writer ``sopkit github track`` uses) at a chosen step: for the org status tests
and benchmarks/github_calls.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.standin import StandIn
from tests.standin.state import Issue, Label
from toolkit import sop
from toolkit.evidence.roster import Grant, Member, Roster
from toolkit.forge.github.names import TRACKING_COLOR, TRACKING_LABEL
from toolkit.forge.github.track import tracking
from toolkit.gate.model import Report, Status, StepReport
from toolkit.sop.model import Sop

ROOT = Path(__file__).resolve().parents[3]
_SHIPPED = sop.load(ROOT / "sop.yaml")
# the office's time limits: step 3 five days, step 7 thirty (the shipped policy sets none)
SOP = _SHIPPED._replace(
    steps=tuple(
        s._replace(time_limit_days={3: 5, 7: 30}.get(s.no, s.time_limit_days)) for s in _SHIPPED.steps
    )
)
NOW = int(dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC).timestamp())
DAY = 86_400
ROSTER = Roster(
    tuple(
        Member(who, name, (f"{who}@kominfo.go.id",), (), tuple(Grant(r) for r in roles), github=f"gh-{who}")
        for who, name, roles in (
            ("budi", "Budi Santoso", ("kasi",)),
            ("sari", "Sari Dewi", ("kabid",)),
            ("eko", "Eko Prasetyo", ("web-programmer", "security")),
        )
    )
)


def report_at(current: int, status: Status = Status.MISSING, policy: Sop = SOP) -> Report:
    """Steps before ``current`` complete (signed by Budi 20 days before NOW), ``current`` in ``status``,
    the later ones blocked; ``current`` past the last step: every step complete."""
    steps = []
    for step in policy.steps:
        state = Status.COMPLETE if step.no < current else status if step.no == current else Status.BLOCKED
        done = state is Status.COMPLETE
        steps.append(
            StepReport(
                step.no,
                step.id,
                str(step.title),
                state,
                act=() if done else step.signoffs,
                signed_by=("budi (kasi)",) if done else (),
                signed_at=NOW - 20 * DAY + step.no if done else None,
            )
        )
    return Report(tuple(steps))


def add_tracked(standin: StandIn, full_name: str, body: str | None, title: str = "") -> None:
    """A repository of the organisation; with ``body``, its open tracking issue (no call is logged)."""
    repo = standin.create_repo(full_name)
    if body is None:
        return
    with standin.world.lock:
        repo.labels[TRACKING_LABEL] = Label(standin.world.ids(), TRACKING_LABEL, TRACKING_COLOR, None)
        owner = standin.world.users[full_name.split("/", maxsplit=1)[0]]
        issue = Issue(standin.world.ids(), 1, title or "SOP tracking", body, owner, labels=[TRACKING_LABEL])
        repo.issues[1] = issue


def tracked_body(current: int, status: Status = Status.MISSING, started_days: int = 60) -> tuple[str, str]:
    """The title and body ``sopkit github track`` writes for an application at ``current``."""
    found = tracking(
        SOP, ROSTER, report_at(current, status), f"Aplikasi {current}", NOW - started_days * DAY, NOW
    )
    return found.title, found.body
