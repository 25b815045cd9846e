"""Attempts to get around the gate. Every one of them must be refused by the server, with the reason."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.conftest import git
from tests.office import MINIMAL_PDF, Office
from toolkit.evidence.signoffs import message
from toolkit.forge.plain.signing import commit_signed

LETTER = "docs/01-permintaan/surat-permintaan.md"


def signed_commit(office: Office, member: str, text: str) -> str:
    return commit_signed(office.app, str(office.keys[member]), text)


def digest_now(office: Office, step: str) -> str:
    from toolkit.evidence.signoffs import step_digest
    from toolkit.repo.gitread import read_snapshot

    return step_digest(
        office.policy, step, read_snapshot(office.app, git(office.app, "rev-parse", "HEAD").strip())
    )


def rejected(office: Office, *expected: str, ref: str = "HEAD:main", flags: tuple[str, ...] = ()) -> str:
    before = git(office.bare, "rev-parse", "main")
    pushed = office.push(ref, *flags)
    assert pushed.returncode != 0, "the server accepted the push"
    assert "pre-receive hook declined" in pushed.stderr or "rejected" in pushed.stderr
    for text in expected:
        assert text in pushed.stderr, f"{text!r} not in:\n{pushed.stderr}"
    assert git(office.bare, "rev-parse", "main") == before  # nothing landed
    return pushed.stderr


def fill_letter(office: Office, author: str = "rina") -> None:
    office.fill(1)
    office.commit("Surat permintaan", author=author)


def test_signature_by_a_key_not_in_the_roster(office: Office) -> None:
    fill_letter(office)
    office.signoff(1, "tu", member="outsider", key=office.keys["outsider"])
    rejected(office, "[signoff]", "not made by a key in the roster")


def test_signature_by_a_member_of_another_role(office: Office) -> None:
    fill_letter(office)
    office.signoff(1, "tu", member="budi")
    rejected(office, "budi does not hold the role 'tu'")


def test_signature_outside_the_validity_window(office: Office) -> None:
    (office.app / ".sop" / "requirements.txt").write_text("sop-toolkit==9.9\n")
    office.commit("Ganti versi", author="rina")
    office.signoff("policy", "kasi", member="lina")
    office.signoff("policy", "kabid")
    rejected(office, "[policy]", "lina does not hold the role 'kasi'")


def test_self_signoff_by_the_author(office: Office) -> None:
    fill_letter(office, author="ani")
    office.signoff(1, "tu", member="ani")
    rejected(office, "ani wrote, co-wrote or committed part of what they sign off")


def test_signoff_made_before_the_last_change(office: Office) -> None:
    fill_letter(office)
    office.signoff(1, "tu")
    (office.app / LETTER).write_text((office.app / LETTER).read_text() + "\nTambahan setelah disetujui.\n")
    office.commit("Ubah setelah persetujuan")
    rejected(office, "made before the last change of the files")


def test_digest_of_other_content(office: Office) -> None:
    fill_letter(office)
    signed_commit(office, "ani", message(1, "permintaan", "tu", "sha256:" + "0" * 64, office.app_id))
    rejected(office, "signs other content than the head")


def test_unsigned_commit_with_forged_trailers(office: Office) -> None:
    fill_letter(office)
    git(
        office.app,
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message(1, "permintaan", "tu", digest_now(office, "permintaan"), office.app_id),
    )
    rejected(office, "the commit is not signed")


def test_tampered_signature(office: Office) -> None:
    fill_letter(office)
    assert office.signoff(2, "tu").exit_code != 0  # step 2 is not filled: the CLI refuses
    good = office.signoff(1, "tu")
    assert good.exit_code == 0
    raw = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=office.app, capture_output=True, check=True
    ).stdout
    forged = raw.replace(b"as tu", b"as TU")  # one byte of the signed message changes
    sha = (
        subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
            cwd=office.app,
            input=forged,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(office.app, "reset", "-q", "--hard", sha)
    rejected(office, "not made by a key in the roster")


def test_policy_edit_that_lets_itself_through(office: Office) -> None:
    policy = office.app / ".sop" / "sop.yaml"
    policy.write_text(
        policy.read_text().replace("    signoffs: [tu]\n", "    signoffs: [web-programmer]\n", 1)
    )
    office.fill(1)
    office.commit("Langkah 1 tanpa TU", author="rina")
    rejected(office, "[policy]", "policy owner 'kasi'", "[signoff]", "'tu'")


def test_roster_edit_that_lets_itself_through(office: Office) -> None:
    outsider = office.keys["outsider"].with_suffix(".pub").read_text().strip()
    roster = (office.root / "roster.yaml").read_text() + (
        f"  tamu:\n    name: Tamu\n    email: tamu@example.com\n    keys:\n      - {outsider}\n"
        "    roles:\n      - role: tu\n"
    )
    (office.app / ".sop" / "roster.yaml").write_text(roster)
    fill_letter(office)
    office.signoff(1, "tu", member="outsider", key=office.keys["outsider"])
    rejected(office, "[policy]", "not made by a key in the roster")


def test_symlink_artefact_pointing_outside(office: Office) -> None:
    letter = office.app / LETTER
    letter.unlink()
    letter.symlink_to("/etc/passwd")
    office.commit("Tautan")
    rejected(office, "[artefact]", "is a symbolic link")


def test_path_traversal_in_the_policy(office: Office) -> None:
    policy = office.app / ".sop" / "sop.yaml"
    policy.write_text(
        policy.read_text().replace("docs/01-permintaan/surat-permintaan.pdf", "../../etc/passwd")
    )
    office.commit("Pola path baru")
    office.signoff("policy", "kasi")
    office.signoff("policy", "kabid")
    rejected(office, "'..' is not allowed")


def test_a_template_left_unfilled_blocks_the_next_step(office: Office) -> None:
    office.fill(1)
    letter = office.app / LETTER
    letter.write_text(letter.read_text() + "\n[[ISI: lampiran]]\n")
    office.commit("Hampir selesai")
    office.fill(2)
    office.commit("Arsip surat masuk")
    assert office.signoff(2, "tu").exit_code == 0
    rejected(office, "[dependency]", "step 1 is not complete on the base")
    state = office.cli("gate", "check", "--repo", str(office.app), *office.rules)
    assert re.search(r"still has the template placeholder", state.stdout)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\xff", "is not UTF-8 text"),
        (b"%PDF-1.4 pretending", "is not a valid PDF"),
    ],
)
def test_empty_binary_and_fake_files(office: Office, content: bytes, reason: str) -> None:
    target = "docs/01-permintaan/surat-permintaan.pdf" if content.startswith(b"%PDF") else LETTER
    office.fill(1)
    (office.app / target).write_bytes(content)
    office.commit("Berkas rusak")
    rejected(office, "[artefact]", reason)


def test_huge_file(office: Office) -> None:
    office.fill(1)
    with (office.app / "docs/01-permintaan/surat-permintaan.pdf").open("wb") as f:
        f.write(MINIMAL_PDF)
        f.write(b"%" + b"x" * (10 * 1024 * 1024))
    office.commit("Berkas besar")
    rejected(office, "[artefact]", "more than the limit")


def test_non_utf8_file_name(office: Office) -> None:
    name = b"docs/01-permintaan/surat-\xff.md"
    with open(os.fsencode(office.app) + b"/" + name, "wb") as f:  # noqa: PTH123 - a bytes path
        f.write(b"x\n")
    subprocess.run([b"git", b"add", b"--", name], cwd=office.app, check=True)
    office.commit("Nama aneh")
    rejected(office, "[name]", "not a UTF-8 file name")


def test_names_that_differ_only_in_case(office: Office) -> None:
    office.fill(1)
    (office.app / "docs/01-permintaan/Surat-Permintaan.md").write_text("bayangan\n")
    office.commit("Kembar")
    rejected(office, "[name]", "differ only in letter case")


def test_force_push_that_drops_signoff_history(office: Office) -> None:
    office.complete(1)
    git(office.app, "reset", "-q", "--hard", "HEAD~2")
    (office.app / "README.md").write_text("sejarah baru\n")
    office.commit("Sejarah baru")
    rejected(office, "rewrites history", flags=("--force",))


def test_deleting_the_protected_branch(office: Office) -> None:
    rejected(office, "cannot be deleted", ref=":main")


def test_push_that_removes_the_policy(office: Office) -> None:
    git(office.app, "rm", "-q", "-r", ".sop")
    office.commit("Hapus kebijakan")
    rejected(office, "[policy]", "policy owner 'kasi'")


def test_signoff_in_a_role_that_does_not_sign_the_step(office: Office) -> None:
    fill_letter(office)
    signed_commit(
        office, "budi", message(1, "permintaan", "kasi", digest_now(office, "permintaan"), office.app_id)
    )
    rejected(office, "role 'kasi' does not sign off 'permintaan'", "needs the sign-off of 'tu'")


def test_code_before_design(office: Office) -> None:
    (office.app / "index.php").write_text("<?php echo 'halo';\n")
    office.commit("Kode awal")
    rejected(office, "[code]", "index.php")


def test_broken_server_configuration_fails_closed(office: Office) -> None:
    (office.bare / "sopkit" / "config.json").write_text("{not json")
    fill_letter(office)
    office.signoff(1, "tu")
    rejected(office, "tidak dapat memutuskan")  # the configured language is unreadable too: Indonesian


def test_the_hook_speaks_indonesian_by_default(office: Office) -> None:
    config = office.bare / "sopkit" / "config.json"
    config.write_text(config.read_text().replace('"en"', '"id"'))
    (office.app / "index.php").write_text("<?php echo 'halo';\n")
    office.commit("Kode awal")
    rejected(office, "Gerbang SOP: DITOLAK (1 pelanggaran)", "kode aplikasi berubah (index.php)")


def test_signoffs_of_the_right_people_pass(office: Office) -> None:
    """The counterpart of the attacks above: the same change, done properly, lands."""
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    assert office.push().returncode == 0


def test_a_hostile_policy_on_the_base_is_refused_quickly(office: Office) -> None:
    """A base whose policy is an alias bomb (a clone can hold anything): the gate cannot decide, says
    why, and does not blow up reading it."""
    import time

    from tests.conftest import ROOT

    bomb = (ROOT / "tests" / "sop" / "corpus" / "alias-bomb.yaml").read_text()
    # and 20,000 steps that each alias the same 20,000 artefacts: 400 million patterns to walk through
    many = ", ".join(["*p"] * 20_000)
    steps = ", ".join(["*s"] * 20_000)
    bomb += f"p: &p {{path: docs/a.md}}\nl: &l [{many}]\nq: &s {{artefacts: *l}}\nsteps: [{steps}]\n"
    (office.app / ".sop" / "sop.yaml").write_text(bomb)
    base = office.commit("Kebijakan bom")
    started = time.monotonic()
    result = office.cli("gate", "check", "--repo", str(office.app), "--base", base)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "the policy cannot be read" in result.stderr
    assert time.monotonic() - started < 10
