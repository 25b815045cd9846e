"""What may follow a signature (issue 11's security review): unsigned bytes appended after the signed
revision, a PDF+ZIP polyglot, objects an update does not list, a visible widget added as an empty
signature field, metadata changed under ``after_signing: none``, and certificates not meant for signing
documents. Each hostile letter is built here and checked in the bounded child process, as the gate does."""

from __future__ import annotations

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from tests.pdf.edits import (
    content,
    empty_signature_field,
    hand_update,
    page_contents_ref,
    revocation_data,
    zip_behind,
)
from tests.pdf.pki import Pki, letter, make_pki, sign
from toolkit import sandbox
from toolkit.evidence import pdfsig
from toolkit.evidence.model import ArtefactState
from toolkit.evidence.pdftail import first_unaccounted
from toolkit.i18n import set_language
from toolkit.sop.model import SignaturePolicy

NONE = pdfsig.Options()
FORMS = pdfsig.Options(after_signing="form-filling")
OVERLAY = b"1 1 1 rg 0 0 595 842 re f 0 0 0 rg BT /Helvetica 14 Tf 72 700 Td (Surat palsu) Tj ET"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def _cases(pki: Pki) -> dict[str, tuple[bytes, pdfsig.Options]]:
    signed = sign(letter("Surat Tugas asli"), pki)
    forged = {page_contents_ref(signed): content("Surat Tugas PALSU")}
    second = sign(signed, pki, pki.person("Saksi"), "TTE2")
    prepared = empty_signature_field(letter("Surat Tugas asli"), "TTE2", (300, 50, 500, 120), b"")
    by = {
        name: pki.person(name, purposes=purposes)
        for name, purposes in {
            "Server": [ExtendedKeyUsageOID.SERVER_AUTH],
            "Klien": [ExtendedKeyUsageOID.CLIENT_AUTH],
            "Kode": [ExtendedKeyUsageOID.CODE_SIGNING],
            "Surel": [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION],
            "Dokumen": [ObjectIdentifier("1.3.6.1.5.5.7.3.36")],
            "Adobe": [ObjectIdentifier("1.2.840.113583.1.1.5")],
        }.items()
    }
    by["Enkripsi"] = pki.person("Enkripsi", usage={"digital_signature": False, "content_commitment": False,
                                                   "key_encipherment": True})  # fmt: skip
    size = int(signed[signed.rfind(b"/Size") :].split()[1].rstrip(b"/>"))
    return {
        "signed": (signed, NONE),
        # F1: an update that replaces the page's text, appended without its %%EOF (viewers show it)
        "update-without-eof": (hand_update(signed, forged, eof=False), NONE),
        "update-with-eof": (hand_update(signed, forged), NONE),
        "update-without-eof-form-filling": (hand_update(second, forged, eof=False), FORMS),
        "comment-after-eof": (signed + b"% teks yang tidak ditandatangani\n", NONE),
        "whitespace-after-eof": (signed + b"\r\n \n", NONE),
        # F3
        "zip-behind": (zip_behind(signed), NONE),
        # an update that hides an object its cross-reference table does not list
        "unlisted-object": (
            hand_update(second, {}, dead=b"77 0 obj\n" + content("PALSU") + b"\nendobj\n"),
            FORMS,
        ),
        "empty-update": (hand_update(second, {}), FORMS),
        "later-signature": (second, FORMS),
        # F2
        "empty-field-painting-the-page": (
            empty_signature_field(signed, "Lapisan", (0, 0, 595, 842), OVERLAY),
            FORMS,
        ),
        "empty-field-invisible": (empty_signature_field(signed, "Cadangan", (0, 0, 0, 0), b""), FORMS),
        "later-signature-visible-new-field": (
            sign(signed, pki, pki.person("Saksi Tampak"), "TTE3", box=(0, 0, 595, 842)),
            FORMS,
        ),
        "later-signature-in-prepared-field": (
            sign(sign(prepared, pki), pki, pki.person("Saksi Dua"), "TTE2"),
            FORMS,
        ),
        # F5
        "title-changed": (
            hand_update(signed, {(size, 0): b"<</Title (SURAT PALSU)>>"}, trailer=b"/Info %d 0 R" % size),
            NONE,
        ),
        "title-changed-form-filling": (
            hand_update(
                second, {(size + 9, 0): b"<</Title (SURAT PALSU)>>"}, trailer=b"/Info %d 0 R" % (size + 9)
            ),
            FORMS,
        ),
        "revocation-data": (revocation_data(signed, [pki.intermediate.der]), NONE),
        # F4
        "timestamping-certificate": (sign(letter(), pki, pki.tsa), NONE),
        "ca-key": (sign(letter(), pki, pki.intermediate, chain=()), NONE),
        **{f"purpose-{name}": (sign(letter(), pki, identity), NONE) for name, identity in by.items()},
    }


