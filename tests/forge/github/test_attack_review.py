"""An outside review of the GitHub gate: own work recognised by GitHub account beyond the judged pull
request (earlier merged code, the audit, the default branch's state), a login taken over after a rename,
and the gate's calls whatever the number of reviews."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from tests.forge.github.conftest import ACCOUNT_IDS, LOGINS, REPO, GitHubOffice
from tests.forge.github.test_audit import audit, audited  # noqa: F401  (fixture)
from tests.forge.github.test_gate import judged, security_pull
from tests.standin import ACTIONS_APP_ID
from tests.standin.fixtures import github

PERSONAL = "joko.pribadi@example.com"  # joko's GitHub account address; not in the roster
SUGGESTION = f"Co-authored-by: J <{PERSONAL}>"  # what GitHub's "Commit suggestion" writes for him
OWN_WORK = "joko wrote, co-wrote or committed part of what they sign off"


def test_audit_sees_a_co_author_github_links_to_the_reviewer(audited: GitHubOffice) -> None:  # noqa: F811
    """The gate refuses joko's approval (he co-wrote the report under his account's address), but
    eko's own workflow posts sop-gate: success (the documented spoof) and a colleague approves.
    The audit, judging the merged pull request again, must report it."""
    office = audited
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    number, head = security_pull(office, trailers=SUGGESTION)
    office.review(number, "joko")
    assert "joko wrote, co-wrote" in judged(office, number, head, "failure")  # the gate sees it
    spoof = github(office.standin, office.standin.actions_token(office.name)).get_repo(office.name)
    spoof.create_check_run(name="sop-gate", head_sha=head, status="completed", conclusion="success")
    assert office.repo("eko").get_pull(number).merge(merge_method="merge").merged
    _code, found = audit(office)
    assert "not-approved" in found, found  # the audit judges with GitHub's accounts too


def test_state_does_not_count_a_co_authors_approval(ghoffice: GitHubOffice) -> None:
    """Same merge seen by `sopkit github state` (tracking issue, release gate): step 14 must not be
    complete with joko's approval of his own co-written report."""
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    number, head = security_pull(office, trailers=SUGGESTION)
    office.review(number, "joko")
    assert "joko wrote, co-wrote" in judged(office, number, head, "failure")
    assert office.repo("eko").get_pull(number).merge(merge_method="merge").merged  # (no protection here)
    office.on_main()
    ran = office.sopkit("github", "state", "--format", "json")
    step = {s["no"]: s for s in json.loads(ran.stdout)["steps"]}[14]
    assert step["status"] != "complete", step


def test_code_co_written_earlier_by_the_tester_is_his_own_work(ghoffice: GitHubOffice) -> None:
    """joko commits a suggestion on a code pull request (GitHub writes his account's address as
    co-author); it merges (code needs no security sign-off). Later he approves the security report,
    which covers all application code, his included. The gate must refuse his approval as own work,
    as it does when the same commit is in the judged pull request."""
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    office.branch("fitur", {"src/fitur.php": "<?php echo 'fitur';\n"}, trailers=SUGGESTION)
    code_pull = office.pull("fitur")
    assert office.repo("eko").get_pull(code_pull).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    out = judged(office, number, head, "failure")
    assert "joko wrote, co-wrote or committed part of what they sign off" in out


def test_an_approval_by_whoever_now_holds_an_officers_old_login_does_not_count(
    ghoffice: GitHubOffice,
) -> None:
    """joko renames his GitHub account (GitHub frees the old login for anyone). eko registers a new
    account named gh-joko, the roster's login; provisioning (teams synced from the roster's logins)
    would invite that account to the security team, giving it read access, modelled by a grant here.
    The gate must not take this stranger's approval for joko's."""
    office = ghoffice
    world = office.standin.world
    joko = world.users.pop(LOGINS["joko"])
    joko.login = "joko-baru"
    world.users["joko-baru"] = joko
    repo = world.repo(REPO)
    repo.collaborators["joko-baru"] = repo.collaborators.pop(LOGINS["joko"])
    office.tokens["impostor"] = office.standin.add_user(LOGINS["joko"], name="Not Joko")
    office.standin.grant(REPO, LOGINS["joko"], "read")  # what the team membership would give
    assert world.users[LOGINS["joko"]].id != joko.id
    number, head = security_pull(office)
    pull = office.gh("impostor").get_repo(REPO).get_pull(number)
    pull.create_review(commit=office.gh("impostor").get_repo(REPO).get_commit(head), event="APPROVE", body="")
    judged(office, number, head, "failure")


