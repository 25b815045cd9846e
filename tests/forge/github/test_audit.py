"""``sopkit github audit`` on the stand-in: pull requests that passed the gate leave nothing to report;
a direct push, a merge without the gate's check, and a pull request whose approvals do not satisfy the
base's policy are each found, whichever merge method brought them."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from tests.forge.github.conftest import REPO, GitHubOffice
from tests.forge.github.test_gate import security_pull
from tests.standin.fixtures import github


def audit(office: GitHubOffice, *extra: str) -> tuple[int, dict[str, list[str]]]:
    """Run the audit; the findings by kind, leaving out the commits the test's set-up pushed directly."""
    office.on_main()
    # an auditor's token: reading the branch protection needs an admin (budi owns the organisation)
    ran = office.sopkit(
        "github", "audit", "--repo", REPO, *extra, checkout="--checkout", GITHUB_TOKEN=office.tokens["budi"]
    )
    assert ran.returncode in (0, 1), ran.stdout + ran.stderr
    found: dict[str, list[str]] = {}
    for line in ran.stdout.splitlines():
        if line.startswith("["):
            kind, message = line[1:].split("] ", 1)
            if not any(commit[:12] in message for commit in office.setup):
                found.setdefault(kind, []).append(message)
    return ran.returncode, found


def release_path(office: GitHubOffice) -> None:
    """What provisioning sets for releases: the policy owners' teams, production deploying only ``v*``
    tags, and the ruleset letting only those teams push them."""
    from toolkit.forge.github.desired import environment_body, release_ruleset

    owner = github(office.standin, office.tokens["budi"]).requester
    ids = []
    for slug, members in (("kasi-pengembangan-aplikasi", ("budi", "sari")), ("kabid-aptika", ("rahmat",))):
        _h, team = owner.requestJsonAndCheck("POST", "/orgs/dinas/teams", input={"name": slug})
        for member in members:
            owner.requestJsonAndCheck("PUT", f"/orgs/dinas/teams/{slug}/memberships/gh-{member}", input={})
        if "budi" not in members:  # GitHub made the creator a maintainer; the roster says otherwise
            owner.requestJsonAndCheck("DELETE", f"/orgs/dinas/teams/{slug}/memberships/gh-budi")
        ids.append(int(team["id"]))
    env = f"/repos/{REPO}/environments/production"
    owner.requestJsonAndCheck("PUT", env, input=environment_body(None))
    owner.requestJsonAndCheck(
        "POST", f"{env}/deployment-branch-policies", input={"name": "v*", "type": "tag"}
    )
    owner.requestJsonAndCheck("POST", f"/repos/{REPO}/rulesets", input=release_ruleset(ids))


@pytest.fixture
def audited(ghoffice: GitHubOffice) -> GitHubOffice:
    """The repository with the branch protection and release path provisioning sets (the owner may still
    push around them)."""
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(ghoffice.standin, ghoffice.tokens["budi"])
    owner.requester.requestJsonAndCheck(
        "PUT", f"/repos/{REPO}/branches/main/protection", input=PROTECTION_BODY
    )
    release_path(ghoffice)
    ghoffice.on_main()
    ghoffice.setup = set(ghoffice.git("rev-list", "--first-parent", "origin/main").split())
    return ghoffice


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_a_pull_request_that_passed_the_gate_leaves_nothing_to_report(
    audited: GitHubOffice, method: str
) -> None:
    number, _head = security_pull(audited)
    audited.branch(
        "uji-keamanan", {"docs/14-uji-keamanan/catatan.md": "Catatan uji.\n"}, start="uji-keamanan"
    )
    audited.review(number, "joko")
    assert audited.gate(number).returncode == 0
    assert audited.repo("eko").get_pull(number).merge(merge_method=method).merged
    _code, found = audit(audited)
    assert found == {}


def test_a_direct_push_is_found(audited: GitHubOffice) -> None:
    audited.git("checkout", "-q", "--detach", "origin/main")
    (audited.work / "src" / "pintu.php").parent.mkdir(exist_ok=True)
    (audited.work / "src" / "pintu.php").write_text("<?php system($_GET['c']);\n")
    audited.git("add", "-A")
    audited.git("-c", "user.name=Admin", "-c", "user.email=admin@sumbarprov.go.id", "commit", "-q", "-m", "x")
    # an admin lifts the protection for a moment, pushes, and puts it back
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(audited.standin, audited.tokens["budi"])
    owner.requester.requestJsonAndCheck("DELETE", f"/repos/{REPO}/branches/main/protection")
    audited.git("push", "-q", "origin", "HEAD:refs/heads/main")
    owner.requester.requestJsonAndCheck(
        "PUT", f"/repos/{REPO}/branches/main/protection", input=PROTECTION_BODY
    )
    code, found = audit(audited)
    assert code == 1
    assert list(found) == ["direct-push"] and len(found["direct-push"]) == 1


