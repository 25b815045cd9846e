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
from toolkit.forge.github.sources import Approved, last_changes, sources
from toolkit.gate.messages import distinct

if TYPE_CHECKING:
    from toolkit.evidence.model import CommitInfo
    from toolkit.forge.github.api import GitHub
    from toolkit.forge.github.reviews import MergedPull
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
    found = sources(repo, Landed(hub, repo, branch), notes)
    linked = accounts or LinkedAccounts(hub)
    rules, view = judge.view_of(repo, rev, None, cache or Cache.default(), found, linked)
    today = office_day(int(now if now is not None else time.time()), rules.sop.settings.timezone)
    report = decide.state(rules, view, today)
    return Judged(rules, view, report._replace(notes=(*report.notes, *distinct(notes))))


class Landed:
    """The approvals that may sign a view on ``branch``: those of the pull requests merged into it that
    brought the last change of each step's files (:func:`last_changes`), each commit asked of GitHub
    once, 100 a query, so the calls do not grow with the number of pull requests merged. ``also``: pull
    requests whose approvals count as well (the one being judged); ``base``: the commit a change is
    judged against, whose own line gives its steps' last changes too (the change's line may change
    them: what the base completed must still be seen)."""

    def __init__(
        self,
        hub: GitHub,
        repo: Path,
        branch: str,
        also: tuple[Approved, ...] = (),
        base: str | None = None,
    ) -> None:
        self.hub, self.repo, self.branch, self.also, self.base = hub, repo, branch, also, base
        self.found: dict[str, list[MergedPull]] = {}

    def __call__(self, rules: Rules, history: tuple[CommitInfo, ...]) -> list[Approved]:
        from toolkit.repo.gitread import read_paths

        lines = [first_parent_line(history, tip) for tip in (None, self.base)]
        changed = read_paths(self.repo, dict.fromkeys(c for line in lines for c in line))
        needed = list(
            dict.fromkeys(
                commit
                for line in lines
                for commit in last_changes(rules.sop, ((c, changed.get(c, ())) for c in line))
            )
        )
        missing = [c for c in needed if c not in self.found]
        if missing:
            self.found |= self.hub.landed_pulls(missing, self.branch)
        pulls = {m.pull.number: m for c in needed for m in self.found.get(c, [])}
        return [*self.also, *(approval_of(m) for m in pulls.values())]


def approval_of(merged: MergedPull) -> Approved:
    """A merged pull request's approvals, counting for the commit that brought it; that commit's files
    stand in for the approved head's when GitHub says their trees are the same."""
    same = merged.head_tree != "" and merged.head_tree == merged.merge_tree
    return Approved(merged.pull, merged.merge_commit, merged.merge_commit if same else None)


def first_parent_line(history: tuple[CommitInfo, ...], tip: str | None = None) -> list[str]:
    """The commits of ``history`` (oldest first, its tip last) on the first-parent line of ``tip``
    (default: the history's tip), newest first; none when ``tip`` is not in it."""
    parents = {c.sha: c.parents for c in history}
    line: list[str] = []
    commit = tip if tip is not None else history[-1].sha if history else None
    while commit is not None and commit in parents:
        line.append(commit)
        commit = parents[commit][0] if parents[commit] else None
    return line


def release(repo: Path, hub: GitHub, rev: str, branch: str, cache: Cache | None = None) -> Report:
    """The release gate for ``rev`` on GitHub: as on a plain server (:mod:`toolkit.forge.release`), with
    the approvals of the pull requests merged into ``branch`` as sign-offs. The checkout's
    remote-tracking branch (``refs/remotes/origin/<branch>``) gives the rules."""
    from toolkit.forge.release import check_release

    notes: list[Message] = []
    found = sources(repo, Landed(hub, repo, branch), notes)
    ref = f"refs/remotes/origin/{branch}"
    report = check_release(repo, rev, found, None, ref, cache, LinkedAccounts(hub))
    return report._replace(notes=(*report.notes, *distinct(notes)))


class Judged(NamedTuple):
    rules: Rules
    view: View
    report: Report
