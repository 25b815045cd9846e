"""A fourth outside review of the GitHub half (issue 9): what a programmer with push access can still do
to the gate, the state and the call budgets. Each test names the attack, its severity, and what is
expected against what happens today."""

from __future__ import annotations

import subprocess

from tests.forge.github.conftest import ACCOUNT_IDS, LOGINS, GitHubOffice
from tests.forge.github.test_gate import judged, security_pull
from tests.standin import ACTIONS_APP_ID

OWN_WORK = "joko wrote, co-wrote or committed part of what they sign off"


def _push(office: GitHubOffice, branch: str, user: str = "eko") -> None:
    pushed = subprocess.run(
        ["git", "push", "-q", "-f", "-o", f"user={LOGINS[user]}", "origin", f"HEAD:refs/heads/{branch}"],
        cwd=office.work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr


def _many_commits_under_made_up_addresses(office: GitHubOffice, branch: str, count: int) -> str:
    """eko's branch from main: ``count`` commits, each really changing one code file (not empty), each
    under a made-up address no roster and no GitHub account knows; pushed. Its head."""
    office.git("checkout", "-q", "-B", branch, "origin/main")
    (office.work / "src").mkdir(exist_ok=True)
    for index in range(count):
        (office.work / "src/banyak.php").write_text(f"<?php echo {index};\n")
        office.git("add", "-A")
        office.git("-c", "user.name=X", "-c", f"user.email=x{index}@contoh.example", "commit", "-q",
                   "-m", f"wip {index}")  # fmt: skip
    _push(office, branch)
    return office.git("rev-parse", "HEAD").strip()


def _actions_calls(office: GitHubOffice) -> list[tuple[str, str]]:
    return [(c.method, c.operation) for c in office.standin.calls() if c.app_id == ACTIONS_APP_ID]


# ---- 1. the call budget still grows with commits under addresses the roster does not know ------------


def test_the_gate_call_budget_holds_for_a_pull_request_of_many_non_empty_commits(
    ghoffice: GitHubOffice,
) -> None:
    """Attack (severity: medium): the round-3 fix stopped asking GitHub about EMPTY commits only. eko opens
    a code pull request of 600 commits (1 changed file in all: far under 100), each a real one-line
    change under a made-up address. Every gate run then asks GitHub for the accounts of all 600 (one
    GraphQL query per 100): the calls grow without bound with what the author pushes (the workflow
    token's 1,000 requests an hour per repository can be spent by one pull request re-run a few times;
    the gate then fails closed for every pull request of the repository).
    Expected: at most 6 calls (issue 9: "the gate on a pull request with <= 100 changed files makes at
    most 6 calls"). Actual: 3 + 6 = 9 calls."""
    office = ghoffice
    head = _many_commits_under_made_up_addresses(office, "banyak", 600)
    number = office.pull("banyak")
    office.standin.reset_log()
    judged(office, number, head, "success")  # code only, design steps complete: it may pass
    made = _actions_calls(office)
    assert len(made) <= 6, made


def test_the_tracking_call_budget_holds_after_such_a_pull_request_is_merged(ghoffice: GitHubOffice) -> None:
    """Attack (severity: medium): the same 600 commits, merged (a code change: the gate lets it through
    with one colleague's approval). From then on every `sopkit github track` (run on each push to main)
    and `github state` / `release` asks GitHub about the 600 commits again, for ever.
    Expected: tracking makes at most 5 calls (issue 9). Actual: 6 account queries alone, 9 in all."""
    office = ghoffice
    _many_commits_under_made_up_addresses(office, "banyak", 600)
    assert office.repo("eko").get_pull(office.pull("banyak")).merge(merge_method="merge").merged
    office.on_main()
    first = office.sopkit("github", "track")
    assert first.returncode == 0, first.stdout + first.stderr
    office.standin.reset_log()
    again = office.sopkit("github", "track")
    assert again.returncode == 0, again.stdout + again.stderr
    made = _actions_calls(office)
    assert len(made) <= 5, made


def test_control_round4_the_budget_holds_for_few_such_commits(ghoffice: GitHubOffice) -> None:
    """Control: the same pull request with 50 commits stays within the budget."""
    office = ghoffice
    head = _many_commits_under_made_up_addresses(office, "sedikit", 50)
    number = office.pull("sedikit")
    office.standin.reset_log()
    judged(office, number, head, "success")
    assert len(_actions_calls(office)) <= 6


# ---- 2. a failed publication leaves the previous success standing ------------------------------------


def test_a_verdict_that_cannot_be_published_does_not_leave_an_earlier_success_standing(
    ghoffice: GitHubOffice,
) -> None:
    """Attack (severity: low-medium; fail open on an API error): joko approves the security report and the
    gate posts `sop-gate: success` on the head. The approval is then dismissed (or joko requests
    changes); the gate runs again and blocks, but GitHub answers 502 to every attempt to post the check
    run (an outage, a secondary rate limit that outlasts the retries). The gate only prints the verdict
    to the job log: the required check on the head is still the earlier `success`, so the pull request
    stays mergeable by the required check (the gate posts no in-progress run when it starts either, so
    the same window is open while every re-run is running).
    Expected: the head's `sop-gate` is not `success` once the gate found the change blocked (e.g. an
    in-progress check run created first and completed last, or the old run overwritten). Actual: it
    stays `success`."""
    office = ghoffice
    number, head = security_pull(office)
    review = office.review(number, "joko")
    judged(office, number, head, "success")
    office.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
    # every attempt to publish a verdict (a run made with a conclusion, or any change to a run) fails;
    # the gate's in-progress run, made before the verdict, gets through: with every write refused, no gate
    # could change what GitHub shows
    office.standin.fail("POST", r"/check-runs$", "502", times=100, body_regex='"conclusion"')
    office.standin.fail("PATCH", r"/check-runs/", "502", times=100)
    ran = office.gate(number, event="pull_request_review", action="dismissed")
    assert ran.returncode != 0, ran.stdout + ran.stderr  # the job knows it is blocked
    assert office.conclusion(head) != "success"


def test_control_round4_a_dismissal_that_can_be_published_turns_the_check_red(ghoffice: GitHubOffice) -> None:
    office = ghoffice
    number, head = security_pull(office)
    review = office.review(number, "joko")
    judged(office, number, head, "success")
    office.repo("budi").get_pull(number).get_review(review).dismiss("diuji ulang")
    ran = office.gate(number, event="pull_request_review", action="dismissed")
    assert ran.returncode == 1
    assert office.conclusion(head) == "failure"


# ---- 3. a numbered no-reply address of an unpinned member is never asked about -----------------------


def _unpin_joko(office: GitHubOffice) -> None:
    """The office's roster without joko's github_id (optional in the roster: provisioning only lists
    unpinned accounts), pushed to main by the office (set-up)."""
    office.on_main()
    roster = office.work / ".sop/roster.yaml"
    line = f"    github_id: {ACCOUNT_IDS['joko']}\n"
    text = roster.read_text()
    assert line in text
    roster.write_text(text.replace(line, ""))
    office.git("-c", "user.name=Admin", "-c", "user.email=admin@sumbarprov.go.id", "commit", "-qam", "Roster")
    office.git("push", "-q", "origin", "HEAD:refs/heads/main")
    office.tested = office.on_main()


def _github_links_numbered_noreply_by_number(office: GitHubOffice) -> None:
    """GitHub links ``ID+login@users.noreply.github.com`` by its number, whatever login it spells (an
    account renamed since keeps its old commits): the project's own model (identity.noreply_account:
    "GitHub links the address by that number, whatever login it spells"). The stand-in links only the
    current login's form; this makes it link as the project says GitHub does."""
    world = office.standin.world
    plain = world.user_by_email

    def by_email(email: str):  # type: ignore[no-untyped-def]
        from toolkit.evidence.identity import noreply_account

        number = noreply_account(email) if email.lower().endswith("@users.noreply.github.com") else None
        if number is not None:
            found = next((u for u in world.users.values() if u.id == number), None)
            if found is not None:
                return found
        return plain(email)

    world.user_by_email = by_email  # type: ignore[method-assign]


def _code_by(office: GitHubOffice, email: str, trailers: str = "") -> None:
    """A code pull request whose one commit is authored under ``email`` (pushed by eko), merged."""
    office.git("checkout", "-q", "-B", "fitur", "origin/main")
    (office.work / "src").mkdir(exist_ok=True)
    (office.work / "src/fitur.php").write_text("<?php echo 'fitur';\n")
    office.git("add", "-A")
    office.git("-c", "user.name=Joko", "-c", f"user.email={email}", "commit", "-q",
               "-m", "Fitur" + (f"\n\n{trailers}" if trailers else ""))  # fmt: skip
    _push(office, "fitur")
    assert office.repo("eko").get_pull(office.pull("fitur")).merge(merge_method="merge").merged
    office.tested = office.on_main()


def test_an_unpinned_testers_old_numbered_no_reply_address_is_his_own_work(ghoffice: GitHubOffice) -> None:
    """Attack (severity: low): joko (security) was ``joko-lama`` on GitHub and renamed himself ``gh-joko``
    (the roster's login; github_id is optional and not pinned for him). Code he wrote before the rename
    is authored under his numbered no-reply address ``ID+joko-lama@users.noreply.github.com`` (what
    GitHub writes for an account keeping its address private), which GitHub links, and shows, as joko's
    by its number. identity.unattributed treats every numbered no-reply address as attributed, so the
    gate never asks GitHub about the commit; with_accounts gives it github:joko-lama and github-id:ID,
    neither of which an unpinned member's identities hold. joko then approves the security report,
    which covers all application code, his included.
    Expected: failure (own work). Actual: success (his approval counts)."""
    office = ghoffice
    _unpin_joko(office)
    _github_links_numbered_noreply_by_number(office)
    _code_by(office, f"{ACCOUNT_IDS['joko']}+joko-lama@users.noreply.github.com")
    number, head = security_pull(office)
    office.review(number, "joko")
    assert OWN_WORK in judged(office, number, head, "failure")


def test_control_round4_the_same_address_named_as_co_author_is_asked_about(ghoffice: GitHubOffice) -> None:
    """Control: the same old address as a Co-authored-by trailer (eko the author) is asked of GitHub (the
    message names a co-author), which links it to joko: refused."""
    office = ghoffice
    _unpin_joko(office)
    _github_links_numbered_noreply_by_number(office)
    noreply = f"{ACCOUNT_IDS['joko']}+joko-lama@users.noreply.github.com"
    _code_by(office, "eko@sumbarprov.go.id", trailers=f"Co-authored-by: Joko <{noreply}>")
    number, head = security_pull(office)
    office.review(number, "joko")
    assert OWN_WORK in judged(office, number, head, "failure")


# ---- 4. a mistyped API address is a traceback, not "cannot decide" -----------------------------------


def test_a_malformed_api_address_is_a_clear_refusal_not_a_traceback(ghoffice: GitHubOffice) -> None:
    """User mistake (severity: low): GITHUB_API_URL (GitHub Enterprise Server, or set by hand to run
    `sopkit github state` / `track` / `release` / `gate` outside Actions) with a typo that Python's URL
    parser refuses (``http://[::1``: an unclosed IPv6 bracket). GitHub.from_environment -> make_client ->
    PyGithub raises ValueError, which nothing turns into Unreachable: a traceback and exit 1 (for the
    gate: "blocked" instead of "cannot decide", no ::error line and no job summary).
    Expected: exit 2 with a "cannot decide"/clear message and no traceback. Actual: ValueError traceback."""
    office = ghoffice
    number, _head = security_pull(office)
    ran = office.gate(number, GITHUB_API_URL="http://[::1")
    assert "Traceback" not in ran.stderr, ran.stderr[-600:]
    assert ran.returncode == 2, ran.stdout + ran.stderr
    office.on_main()
    state = office.sopkit("github", "state", GITHUB_API_URL="http://[::1")
    assert "Traceback" not in state.stderr and state.returncode == 2, state.stderr[-600:]
