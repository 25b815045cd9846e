"""``sopkit status`` as a terminal table, CSV, JSON or Markdown: one row per application.

Names and reasons come from the repositories (a pusher writes the scaffold answers): control characters
are removed everywhere, a CSV cell that a spreadsheet would run as a formula is quoted as text, Markdown
cells cannot break their table nor carry HTML, and the terminal table prints no markup of theirs."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from toolkit.gate.model import STATUS_LABELS, Status
from toolkit.i18n import N_, _
from toolkit.overview.model import ALL_COMPLETE, CANNOT_DECIDE, AppState

LABELS = {**{s.value: label for s, label in STATUS_LABELS.items()}, CANNOT_DECIDE: N_("cannot decide")}
LABELS[ALL_COMPLETE] = STATUS_LABELS[Status.COMPLETE]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str) -> str:
    """``text`` on one line, without control characters (terminal escapes, bidirectional overrides)."""
    return _CONTROL.sub(" ", text).strip()


_MARKDOWN = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def markdown_cell(text: str) -> str:
    """Someone's text as one cell of a Markdown table: on one line, without control characters; it
    cannot end its cell (``|``), carry HTML (``<``, ``&``), nor make a link (``[..](javascript:..)``)."""
    return clean(text).translate(_MARKDOWN)


def status_label(app: AppState) -> str:
    return _(LABELS[app.status])


def row(app: AppState) -> dict[str, Any]:
    """One application's row, for machines: stable keys, ``null`` where a value does not apply."""
    current, wait = app.current, app.progress.waiting if app.progress else None
    return {
        "repository": clean(app.repo),
        "name": clean(app.name),
        "path": app.path,
        "step": current.no if current else None,
        "step_id": current.id if current else None,
        "step_title": current.title if current else None,
        "status": app.status,
        "days": wait.days if wait else None,
        "limit_days": wait.limit if wait else None,
        "overdue": wait.overdue if wait else False,
        "overdue_steps": list(app.progress.overdue) if app.progress else [],
        "to_act": [clean(p) for p in current.people] if current else [],
        "done": app.progress.done if app.progress else None,
        "total": app.progress.total if app.progress else None,
        "reason": clean(app.problem) if app.problem else None,
    }


def as_json(apps: list[AppState]) -> str:
    return json.dumps({"applications": [row(a) for a in apps]}, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    *("repository", "name", "step", "step_id", "step_title", "status", "days", "limit_days"),
    *("overdue", "to_act", "done", "total", "reason"),
)


def as_csv(apps: list[AppState]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for app in apps:
        values = row(app)
        values["to_act"] = "; ".join(values["to_act"])
        values["overdue"] = "yes" if values["overdue"] else "no"
        writer.writerow([_csv_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text  # a spreadsheet shows it, never runs it


def _headers() -> list[str]:
    return [_("Repository"), _("Application"), _("Step"), _("Status"), _("Days"), _("To act"), _("Done")]


def _cells(app: AppState) -> list[str]:
    """A row for people: the step by number and title, days against the limit, the reason of a problem."""
    current, wait = app.current, app.progress.waiting if app.progress else None
    step = f"{current.no}. {current.title}" if current else "—"
    days = ""
    if wait is not None:
        days = str(wait.days) if wait.limit is None else f"{wait.days}/{wait.limit}"
        days += " " + _("OVERDUE") if wait.overdue else ""
    status = status_label(app)
    if app.problem:
        status += ": " + app.problem
    people = "; ".join(current.people) if current else ""
    done = f"{app.progress.done}/{app.progress.total}" if app.progress else "—"
    return [clean(x) for x in (app.repo, app.name, step, status, days, people, done)]


def as_markdown(apps: list[AppState]) -> str:
    lines = ["| " + " | ".join(_headers()) + " |", "|---|---|---|---|---:|---|---:|"]
    lines += ["| " + " | ".join(markdown_cell(c) for c in _cells(app)) + " |" for app in apps]
    return "\n".join(lines) + "\n"


def print_table(apps: list[AppState]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=_("SOP status of the applications"), show_lines=False)
    for header in _headers():
        table.add_column(header, justify="right" if header in (_("Days"), _("Done")) else "left")
    for app in apps:
        table.add_row(*(Text(c) for c in _cells(app)))  # Text: their words are never read as markup
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    console.print(table)
