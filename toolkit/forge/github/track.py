"""The tracking issue: one issue per application repository (labelled ``sop-pelacakan``) whose body is a
line per step, its state, who signed it off and when, who must act next and how long the step has waited
against the office's time limit; it carries the label of the step under way. Rewritten on every push to
the default branch (``sopkit github track``), only when something changed."""

from __future__ import annotations

from typing import NamedTuple

from toolkit.evidence.roster import Roster, office_day
from toolkit.forge.github.names import step_label
from toolkit.gate.model import STATUS_LABELS, Report, Status, StepReport
from toolkit.gate.progress import Waiting, waiting
from toolkit.i18n import _
from toolkit.sop.model import Sop

_ICON = {Status.COMPLETE: "✅", Status.BLOCKED: "⏸️", Status.AWAITING_SIGNOFF: "✍️", Status.STALE: "♻️"}


class Tracking(NamedTuple):
    title: str
    body: str
    labels: tuple[str, ...]


def tracking(sop: Sop, roster: Roster, report: Report, app_name: str, started: int, now: int) -> Tracking:
    """The tracking issue for ``report`` (the state of the default branch). ``started``: when the
    repository's history began; ``now``: the time the days are counted to."""
    waits = waiting(sop, report, started, now)
    done = len(report.steps) - len(waits)
    lines = [
        _("SOP progress: {done} of {total} steps complete.").format(done=done, total=len(report.steps)),
        "",
        "| "
        + " | ".join((_("No"), _("Step"), _("Status"), _("Signed off"), _("Next to act"), _("Waiting")))
        + " |",
        "|---:|---|---|---|---|---|",
    ]
    for step in report.steps:
        lines.append(
            "| "
            + " | ".join(
                (
                    str(step.no),
                    _cell(step.title),
                    f"{_ICON.get(step.status, '❌')} {_(STATUS_LABELS[step.status])}",
                    _signed(step, sop),
                    _cell(", ".join(_names(roster, step.act, now, sop.settings.timezone))) or "—",
                    _waiting(waits.get(step.id)),
                )
            )
            + " |"
        )
    lines += ["", _("Updated by sopkit github track from the default branch; do not edit by hand.")]
    current = next((s for s in report.steps if s.status is not Status.COMPLETE), None)
    labels = (step_label(current.no),) if current is not None else ()
    title = _("SOP tracking: {app}").format(app=app_name)
    return Tracking(title, "\n".join(lines) + "\n", labels)


def _signed(step: StepReport, sop: Sop) -> str:
    if step.status is not Status.COMPLETE or not step.signed_by:
        return "—"
    when = ""
    if step.signed_at:
        day = office_day(step.signed_at, sop.settings.timezone)
        when = f" ({day.isoformat()})"
    return _cell(", ".join(step.signed_by)) + when


def _waiting(wait: Waiting | None) -> str:
    if wait is None:  # complete
        return "—"
    if wait.limit is None:
        return _("{days} days").format(days=wait.days)
    text = _("{days} of {limit} days").format(days=wait.days, limit=wait.limit)
    return f"⚠️ {text}" if wait.overdue else text


def _names(roster: Roster, roles: tuple[str, ...], now: int, timezone: str) -> list[str]:
    """The people who hold ``roles`` today, by name; a role nobody holds stays as its id."""
    today = office_day(now, timezone)
    found: list[str] = []
    for role in roles:
        holders = [m.name + (f" (@{m.github})" if m.github else "") for m in roster.members
                   if any(g.role == role and g.covers(today) for g in m.grants)]  # fmt: skip
        found += holders or [role]
    return list(dict.fromkeys(found))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
