"""Pull requests on real git: the three merge methods, branch protection refusing merges and pushes,
stale approvals dismissed on push, last-push approval, code owners, checks bound to an app."""

from __future__ import annotations

import pytest
from github import GithubException

from tests.standin import ACTIONS_APP_ID
from tests.standin.conftest import Office, run_git

PROTECTION = {
    "strict": False,
    "checks": [("sop-gate", ACTIONS_APP_ID)],
    "enforce_admins": True,
    "dismiss_stale_reviews": True,
    "require_code_owner_reviews": True,
    "required_approving_review_count": 1,
    "require_last_push_approval": True,
}


def feature(office: Office, branch: str = "fitur", files: int = 2) -> list[str]:
    office.git("checkout", "-q", "-b", branch, "main")
    shas = [office.commit(f"src/f{i}.php", f"<?php // {i}\n", f"Add f{i}") for i in range(files)]
    assert office.push(branch).returncode == 0
    office.git("checkout", "-q", "main")
    return shas


def log(office: Office, *args: str) -> list[str]:
    office.git("fetch", "-q", "origin")
    return office.git("log", "--format=%H %P|%an|%cn|%s", *args).splitlines()


def pass_gate(office: Office, sha: str, token: str | None = None) -> None:
    from tests.standin.fixtures import github

    gh = github(office.standin, token or office.standin.actions_token("dinas/app"))
    run = gh.get_repo("dinas/app").create_check_run("sop-gate", sha, status="completed", conclusion="success")
    assert run.app.id == ACTIONS_APP_ID if token is None else True


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_merge_methods_write_real_history(office: Office, method: str) -> None:
    shas = feature(office)
    base = office.git("rev-parse", "main").strip()
    pr = office.repo("prog").create_pull(base="main", head="fitur", title="Fitur baru")
    assert pr.commits == 2 and pr.changed_files == 2 and pr.mergeable
    status = pr.merge(merge_method=method)
    assert status.merged
    lines = log(office, "origin/main")
    tip, parents = lines[0].split("|")[0].split(" ", 1)[0], lines[0].split("|")[0].split()[1:]
    assert tip == status.sha
    if method == "merge":
        assert parents == [base, shas[-1]]
        assert lines[0].split("|")[3].startswith("Merge pull request #1")
    elif method == "squash":
        assert parents == [base] and len(lines) == 2
        assert lines[0].split("|")[1] == "Programmer Web"  # the pull request's author
        assert run_git(office.clone, "diff", "--stat", f"{base}..{tip}").count("src/") == 2
    else:
        assert len(lines) == 3 and parents == [lines[1].split()[0]]
        assert [line.split("|")[1] for line in lines[:2]] == ["Programmer Web"] * 2  # original authors
        assert [line.split("|")[2] for line in lines[:2]] == ["GitHub"] * 2  # a new committer
        assert not set(shas) & {line.split()[0] for line in lines}  # re-created commits
    merged = office.repo().get_pull(1)
    assert merged.merged and merged.merge_commit_sha == tip and merged.merged_by.login == "prog"
    assert merged.state == "closed"


def test_disallowed_merge_method_is_refused(office: Office) -> None:
    feature(office)
    office.repo().edit(allow_squash_merge=False, allow_rebase_merge=False, delete_branch_on_merge=True)
    pr = office.repo("prog").create_pull(base="main", head="fitur", title="t")
    with pytest.raises(GithubException) as refused:
        pr.merge(merge_method="squash")
    assert refused.value.status == 405 and "Squash merges are not allowed" in refused.value.data["message"]
    assert pr.merge(merge_method="merge").merged
    assert "refs/heads/fitur" not in run_git(office.standin.git_path("dinas", "app"), "for-each-ref")


def protect(office: Office, **overrides: object) -> None:
    settings = dict(PROTECTION, **overrides)
    office.repo().get_branch("main").edit_protection(**settings)  # type: ignore[arg-type]


def test_protection_needs_app_check_approval_and_code_owner(office: Office) -> None:
    office.git("checkout", "-q", "main")
    office.commit(".github/CODEOWNERS", "* @dinas/sekuriti\n.sop/ @kasi\n", "Owners", author="kasi")
    assert office.push("main", user="kasi").returncode == 0
    team = office.gh("kasi").get_organization("dinas").create_team("Sekuriti", privacy="closed")
    team.add_membership(office.gh("kasi").get_user("sec"))
    team.remove_membership(office.gh("kasi").get_user("kasi"))  # GitHub made the creator a maintainer
    protect(office)
    shas = feature(office)
    pr = office.repo("prog").create_pull(base="main", head="fitur", title="Fitur")

    def refusal() -> str:
        with pytest.raises(GithubException) as refused:
            office.repo("kasi").get_pull(1).merge()  # an admin: enforce_admins binds them too
        assert refused.value.status == 405
        return str(refused.value.data["message"])

    assert 'Required status check "sop-gate" is expected.' in refusal()
    # a status with the right name from a user with write access does not satisfy an app-bound check
    office.repo("prog").get_commit(shas[-1]).create_status("success", context="sop-gate")
    assert 'Required status check "sop-gate" is expected.' in refusal()
    # nor does a check run by another app a programmer installed
    pass_gate(office, shas[-1], office.standin.app_token("dinas/app", 999, "my-app"))
    assert '"sop-gate" is expected' in refusal()
    pass_gate(office, shas[-1])
    assert "At least 1 approving review is required" in refusal()
    office.repo("tamu").get_pull(1).create_review(event="APPROVE")  # read access only: does not count
    assert "At least 1 approving review" in refusal()
    office.repo("kasi").get_pull(1).create_review(event="APPROVE")  # admin, not a code owner of src/
    assert "Waiting on code owner review from @dinas/sekuriti." in refusal()
    pr_sec = office.repo("sec").get_pull(1)
    pr_sec.create_review(event="APPROVE", commit=office.repo("sec").get_commit(shas[-1]))
    assert pr_sec.merge(merge_method="squash").merged
    assert not pr.is_merged() or pr.update()


