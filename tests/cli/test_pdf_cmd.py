"""``sopkit pdf verify``: one letter checked by hand, with its exit codes (0 accepted, 1 not accepted,
2 unusable input) and both output formats."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.pdf.pki import Pki, letter, make_pki, sign


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def files(tmp_path: Path, pki: Pki) -> Path:
    (tmp_path / "roots").mkdir()
    (tmp_path / "roots" / "bsre-uji.pem").write_bytes(pki.root.pem)
    (tmp_path / "signed.pdf").write_bytes(sign(letter(), pki))
    (tmp_path / "unsigned.pdf").write_bytes(letter())
    (tmp_path / "renamed.pdf").write_bytes(b"PK\x03\x04 a spreadsheet")
    return tmp_path


def test_an_accepted_letter(files: Path, cli: Cli) -> None:
    result = cli("pdf", "verify", str(files / "signed.pdf"), "--roots", str(files / "roots"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("DITERIMA: ")
    assert "ditandatangani secara elektronik oleh Rahmat Hidayat" in result.stdout
    assert "serial_number=1371010101800001" in result.stdout
    allowed = cli(
        "pdf", "verify", str(files / "signed.pdf"), "--roots", str(files / "roots"),
        "--signer", "serial_number=1371010101800001", "--format", "json",
    )  # fmt: skip
    data = json.loads(allowed.stdout)
    assert allowed.exit_code == 0 and data["accepted"] and data["letter"]["signer"] == "Rahmat Hidayat"


def test_letters_not_accepted_exit_1_with_the_reason(files: Path, cli: Cli) -> None:
    roots = ("--roots", str(files / "roots"))
    unsigned = cli("pdf", "verify", str(files / "unsigned.pdf"), *roots, lang="en")
    assert unsigned.exit_code == 1
    assert "NOT ACCEPTED" in unsigned.stdout and "is not signed electronically" in unsigned.stdout
    renamed = cli("pdf", "verify", str(files / "renamed.pdf"), *roots, "--format", "json", lang="en")
    assert renamed.exit_code == 1
    assert json.loads(renamed.stdout)["problems"][0]["code"] == "pdf.unreadable"
    other = cli("pdf", "verify", str(files / "signed.pdf"), *roots, "--signer", "cn=Budi", lang="en")
    assert other.exit_code == 1 and "not among the allowed signers (cn=Budi)" in other.stdout


def test_unusable_input_exits_2(files: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = files / "empty"
    empty.mkdir()
    result = cli("pdf", "verify", str(files / "signed.pdf"), "--roots", str(empty), lang="en")
    assert result.exit_code == 2 and "no certificate files" in result.stderr
    (empty / "junk.pem").write_text("not a certificate")
    result = cli("pdf", "verify", str(files / "signed.pdf"), "--roots", str(empty), lang="en")
    assert (
        result.exit_code == 2 and "is not a certificate" in result.stderr and "Traceback" not in result.output
    )
    result = cli(
        "pdf", "verify", str(files / "signed.pdf"), "--roots", str(files / "roots"), "--signer", "nik=1"
    )
    assert result.exit_code == 2 and "--signer nik=1" in result.stderr
    monkeypatch.chdir(files)
    result = cli("pdf", "verify", str(files / "signed.pdf"), lang="en")
    assert result.exit_code == 2 and "no trust roots" in result.stderr


def test_inside_a_repository_the_pinned_roots_are_used(
    files: Path, pki: Pki, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    sop = files / "repo" / ".sop"
    (sop / "trust").mkdir(parents=True)
    (sop / "trust" / "root.pem").write_bytes(pki.root.pem)
    digest = hashlib.sha256(pki.root.pem).hexdigest()
    pin = f"  trust_roots:\n    - path: .sop/trust/root.pem\n      sha256: {digest}\n"
    text = (ROOT / "sop.yaml").read_text(encoding="utf-8")
    (sop / "sop.yaml").write_text(
        text.replace("  timezone: Asia/Jakarta\n", "  timezone: Asia/Jakarta\n" + pin)
    )
    monkeypatch.chdir(files / "repo")
    assert cli("pdf", "verify", str(files / "signed.pdf")).exit_code == 0
    (sop / "trust" / "root.pem").write_bytes(make_pki().root.pem)  # the pin no longer matches
    result = cli("pdf", "verify", str(files / "signed.pdf"), lang="en")
    assert result.exit_code == 2 and "restore the pinned certificate" in result.stderr


def test_roots_that_are_no_folder_or_file_or_a_link_exit_2(files: Path, cli: Cli) -> None:
    signed = str(files / "signed.pdf")
    device = cli("pdf", "verify", signed, "--roots", "/dev/null", lang="en")
    assert device.exit_code == 2 and "Traceback" not in device.output
    assert "--roots /dev/null: not a folder or a regular file" in device.stderr
    link = files / "link.pem"
    link.symlink_to(files / "roots" / "bsre-uji.pem")
    linked = cli("pdf", "verify", signed, "--roots", str(link), lang="en")
    assert linked.exit_code == 2 and f"--roots {link} is a symbolic link" in linked.stderr
    (files / "roots" / "other.pem").symlink_to(link)
    inside = cli("pdf", "verify", signed, "--roots", str(files / "roots"), lang="en")
    assert inside.exit_code == 2 and "other.pem is a symbolic link" in inside.stderr
    (files / "roots" / "other.pem").unlink()
    (files / "roots" / "huge.pem").write_bytes(b"-" * (2 << 20))
    huge = cli("pdf", "verify", signed, "--roots", str(files / "roots"), lang="en")
    assert huge.exit_code == 2 and "huge.pem is not a certificate" in huge.stderr


def test_the_report_says_where_the_roots_came_from(
    files: Path, pki: Pki, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT, git

    given = cli("pdf", "verify", str(files / "signed.pdf"), "--roots", str(files / "roots"), lang="en")
    assert f"trust roots: {files / 'roots'} (given with --roots)" in given.stdout
    repo = files / "repo"
    (repo / ".sop" / "trust").mkdir(parents=True)
    (repo / ".sop" / "trust" / "root.pem").write_bytes(pki.root.pem)
    digest = hashlib.sha256(pki.root.pem).hexdigest()
    pin = f"  trust_roots:\n    - path: .sop/trust/root.pem\n      sha256: {digest}\n"
    text = (ROOT / "sop.yaml").read_text(encoding="utf-8")
    (repo / ".sop" / "sop.yaml").write_text(
        text.replace("  timezone: Asia/Jakarta\n", "  timezone: Asia/Jakarta\n" + pin)
    )
    git(files, "init", "-q", "-b", "usulan", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Kebijakan")
    monkeypatch.chdir(repo)
    found = cli("pdf", "verify", str(files / "signed.pdf"), lang="en")
    assert found.exit_code == 0
    policy = repo / ".sop" / "sop.yaml"
    assert f"trust roots: .sop/trust/root.pem pinned in {policy}, in the working tree of branch usulan" in (
        found.stdout
    )
    assert "not committed" not in found.stdout
    (repo / ".sop" / "sop.yaml").write_text(policy.read_text() + "\n")
    changed = cli("pdf", "verify", str(files / "signed.pdf"), "--format", "json", lang="en")
    assert (
        "in the working tree of branch usulan (with changes to .sop/ not committed"
        in (json.loads(changed.stdout)["roots"])
    )
