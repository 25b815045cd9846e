"""Accounts, repositories, teams, protection and environments by plan, labels, issues, pagination."""

from __future__ import annotations

import pytest
from github import GithubException

from tests.standin import StandIn
from tests.standin.conftest import Office
from tests.standin.fixtures import github


def test_users_orgs_and_permissions(office: Office) -> None:
    gh = office.gh("prog")
    assert gh.get_user().login == "prog" and gh.get_user("sec").name == "Tim Sekuriti"
    org = gh.get_organization("dinas")
    assert org.login == "dinas" and org.plan.name == "team"
    repo = office.repo("prog")
    assert repo.private and repo.permissions.push and not repo.permissions.admin
    assert repo.get_collaborator_permission("prog") == "write"
    assert repo.get_collaborator_permission("kasi") == "admin"
    assert repo.get_collaborator_permission("tamu") == "read"
    assert repo.url.startswith(office.standin.api_url)  # every URL points at the stand-in


def test_create_and_edit_repository(standin: StandIn) -> None:
    token = standin.add_user("kasi")
    standin.add_org("dinas", owners=["kasi"])
    org = github(standin, token).get_organization("dinas")
    repo = org.create_repo("baru", private=True, allow_rebase_merge=False)
    assert not repo.allow_rebase_merge and repo.allow_squash_merge
    with pytest.raises(GithubException) as twice:
        org.create_repo("baru")
    assert twice.value.status == 422
    repo.edit(allow_merge_commit=False, delete_branch_on_merge=True)
    again = github(standin, token).get_repo("dinas/baru")
    assert not again.allow_merge_commit and again.delete_branch_on_merge


def test_teams_and_memberships(office: Office) -> None:
    kasi = office.gh("kasi")
    org = kasi.get_organization("dinas")
    team = org.create_team("Tim Sekuriti", privacy="closed", description="Keamanan")
    assert team.slug == "tim-sekuriti"
    team.add_membership(kasi.get_user("sec"), role="member")
    team.update_team_repository(office.repo(), "push")
    # the creator became a maintainer, as on GitHub
    assert sorted(m.login for m in org.get_team_by_slug("tim-sekuriti").get_members()) == ["kasi", "sec"]
    assert [m.login for m in org.get_team_by_slug("tim-sekuriti").get_members(role="member")] == ["sec"]
    assert team.get_team_membership("sec").state == "active"
    assert [t.slug for t in office.repo().get_teams()] == ["tim-sekuriti"]
    assert [t.slug for t in org.get_teams()] == ["tim-sekuriti"]
    # the workflow token cannot read team membership (the gate maps reviewers through the roster)
    actions = github(office.standin, office.standin.actions_token("dinas/app"))
    with pytest.raises(GithubException) as hidden:
        actions.get_organization("dinas").get_team_by_slug("tim-sekuriti").get_team_membership("sec")
    assert hidden.value.status == 404
    team.remove_membership(kasi.get_user("sec"))
    with pytest.raises(GithubException):
        team.get_team_membership("sec")
    with pytest.raises(GithubException) as not_owner:
        office.gh("prog").get_organization("dinas").create_team("Sendiri")
    assert not_owner.value.status == 403


def test_protection_needs_admin_and_a_plan(office: Office) -> None:
    with pytest.raises(GithubException) as writer:
        office.repo("prog").get_branch("main").edit_protection(enforce_admins=True)
    assert writer.value.status == 403
    branch = office.repo().get_branch("main")
    branch.edit_protection(
        checks=[("sop-gate", 15368)],
        enforce_admins=True,
        require_code_owner_reviews=True,
        required_approving_review_count=1,
        allow_force_pushes=False,
    )
    read = office.repo().get_branch("main").get_protection()
    assert [(c.context, c.app_id) for c in read.required_status_checks.checks] == [("sop-gate", 15368)]
    assert read.enforce_admins and read.required_pull_request_reviews.require_code_owner_reviews
    assert office.repo().get_branch("main").protected
    branch.remove_protection()
    assert not office.repo().get_branch("main").protected
    # a Free organization cannot protect a private repository: GitHub says so
    standin = office.standin
    standin.add_org("gratis", plan="free", owners=["kasi"])
    free = office.gh("kasi").get_organization("gratis").create_repo("kedua", private=True, auto_init=True)
    with pytest.raises(GithubException) as plan:
        free.get_branch("main").edit_protection(enforce_admins=True)
    assert plan.value.status == 403 and "Upgrade to GitHub Pro" in plan.value.data["message"]


