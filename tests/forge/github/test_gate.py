"""The gate as a GitHub Actions job on the stand-in: a pull request for step 14 (the security report) is
judged with its reviews as the sign-offs, and the verdict lands as the ``sop-gate`` check run of the GitHub
Actions app on the pull request's head. Each scenario asserts that check run's conclusion."""

from __future__ import annotations

from tests.forge.github.conftest import GitHubOffice
from tests.standin import ACTIONS_APP_ID


def security_pull(office: GitHubOffice, author: str = "eko", trailers: str = "") -> tuple[int, str]:
    head = office.branch("uji-keamanan", office.security_report(), author=author, trailers=trailers)
    return office.pull("uji-keamanan", author), head


def judged(office: GitHubOffice, number: int, head: str, expected: str, **env: str) -> str:
    """Run the gate; assert its exit code and check run say ``expected`` (success or failure)."""
    ran = office.gate(number, **env)
    assert ran.returncode == (0 if expected == "success" else 1), ran.stdout + ran.stderr
    assert office.conclusion(head) == expected
    return ran.stdout


def test_the_security_teams_approval_on_the_head_passes(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    out = judged(ghoffice, number, head, "failure")  # nobody approved yet
    assert "step 14 changes and needs the sign-off of 'security'" in out
    ghoffice.review(number, "joko")
    judged(ghoffice, number, head, "success")
    summary = (ghoffice.work.parent / "summary.md").read_text()
    assert "SOP gate: PASSED" in summary


def test_an_approval_by_someone_outside_the_role_does_not_count(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "budi")  # a Kasi, not the security team
    judged(ghoffice, number, head, "failure")


def test_the_author_of_the_pull_request_cannot_approve_it(ghoffice: GitHubOffice) -> None:
    """joko opens the pull request himself; GitHub itself refuses his review, so he cannot approve it
    (and were a review of his there, the gate would name it)."""
    number, head = security_pull(ghoffice, author="joko")
    try:
        ghoffice.review(number, "joko")
    except Exception as refused:
        assert "422" in str(refused)
    out = judged(ghoffice, number, head, "failure")
    assert "needs the sign-off of 'security'" in out


def test_a_co_author_of_the_change_cannot_approve_it(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice, trailers="Co-authored-by: Joko <joko@sumbarprov.go.id>")
    ghoffice.review(number, "joko")
    out = judged(ghoffice, number, head, "failure")
    assert "joko wrote, co-wrote or committed part of what they sign off" in out


def test_an_approval_of_an_older_commit_does_not_count(ghoffice: GitHubOffice) -> None:
    number, first = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    report = ghoffice.security_report()
    later = ghoffice.branch(
        "uji-keamanan",
        {**{k: v + "\n" for k, v in report.items()}},
        start="uji-keamanan",
    )
    assert later != first
    out = judged(ghoffice, number, later, "failure")
    assert "given on an earlier commit" in out


def test_a_comment_is_not_an_approval(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko", event="COMMENT")
    judged(ghoffice, number, head, "failure")


def test_a_dismissed_approval_does_not_count(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    review = ghoffice.review(number, "joko")
    ghoffice.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
    ran = ghoffice.gate(number, event="pull_request_review", action="dismissed")
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert ghoffice.conclusion(head) == "failure"


def test_a_member_whose_role_has_ended_cannot_approve(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "yanto")  # held 'security' until the end of 2020
    out = judged(ghoffice, number, head, "failure")
    assert "yanto does not hold the role 'security'" in out


def test_an_approval_on_the_second_page_of_reviews_counts(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    for _ in range(101):  # comments fill the first page of 100
        ghoffice.review(number, "budi", event="COMMENT")
    ghoffice.review(number, "joko")
    judged(ghoffice, number, head, "success")


def test_a_pull_request_that_edits_the_policy_needs_the_policy_owners(ghoffice: GitHubOffice) -> None:
    """Judged by the base's policy: the pull request's own weakened policy does not apply, and the policy
    owners (kasi, kabid) must approve."""
    policy = (ghoffice.work / ".sop" / "sop.yaml").read_text()
    weakened = policy.replace("owners: [kasi, kabid]", "owners: [web-programmer]")
    assert weakened != policy
    head = ghoffice.branch("kebijakan", {".sop/sop.yaml": weakened})
    number = ghoffice.pull("kebijakan")
    out = judged(ghoffice, number, head, "failure")
    assert "policy" in out and "'kasi'" in out and "'kabid'" in out
    ghoffice.review(number, "budi")
    ghoffice.review(number, "rahmat")
    judged(ghoffice, number, head, "success")


def test_a_pull_request_that_edits_the_gate_workflow_needs_the_policy_owners(ghoffice: GitHubOffice) -> None:
    head = ghoffice.branch("alur", {".github/workflows/sop-gate.yml": "name: lewati\non: push\njobs: {}\n"})
    number = ghoffice.pull("alur")
    ghoffice.review(number, "joko")  # the security team is not a policy owner
    judged(ghoffice, number, head, "failure")


def test_without_a_token_the_gate_cannot_decide_and_blocks(ghoffice: GitHubOffice) -> None:
    number, _head = security_pull(ghoffice)
    ran = ghoffice.gate(number, GITHUB_TOKEN="")
    assert ran.returncode == 2
    assert "no GITHUB_TOKEN" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert "::error" in ran.stdout


def test_when_the_api_is_down_the_gate_cannot_decide_and_blocks(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ghoffice.standin.fail("POST", r"/graphql$", "503", times=100)
    ran = ghoffice.gate(number)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "cannot decide" in ran.stderr and "Traceback" not in ran.stderr
    assert ghoffice.conclusion(head) == "failure"  # the run made before reading, completed as blocked


def test_a_brief_outage_is_retried(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ghoffice.standin.fail("POST", r"/graphql$", "502", times=2)
    ghoffice.standin.fail("POST", r"/check-runs$", "secondary_rate_limit")
    judged(ghoffice, number, head, "success")


def test_a_review_event_judges_the_same_pull_request(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ran = ghoffice.gate(number, event="pull_request_review", action="submitted")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ghoffice.conclusion(head) == "success"


def test_the_gate_makes_few_api_calls(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ghoffice.standin.reset_log()
    judged(ghoffice, number, head, "success")
    made = [(c.method, c.operation) for c in ghoffice.standin.calls() if c.app_id == ACTIONS_APP_ID]
    # the pull request with its reviews, the check run made in progress, the pull requests merged before it
    # (one page of 100), the accounts GitHub links to the history's commits made under addresses the roster
    # does not know (the admin's roster commit; one query per 100 sets of addresses), the check run completed
    assert made == [  # the run in progress first, on the head the event names, then the reads
        ("POST", "POST /repos/{owner}/{repo}/check-runs"),
        ("POST", "graphql"),
        ("POST", "graphql"),
        ("POST", "graphql"),
        ("PATCH", "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ]


def test_a_merge_queue_entry_is_judged_with_its_pull_requests_reviews(ghoffice: GitHubOffice) -> None:
    """The queue builds a merge commit of main and the pull request; the gate judges it with the approvals
    of the pull request its branch names, and reports on the queue's commit."""
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    base = ghoffice.git("rev-parse", "origin/main").strip()
    ghoffice.git("checkout", "-q", "--detach", base)
    ghoffice.git("-c", "user.name=GitHub", "-c", "user.email=noreply@github.com", "merge", "-q", "--no-ff",
                 "-m", f"Merge pull request #{number}", head)  # fmt: skip
    group = ghoffice.git("rev-parse", "HEAD").strip()
    ghoffice.git("push", "-q", "origin", f"HEAD:refs/heads/gh-readonly-queue/main/pr-{number}-{base}")
    ran = ghoffice.gate(
        number, event="merge_group", action="checks_requested", head_sha=group, checkout=group
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ghoffice.conclusion(group) == "success"


def test_a_pull_request_behind_its_base_is_blocked_until_brought_up_to_date(ghoffice: GitHubOffice) -> None:
    number, head = security_pull(ghoffice)
    ghoffice.review(number, "joko")
    ghoffice.git("checkout", "-q", "--detach", "origin/main")
    (ghoffice.work / "README.md").write_text("# Sistem Informasi Kepegawaian\n\nDiperbarui.\n")
    ghoffice.git("-c", "user.name=Admin", "-c", "user.email=admin@x.go.id", "commit", "-qam", "README")
    ghoffice.git("push", "-q", "origin", "HEAD:refs/heads/main")  # main moves on
    out = judged(ghoffice, number, head, "failure")
    assert f"pull request #{number} is behind main" in out


def test_the_check_run_annotates_the_offending_files(ghoffice: GitHubOffice) -> None:
    """Step 16 changed while step 15 is not complete: the check run says so on the file itself."""
    from tests.forge.github.conftest import REPO
    from toolkit import sop
    from toolkit.demo import fill_step

    ghoffice.git("checkout", "-q", "--detach", "origin/main")
    fill_step(ghoffice.work, sop.load(ghoffice.work / ".sop" / "sop.yaml"), 16)
    changed = [line[3:] for line in ghoffice.git("status", "--porcelain").splitlines()]
    files = {path: (ghoffice.work / path).read_text(encoding="utf-8", errors="replace") for path in changed
             if path.endswith(".md")}  # fmt: skip
    ghoffice.git("checkout", "-q", "--", ".")
    head = ghoffice.branch("pemberitahuan", files)
    number = ghoffice.pull("pemberitahuan")
    judged(ghoffice, number, head, "failure")
    (run,) = [r for r in ghoffice.standin.repo(REPO).check_runs if r.head_sha == head]
    assert run.title == "SOP gate: BLOCKED (2 violations)"
    assert {(a.path, a.annotation_level) for a in run.annotations} == {(next(iter(files)), "failure")}
    assert "depends on" in run.annotations[0].message or "step 16" in run.annotations[0].message
