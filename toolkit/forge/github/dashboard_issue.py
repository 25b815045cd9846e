"""The organisation's SOP status as one pinned issue (label ``sop-dasbor``) of the intake repository,
kept by ``sopkit github dashboard-issue`` on a schedule: rewritten only when the status changed, pinned
once when made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.forge.github.names import DASHBOARD_LABEL
from toolkit.i18n import _
from toolkit.overview.model import CANNOT_DECIDE, AppState
from toolkit.overview.table import as_markdown

if TYPE_CHECKING:
    from github import Github

PIN = "mutation($id: ID!) { pinIssue(input: {issueId: $id}) { issue { number isPinned } } }"


def dashboard_body(org: str, apps: list[AppState]) -> tuple[str, str]:
    """The title and body: a line of totals, the status table, and what the table can be trusted for."""
    overdue = sum(1 for a in apps if a.progress is not None and a.progress.overdue)
    undecided = sum(1 for a in apps if a.status == CANNOT_DECIDE)
    totals = _("{count} repositories; {overdue} with an overdue step; {undecided} cannot be decided.").format(
        count=len(apps), overdue=overdue, undecided=undecided
    )
    note = _(
        "A summary read from each repository's tracking issue, which anyone with write access can edit: "
        "the gate and the audit are what enforce. Kept by sopkit github dashboard-issue; do not edit by hand."
    )
    return _("SOP dashboard: {org}").format(org=org), f"{totals}\n\n{as_markdown(apps)}\n{note}\n"


def sync_dashboard(client: Github, full_name: str, title: str, body: str) -> str:
    """Keep the pinned dashboard issue of ``full_name``; returns created, updated or unchanged."""
    from toolkit.forge.github.api import _asking, graphql, sync_issue

    answered = _("cannot keep the dashboard issue: GitHub answered {status} to {what} ({detail})")
    unreached = _("cannot keep the dashboard issue: GitHub could not be reached for {what} ({detail})")
    what = _("the dashboard issue of {repo}").format(repo=full_name)
    with _asking(what, answered, unreached):
        done, issue = sync_issue(client, full_name, DASHBOARD_LABEL, title, body)
    if done == "created":
        graphql(client, PIN, {"id": issue.node_id}, what, answered, unreached)
    return done
