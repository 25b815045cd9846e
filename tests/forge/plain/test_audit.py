"""``sopkit audit``: history re-verified offline, bypasses found, evidence packed."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from tests.conftest import git
from tests.office import Office


def plant_bypass(office: Office) -> str:
    """A commit written straight into the server's repository, never seen by the hook."""
    office.write("src/backdoor.php", "<?php system($_GET['c']);\n")
    sha = office.commit("Pintu belakang")
    git(office.bare, "fetch", "-q", str(office.app), f"{sha}:refs/heads/tmp")
    git(office.bare, "update-ref", "refs/heads/main", sha)
    git(office.bare, "update-ref", "-d", "refs/heads/tmp")
    return sha


def test_audit_of_a_clean_history_finds_nothing(office: Office, tmp_path: Path) -> None:
    office.complete(1)
    pack = tmp_path / "bukti.zip"
    result = office.cli("audit", "--repo", str(office.bare), "--out", str(pack))
    assert result.exit_code == 0, result.stdout
    assert "2 changes re-verified, 0 findings" in result.stdout or "0 temuan" in result.stdout
    with zipfile.ZipFile(pack) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        assert {
            "state.json",
            "state.md",
            "findings.json",
            "allowed_signers",
            "policy/sop.yaml",
            "pushes.log",
        } <= names
        signoffs = [n for n in names if n.startswith("signoffs/") and n.endswith(".json")]
        assert len(signoffs) == 1
        proof = json.loads(zf.read(signoffs[0]))
        assert proof["valid"] and proof["signer"] == "ani" and proof["step"] == "permintaan"
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
        state = json.loads(zf.read("state.json"))
        assert state["steps"][0]["status"] == "complete"


def test_audit_finds_a_commit_planted_around_the_hook(office: Office) -> None:
    office.complete(1)
    planted = plant_bypass(office)
    result = office.cli("audit", "--repo", str(office.bare))
    assert result.exit_code == 1
    assert "[bypass]" in result.stdout and planted[:12] in result.stdout


def test_audit_of_a_clone_without_push_log(office: Office) -> None:
    office.complete(1)
    clean = office.cli("audit", "--repo", str(office.app), *office.rules)
    assert clean.exit_code == 0, clean.stdout
    plant_bypass(office)  # in the clone this is simply a commit that no gate would pass
    dirty = office.cli("audit", "--repo", str(office.app), *office.rules)
    assert dirty.exit_code == 1
    assert "[blocked]" in dirty.stdout


def test_a_branch_moved_back_around_the_hook_is_reported(office: Office) -> None:
    office.write("README.md", "Catatan.\n")
    office.commit("Catatan", author="rina")
    assert office.push().returncode == 0
    git(office.bare, "update-ref", "refs/heads/main", "main~1")  # an admin rewinds the branch
    audit = office.cli("audit", "--repo", str(office.bare))
    assert audit.exit_code == 1
    assert "was moved back from" in audit.stdout