def test_authors_cannot_approve_their_own_pull_request(office: Office) -> None:
    feature(office)
    pr = office.repo("prog").create_pull(base="main", head="fitur", title="t")
    with pytest.raises(GithubException) as refused:
        pr.create_review(event="APPROVE")
    assert refused.value.status == 422
    assert pr.create_review(event="COMMENT", body="catatan").state == "COMMENTED"


def test_push_dismisses_stale_approvals_and_last_pusher_cannot_approve(office: Office) -> None:
    protect(office, require_code_owner_reviews=False)
    shas = feature(office)
    office.repo("prog").create_pull(base="main", head="fitur", title="t")
    approval = office.repo("sec").get_pull(1).create_review(event="APPROVE")
    assert approval.commit_id == shas[-1]
    office.git("checkout", "-q", "fitur")
    new_head = office.commit("src/late.php", "<?php\n", "Late change", author="sec")
    assert office.push("fitur", user="sec").returncode == 0
    pr = office.repo("kasi").get_pull(1)
    assert pr.head.sha == new_head
    states = [(r.user.login, r.state, r.commit_id) for r in pr.get_reviews()]
    assert states == [("sec", "DISMISSED", shas[-1])]
    pass_gate(office, new_head)
    # sec pushed last: their approval does not satisfy require_last_push_approval
    office.repo("sec").get_pull(1).create_review(event="APPROVE")
    with pytest.raises(GithubException) as refused:
        pr.merge()
    assert "approving review" in refused.value.data["message"]
    office.repo("kasi").get_pull(1).create_review(event="APPROVE")
    assert pr.merge().merged


def test_dismissed_and_changes_requested_reviews(office: Office) -> None:
    protect(office, require_code_owner_reviews=False, require_last_push_approval=False)
    shas = feature(office)
    office.repo("prog").create_pull(base="main", head="fitur", title="t")
    pass_gate(office, shas[-1])
    review = office.repo("sec").get_pull(1).create_review(event="APPROVE")
    office.repo("kasi").get_pull(1).get_review(review.id).dismiss("stale")
    assert office.repo().get_pull(1).get_review(review.id).state == "DISMISSED"
    office.repo("kasi").get_pull(1).create_review(event="REQUEST_CHANGES", body="perbaiki")
    office.repo("sec").get_pull(1).create_review(event="APPROVE")
    with pytest.raises(GithubException) as refused:
        office.repo("kasi").get_pull(1).merge()
    assert "Changes must be made" in refused.value.data["message"]


def test_protected_branch_refuses_direct_force_and_delete_pushes(office: Office) -> None:
    protect(office, enforce_admins=False)
    office.git("checkout", "-q", "main")
    office.commit("src/direct.php", "<?php\n", "Direct push")
    refused = office.push("main", user="prog")
    assert refused.returncode != 0 and "Changes must be made through a pull request" in refused.stderr
    assert office.push("main", user="kasi").returncode == 0  # an admin, enforce_admins off: audited later
    office.git("reset", "-q", "--hard", "HEAD~1")
    forced = office.push("main", user="kasi", force=True)
    assert forced.returncode != 0 and "Cannot force-push" in forced.stderr
    deleted = office.git_delete = __import__("subprocess").run(
        ["git", "push", "-o", "user=kasi", "origin", ":main"],
        cwd=office.clone,
        capture_output=True,
        text=True,
    )
    assert deleted.returncode != 0 and "Cannot delete" in deleted.stderr


def test_pull_request_files_commits_and_commit_pulls(office: Office) -> None:
    shas = feature(office, files=3)
    repo = office.repo("prog")
    pr = repo.create_pull(base="main", head="fitur", title="t", body="isi")
    assert [c.sha for c in pr.get_commits()] == shas
    files = pr.get_files()
    assert sorted(f.filename for f in files) == ["src/f0.php", "src/f1.php", "src/f2.php"]
    assert all(f.status == "added" and f.additions == 1 for f in files)
    assert [p.number for p in repo.get_commit(shas[0]).get_pulls()] == [1]
    merged = pr.merge(merge_method="squash")
    assert [p.number for p in repo.get_commit(merged.sha).get_pulls()] == [1]
    with pytest.raises(GithubException) as twice:
        repo.create_pull(base="main", head="main", title="t")
    assert twice.value.status == 422