def test_the_gate_call_budget_holds_whatever_the_review_count(ghoffice: GitHubOffice) -> None:
    """Budget: the gate makes at most 6 calls on a pull request with at most 100 changed files. eko's
    pull request changes 2 files; he (or anyone who can read it) leaves 500 comment reviews, which must
    not cost the gate one more query per 100."""
    office = ghoffice
    number, head = security_pull(office)
    pull = office.repo("budi").get_pull(number)
    commit = office.repo("budi").get_commit(head)
    for _ in range(500):
        pull.create_review(commit=commit, event="COMMENT", body="")
    office.review(number, "joko")
    office.standin.reset_log()
    judged(office, number, head, "success")
    made = [(c.method, c.operation) for c in office.standin.calls() if c.app_id == ACTIONS_APP_ID]
    assert len(made) <= 6, made  # comments are not read: one page of verdicts


def test_control_code_co_written_earlier_under_the_roster_address_is_refused(ghoffice: GitHubOffice) -> None:
    """Control: the same history, the co-author trailer naming joko's roster address."""
    office = ghoffice
    office.branch("fitur", {"src/fitur.php": "<?php echo 'fitur';\n"},
                  trailers="Co-authored-by: Joko <joko@sumbarprov.go.id>")  # fmt: skip
    assert office.repo("eko").get_pull(office.pull("fitur")).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    assert "joko wrote, co-wrote or committed part" in judged(office, number, head, "failure")


