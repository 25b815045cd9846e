"""A fifth outside review of the GitHub half (issue 9), of the fixes merged as fix9d and the commit after it
(account questions per address set within a budget, the check run in progress before judging). Each test
names the attack, its severity, and what is expected against what happens today."""

from __future__ import annotations

from tests.forge.github.conftest import GitHubOffice
from tests.forge.github.test_attack_round4 import _actions_calls, _many_commits_under_made_up_addresses
from tests.forge.github.test_gate import judged, security_pull

# ---- 1. commits already on main count against every later run's account budget -----------------------


def test_a_pull_request_the_gate_lets_through_does_not_make_every_later_approval_undecidable(
    ghoffice: GitHubOffice,
) -> None:
    """Attack (severity: medium; availability, permanent, by a programmer with push access): eko opens a
    code pull request of 101 real one-line commits, each under a made-up address, and a fellow programmer
    (rina: a roster member whose role signs no step, so her code-owner approval is no sign-off) approves
    it. No member's sign-off covers the commits, so the gate asks GitHub nothing and lets it through
    (exit 0), and it is merged. From then on every member's sign-off anchored after those commits (here
    joko's approval of the security report; equally a Kasi's approval of any step) makes the gate ask
    GitHub about all 101+ address sets of main's history, more than the one query (100 sets) a gate run
    may make: "cannot decide" for ever. The remedy the message offers ("squash the commits into fewer, or
    add the addresses that are members' to the roster") is impossible for commits already on main that
    belong to nobody. signed_history/linked_history ask about every unattributed commit from the root up to
    the last sign-off, whether or not a run before already judged it, and LinkedAccounts counts them all
    against the per-run budget.
    Expected: either the gate refuses the pull request that would put main past what a later run can ask
    about, or the later approval is decided (exit 0 or 1). Actual: the first passes, the second is
    "cannot decide" (exit 2) for ever."""
    office = ghoffice
    head = _many_commits_under_made_up_addresses(office, "banyak", 101)
    number = office.pull("banyak")
    office.review(number, "rina")
    first = office.gate(number)
    if first.returncode != 0:
        return  # the gate kept the repository within what it can ask about: no defect
    assert office.conclusion(head) == "success"
    assert office.repo("eko").get_pull(number).merge(merge_method="merge").merged
    office.tested = office.on_main()
    later, _later_head = security_pull(office)
    office.review(later, "joko")
    ran = office.gate(later)
    assert ran.returncode in (0, 1), ran.stdout[-1500:] + ran.stderr[-800:]


# ---- 2. annotations: the gate's writes still grow with what the author pushes -------------------------


def test_the_gate_call_budget_holds_for_a_blocked_pull_request_of_100_files(ghoffice: GitHubOffice) -> None:
    """Attack (severity: low-medium; call budget): the budget of issue 9 is 6 calls for a pull request
    with <= 100 changed files, and commit 632896a allows for ONE extra annotation write (51-100
    annotations). But one changed file can carry several annotations: eko's pull request adds 100 code
    files in 50 pairs that differ only in letter case and hold a zero-width space (name.invisible and
    name.case-twin each), i.e. 200 annotations. publish_check completes the run with 50 and then PATCHes
    50 more per request: 4 writes, so pull request + merged pull requests + account query + in-progress
    run + 4 = 8 calls. Nothing caps it: 5,000 such files cost 200 PATCHes a run (the workflow token's
    1,000 requests an hour per repository, spent by one pull request re-run a few times).
    Expected: <= 6 calls (cap the annotations; the summary lists the rest). Actual: 8."""
    office = ghoffice
    files = {}
    for index in range(50):
        for first in ("a", "A"):
            files[f"src/{first}{index:02d}\u200b.php"] = f"<?php echo {index};\n"
    head = office.branch("nama", files)
    number = office.pull("nama")
    office.standin.reset_log()
    ran = office.gate(number)
    assert ran.returncode == 1, ran.stdout[-1500:] + ran.stderr[-800:]
    assert office.conclusion(head) == "failure"
    made = _actions_calls(office)
    assert len(made) <= 6, made


# ---- 3. in-progress run not made, then "cannot decide": the earlier success stands ------------------


