"""An outside review of the GitHub gate: own work recognised by GitHub account beyond the judged pull
request (earlier merged code, the audit, the default branch's state), a login taken over after a rename,
and the gate's calls whatever the number of reviews."""

from __future__ import annotations

import json

from tests.forge.github.conftest import LOGINS, GitHubOffice
from tests.forge.github.test_audit import audit, audited  # noqa: F401  (fixture)
from tests.forge.github.test_gate import judged, security_pull
from tests.standin.fixtures import github

PERSONAL = "joko.pribadi@example.com"  # joko's GitHub account address; not in the roster
SUGGESTION = f"Co-authored-by: J <{PERSONAL}>"  # what GitHub's "Commit suggestion" writes for him


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
    from tests.forge.github.conftest import REPO

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
    from tests.standin import ACTIONS_APP_ID

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
    from tests.standin import ACTIONS_APP_ID

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
    # the pull request, the pull requests that brought the last changes, the history's accounts, the check
    assert made == [*[("POST", "graphql")] * 3, ("POST", "POST /repos/{owner}/{repo}/check-runs")], made
