"""The state of every step on a GitHub repository's default branch: what the tracking issue, the release
gate and ``sopkit github state`` show.

On GitHub, squash and rebase merges re-create or drop commits, so sign-offs are the approvals of the pull
requests that merged into the branch. Each approval signs the content of the commit it was given on; the
merged commit stands in for it when GitHub says both have the same tree (a pull request brought up to date
before merging, as branch protection requires), and the commit itself is read from the checkout
otherwise. A step is complete when its files are exactly what the right roles approved (the same rule as
on the plain server: :func:`toolkit.gate.decide.step_reports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.cache import Cache
from toolkit.forge import judge
from toolkit.forge.github.accounts import LinkedAccounts
from toolkit.forge.github.sources import Approved, sources
from toolkit.gate.messages import distinct

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub
    from toolkit.gate.model import Message, Report, Rules, View


def state(
    repo: Path,
    hub: GitHub,
    branch: str,
    rev: str = "HEAD",
    cache: Cache | None = None,
    now: int | None = None,
    accounts: LinkedAccounts | None = None,
) -> Judged:
    """The state of ``rev`` (the default branch's tip, checked out with its whole history); the people who
    must act are those holding the role on the office's day ``now`` (default: today), as on a plain
    server. ``accounts``: the accounts GitHub links to commits, as far as read already."""
    import time

    from toolkit.evidence.roster import office_day
    from toolkit.gate import decide

    notes: list[Message] = []
    found = sources(repo, merged_approvals(hub, branch), notes)
    linked = accounts or LinkedAccounts(hub)
    rules, view = judge.view_of(repo, rev, None, cache or Cache.default(), found, linked)
    today = office_day(int(now if now is not None else time.time()), rules.sop.settings.timezone)
    report = decide.state(rules, view, today)
    return Judged(rules, view, report._replace(notes=(*report.notes, *distinct(notes))))


def merged_approvals(hub: GitHub, branch: str) -> list[Approved]:
    """The approvals of every pull request merged into ``branch``, each counting for the commit that
    brought it there."""
    found = []
    for merged in hub.merged_pulls(branch):
        same = merged.head_tree != "" and merged.head_tree == merged.merge_tree
        found.append(Approved(merged.pull, merged.merge_commit, merged.merge_commit if same else None))
    return found


def release(repo: Path, hub: GitHub, rev: str, branch: str, cache: Cache | None = None) -> Report:
    """The release gate for ``rev`` on GitHub: as on a plain server (:mod:`toolkit.forge.release`), with
    the approvals of the pull requests merged into ``branch`` as sign-offs. The checkout's
    remote-tracking branch (``refs/remotes/origin/<branch>``) gives the rules."""
    from toolkit.forge.release import check_release

    notes: list[Message] = []
    found = sources(repo, merged_approvals(hub, branch), notes)
    ref = f"refs/remotes/origin/{branch}"
    report = check_release(repo, rev, found, None, ref, cache, LinkedAccounts(hub))
    return report._replace(notes=(*report.notes, *distinct(notes)))


class Judged(NamedTuple):
    rules: Rules
    view: View
    report: Report
