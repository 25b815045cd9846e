"""Pull-request reviews as sign-offs: an approval counts, for each role its author holds, like an SSH-signed
sign-off commit on a plain server; the decision core judges both alike (role on the day, own work, ...).

Pure: the reviews arrive as data (:mod:`toolkit.forge.github.api` reads them), the files as snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from toolkit.evidence.model import Signoff, Snapshot
from toolkit.evidence.roster import Roster
from toolkit.evidence.signoffs import covered_paths, digest_of
from toolkit.gate.decide import signers_of
from toolkit.gate.model import Message
from toolkit.sop.model import POLICY_STEP, Sop

# The review states that are a verdict; a comment-only review leaves the author's verdict as it was (as
# GitHub's own "approved" badge does), and a pending one is not submitted.
_VERDICTS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


class Review(NamedTuple):
    id: int
    login: str | None  # None: the account was deleted
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    commit: str  # the commit it was given on
    time: int  # when it was submitted, seconds since the epoch (GitHub's clock)
    author_id: int | None = None  # the number of its author's account (a login can change hands)


class PullRequest(NamedTuple):
    number: int
    author: str | None
    head: str  # the commit the pull request brings
    base: str  # the branch it goes into (its name)
    reviews: tuple[Review, ...]


class MergedPull(NamedTuple):
    """A pull request merged into the default branch, and the commit that brought it there."""

    pull: PullRequest
    merge_commit: str  # the merge commit, the squashed commit, or the last commit rebased
    merge_tree: str  # its tree
    head_tree: str  # the tree of the pull request's head ("" when unknown)


def standing_approvals(reviews: Iterable[Review]) -> list[Review]:
    """Each author's latest verdict, where it is an approval (dismissed: its state is DISMISSED)."""
    latest: dict[str | int, Review] = {}
    for review in sorted(reviews, key=lambda r: (r.time, r.id)):
        if review.login and review.state in _VERDICTS:
            latest[review.login.lower() if review.author_id is None else review.author_id] = review
    return [r for r in latest.values() if r.state == "APPROVED"]


def review_signoffs(
    sop: Sop,
    roster: Roster,
    app: str | None,
    pull: PullRequest,
    snapshot_of: Callable[[str], Snapshot | None],
    anchor: str | None = None,
) -> tuple[tuple[Signoff, ...], tuple[Message, ...]]:
    """The sign-offs the pull request's standing approvals make, and a note for each approval that counts
    for nothing (its author is not in the roster, or holds no role that signs anything).

    A sign-off signs the content of the commit its review was given on (``snapshot_of`` reads it; ``None``
    when it cannot be read, which leaves it signing nothing). ``anchor`` is the commit it counts for:
    the pull request's head (default), or the commit a merge queue built from it."""
    signoffs: list[Signoff] = []
    notes: list[Message] = []
    digests: dict[tuple[str, str], str] = {}
    for review in standing_approvals(pull.reviews):
        login = review.login or ""
        member = roster.by_github(login, review.author_id)
        if member is None:
            notes.append(Message("note.review-not-in-roster", {"login": login}))
            continue
        problems = []
        if review.commit != pull.head:
            problems.append("signoff.review-outdated")
        if pull.author is not None and login.lower() == pull.author.lower():
            problems.append("signoff.own-pull-request")
        made = _signoffs_of(sop, {g.role for g in member.grants}, review, member.id, app, tuple(problems))
        if not made:
            notes.append(Message("note.review-no-signing-role", {"login": login, "member": member.id}))
        for signoff in made:
            key = (signoff.step, review.commit)
            if key not in digests:
                digests[key] = _digest(sop, signoff.step, snapshot_of(review.commit))
            signoffs.append(signoff._replace(digest=digests[key], anchor=anchor or review.commit))
    return tuple(signoffs), tuple(notes)


def _signoffs_of(
    sop: Sop, roles: set[str], review: Review, member: str, app: str | None, problems: tuple[str, ...]
) -> list[Signoff]:
    """One sign-off per step and role the review's author may sign it for (held on the review's day or
    not: the core judges the day)."""
    label = f"review {review.id} by @{review.login}"
    steps = [POLICY_STEP, *(s.id for s in sop.steps)]
    return [
        Signoff(review.commit, step, role, "", member, review.time, app, problems, True, label)
        for step in steps
        for role in signers_of(sop, step)
        if role in roles
    ]


def _digest(sop: Sop, step: str, snapshot: Snapshot | None) -> str:
    return "" if snapshot is None else digest_of(covered_paths(sop, step, snapshot), snapshot)
