"""The state of the default branch on GitHub, and the tracking issue: a step is complete when what it holds
is what the right roles approved in a merged pull request, whichever merge method brought it."""

from __future__ import annotations

import json

import pytest

from tests.forge.github.conftest import GitHubOffice
from tests.forge.github.test_gate import security_pull
from tests.standin import ACTIONS_APP_ID
from toolkit.forge.github.names import TRACKING_LABEL, step_label


def steps(office: GitHubOffice) -> dict[int, dict[str, object]]:
    office.on_main()
    ran = office.sopkit("github", "state", "--format", "json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return {s["no"]: s for s in json.loads(ran.stdout)["steps"]}


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_an_approved_pull_request_completes_its_step_whatever_the_merge_method(
    ghoffice: GitHubOffice, method: str
) -> None:
    number, _head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    assert steps(ghoffice)[14]["status"] != "complete"
    assert ghoffice.repo("eko").get_pull(number).merge(merge_method=method).merged
    step = steps(ghoffice)[14]
    assert step["status"] == "complete", step
    assert step["signed_by"] == ["joko (security)"]


def test_a_pull_request_merged_without_the_right_approval_leaves_its_step_waiting(
    ghoffice: GitHubOffice,
) -> None:
    number, _head = security_pull(ghoffice)
    ghoffice.review(number, "budi")  # a Kasi: not the security team
    assert ghoffice.repo("eko").get_pull(number).merge(merge_method="squash").merged
    step = steps(ghoffice)[14]
    assert step["status"] == "awaiting-signoff"
    assert step["act"] == ["security"]


def test_an_approval_of_an_earlier_commit_does_not_complete_the_step(ghoffice: GitHubOffice) -> None:
    number, _first = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    report = ghoffice.security_report()
    ghoffice.branch("uji-keamanan", {k: v + "\n" for k, v in report.items()}, start="uji-keamanan")
    assert ghoffice.repo("eko").get_pull(number).merge(merge_method="rebase").merged
    assert steps(ghoffice)[14]["status"] == "awaiting-signoff"


def test_the_tracking_issue_follows_the_branch_and_writes_only_when_something_changed(
    ghoffice: GitHubOffice,
) -> None:
    ghoffice.on_main()
    ghoffice.standin.reset_log()
    first = ghoffice.sopkit("github", "track")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "tracking issue created" in first.stdout
    made = [c for c in ghoffice.standin.calls() if c.app_id == ACTIONS_APP_ID]
    assert len(made) <= 5, [(c.method, c.operation) for c in made]
    (issue,) = list(ghoffice.repo().get_issues(state="open", labels=[TRACKING_LABEL]))
    assert issue.title == "SOP tracking: Sistem Informasi Kepegawaian"
    lines = {line.split("|")[1].strip(): line for line in issue.body.splitlines() if line.startswith("| ")}
    assert "complete" in lines["13"] and "budi (kasi)" in lines["13"]
    assert "Joko (@gh-joko)" in lines["14"]  # who must act next, by name
    assert {label.name for label in issue.labels} == {TRACKING_LABEL, step_label(14)}

    ghoffice.standin.reset_log()
    again = ghoffice.sopkit("github", "track")
    assert "tracking issue unchanged" in again.stdout
    assert ghoffice.standin.writes() == []

    number, _head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ghoffice.repo("eko").get_pull(number).merge(merge_method="squash")
    ghoffice.on_main()
    assert "tracking issue updated" in ghoffice.sopkit("github", "track").stdout
    issue = ghoffice.repo().get_issue(issue.number)
    line = next(x for x in issue.body.splitlines() if x.startswith("| 14 |"))
    assert "complete" in line and "joko (security)" in line
    assert {label.name for label in issue.labels} == {TRACKING_LABEL, step_label(15)}


def test_people_whose_role_ended_are_not_named_as_who_must_act(ghoffice: GitHubOffice) -> None:
    # Lina was a Kasi in 2019-2020: today, only the Kasi in office (Budi, Sari) are named
    named = [step["people"] for step in steps(ghoffice).values() if "kasi" in step["act"]]
    assert named, "no step waits for a Kasi"
    for people in named:
        assert any("Budi" in p for p in people) and not any("Lina" in p for p in people), people
