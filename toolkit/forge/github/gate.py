"""The gate as a GitHub Actions job: which change the event names, the reviews that sign it off, the same
judgement as the plain server's (:mod:`toolkit.forge.judge`), and the verdict as a check run.

Events: ``pull_request`` and ``pull_request_review`` judge the pull request's head against the tip of its
base branch; ``merge_group`` judges the commit a merge queue built, with the reviews of the pull request it
names. What the event payload says is used only to find the pull request: its head, base and reviews are
read from the API, and the files from the checkout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.cache import Cache
from toolkit.errors import UserError
from toolkit.forge import judge
from toolkit.forge.github.accounts import LinkedAccounts
from toolkit.forge.github.sources import Approved, sources
from toolkit.forge.github.state import Landed
from toolkit.gate.messages import distinct
from toolkit.gate.model import Message, Report, Violation
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub

MAX_EVENT_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
# Queries of the accounts linked to the commits a change brings (100 address sets each): the gate's budget
# of 6 calls (issue 9), less the pull request, the merged pull requests, the check run created and
# completed, and one for the default branch's history (whose sets each came through such a change).
ACCOUNT_QUERIES = 1
PULL_EVENTS = ("pull_request", "pull_request_review")
# A merge queue's branch: gh-readonly-queue/<base>/pr-<number>-<base commit>
_QUEUE_BRANCH = re.compile(r"/pr-([0-9]+)-[0-9a-f]{40}(?:[0-9a-f]{24})?$")


class Event(NamedTuple):
    name: str
    number: int  # the pull request (for a merge group: the one its branch names)
    base: str | None = None  # merge_group: the commit the queue builds on
    head: str | None = None  # merge_group: the commit it built
    proposed: str | None = None  # a pull request event into the default branch: the head it names


def load_payload(path: Path) -> dict[str, Any]:
    """The JSON object of an Actions event (``GITHUB_EVENT_PATH``)."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_EVENT_BYTES + 1)
        payload = json.loads(raw) if len(raw) <= MAX_EVENT_BYTES else None
    except (OSError, ValueError) as error:
        raise UserError(
            _("cannot decide: the event payload {path} cannot be read ({error})").format(
                path=path, error=error
            )
        ) from error
    if not isinstance(payload, dict):
        raise UserError(_("cannot decide: the event payload {path} is not a JSON object").format(path=path))
    return payload


def read_event(name: str, path: Path) -> Event:
    """The change an Actions event asks the gate to judge."""
    if name not in (*PULL_EVENTS, "merge_group"):
        raise UserError(
            _(
                "the gate runs on pull_request, pull_request_review and merge_group events, not on '{name}' "
                "(never pull_request_target: it would run with the base's token on the pull request's code)"
            ).format(name=name or "-")
        )
    payload = load_payload(path)
    if name in PULL_EVENTS:
        number = (payload.get("pull_request") or {}).get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise UserError(_("cannot decide: the event names no pull request number"))
        pull = payload.get("pull_request") or {}
        proposed = (pull.get("head") or {}).get("sha")
        default = (payload.get("repository") or {}).get("default_branch")
        into_default = default is not None and (pull.get("base") or {}).get("ref") == default
        return Event(name, number, proposed=str(proposed) if _is_oid(proposed) and into_default else None)
    group = payload.get("merge_group") or {}
    found = _QUEUE_BRANCH.search(str(group.get("head_ref") or ""))
    base, head = group.get("base_sha"), group.get("head_sha")
    if found is None or not _is_oid(base) or not _is_oid(head):
        raise UserError(_("cannot decide: the merge_group event names no queue branch, base and head commit"))
    return Event(name, int(found.group(1)), str(base), str(head))


def _is_oid(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value) is not None


class Verdict(NamedTuple):
    report: Report | None  # None: not judged (into another branch, or moved since the event)
    head: str  # the commit the check run belongs to
    base: str = ""  # the pull request's base branch
    default_branch: str = ""
    moved_from: str = ""  # not judged: the head the event named, which the pull request has left


def judge_event(
    repo: Path,
    hub: GitHub,
    event: Event,
    cache: Cache | None = None,
    started: Callable[[str], None] | None = None,
) -> Verdict:
    """The gate's report on the change ``event`` names, and the commit to report it on. ``started``: told
    the commit to report on before the reviews are read where the event names it, else once it is known
    (to mark the check in progress). A pull request that moved since its event is not judged here.

    Only a pull request into the default branch (as GitHub names it, never the payload) is judged: a check
    run belongs to a commit, not to a pull request, so a verdict on a pull request into another branch
    would stand for the same commit proposed for the default branch."""
    from toolkit.repo.gitread import is_ancestor, rev_list

    # The run is made before the reviews are read: a run judging a dismissal made meanwhile is then made
    # later, and the required check takes the latest run (a verdict read before it never outlives it).
    early = event.proposed if event.base is None else None
    if started is not None and early:
        started(early)
    pull, base_tip, default = hub.pull_request(event.number)
    base, head = (base_tip, pull.head) if event.base is None else (event.base, event.head or "")
    if not default or pull.base != default:
        return Verdict(None, head, pull.base, default)  # a run made early stays pending: it blocks
    if early and head != early:  # pushed to since the event: the new head's own event judges it, its run
        return Verdict(None, head, pull.base, default, moved_from=early)  # made before its reviews are read
    if started is not None and not early:  # a merge group, or an event that named no head
        started(head)
    _require_commits(repo, base, head)
    notes: list[Message] = []
    # the base's steps were completed by the approvals of the pull requests merged into it
    approved = Landed(hub, repo, pull.base, (Approved(pull, head if event.base is not None else None),), base)
    accounts = LinkedAccounts(hub, new=rev_list(repo, f"{base}..{head}"), queries=ACCOUNT_QUERIES)
    report = judge.change(
        repo, base, head, sources(repo, approved, notes), cache=cache or Cache.default(), accounts=accounts
    )
    if not is_ancestor(repo, base, head):
        behind = Violation("pull.out-of-date", {"number": str(pull.number), "branch": pull.base})
        kept = tuple(v for v in report.violations if v.code != "history.rewritten")
        report = report._replace(violations=(behind, *kept))
    report = report._replace(notes=(*report.notes, *distinct(notes)))
    return Verdict(report, head)


def _require_commits(repo: Path, *commits: str) -> None:
    from toolkit.repo.gitread import Pending

    for commit in commits:
        try:
            Pending(repo, ["cat-file", "-e", f"{commit}^{{commit}}"]).output()
        except UserError as error:
            raise UserError(
                _(
                    "cannot decide: the checkout does not hold commit {commit}; check out the whole history "
                    "(actions/checkout with fetch-depth: 0); the gate blocks"
                ).format(commit=commit[:12])
            ) from error


def file_notes(report: Report) -> list[tuple[str, str, str]]:
    """(path, message, title) for each violation that names a file."""
    from toolkit.gate.messages import violation_text

    return [(v.path, violation_text(v), v.code) for v in report.violations if v.path]


def summary_markdown(report: Report) -> str:
    from toolkit.gate.render import as_markdown

    return as_markdown(report)


def environment_event(environ: Mapping[str, str]) -> tuple[str, Path]:
    name = environ.get("GITHUB_EVENT_NAME", "")
    path = environ.get("GITHUB_EVENT_PATH", "")
    if not path:
        raise UserError(_("cannot decide: GITHUB_EVENT_PATH is not set (run the gate inside GitHub Actions)"))
    return name, Path(path)