def test_a_merge_without_the_gates_check_is_found(audited: GitHubOffice) -> None:
    number, _head = security_pull(audited)
    audited.review(number, "joko")
    # the admin lets admins through for a moment and merges without the gate's check
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(audited.standin, audited.tokens["budi"])
    protection = f"/repos/{REPO}/branches/main/protection"
    owner.requester.requestJsonAndCheck("PUT", protection, input={**PROTECTION_BODY, "enforce_admins": False})
    assert audited.repo("budi").get_pull(number).merge(merge_method="squash").merged  # no gate run
    owner.requester.requestJsonAndCheck("PUT", protection, input=PROTECTION_BODY)
    code, found = audit(audited)
    assert code == 1
    assert list(found) == ["gate-not-passed"]
    assert f"#{number} was merged by @gh-budi" in found["gate-not-passed"][0]


def test_a_gate_workflow_changed_without_the_policy_owners_is_found(audited: GitHubOffice) -> None:
    """The workflow in a pull request runs its own gate: here it passes itself, and an approval from the
    security team merges it. The audit judges it again by the base's policy."""
    head = audited.branch("alur", {".github/workflows/sop-gate.yml": "name: lewati\non: push\njobs: {}\n"})
    number = audited.pull("alur")
    audited.review(number, "joko")
    audited.repo().get_commit(head)  # the rewritten workflow "passes": a check run by the Actions app
    actions = github(audited.standin, audited.standin.actions_token(REPO)).get_repo(REPO)
    actions.create_check_run("sop-gate", head, status="completed", conclusion="success")
    assert audited.repo("eko").get_pull(number).merge(merge_method="merge").merged
    code, found = audit(audited, "--out", str(audited.work.parent / "bukti.zip"))
    assert code == 1
    assert list(found) == ["not-approved"]
    assert "policy" in found["not-approved"][0] and "'kasi'" in found["not-approved"][0]
    with zipfile.ZipFile(audited.work.parent / "bukti.zip") as pack:
        assert {"state.json", "findings.json", "manifest.json"} <= set(pack.namelist())


def test_protection_that_drifted_is_found(audited: GitHubOffice) -> None:
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(audited.standin, audited.tokens["budi"])
    weaker = {**PROTECTION_BODY, "enforce_admins": False}
    owner.requester.requestJsonAndCheck("PUT", f"/repos/{REPO}/branches/main/protection", input=weaker)
    code, found = audit(audited)
    assert code == 1
    assert list(found) == ["protection-drift"]
    assert "rules enforced for administrators" in found["protection-drift"][0]


def test_a_merge_carried_by_a_spoofed_check_run_is_found(audited: GitHubOffice) -> None:
    """Any workflow in the repository gets a token of the GitHub Actions app: eko's own workflow, pushed on
    a branch with ``checks: write``, posts ``sop-gate: success`` on his head, and the app-bound required
    check accepts it (the reviewer's reproducer). Branch protection cannot tell; the audit, judging the
    merged pull request again, does."""
    number, head = security_pull(audited)
    assert audited.gate(number).returncode == 1 and audited.conclusion(head) == "failure"
    spoof = github(audited.standin, audited.standin.actions_token(REPO)).get_repo(REPO)
    spoof.create_check_run(name="sop-gate", head_sha=head, status="completed", conclusion="success")
    assert audited.conclusion(head) == "success"
    audited.review(number, "budi")  # a colleague's approval: GitHub's one review; not the security team
    assert audited.repo("eko").get_pull(number).merge(merge_method="squash").merged
    code, found = audit(audited)
    assert code == 1
    (said,) = found["not-approved"]
    assert f"pull request #{number}" in said and "needs the sign-off of 'security'" in said


def test_a_release_path_that_drifted_is_found(audited: GitHubOffice) -> None:
    """An admin lets a branch deploy and lets a programmer push release tags: drift, as for the branch."""
    owner = github(audited.standin, audited.tokens["budi"])
    env = f"/repos/{REPO}/environments/production"
    owner.requester.requestJsonAndCheck(
        "POST", f"{env}/deployment-branch-policies", input={"name": "main", "type": "branch"}
    )
    _h, (listed,) = owner.requester.requestJsonAndCheck("GET", f"/repos/{REPO}/rulesets")
    eko = owner.get_user("gh-eko").id
    _h, ruleset = owner.requester.requestJsonAndCheck("GET", f"/repos/{REPO}/rulesets/{listed['id']}")
    actors = [*ruleset["bypass_actors"], {"actor_id": eko, "actor_type": "User", "bypass_mode": "always"}]
    owner.requester.requestJsonAndCheck(
        "PUT", f"/repos/{REPO}/rulesets/{listed['id']}", input={"bypass_actors": actors}
    )
    code, found = audit(audited)
    assert code == 1 and list(found) == ["protection-drift"]
    (said,) = found["protection-drift"]
    assert "release path" in said and "besides tag v* (found: branch main)" in said
    assert "only the policy owners' teams may bypass it" in said
    # the ruleset deleted, the environment opened to every branch
    owner.requester.requestJsonAndCheck("DELETE", f"/repos/{REPO}/rulesets/{listed['id']}")
    owner.requester.requestJsonAndCheck("PUT", env, input={})
    _code, found = audit(audited)
    (said,) = found["protection-drift"]
    assert "a ruleset sop-rilis" in said and "deploys only from its deployment policies" in said


