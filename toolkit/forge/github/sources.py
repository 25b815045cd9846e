"""Where a GitHub repository's sign-offs come from: the approvals of pull requests, and SSH-signed sign-off
commits where they survive.

GitHub keeps no push log, so an SSH sign-off's own date is the signer's claim (``GIT_COMMITTER_DATE``
back-dates it). It is timed instead by GitHub's clock: the earliest review submitted on a commit that
contains it (the sign-off existed then), or else the moment the gate sees it. The signer's role must be
held at that time; a sign-off no review vouches for needs the role held today.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.evidence.model import CommitInfo, Signoff, Snapshot, ancestry
from toolkit.evidence.signoffs import covers
from toolkit.forge.github.reviews import PullRequest, review_signoffs
from toolkit.sop.model import POLICY_STEP, Sop

if TYPE_CHECKING:
    from toolkit.forge.judge import Sources
    from toolkit.gate.model import Message, Rules
    from toolkit.repo.gather import SignoffSource


class Approved(NamedTuple):
    """A pull request whose approvals count for ``anchor`` (default: its head), a commit of the judged
    history. ``same_content``: a commit whose files are the head's, read instead of the head (a merged
    pull request's head may be gone from the checkout)."""

    pull: PullRequest
    anchor: str | None = None
    same_content: str | None = None


# The pull requests whose approvals may sign a view, given its rules and its history (oldest first).
Approvals = Callable[["Rules", tuple[CommitInfo, ...]], list[Approved]]


def listed(approved: list[Approved]) -> Approvals:
    """The same pull requests for every view."""
    return lambda _rules, _history: approved


def last_changes(policy: Sop, line: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The commits of a first-parent line (newest first, each with every path it changed) that last
    changed what each step's sign-off covers, the policy's too: only the pull requests that brought them
    can have approved the files as they are (an older approval signs content changed since)."""
    steps = {POLICY_STEP, *(s.id for s in policy.steps)}
    found: list[str] = []
    for commit, paths in line:
        hit = {step for step in steps if any(covers(policy, step, path) for path in paths)}
        if hit:
            found.append(commit)
            steps -= hit
            if not steps:
                break
    return found


def sources(repo: Path, approved: Approvals, notes: list[Message], now: int | None = None) -> Sources:
    """The sign-offs of a view: SSH-signed commits (timed by GitHub's clock, ``now`` when nothing earlier
    vouches for them), and the approvals of each pull request ``approved`` gives for the view whose
    anchor is in its history. Why an approval counts for nothing goes to ``notes``."""
    import time

    from toolkit.forge.plain.signoffs import Clock, ssh_signoffs

    read = snapshots(repo)
    seen_now = int(time.time()) if now is None else now

    def make(rules: Rules, new: frozenset[str]) -> SignoffSource:
        signed = ssh_signoffs(repo, rules.roster, Clock(None))

        def find(history: tuple[CommitInfo, ...]) -> tuple[Signoff, ...]:
            present = {c.sha for c in history}
            entries = approved(rules, history)
            found = github_timed(signed(history), history, [e.pull for e in entries], seen_now)
            for entry in entries:
                if (entry.anchor or entry.pull.head) not in present:
                    continue  # merged into history that was rewritten since
                made, said = review_signoffs(
                    rules.sop, rules.roster, rules.app, entry.pull, _content(read, entry), entry.anchor
                )
                found += made
                notes.extend(said)
            return tuple(found)

        return find

    return make


def github_timed(
    signoffs: tuple[Signoff, ...], history: tuple[CommitInfo, ...], pulls: list[PullRequest], now: int
) -> list[Signoff]:
    """SSH sign-offs timed by GitHub's clock instead of their own dates: the earliest review (of any of
    ``pulls``) submitted on a commit of ``history`` that contains the sign-off commit, else ``now``."""
    if not signoffs:
        return []
    reviewed: dict[str, int] = {}
    for pull in pulls:
        for review in pull.reviews:
            if review.time > 0 and review.commit:
                reviewed[review.commit] = min(review.time, reviewed.get(review.commit, review.time))
    proven: dict[str, int] = {}
    known = {c.sha for c in history}
    for commit, when in sorted(reviewed.items(), key=lambda item: item[1], reverse=True):
        if commit in known:  # later reviews first: an earlier one then overwrites
            proven.update(dict.fromkeys(ancestry(history, commit), when))
    return [s._replace(time=min(proven.get(s.anchor, now), now), trusted=True) for s in signoffs]


def _content(read: Callable[[str], Snapshot | None], entry: Approved) -> Callable[[str], Snapshot | None]:
    def content(commit: str) -> Snapshot | None:
        same = entry.same_content if commit == entry.pull.head else None
        return read(same or commit)

    return content


def snapshots(repo: Path) -> Callable[[str], Snapshot | None]:
    """Read a commit's files once; ``None`` for a commit the checkout does not hold (force-pushed away, or
    a merged branch's head that was not fetched): an approval of it then signs nothing."""
    from toolkit.errors import UserError
    from toolkit.repo.gitread import read_snapshot

    seen: dict[str, Snapshot | None] = {}

    def read(commit: str) -> Snapshot | None:
        if commit not in seen:
            try:
                seen[commit] = read_snapshot(repo, commit)
            except UserError:
                seen[commit] = None
        return seen[commit]

    return read
