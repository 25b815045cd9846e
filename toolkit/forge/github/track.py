"""The tracking issue: one issue per application repository (labelled ``sop-pelacakan``) whose body is a
line per step, its state, who signed it off and when, who must act next and how long the step has waited
against the office's time limit; it carries the label of the step under way. Rewritten on every push to
the default branch (``sopkit github track``), only when something changed."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import NamedTuple

from toolkit.evidence.roster import Roster, office_day
from toolkit.forge.github.names import step_label
from toolkit.gate.model import STATUS_LABELS, Report, Status, StepReport
from toolkit.gate.progress import Waiting, waiting
from toolkit.i18n import LANGUAGES, N_, _, catalog
from toolkit.sop.model import Sop

_ICON = {Status.COMPLETE: "✅", Status.BLOCKED: "⏸️", Status.AWAITING_SIGNOFF: "✍️", Status.STALE: "♻️"}
_OTHER = "❌"
# the office day the waiting days were counted on, hidden in the rendered issue: a reader adds the days since
COUNTED = "<!-- sopkit-track counted {day} -->"


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
    lines.append(COUNTED.format(day=office_day(now, sop.settings.timezone).isoformat()))
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


# ---- reading a tracking issue back (``sopkit status --org``); the writer above is the only format read


class TrackedStep(NamedTuple):
    """One line of a tracking issue's table."""

    no: int
    title: str
    status: Status
    signed: str  # as written: who signed it off and on which day, or "—"
    act: tuple[str, ...]  # the people (or roles nobody holds) who must act next
    days: int | None  # days waited when counted (None: complete)
    limit: int | None
    overdue: bool


class Tracked(NamedTuple):
    steps: tuple[TrackedStep, ...]
    counted: dt.date | None  # the office day the days were counted on (None: an issue written before 0.x)


MAX_BODY = 65_536  # GitHub's own limit of an issue body
_PIPE = re.compile(r"(?<!\\)\|")
_COUNTED = re.compile(r"^<!-- sopkit-track counted (\d{4}-\d{2}-\d{2}) -->$", re.MULTILINE)


@functools.cache
def _status_names() -> dict[str, Status]:
    """A status by its label in every language the writer may have written it in."""
    return {
        catalog(lang).gettext(label): status for lang in LANGUAGES for status, label in STATUS_LABELS.items()
    }


def parse_tracking(body: str) -> Tracked | None:
    """The table :func:`tracking` wrote in ``body``, or None when the body is not one (edited by hand,
    truncated, another tool's): a line that does not read as the writer writes it is never guessed at."""
    if len(body) > MAX_BODY:
        return None
    rows = [line for line in body.splitlines() if line.startswith("|")]
    if len(rows) < 3 or not re.fullmatch(r"\|---:(\|---){5}\|", rows[1]):
        return None
    names, steps = _status_names(), []
    for no, line in enumerate(rows[2:], start=1):
        step = _step(line, no, names)
        if step is None:
            return None
        steps.append(step)
    counted = _COUNTED.search(body)
    try:
        day = dt.date.fromisoformat(counted.group(1)) if counted else None
    except ValueError:
        return None
    return Tracked(tuple(steps), day)


def _step(line: str, no: int, names: dict[str, Status]) -> TrackedStep | None:
    cells = [c.strip() for c in _PIPE.split(line)]
    if len(cells) != 8 or cells[0] or cells[-1] or cells[1] != str(no):
        return None
    _no, title, state, signed, act, wait = cells[1:7]
    icon, _sep, label = state.partition(" ")
    status = names.get(label)
    if status is None or _ICON.get(status, _OTHER) != icon or not title:
        return None
    waited = (None, None, False) if wait == "—" else _wait(wait)
    if waited is None or (waited[0] is None) != (status is Status.COMPLETE):
        return None
    people = () if act == "—" else tuple(_uncell(p) for p in act.split(", "))
    return TrackedStep(no, _uncell(title), status, _uncell(signed), people, *waited)


@functools.cache
def _wait_forms() -> list[re.Pattern[str]]:
    """The waiting cell as :func:`_waiting` words it, in every language, with the figures as groups."""
    forms = []
    for lang in LANGUAGES:
        for template in (N_("{days} of {limit} days"), N_("{days} days")):
            text = re.escape(catalog(lang).gettext(template))
            for name in ("days", "limit"):
                text = text.replace(re.escape("{" + name + "}"), f"(?P<{name}>\\d{{1,6}})")
            forms.append(re.compile(f"(?P<warned>⚠️ )?{text}"))
    return forms


def _wait(text: str) -> tuple[int | None, int | None, bool] | None:
    found = next((m for form in _wait_forms() if (m := form.fullmatch(text))), None)
    if found is None:
        return None
    limit = found.groupdict().get("limit")
    return int(found["days"]), int(limit) if limit else None, found["warned"] is not None


def _uncell(text: str) -> str:
    return text.replace("\\|", "|")