def test_the_gate_call_budget_holds_whatever_the_number_of_merged_pull_requests(
    ghoffice: GitHubOffice,
) -> None:
    """Budget: 101 code pull requests merged before the security report (more than a page of 100). The
    gate asks GitHub only for the pull requests that brought the last change of each step's files, so
    its calls do not grow with the repository's age; and the report's approval still counts."""
    office = ghoffice
    branches = []
    for index in range(101):
        office.git("checkout", "-q", "-B", f"fitur-{index}", "origin/main")
        (office.work / f"src/fitur-{index}.php").parent.mkdir(parents=True, exist_ok=True)
        (office.work / f"src/fitur-{index}.php").write_text(f"<?php echo {index};\n")
        office.git("add", "-A")
        office.git("-c", "user.name=Eko", "-c", "user.email=eko@sumbarprov.go.id", "commit", "-qm", "Fitur")
        branches.append(f"fitur-{index}")
    office.git(
        "push", "-q", "-o", f"user={LOGINS['eko']}", "origin", *(f"{b}:refs/heads/{b}" for b in branches)
    )
    for branch in branches:
        assert office.repo("eko").get_pull(office.pull(branch)).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = security_pull(office)
    office.review(number, "joko")
    office.standin.reset_log()
    judged(office, number, head, "success")
    made = [(c.method, c.operation) for c in office.standin.calls() if c.app_id == ACTIONS_APP_ID]
    # as on a repository with no merged pull request (test_gate.py, test_the_gate_makes_few_api_calls):
    # the pull request, the check run made in progress, the pull requests that brought the last changes,
    # the history's accounts, the check run completed
    assert made == [
        ("POST", "POST /repos/{owner}/{repo}/check-runs"),
        *[("POST", "graphql")] * 3,
        ("PATCH", "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ], made


# ---- a second outside review: ways around the accounts of the history


def _code_pull_merged(office: GitHubOffice, trailers: str = "", author: str = "eko", method: str = "merge",
                      message: str | None = None) -> None:  # fmt: skip
    """eko's code pull request (a commit by ``author`` with ``trailers``) merged into main with ``method``
    (``message``: the squash/merge commit's message as the one merging writes it); ``tested`` follows."""
    office.branch("fitur", {"src/fitur.php": "<?php echo 'fitur';\n"}, author=author, trailers=trailers)
    pull = office.repo("eko").get_pull(office.pull("fitur", "eko"))
    extra = {} if message is None else {"commit_title": "Fitur", "commit_message": message}
    assert pull.merge(merge_method=method, **extra).merged
    office.tested = office.on_main()


def _joko_approves_security_report(office: GitHubOffice) -> tuple[int, str]:
    number, head = security_pull(office)
    office.review(number, "joko")
    return number, head


# --- A: a Co-authored-by line GitHub links but git's trailer parser does not see ---------------


@pytest.mark.parametrize(
    "trailers",
    [
        f"Co-authored-by: J <{PERSONAL}>\n\nCatatan.",  # a last paragraph after it: git reads no trailer
        f"Co-authored-by: J <{PERSONAL}>\nlihat juga tiket 12",  # a plain line in the same paragraph
        f"Co-authored-by: J <{PERSONAL}>",  # control: a trailer git reads
    ],
    ids=["paragraph-after", "plain-line-beside", "trailer"],
)
def test_a_co_author_git_does_not_read_as_a_trailer_is_asked_about(
    ghoffice: GitHubOffice, trailers: str
) -> None:
    """joko co-writes code in eko's pull request under his personal address, the Co-authored-by line
    placed where git's %(trailers) does not read it, while GitHub (the stand-in's model) links joko as
    co-author anywhere in the message. The commit's git people are eko's roster address alone; joko's
    later approval of the security report (which covers all code) must not count."""
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    _code_pull_merged(office, trailers=trailers)
    number, head = _joko_approves_security_report(office)
    assert OWN_WORK in judged(office, number, head, "failure")


# --- B: squash merge with the message edited erases who wrote the code --------------------------


def test_a_squash_merge_with_an_edited_message_does_not_hide_the_testers_code_from_the_audit(
    ghoffice: GitHubOffice,
) -> None:
    """joko (security) pushes code commits, under his roster address, to eko's pull request; it is
    squash-merged with a message the merger wrote (GitHub lets them drop Co-authored-by lines): main's
    history shows eko alone. The gate, which reads only main's history, cannot see joko there; the audit
    reads each merged pull request's own commits, and reports joko's approval of the security report
    covering his code."""
    office = ghoffice
    _code_pull_merged(office, author="joko", method="squash", message="Fitur baru")
    number, _head = _joko_approves_security_report(office)
    assert office.repo("eko").get_pull(number).merge(merge_method="merge").merged
    _code, found = audit(office)
    assert any(f"#{number}" in said and OWN_WORK in said for said in found.get("not-approved", [])), found


def test_control_round2_b_the_same_code_merged_with_a_merge_commit_is_refused(ghoffice: GitHubOffice) -> None:
    office = ghoffice
    _code_pull_merged(office, author="joko", method="merge")
    number, head = _joko_approves_security_report(office)
    assert OWN_WORK in judged(office, number, head, "failure")


# --- C: a no-reply address's login is trusted instead of asking GitHub ---------------------------


def _rename_joko(office: GitHubOffice, new: str = "joko-baru") -> None:
    """joko renames his GitHub account; the roster keeps the login it was written with and the pinned
    number (the documented way to survive a rename: approvals count by number alone)."""
    world = office.standin.world
    joko = world.users.pop(LOGINS["joko"])
    joko.login = new
    world.users[new] = joko
    repo = world.repo(REPO)
    repo.collaborators[new] = repo.collaborators.pop(LOGINS["joko"])


def test_a_renamed_testers_no_reply_address_is_his_by_number(ghoffice: GitHubOffice) -> None:
    """After the rename, GitHub's "Commit suggestion" (email kept private) writes joko as
    ``<id>+joko-baru@users.noreply.github.com``. identity.with_accounts reads the login out of the address
    (github:joko-baru, which is not the roster's gh-joko) and ``unattributed`` skips every no-reply address,
    so GitHub is never asked: the account number it would give (the roster's github_id) is not seen, while
    joko's approval counts by that very number."""
    office = ghoffice
    _rename_joko(office)
    noreply = f"{ACCOUNT_IDS['joko']}+joko-baru@users.noreply.github.com"
    _code_pull_merged(office, trailers=f"Co-authored-by: Joko <{noreply}>")
    number, head = _joko_approves_security_report(office)
    assert OWN_WORK in judged(office, number, head, "failure")


def test_control_round2_c_the_renamed_testers_approval_counts_by_number(ghoffice: GitHubOffice) -> None:
    """Control: after the rename, joko's approval still counts (matched by the pinned number)."""
    office = ghoffice
    _rename_joko(office)
    number, head = _joko_approves_security_report(office)
    judged(office, number, head, "success")


def test_a_renamed_testers_no_reply_address_in_the_judged_pull_request(ghoffice: GitHubOffice) -> None:
    """The same address in the judged pull request (GitHub links the commit to joko's number): his
    approval of a report he co-wrote must not count."""
    office = ghoffice
    _rename_joko(office)
    noreply = f"{ACCOUNT_IDS['joko']}+joko-baru@users.noreply.github.com"
    number, head = security_pull(office, trailers=f"Co-authored-by: Joko <{noreply}>")
    office.review(number, "joko")
    assert OWN_WORK in judged(office, number, head, "failure")


# --- D: the gate's calls grow with the number of history commits under unknown addresses -------


def test_the_gate_call_budget_holds_whatever_the_number_of_empty_commits_merged_before(
    ghoffice: GitHubOffice,
) -> None:
    """Budget (issue 9: at most 6 calls on a pull request with <= 100 changed files, whatever the number of
    reviews or merged pull requests). eko merges ONE code pull request holding 600 empty commits, each
    under a made-up address the roster does not know. Every later gate run asks GitHub for the accounts
    of all 600 (100 a query): 6 queries more, for ever."""
    office = ghoffice
    office.git("checkout", "-q", "-B", "banyak", "origin/main")
    (office.work / "src").mkdir(exist_ok=True)
    (office.work / "src/banyak.php").write_text("<?php echo 1;\n")
    office.git("add", "-A")
    office.git("-c", "user.name=Eko", "-c", "user.email=eko@sumbarprov.go.id", "commit", "-qm", "Banyak")
    for index in range(600):
        office.git("-c", "user.name=X", "-c", f"user.email=x{index}@contoh.example", "commit", "-q",
                   "--allow-empty", "-m", f"wip {index}")  # fmt: skip
    office.git("push", "-q", "-o", f"user={LOGINS['eko']}", "origin", "HEAD:refs/heads/banyak")
    assert office.repo("eko").get_pull(office.pull("banyak")).merge(merge_method="merge").merged
    office.tested = office.on_main()
    number, head = _joko_approves_security_report(office)
    office.standin.reset_log()
    judged(office, number, head, "success")
    made = [(c.method, c.operation) for c in office.standin.calls() if c.app_id == ACTIONS_APP_ID]
    assert len(made) <= 6, made


# --- A in the judged pull request itself


def test_a_co_author_git_does_not_read_in_the_judged_pull_request_counts(
    ghoffice: GitHubOffice,
) -> None:
    """eko's security-report commit names joko as co-author on a line git does not read as a trailer;
    its git people (eko's roster address) are all known, but GitHub links joko: his approval of a report
    he co-wrote must not count."""
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    number, head = security_pull(office, trailers=f"Co-authored-by: J <{PERSONAL}>\n\nCatatan.")
    office.review(number, "joko")
    assert OWN_WORK in judged(office, number, head, "failure")


def test_control_round2_a_in_the_judged_pull_request_a_trailer_is_refused(ghoffice: GitHubOffice) -> None:
    office = ghoffice
    office.standin.world.users[LOGINS["joko"]].email = PERSONAL
    number, head = security_pull(office, trailers=f"Co-authored-by: J <{PERSONAL}>")
    office.review(number, "joko")
    assert OWN_WORK in judged(office, number, head, "failure")


# ---- a third outside review: what the base completed, as the gate sees it


REPORT = "docs/14-uji-keamanan/laporan-uji-keamanan.md"
NEEDS_SECURITY = "step 14 changes and needs the sign-off of 'security'"


def _steps(office: GitHubOffice) -> dict[int, dict[str, object]]:
    office.on_main()
    ran = office.sopkit("github", "state", "--format", "json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return {s["no"]: s for s in json.loads(ran.stdout)["steps"]}


def _step14_completed(office: GitHubOffice) -> tuple[str, str]:
    """Step 14 completed on main: eko's security report, approved by joko (security), merged. Returns the
    report as main held it before (the template) and as joko approved it."""
    office.on_main()
    template = office.git("show", f"origin/main:{REPORT}")
    report = office.security_report()
    assert list(report) == [REPORT], report
    number, _head = security_pull(office)
    office.review(number, "joko")
    assert office.repo("eko").get_pull(number).merge(merge_method="merge").merged
    assert _steps(office)[14]["status"] == "complete"
    return template, report[REPORT]


def _removal(office: GitHubOffice, name: str, path: str) -> str:
    """eko's branch from main with one commit deleting ``path``, pushed; its commit."""
    office.git("checkout", "-q", "-B", name, "origin/main")
    office.git("rm", "-q", path)
    office.git(
        "-c", "user.name=Eko", "-c", "user.email=eko@sumbarprov.go.id", "commit", "-qm", f"Hapus {path}"
    )
    pushed = subprocess.run(
        ["git", "push", "-q", "-f", "-o", f"user={LOGINS['eko']}", "origin", f"HEAD:refs/heads/{name}"],
        cwd=office.work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    return office.git("rev-parse", "HEAD").strip()


@pytest.mark.parametrize(
    "change",
    [
        lambda template, approved: template,  # back to the template
        lambda template, approved: approved.replace("LULUS", "TIDAK DIUJI") + "\n[[ISI: catatan]]\n",
        lambda template, approved: approved + "\nCatatan tambahan.\n",  # control: still filled in
    ],
    ids=["template", "rewritten-one-placeholder-left", "filled-in-control"],
)
def test_a_completed_security_report_cannot_be_undone_unsigned(
    ghoffice: GitHubOffice, change: Callable[[str, str], str]
) -> None:
    """eko opens a pull request putting step 14's report back to its template, or rewriting its verdict
    with one placeholder left (so the file no longer counts as filled in). Step 14 is complete on main
    (joko approved it), so this changes a completed step's files: it needs the security sign-off. The
    base's steps are judged with the approvals found along the base's own line, not only eko's (where
    eko's commit is the last change of step 14)."""
    office = ghoffice
    template, approved = _step14_completed(office)
    head = office.branch("ubah", {REPORT: change(template, approved)})
    number = office.pull("ubah")
    out = judged(office, number, head, "failure")
    assert NEEDS_SECURITY in out


def test_a_completed_security_report_cannot_be_deleted_unsigned(ghoffice: GitHubOffice) -> None:
    office = ghoffice
    _step14_completed(office)
    head = _removal(office, "hapus", REPORT)
    number = office.pull("hapus")
    out = judged(office, number, head, "failure")
    assert NEEDS_SECURITY in out


def test_control_round3_a_template_draft_of_an_incomplete_step_needs_no_sign_off(
    ghoffice: GitHubOffice,
) -> None:
    """Control: before step 14 is complete, editing its template needs nobody."""
    office = ghoffice
    office.on_main()
    template = office.git("show", f"origin/main:{REPORT}")
    head = office.branch("draf", {REPORT: template + "\n"})
    number = office.pull("draf")
    judged(office, number, head, "success")
