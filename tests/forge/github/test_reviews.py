"""Reviews as sign-offs, in memory: which approvals count, for which roles, and why the others do not.
The decision is the core's (tests/gate/test_decide.py builds the same small office)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.gate import test_decide as office
from tests.gate.test_decide import (
    BASE,
    BASE_COMMITS,
    DESIGN_FILES,
    DPPL,
    JUNE_30,
    NOW,
    POLICY,
    RULES,
    codes,
    commit,
    files,
    why,
)
from toolkit.evidence.roster import Member, Roster
from toolkit.forge.github.reviews import PullRequest, Review, review_signoffs, standing_approvals
from toolkit.gate import decide
from toolkit.gate.model import Change, Report, Status

english = office.english  # the fixture: messages in English

HEAD = "c2"


def with_login(member: Member, login: str) -> Member:
    return member._replace(github=login)


ROSTER = Roster(tuple(with_login(m, f"gh-{m.id}") for m in RULES.roster.members))
GH_RULES = RULES._replace(roster=ROSTER)


def review(
    login: str | None, state: str = "APPROVED", commit_id: str = HEAD, time: int = NOW, no: int = 1
) -> Review:
    return Review(no, login, state, commit_id, time)


def judged(
    *reviews: Review, author: str = "gh-rina", people: tuple[str, ...] = ("rina",)
) -> tuple[Report, tuple[str, ...]]:
    """The design change (DPPL by ``people``) as a pull request by ``author`` with ``reviews``."""
    pull = PullRequest(7, author, HEAD, "main", reviews)
    snapshot = files(DESIGN_FILES)[0]
    signoffs, notes = review_signoffs(
        POLICY, ROSTER, RULES.app, pull, lambda c: snapshot if c == HEAD else None
    )
    commits = [*BASE_COMMITS, commit(HEAD, (DPPL,), *people, parents=("s1",))]
    head = office.at(DESIGN_FILES, commits, [*BASE.signoffs, *signoffs])
    report = decide.decide_change(
        GH_RULES, BASE, head, Change("base", "head", (DPPL,), tuple(commits[2:]), signoffs)
    )
    return report, tuple(n.code for n in notes)


def rejected_codes(report: Report) -> list[str]:
    return [m.code for v in report.violations for r in v.rejected for m in r.problems]


def test_an_approval_on_the_head_by_the_role_signs_the_step() -> None:
    report, notes = judged(review("gh-budi"))
    assert report.passed, why(report)
    assert report.step("desain").status is Status.COMPLETE
    assert report.step("desain").signed_by == ("budi (kasi)",)
    assert notes == ()


def test_logins_are_compared_without_regard_to_case() -> None:
    report, _notes = judged(review("GH-Budi"))
    assert report.passed, why(report)


def test_an_approval_by_someone_outside_the_roster_counts_for_nothing_and_says_so() -> None:
    report, notes = judged(review("gh-stranger"))
    assert codes(report) == ["signoff.missing"]
    assert notes == ("note.review-not-in-roster",)


def test_an_approval_by_someone_outside_the_role_is_named() -> None:
    report, _notes = judged(review("gh-joko"))  # security, not kasi
    assert codes(report) == ["signoff.missing"]
    assert report.violations[0].rejected == ()  # joko's role signs only step 3: nothing offered for step 2


def test_an_approval_by_a_member_who_signs_nothing_is_noted() -> None:
    report, notes = judged(review("gh-rina"), author="gh-someone-else")  # a programmer
    assert codes(report) == ["signoff.missing"]
    assert notes == ("note.review-no-signing-role",)


def test_the_author_of_the_pull_request_cannot_approve_it() -> None:
    report, _notes = judged(review("gh-budi"), author="gh-budi")
    assert codes(report) == ["signoff.missing"]
    assert rejected_codes(report) == ["signoff.own-pull-request"]
    assert "review 1 by @gh-budi" in why(report)


@pytest.mark.parametrize("people", [("budi",), ("rina", "budi")], ids=["author", "co-author or committer"])
def test_who_made_the_change_cannot_approve_it(people: tuple[str, ...]) -> None:
    report, _notes = judged(review("gh-budi"), people=people)
    assert rejected_codes(report) == ["signoff.own-work"]
    assert judged(review("gh-sari"), people=people)[0].passed


def test_an_approval_of_an_older_commit_does_not_count() -> None:
    report, _notes = judged(review("gh-budi", commit_id="c1"))
    assert codes(report) == ["signoff.missing"]
    assert "signoff.review-outdated" in rejected_codes(report)


@pytest.mark.parametrize(
    "states",
    [("COMMENTED",), ("APPROVED", "DISMISSED"), ("APPROVED", "CHANGES_REQUESTED"), ("PENDING",)],
    ids=["commented", "dismissed", "changes-requested-after", "pending"],
)
def test_only_a_standing_approval_counts(states: tuple[str, ...]) -> None:
    reviews = [review("gh-budi", s, time=NOW + i, no=i + 1) for i, s in enumerate(states)]
    report, _notes = judged(*reviews)
    assert codes(report) == ["signoff.missing"]


def test_a_comment_after_an_approval_leaves_it_standing() -> None:
    """As GitHub's own badge: a comment-only review is no verdict."""
    report, _notes = judged(
        review("gh-budi", "APPROVED", no=1), review("gh-budi", "COMMENTED", time=NOW + 5, no=2)
    )
    assert report.passed, why(report)


