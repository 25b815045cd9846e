"""``sopkit status --org``: every application repository of a GitHub organisation, read from its tracking
issue (written by ``sopkit github track`` on every push). One GraphQL query per 100 repositories, whatever
the number of steps.

The tracking issue is a summary anyone with write access can edit: the org view reports what it says,
the gate and the audit are what enforce. A repository without one, or with a body that does not read as
the writer writes it, cannot be decided and says so; it is never guessed at."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.errors import UserError
from toolkit.forge.github.names import TRACKING_LABEL, step_label
from toolkit.forge.github.track import Tracked, parse_tracking
from toolkit.gate.model import Report, Status, StepReport
from toolkit.gate.progress import Progress, Waiting
from toolkit.i18n import _
from toolkit.overview.model import AppState

if TYPE_CHECKING:
    from github import Github

PAGE = 100  # repositories a query, GitHub's most
MAX_PAGES = 100  # 10,000 repositories: an answer that never ends is refused, not followed
_ORG_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")

QUERY = """
query($org: String!, $after: String, $label: String!) {
  organization(login: $org) {
    repositories(first: 100, after: $after, orderBy: {field: NAME, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        url
        isArchived
        issues(labels: [$label], states: OPEN, first: 1, orderBy: {field: CREATED_AT, direction: ASC}) {
          nodes { number title url body updatedAt labels(first: 20) { nodes { name } } }
        }
      }
    }
  }
}
"""


class OrgRepo(NamedTuple):
    """A repository of the organisation and its tracking issue as GitHub answered."""

    name: str
    url: str
    issue: dict[str, Any] | None  # number, title, url, body, updatedAt


def check_org(org: str) -> str:
    if not _ORG_NAME.match(org):
        raise UserError(
            _("--org {org!r} is not an organisation's login (letters, digits and '-', up to 39)").format(
                org=org
            )
        )
    return org


def read_org(client: Github, org: str) -> list[OrgRepo]:
    """The organisation's repositories that are not archived, each with its first open tracking issue."""
    from toolkit.forge.github.api import graphql

    found: list[OrgRepo] = []
    after: str | None = None
    what = _("the repositories of {org}").format(org=org)
    for _page in range(MAX_PAGES):
        data = graphql(
            client,
            QUERY,
            {"org": org, "after": after, "label": TRACKING_LABEL},
            what,
            answered=_("cannot read {what}: GitHub answered {status} ({detail})"),
            unreached=_("cannot read {what}: GitHub could not be reached ({detail})"),
        )
        repos = (data.get("organization") or {}).get("repositories")
        if not isinstance(repos, dict):
            raise UserError(
                _("GitHub knows no organisation {org} (or the token cannot see it)").format(org=org)
            )
        for node in repos.get("nodes") or ():
            if node and not node.get("isArchived"):
                issues = (node.get("issues") or {}).get("nodes") or []
                found.append(OrgRepo(str(node["name"]), str(node["url"]), issues[0] if issues else None))
        if not repos["pageInfo"]["hasNextPage"]:
            return found
        after = repos["pageInfo"]["endCursor"]
    raise UserError(_("{what}: more than {count} pages; refused").format(what=what, count=MAX_PAGES))


def app_state(found: OrgRepo, now: int) -> AppState:
    """The row of one repository: the state its tracking issue tells, the days counted on to ``now``."""
    plain = AppState(found.name, found.name, found.url, bare=True)
    issue = found.issue
    if issue is None:
        return plain._replace(problem=_("no tracking issue (run sopkit github track)"))
    tracked = parse_tracking(str(issue.get("body") or ""))
    if tracked is None:
        return plain._replace(
            problem=_(
                "tracking issue #{number} does not read as sopkit github track writes it (edited by "
                "hand?); run sopkit github track to rewrite it"
            ).format(number=issue.get("number"))
        )
    title = str(issue.get("title") or "")
    name = title.partition(": ")[2].strip() or found.name
    return _from_tracked(plain._replace(name=name[:200]), tracked, _since_counted(tracked, issue, now))


def _since_counted(tracked: Tracked, issue: dict[str, Any], now: int) -> int:
    """Whole days from when the issue's days were counted to ``now`` (the issue is rewritten on pushes,
    not daily)."""
    counted = tracked.counted
    if counted is None:  # written before the counted day was recorded: its last update is the best bound
        try:
            counted = dt.datetime.fromisoformat(str(issue.get("updatedAt"))).date()
        except ValueError:
            return 0
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return max(0, (today - counted).days)


def _from_tracked(plain: AppState, tracked: Tracked, later: int) -> AppState:
    steps, waits = [], {}
    for row in tracked.steps:
        step = StepReport(row.no, step_label(row.no), row.title, row.status, people=row.act)
        steps.append(step)
        if row.days is not None:
            days = row.days + later
            late = row.limit is not None and days > row.limit and row.status is not Status.BLOCKED
            waits[step.id] = Waiting(0, days, row.limit, late)  # since: not in the issue
    current = next((s for s in steps if s.status is not Status.COMPLETE), None)
    progress = Progress(
        done=len(steps) - len(waits),
        total=len(steps),
        current=current,
        waiting=waits[current.id] if current is not None else None,
        overdue=tuple(step_id for step_id, wait in waits.items() if wait.overdue),
    )
    return plain._replace(report=Report(tuple(steps)), progress=progress, waits=waits)


def org_status(client: Github, org: str, now: int, skip: tuple[str, ...] = ()) -> list[AppState]:
    """Every repository of ``org`` (but those in ``skip``) as a row of ``sopkit status``."""
    skipped = {s.lower() for s in skip}
    return [app_state(r, now) for r in read_org(client, org) if r.name.lower() not in skipped]