def _passed_and_merged(audited: GitHubOffice) -> tuple[int, str]:
    number, head = security_pull(audited)
    audited.review(number, "joko")
    return number, head


def test_a_head_with_25_check_suites_is_still_judged(audited: GitHubOffice) -> None:
    """Other apps' check suites come first on the head; the gate's is the 25th (the audit read 20)."""
    number, head = _passed_and_merged(audited)
    for app in range(24):
        token = audited.standin.app_token(REPO, 900_000 + app, f"pemeriksa-{app}")
        other = github(audited.standin, token).get_repo(REPO)
        other.create_check_run(f"cek-{app}", head, status="completed", conclusion="success")
    assert audited.gate(number).returncode == 0
    assert audited.repo("eko").get_pull(number).merge(merge_method="merge").merged
    suites = {run.suite_id for run in audited.standin.repo(REPO).check_runs if run.head_sha == head}
    assert len(suites) == 25
    _code, found = audit(audited)
    assert found == {}


def test_the_gates_last_run_is_read_past_100_check_suites(audited: GitHubOffice) -> None:
    """110 check suites of the GitHub Actions app on the head (one per workflow run, as on GitHub), the
    gate's run failing in all but the last: the audit pages through them to the last."""
    from tests.standin.state import CheckRun

    number, head = _passed_and_merged(audited)
    assert audited.gate(number).returncode == 0
    repo = audited.standin.repo(REPO)
    (passed,) = [run for run in repo.check_runs if run.head_sha == head]
    world = audited.standin.world
    with world.lock:
        failed = [
            CheckRun(world.ids(), "sop-gate", head, passed.app, status="completed", conclusion="failure")
            for _ in range(109)
        ]
        for run in failed:
            run.suite_id = run.id
        repo.check_runs[:] = [run for run in repo.check_runs if run is not passed] + failed + [passed]
        passed.id = passed.suite_id = world.ids()  # the latest run, in the latest suite
    assert audited.repo("eko").get_pull(number).merge(merge_method="squash").merged
    _code, found = audit(audited)
    assert found == {}
    # and when the last of them failed, the merge is found
    with world.lock:
        passed.conclusion = "failure"
    _code, found = audit(audited)
    assert list(found) == ["gate-not-passed"]


def _push_tag(office: GitHubOffice, tag: str, login: str) -> int:
    pushed = subprocess.run(
        ["git", "push", "-q", "-o", f"user={login}", "origin", f"+HEAD:refs/tags/{tag}"],
        cwd=office.work,
        capture_output=True,
        check=False,
    )
    return pushed.returncode


def test_a_release_tag_off_the_branch_is_found(audited: GitHubOffice) -> None:
    """A programmer's tag v9 on his own branch, made while an admin had the ruleset only evaluated: the
    ruleset is back, but the tag stays and deploys. The Kasi's tags on main are no finding."""
    owner = github(audited.standin, audited.tokens["budi"]).requester
    _h, (listed,) = owner.requestJsonAndCheck("GET", f"/repos/{REPO}/rulesets")
    ruleset = f"/repos/{REPO}/rulesets/{listed['id']}"
    owner.requestJsonAndCheck("PUT", ruleset, input={"enforcement": "evaluate"})
    side = audited.branch("lompat", {".github/workflows/sop-release.yml": "on: push\njobs: {}\n"})
    assert _push_tag(audited, "v9", "gh-eko") == 0
    owner.requestJsonAndCheck("PUT", ruleset, input={"enforcement": "active"})
    audited.on_main()
    assert _push_tag(audited, "v1", "gh-budi") == 0  # on main: as it should be
    audited.git("-c", "user.name=Budi", "-c", "user.email=b@x", "tag", "-a", "-m", "Rilis", "v2")
    assert (
        subprocess.run(
            ["git", "push", "-q", "-o", "user=gh-budi", "origin", "refs/tags/v2"],
            cwd=audited.work,
            check=False,
        ).returncode
        == 0
    )
    code, found = audit(audited)
    assert code == 1 and list(found) == ["release-tag"]
    (said,) = found["release-tag"]
    assert f"tag v9 ({side[:12]}) is not on the first-parent line of main" in said


def test_a_programmer_in_a_policy_owners_team_is_found(audited: GitHubOffice) -> None:
    """Who may push release tags is who is in the policy owners' teams: eko added to the Kasi's team can
    tag, so the team is compared with the roster's holders of the role."""
    owner = github(audited.standin, audited.tokens["budi"]).requester
    team = "/orgs/dinas/teams/kasi-pengembangan-aplikasi/memberships"
    owner.requestJsonAndCheck("PUT", f"{team}/gh-eko", input={})
    owner.requestJsonAndCheck("DELETE", f"{team}/gh-sari")
    code, found = audit(audited)
    assert code == 1 and list(found) == ["team-drift"]
    (said,) = found["team-drift"]
    assert (
        "team kasi-pengembangan-aplikasi has members the roster does not give its role today: gh-eko" in said
    )
    assert "team kasi-pengembangan-aplikasi lacks the roster's holders of its role: gh-sari" in said
