"""Signed letters end to end, on real git with the plain server's hook: an office whose policy requires
the request letter (step 1) to be signed electronically by the requesting agency, with its test PKI's
root pinned in ``.sop/trust/``; and the moves of the attacker of DESIGN.md section 8 against it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Cli, git
from tests.office import PEOPLE, Office, roster_text
from tests.pdf.pki import Pki, letter, make_pki, sign

LETTER = "docs/01-permintaan/surat-permintaan.pdf"
PINNED = ".sop/trust/uji-root.pem"


def signed_policy(text: str, root: bytes) -> str:
    """The office's policy, with ``root`` pinned and step 1's letter to be signed by the agency."""
    pin = f"  trust_roots:\n    - path: {PINNED}\n      sha256: {hashlib.sha256(root).hexdigest()}\n"
    text = text.replace("  timezone: Asia/Jakarta\n", "  timezone: Asia/Jakarta\n" + pin, 1)
    signature = (
        "        signature:\n          required: true\n          signers:\n"
        "            - {o: Badan Kepegawaian Daerah}\n"
    )
    pattern = re.compile(r"(      - path: docs/01-permintaan/surat-permintaan\.pdf\n        kind: pdf\n.*\n)")
    changed, count = pattern.subn(lambda m: m.group(1) + signature, text, count=1)
    assert count == 1
    return changed


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path], pki: Pki) -> Office:
    policy = signed_policy((ROOT / "sop.yaml").read_text(encoding="utf-8"), pki.root.pem)
    (tmp_path / "sop.yaml").write_text(policy, encoding="utf-8")
    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "uji-root.pem").write_bytes(pki.root.pem)
    (tmp_path / "roster.yaml").write_text(roster_text(keyring, PEOPLE))
    office = Office(tmp_path, lambda *args: cli(*args, lang="en"), keyring)
    data = ["--data", "app_name=Sistem Informasi Kepegawaian", "--data", "opd=Badan Kepegawaian Daerah"]
    assert cli("new", str(office.app), "--defaults", *data).exit_code == 0
    (office.app / ".sop" / "sop.yaml").write_text(policy, encoding="utf-8")
    (office.app / PINNED).parent.mkdir()
    (office.app / PINNED).write_bytes(pki.root.pem)
    git(office.app, "add", "-A")
    git(office.app, "commit", "-q", "--amend", "--no-edit")
    args = ["server", "init", str(office.bare), "--hook-lang", "en", *office.rules]
    assert cli(*args).exit_code == 0
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    return office


def _agency_letter(pki: Pki, cn: str = "Kepala BKD", o: str = "Badan Kepegawaian Daerah") -> bytes:
    head = pki.others.get(cn) or pki.person(cn, o=o)
    return sign(letter("Permintaan Sistem Informasi Kepegawaian"), pki, head)


def _step_one(office: Office, pdf: bytes, message: str = "Surat permintaan") -> str:
    """Step 1 with ``pdf`` as its letter, committed; the records office's sign-off tool refuses to sign
    a letter that is not accepted (its reasons are returned), so the push carries none."""
    office.fill(1)
    (office.app / LETTER).write_bytes(pdf)
    office.commit(message, author="rina")
    refused = office.signoff(1, "tu")
    assert refused.exit_code == 2 and "step 1 is not ready to sign off" in refused.stderr
    return refused.stderr


def test_the_gate_blocks_an_unsigned_letter_and_passes_the_signed_one(office: Office, pki: Pki) -> None:
    refused = _step_one(office, letter())  # the letter is a PDF, but nobody signed it
    assert f"{LETTER}: is not signed electronically" in refused
    pushed = office.push()
    assert pushed.returncode != 0
    assert f"{LETTER}: is not signed electronically; the policy requires a valid signature" in pushed.stderr

    (office.app / LETTER).write_bytes(_agency_letter(pki))
    office.commit("Surat permintaan bertanda tangan elektronik", author="rina")
    assert office.signoff(1, "tu").exit_code == 0
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr

    # the state report names the signer of the letter, in every format
    state = office.cli("gate", "check", "--repo", str(office.app), "--format", "json", *office.rules)
    step1 = json.loads(state.stdout)["steps"][0]
    assert step1["status"] == "complete", json.dumps(step1)
    (named,) = step1["letters"]
    assert (named["path"], named["signer"], named["time_source"]) == (LETTER, "Kepala BKD", "claimed")
    text = office.cli("gate", "check", "--repo", str(office.app), *office.rules).stdout
    assert f"{LETTER}: signed electronically by Kepala BKD on " in text
    assert (
        "Kepala BKD"
        in office.cli(
            "gate", "check", "--repo", str(office.app), "--format", "markdown", *office.rules
        ).stdout
    )
    # the server remembered the verdict; the report on the server's repository says the same
    on_server = office.cli("gate", "check", "--repo", str(office.bare), "--format", "json", *office.rules)
    assert json.loads(on_server.stdout)["steps"][0]["letters"] == step1["letters"]


def test_a_valid_signature_by_someone_not_allowed_is_refused(office: Office, pki: Pki) -> None:
    _step_one(office, sign(letter(), pki))  # signed by an official of the IT office, not the agency
    pushed = office.push()
    assert pushed.returncode != 0
    assert "signed by Rahmat Hidayat, who is not among the allowed signers (o=Badan Kepegawaian Daerah)" in (
        pushed.stderr
    )


def test_a_letter_signed_under_a_root_of_their_own_is_refused(office: Office) -> None:
    theirs = make_pki()  # the attacker's own CA, with a certificate in the agency's name
    _step_one(office, _agency_letter(theirs))
    pushed = office.push()
    assert pushed.returncode != 0
    assert "Kepala BKD (issued by Common Name: CA Uji Tingkat 2" in pushed.stderr
    assert "does not chain to a pinned trust root" in pushed.stderr


def test_swapping_the_trust_roots_in_the_change_is_a_policy_change(office: Office) -> None:
    theirs = make_pki()
    policy = office.app / ".sop" / "sop.yaml"
    text = policy.read_text(encoding="utf-8")
    pinned = re.search(r"sha256: ([0-9a-f]{64})", text)
    assert pinned is not None
    policy.write_text(text.replace(pinned.group(1), hashlib.sha256(theirs.root.pem).hexdigest()))
    (office.app / PINNED).write_bytes(theirs.root.pem)
    office.fill(1)
    (office.app / LETTER).write_bytes(_agency_letter(theirs))
    office.commit("Surat permintaan", author="rina")
    # the records office's tool reads the rules of the branch it signs, so even its sign-off is made
    assert office.signoff(1, "tu").exit_code == 0
    pushed = office.push()
    assert pushed.returncode != 0
    # judged by the base's roots, and the new roots need the policy owners
    assert "does not chain to a pinned trust root" in pushed.stderr
    assert "the policy files change and need the sign-off of the policy owner 'kasi'" in pushed.stderr


def test_a_root_that_does_not_match_its_pin_leaves_the_gate_unable_to_decide(office: Office) -> None:
    (office.app / PINNED).write_bytes(make_pki().root.pem)
    office.commit("Ganti akar", author="rina")
    state = office.cli("gate", "check", "--repo", str(office.app))
    assert state.exit_code == 2
    assert f"the trust root {PINNED} in " in state.stderr
    assert "restore the pinned certificate, or pin the new one in settings.trust_roots" in state.stderr
    removed = office.app / PINNED
    removed.unlink()
    office.commit("Hapus akar", author="rina")
    state = office.cli("gate", "check", "--repo", str(office.app))
    assert (
        state.exit_code == 2 and f"the trust root {PINNED} that sop.yaml pins is not a file" in state.stderr
    )


def test_another_applications_signed_letter_still_needs_this_applications_sign_off(
    office: Office, pki: Pki
) -> None:
    # a letter validly signed by the agency, for another application: the signature proves who signed,
    # not what for; the records office's sign-off on this change is what accepts it for this application
    office.fill(1)
    (office.app / LETTER).write_bytes(
        sign(letter("Permintaan aplikasi lain"), pki, pki.person("Kepala Lain", o="Badan Kepegawaian Daerah"))
    )
    office.commit("Surat dari aplikasi lain", author="rina")
    pushed = office.push()
    assert pushed.returncode != 0
    assert "step 1 changes and needs the sign-off of 'tu' on this change" in pushed.stderr


def test_the_template_and_the_demo_policy_require_no_signature() -> None:
    from toolkit import sop

    shipped = sop.load(ROOT / "sop.yaml")
    assert not shipped.settings.trust_roots
    assert all(a.signature is None for s in shipped.steps for a in s.artefacts)
    assert shutil.which("git")


def test_text_changed_by_an_update_appended_without_its_eof_is_refused(office: Office, pki: Pki) -> None:
    # the agency head really signed the letter; an update appended after it, without the %%EOF that
    # would let the check find it, replaces the page's text: PDF viewers show the forged text
    from tests.pdf.edits import content, hand_update, page_contents_ref

    genuine = _agency_letter(pki)
    forged = hand_update(genuine, {page_contents_ref(genuine): content("hapus semua data")}, eof=False)
    refused = _step_one(office, forged)
    assert "no signature covers and no later revision accounts for" in refused
    pushed = office.push()
    assert pushed.returncode != 0
    start = len(genuine) + 1  # after the newline that opens the update
    assert f"{LETTER}: the file holds {len(forged) - start} bytes from offset {start} on" in pushed.stderr


def test_a_letter_whose_certificate_was_revoked_is_refused_by_the_default_policy(
    office: Office, pki: Pki
) -> None:
    # the agency head's key was compromised: BSrE revoked the certificate, and the revocation list is
    # carried in the letter itself (its document security store); the policy says nothing of revocation
    from tests.pdf.edits import revocation_data
    from tests.pdf.pki import DAY, NOW, crl

    genuine = _agency_letter(pki, cn="Kepala BKD Lama")
    head = pki.others["Kepala BKD Lama"]
    lists = [crl(pki.intermediate, ((head, NOW - 3 * DAY),)), crl(pki.root)]
    refused = _step_one(office, revocation_data(genuine, [pki.intermediate.der], lists))
    assert "the certificate of Kepala BKD Lama is revoked (since" in refused
    pushed = office.push()
    assert pushed.returncode != 0
    assert f"{LETTER}: the certificate of Kepala BKD Lama is revoked (since" in pushed.stderr