def test_an_approval_after_a_request_for_changes_counts() -> None:
    reviews = (
        review("gh-budi", "CHANGES_REQUESTED", no=1),
        review("gh-budi", "APPROVED", time=NOW + 5, no=2),
    )
    assert judged(*reviews)[0].passed


def test_a_member_whose_role_window_ended_cannot_approve() -> None:
    """lina held kasi until 30 June; her approval in November does not count, one in June would."""
    report, _notes = judged(review("gh-lina"))
    assert rejected_codes(report) == ["signoff.role-not-held"]
    assert judged(review("gh-lina", time=JUNE_30))[0].passed


def test_the_role_day_is_the_day_github_recorded_the_review_in_the_office_time_zone() -> None:
    """17:30 UTC on 30 June is already 1 July in Jakarta: lina's window has ended."""
    late = int(dt.datetime(2026, 6, 30, 17, 30, tzinfo=dt.UTC).timestamp())
    report, _notes = judged(review("gh-lina", time=late))
    assert rejected_codes(report) == ["signoff.role-not-held"]


def test_standing_approvals_follow_submission_order_not_list_order() -> None:
    later_dismissal = review("gh-budi", "DISMISSED", time=NOW + 10, no=2)
    approval = review("gh-budi", "APPROVED", time=NOW, no=1)
    assert standing_approvals([later_dismissal, approval]) == []


def test_an_approval_that_cannot_read_its_commit_signs_nothing() -> None:
    pull = PullRequest(7, "gh-rina", HEAD, "main", (review("gh-budi"),))
    signoffs, _notes = review_signoffs(POLICY, ROSTER, RULES.app, pull, lambda c: None)
    assert signoffs and all(s.digest == "" for s in signoffs)


def test_a_policy_owner_approval_also_signs_the_policy() -> None:
    pull = PullRequest(7, "gh-rina", HEAD, "main", (review("gh-budi"),))
    signoffs, _notes = review_signoffs(POLICY, ROSTER, RULES.app, pull, lambda c: files(DESIGN_FILES)[0])
    assert {(s.step, s.role) for s in signoffs} == {
        ("policy", "kasi"),
        ("kebutuhan", "kasi"),
        ("desain", "kasi"),
    }


def test_an_accounts_latest_verdict_stands_whatever_login_it_had() -> None:
    """budi approves, renames his account, then requests changes: his verdict is the request, not the
    approval his old login gave (a verdict belongs to the account's number where GitHub gives it)."""
    approved = Review(1, "gh-budi", "APPROVED", HEAD, NOW, 41)
    changed = Review(2, "budi-new", "CHANGES_REQUESTED", HEAD, NOW + 1, 41)
    assert standing_approvals([approved, changed]) == []
    assert standing_approvals([approved, changed._replace(author_id=42)]) == [approved]
