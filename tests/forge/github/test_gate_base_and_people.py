"""What an outside review of the GitHub gate found (issue 9): a pull request into a side branch must not
lend its verdict to the same commit proposed for the default branch, and own work is recognised by GitHub
account as well as by roster e-mail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from github import GithubException

from tests.forge.github.conftest import LOGINS, REPO, GitHubOffice
from tests.forge.github.test_gate import judged, security_pull
from tests.standin.fixtures import github


def protect_main(office: GitHubOffice) -> None:
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(office.standin, office.tokens["budi"])
    owner.requester.requestJsonAndCheck(
        "PUT", f"/repos/{REPO}/branches/main/protection", input=PROTECTION_BODY
    )


def test_a_pull_request_into_a_side_branch_gets_no_check_run_for_main(ghoffice: GitHubOffice) -> None:
    """The reviewer's attack: eko writes step 14 himself on ``atk-base``, puts an empty commit H on top,
    and opens two pull requests with head H: B into main (blocked) and A into ``atk-base`` (which the
    default branch's policy has nothing to say about). A's run must not turn H green for B."""
    office = ghoffice
    protect_main(office)
    base = office.branch("atk-base", office.security_report())
    office.git("checkout", "-q", "-B", "atk-head", base)
    eko = ("-c", "user.name=Eko", "-c", "user.email=eko@sumbarprov.go.id")
    office.git(*eko, "commit", "-q", "--allow-empty", "-m", "kosong")
    head = office.git("rev-parse", "HEAD").strip()
    office.git("push", "-q", "-o", f"user={LOGINS['eko']}", "origin", "HEAD:refs/heads/atk-head")
    into_main = office.pull("atk-head")
    judged(office, into_main, head, "failure")
    runs_before = len(office.standin.calls("POST", r"/check-runs$"))
    side = office.repo("eko").create_pull(base="atk-base", head="atk-head", title="kosong").number
    office.review(side, "budi")  # an approval there, too
    for event, action in (("pull_request", "opened"), ("pull_request_review", "submitted")):
        ran = office.gate(side, event=event, action=action)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert "Not judged: pull request" in ran.stdout and "'atk-base'" in ran.stdout
    summary = (office.work.parent / "summary.md").read_text()
    assert "SOP gate: not judged" in summary and "default branch 'main'" in summary
    assert len(office.standin.calls("POST", r"/check-runs$")) == runs_before  # no run, not even neutral
    assert office.conclusion(head) == "failure"  # B's verdict still stands on H
    office.review(into_main, "budi")  # GitHub's one approving review, from a colleague
    with pytest.raises(GithubException) as refused:
        office.repo("eko").get_pull(into_main).merge(merge_method="merge")
    assert refused.value.status == 405


def test_the_default_branch_comes_from_github_not_from_the_payload(ghoffice: GitHubOffice) -> None:
    """Renaming the default branch on GitHub moves what is judged: a pull request into ``main`` is then
    a side branch's."""
    office = ghoffice
    number, head = security_pull(office)
    office.review(number, "joko")
    office.git("push", "-q", "origin", "refs/remotes/origin/main:refs/heads/produksi")
    office.standin.repo(REPO).default_branch = "produksi"
    ran = office.gate(number)
    assert ran.returncode == 0 and "not the default branch 'produksi'" in ran.stdout
    assert office.conclusion(head) is None


@pytest.mark.parametrize(
    "trailer",
    [
        "Co-authored-by: Joko <1234+gh-joko@users.noreply.github.com>",  # GitHub's "Commit suggestion"
        "Co-authored-by: Joko <gh-joko@users.noreply.github.com>",  # the older no-reply form
        "Co-authored-by: J <joko.pribadi@example.com>",  # an address only GitHub links to his account
    ],
)
def test_a_co_author_under_another_address_cannot_approve(ghoffice: GitHubOffice, trailer: str) -> None:
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = "joko.pribadi@example.com"  # his account's address
    number, head = security_pull(office, trailers=trailer)
    office.review(number, "joko")
    out = judged(office, number, head, "failure")
    assert "joko wrote, co-wrote or committed part of what they sign off" in out


def test_a_commit_committed_under_an_address_github_links_to_the_reviewer_is_own_work(
    ghoffice: GitHubOffice,
) -> None:
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = "joko.pribadi@example.com"
    security_pull(office)
    office.git("-c", "committer.name=J", "-c", "committer.email=joko.pribadi@example.com",
               "commit", "-q", "--amend", "--no-edit")  # fmt: skip
    office.git("push", "-q", "-f", "-o", f"user={LOGINS['eko']}", "origin", "HEAD:refs/heads/uji-keamanan")
    head = office.git("rev-parse", "HEAD").strip()
    number = office.repo().get_pulls(state="open")[0].number
    office.review(number, "joko")
    out = judged(office, number, head, "failure")
    assert "joko wrote, co-wrote or committed part of what they sign off" in out


@pytest.mark.parametrize(
    ("base", "sha", "proposed"),
    [("main", "a" * 40, "a" * 40), ("fitur", "a" * 40, None), ("main", "not-a-commit", None)],
)
def test_a_pull_request_events_head_is_taken_only_into_the_default_branch(
    tmp_path: Path, base: str, sha: str, proposed: str | None
) -> None:
    """The head a pull request event names is where the gate makes its run before reading the reviews; a
    pull request into another branch gets no run, and a value that is no commit id is not taken."""
    from toolkit.forge.github.gate import read_event

    payload = {
        "pull_request": {"number": 5, "head": {"sha": sha}, "base": {"ref": base}},
        "repository": {"default_branch": "main"},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    assert read_event("pull_request_review", path).proposed == proposed
