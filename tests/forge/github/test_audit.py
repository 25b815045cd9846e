"""``sopkit github audit`` on the stand-in: pull requests that passed the gate leave nothing to report;
a direct push, a merge without the gate's check, and a pull request whose approvals do not satisfy the
base's policy are each found, whichever merge method brought them."""

from __future__ import annotations

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


@pytest.fixture
def audited(ghoffice: GitHubOffice) -> GitHubOffice:
    """The repository with the branch protection provisioning sets (the owner may still push around it)."""
    from toolkit.forge.github.desired import PROTECTION_BODY

    owner = github(ghoffice.standin, ghoffice.tokens["budi"])
    owner.requester.requestJsonAndCheck(
        "PUT", f"/repos/{REPO}/branches/main/protection", input=PROTECTION_BODY
    )
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