@pytest.fixture(scope="module")
def verdicts(pki: Pki) -> dict[str, tuple[pdfsig.Verdict, pdfsig.Options]]:
    cases = _cases(pki)
    names = list(cases)
    jobs = [sandbox.Job(cases[n][0], (pki.root.pem,), cases[n][1]) for n in names]
    return {n: (v, cases[n][1]) for n, v in zip(names, sandbox.verify(jobs), strict=True)}


def _judged(found: tuple[pdfsig.Verdict, pdfsig.Options]) -> tuple[ArtefactState, list[str]]:
    verdict, options = found
    set_language("en")
    (state, reasons), _letter = pdfsig.judge(verdict, SignaturePolicy(after_signing=options.after_signing))
    return state, reasons


def _codes(verdict: pdfsig.Verdict) -> set[str]:
    return {code for code, _p in verdict.problems} | {c for s in verdict.signatures for c, _p in s.problems}


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        (
            "update-without-eof",
            "pdf.unsigned-bytes",
            "no signature covers and no later revision accounts for",
        ),
        ("update-with-eof", "pdf.modified", "changed after Rahmat Hidayat signed it"),
        ("update-without-eof-form-filling", "pdf.unsigned-bytes", "a PDF viewer may show them"),
        ("comment-after-eof", "pdf.unsigned-bytes", "no signature covers"),
        ("zip-behind", "pdf.unsigned-bytes", "another file hidden behind the PDF"),
        ("unlisted-object", "pdf.unsigned-bytes", "no later revision accounts for"),
        ("empty-field-painting-the-page", "pdf.visible-addition", "(page 1: Widget 'Lapisan')"),
        ("later-signature-visible-new-field", "pdf.visible-addition", "(page 1: Widget 'TTE3')"),
        ("title-changed", "pdf.metadata-changed", "(document information /Title)"),
        ("timestamping-certificate", "pdf.wrong-purpose", "extended key usage time_stamping only"),
        ("ca-key", "pdf.wrong-purpose", "key usage crl_sign, key_cert_sign;"),
        ("purpose-Server", "pdf.wrong-purpose", "extended key usage server_auth only"),
        ("purpose-Klien", "pdf.wrong-purpose", "extended key usage client_auth only"),
        ("purpose-Kode", "pdf.wrong-purpose", "extended key usage code_signing only"),
        ("purpose-Enkripsi", "pdf.wrong-purpose", "key usage key_encipherment;"),
    ],
)
def test_each_change_after_signing_is_refused(
    verdicts: dict[str, tuple[pdfsig.Verdict, pdfsig.Options]], case: str, code: str, words: str
) -> None:
    state, reasons = _judged(verdicts[case])
    assert state is ArtefactState.INVALID
    assert code in _codes(verdicts[case][0])
    assert any(words in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    "case",
    [
        "signed",
        "whitespace-after-eof",
        "empty-update",
        "later-signature",
        "empty-field-invisible",
        "later-signature-in-prepared-field",
        "title-changed-form-filling",
        "revocation-data",
        "purpose-Surel",
        "purpose-Dokumen",
        "purpose-Adobe",
    ],
)
def test_what_the_policy_allows_still_passes(
    verdicts: dict[str, tuple[pdfsig.Verdict, pdfsig.Options]], case: str
) -> None:
    assert _judged(verdicts[case]) == (ArtefactState.PRESENT, [])


def test_the_tail_walk_accounts_for_every_byte() -> None:
    data = b"SIGNED\n1 0 obj\n<<>>\nendobj\nxref...trailer<<>>\nstartxref\n27\n%%EOF\n \r\n"
    spans = {7: data.index(b"\nxref"), 27: data.index(b"\nstartxref")}
    assert first_unaccounted(data, 7, spans, [27]) is None
    assert first_unaccounted(data + b"x", 7, spans, [27]) == len(data)
    assert first_unaccounted(data, 7, spans, [28]) == data.index(b"startxref")  # not its own section
    assert first_unaccounted(data, 7, {27: 48}, [27]) == 7  # an object no table lists
    assert first_unaccounted(data, 7, spans, [27, 99]) == len(data)  # a revision without its end
    assert first_unaccounted(b"SIGNED", 6, {}, []) is None
