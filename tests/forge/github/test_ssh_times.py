"""SSH sign-off commits on GitHub, which keeps no push log: timed by GitHub's clock (the earliest review on
a commit containing them, else when the gate sees them), never by the signer's own commit date."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.forge.github.conftest import LOGINS, GitHubOffice, Programmed
from tests.forge.github.test_gate import judged
from toolkit.evidence.model import CommitInfo, Signoff
from toolkit.forge.github.reviews import PullRequest, Review
from toolkit.forge.github.sources import github_timed

BACKDATED = "2020-06-01T10:00:00+07:00"


def signoff_commit(office: GitHubOffice, key: Path, member: str, step: str, role: str) -> str:
    """``sopkit signoff`` by ``member``, dated to mid-2020 by their own clock, pushed as eko's branch."""
    env = {**os.environ, "GIT_COMMITTER_DATE": BACKDATED, "GIT_AUTHOR_DATE": BACKDATED,
           "GIT_AUTHOR_NAME": member.title(), "GIT_AUTHOR_EMAIL": f"{member}@sumbarprov.go.id",
           "GIT_COMMITTER_NAME": member.title(), "GIT_COMMITTER_EMAIL": f"{member}@sumbarprov.go.id",
           "SOPKIT_LANG": "en"}  # fmt: skip
    sopkit = str(Path(sys.executable).parent / "sopkit")
    args = [sopkit, "signoff", step, "--role", role, "--key", str(key), "--repo", str(office.work)]
    ran = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    office.git("push", "-q", "-f", "-o", f"user={LOGINS['eko']}", "origin", "HEAD:refs/heads/uji")
    return office.git("rev-parse", "HEAD").strip()


def test_a_departed_officer_cannot_back_date_an_ssh_signoff(
    ghoffice: GitHubOffice, programmed: Programmed
) -> None:
    """yanto held 'security' until the end of 2020: his sign-off made today with a 2020 date is judged
    today (the reviewer's reproducer)."""
    ghoffice.branch("uji", ghoffice.security_report())
    head = signoff_commit(ghoffice, programmed.app.parent / "yanto", "yanto", "14", "security")
    out = judged(ghoffice, ghoffice.pull("uji"), head, "failure")
    assert "yanto does not hold the role 'security'" in out
    assert "commit dates" not in out  # no "judged at the signers' dates" note: GitHub's clock times it


def test_a_serving_officers_ssh_signoff_still_counts(
    ghoffice: GitHubOffice, keyring: dict[str, Path]
) -> None:
    ghoffice.branch("uji", ghoffice.security_report())
    head = signoff_commit(ghoffice, keyring["joko"], "joko", "14", "security")
    judged(ghoffice, ghoffice.pull("uji"), head, "success")


def _commit(sha: str, parent: str | None, time: int) -> CommitInfo:
    return CommitInfo(sha, (parent,) if parent else (), ("x@example.com",), time, (), parent is not None)


def test_a_review_on_a_later_commit_gives_the_time_and_never_the_signers_date() -> None:
    history = (_commit("a", None, 100), _commit("s", "a", 50), _commit("h", "s", 60), _commit("o", None, 1))
    signed = (Signoff("s", "14", "security", "", "yanto", 50, None, (), False),)

    def pull(*reviews: tuple[str, int]) -> PullRequest:
        found = tuple(Review(i, "gh-joko", "COMMENTED", c, t) for i, (c, t) in enumerate(reviews))
        return PullRequest(1, "gh-eko", "h", "main", found)

    (untimed,) = github_timed(signed, history, [], 10_000)
    assert (untimed.time, untimed.trusted) == (10_000, True)  # nothing vouches: the gate's now
    (timed,) = github_timed(signed, history, [pull(("h", 900), ("h", 700), ("o", 5))], 10_000)
    assert timed.time == 700  # the earliest review on a commit containing it; "o" does not contain it
    (capped,) = github_timed(signed, history, [pull(("h", 20_000))], 10_000)
    assert capped.time == 10_000