def test_cannot_decide_after_the_in_progress_run_failed_does_not_leave_an_earlier_success(
    ghoffice: GitHubOffice,
) -> None:
    """Attack (severity: low; fail open on API errors): joko approves the security report; the gate posts
    `sop-gate: success` on the head. The approval is dismissed; the gate runs again. GitHub answers 502 to
    the in-progress check run (its POST and PyGithub's 6 retries), then to the query of the merged pull
    requests: "cannot decide". _Check.start swallowed the first error (run None, still writable), and the
    UserError branch of `gate` publishes a completed failure only `if check.run is not None`: nothing is
    written although GitHub accepts a completed run (no fault on it), so the head's required check stays
    the earlier `success` and the pull request stays mergeable.
    Expected: the head's sop-gate is not `success` (a completed failure posted when no run was started, or
    the gate stopping when the in-progress run cannot be made). Actual: `success`."""
    office = ghoffice
    number, head = security_pull(office)
    review = office.review(number, "joko")
    judged(office, number, head, "success")
    office.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
    office.standin.fail("POST", r"/check-runs$", "502", times=20, body_regex='"in_progress"')
    office.standin.fail("POST", r"/graphql$", "502", times=20, body_regex="associatedPullRequests")
    ran = office.gate(number, event="pull_request_review", action="dismissed")
    assert ran.returncode == 2, ran.stdout[-1500:] + ran.stderr[-800:]
    assert office.conclusion(head) != "success"


# ---- 4. tracking: issues anyone with write access labels cost a call per 30 -------------------------


def test_the_tracking_call_budget_holds_with_many_issues_under_the_tracking_label(
    ghoffice: GitHubOffice,
) -> None:
    """Attack (severity: low; call budget): sync_issue lists every open issue labelled `sop-pelacakan`
    (PyGithub pages of 30) to find the tracking issue. eko (write access: he may open and label issues)
    opens 100 issues with that label. Every `sopkit github track` (each push to main) then spends 4 list
    calls on them, besides the merged pull requests and the account query (and the write, when the state
    changed); 3,000 such issues cost 100 calls a run. (Not new in fix9d, but within issue 9's budgets.)
    Expected: tracking makes at most 5 calls (issue 9). Actual: 6 with nothing to write, 7 with."""
    office = ghoffice
    office.on_main()
    first = office.sopkit("github", "track")
    assert first.returncode == 0, first.stdout + first.stderr
    repo = office.repo("eko")
    for index in range(100):
        repo.create_issue(title=f"Salinan {index}", body="-", labels=["sop-pelacakan"])
    office.standin.reset_log()
    again = office.sopkit("github", "track")
    assert again.returncode == 0, again.stdout + again.stderr
    made = _actions_calls(office)
    assert len(made) <= 5, made


# ---- 5. the pull request is read before the in-progress run is made: a stale verdict can win --------


def test_a_verdict_read_before_a_dismissal_does_not_outlive_the_verdict_read_after_it(
    ghoffice: GitHubOffice,
) -> None:
    """Race (severity: low; stale success): judge_event reads the pull request and its reviews
    (hub.pull_request) and only then calls ``started`` to make the in-progress run. Run A (joko's approval
    event) reads the approval; before A's in-progress run exists, the approval is dismissed and run B (the
    dismissal event) makes its in-progress run, blocks and completes it `failure`. A then makes its run,
    later than B's, and completes it `success` from the approval it read: GitHub's required check takes
    the latest run of the name, so the dismissed approval passes. (The window is the gap between A's
    query and its POST, widened by PyGithub's retries of that POST, e.g. Retry-After on a secondary rate
    limit.) The interleaving is forced here with the ``started`` hook, the exact point the gap is in.
    Expected: the head's sop-gate is not `success` after the dismissal was judged. Actual: `success`."""
    from toolkit.cli.github_cmd import _Check
    from toolkit.forge.github import gate as ghgate
    from toolkit.forge.github.api import GitHub
    from toolkit.gate.render import headline

    office = ghoffice
    number, head = security_pull(office)
    review = office.review(number, "joko")
    office.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
    office.git("checkout", "-q", "--detach", head)
    hub = GitHub(office.name, office.standin.actions_token(office.name), office.standin.api_url)
    check = _Check()
    read = hub.pull_request

    def read_then_dismissed(number_: int) -> object:  # run A has read the approval; B runs in the gap
        found = read(number_)
        office.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
        ran = office.gate(number, event="pull_request_review", action="dismissed")
        assert ran.returncode == 1, ran.stdout[-1500:] + ran.stderr[-800:]
        assert office.conclusion(head) == "failure"
        return found

    hub.pull_request = read_then_dismissed  # type: ignore[method-assign,assignment]
    # (fixed: run A names its head from the event, as read_event reads it, and makes its run first)
    event = ghgate.Event("pull_request_review", number, proposed=head)
    verdict = ghgate.judge_event(office.work, hub, event, started=lambda commit: check.start(hub, commit))
    assert verdict.report is not None and verdict.report.passed  # A read the approval
    check.finish(hub, "success", headline(verdict.report), "-", [])
    assert office.conclusion(head) != "success"