def test_environment_reviewers_need_enterprise_for_private_repos(office: Office) -> None:
    kasi = office.gh("kasi")
    team = kasi.get_organization("dinas").create_team("Sekuriti")
    from github.EnvironmentProtectionRuleReviewer import ReviewerParams

    with pytest.raises(GithubException) as plan:
        office.repo().create_environment(
            "production", reviewers=[ReviewerParams("Team", team.id)], prevent_self_review=True
        )
    assert plan.value.status == 422
    assert office.repo().create_environment("production").name == "production"
    office.standin.world.orgs["dinas"].plan = "enterprise"
    env = office.repo().create_environment(
        "production", reviewers=[ReviewerParams("Team", team.id)], prevent_self_review=True
    )
    rule = next(r for r in env.protection_rules if r.type == "required_reviewers")
    assert rule.reviewers[0].reviewer.slug == "sekuriti"
    assert office.repo().get_environment("production").protection_rules[0].type == "required_reviewers"


def test_labels_issues_comments_and_events(office: Office) -> None:
    repo = office.repo("kasi")
    repo.create_label("langkah-01", "0e8a16", "Langkah 1")
    with pytest.raises(GithubException) as duplicate:
        repo.create_label("langkah-01", "0e8a16")
    assert duplicate.value.status == 422 and duplicate.value.data["errors"][0]["code"] == "already_exists"
    repo.get_label("langkah-01").edit("langkah-01", "ff0000", "Langkah satu")
    assert repo.get_label("langkah-01").color == "ff0000"
    issue = repo.create_issue("Pelacakan aplikasi", body="17 langkah", labels=["sop"])
    issue.add_to_labels("langkah-01")
    issue.create_comment("mulai")
    assert {label.name for label in repo.get_issue(issue.number).labels} == {"sop", "langkah-01"}
    events = [(e.event, e.actor.login, e.label.name if e.label else None) for e in issue.get_events()]
    assert events == [("labeled", "kasi", "sop"), ("labeled", "kasi", "langkah-01")]
    assert [c.body for c in issue.get_comments()] == ["mulai"]
    assert [i.number for i in repo.get_issues(labels=["langkah-01"])] == [issue.number]
    assert [i.number for i in repo.get_issues(creator="prog")] == []
    issue.remove_from_labels("langkah-01")
    issue.edit(state="closed")
    assert repo.get_issue(issue.number).state == "closed"
    assert [i.number for i in repo.get_issues(state="closed")] == [issue.number]
    assert list(repo.get_issues()) == []


def test_pagination_follows_link_headers(office: Office) -> None:
    repo = office.repo("kasi")
    for n in range(35):
        repo.create_label(f"l{n:02d}", "ededed")
    office.standin.reset_log()
    names = [label.name for label in office.repo("kasi").get_labels()]
    assert names == [f"l{n:02d}" for n in range(35)]
    pages = office.standin.calls("GET", r"/labels$")
    assert [c.query.get("page") for c in pages] == [None, ["2"]]  # 30, then 5
    small = github(office.standin, office.tokens["kasi"], per_page=10).get_repo("dinas/app").get_labels()
    assert len(list(small)) == 35 and len(office.standin.calls("GET", r"/labels$")) == 2 + 4


def test_security_advisory_needs_admin(office: Office) -> None:
    url = f"{office.repo().url}/security-advisories"
    body = {
        "summary": "SQL injection",
        "description": "di form login",
        "severity": "high",
        "vulnerabilities": [],
    }
    _, created = office.gh("kasi").requester.requestJsonAndCheck("POST", url, input=body)
    assert created["ghsa_id"].startswith("GHSA-") and created["severity"] == "high"
    with pytest.raises(GithubException) as writer:
        office.gh("prog").requester.requestJsonAndCheck("POST", url, input=body)
    assert writer.value.status == 403
