"""``sopkit github audit`` on the stand-in: pull requests that passed the gate leave nothing to report;
a direct push, a merge without the gate's check, and a pull request whose approvals do not satisfy the
base's policy are each found, whichever merge method brought them."""

from __future__ import annotations

import zipfile

import pytest

from tests.forge.github.conftest import REPO, GitHubOffice
from tests.forge.github.test_gate import security_pull


def audit(office: GitHubOffice, *extra: str) -> tuple[int, dict[str, list[str]]]:
    """Run the audit; the findings by kind, leaving out the commits the test's set-up pushed directly."""
    office.on_main()
    ran = office.sopkit("github", "audit", "--repo", REPO, *extra, checkout="--checkout")
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
    audited.git("push", "-q", "origin", "HEAD:refs/heads/main")  # the owner, around any protection
    code, found = audit(audited)
    assert code == 1
    assert list(found) == ["direct-push"] and len(found["direct-push"]) == 1


def test_a_merge_without_the_gates_check_is_found(audited: GitHubOffice) -> None:
    number, _head = security_pull(audited)
    audited.review(number, "joko")
    assert audited.repo("budi").get_pull(number).merge(merge_method="squash").merged  # no gate run
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
    from tests.standin.fixtures import github

    actions = github(audited.standin, audited.standin.actions_token(REPO)).get_repo(REPO)
    actions.create_check_run("sop-gate", head, status="completed", conclusion="success")
    assert audited.repo("eko").get_pull(number).merge(merge_method="merge").merged
    code, found = audit(audited, "--out", str(audited.work.parent / "bukti.zip"))
    assert code == 1
    assert list(found) == ["not-approved"]
    assert "policy" in found["not-approved"][0] and "'kasi'" in found["not-approved"][0]
    with zipfile.ZipFile(audited.work.parent / "bukti.zip") as pack:
        assert {"state.json", "findings.json", "manifest.json"} <= set(pack.namelist())
