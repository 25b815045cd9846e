"""Signed letters: real PDFs signed with pyHanko by a test PKI made here, checked in the bounded child
process exactly as the gate checks them, each refused with its reason."""

from __future__ import annotations

import datetime as dt
import io
import time
import zlib

import pytest

from tests.pdf.pki import DAY, NOW, Pki, letter, make_pki, sign, sign_part
from toolkit import sandbox
from toolkit.evidence import pdfsig
from toolkit.evidence.model import ArtefactState
from toolkit.i18n import set_language
from toolkit.sop.model import SignaturePolicy, SignerMatch

REQUIRED = SignaturePolicy()


def _added_page(signed: bytes) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import PageObject

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 720 Td (Halaman sisipan) Tj ET")
    writer.insert_page(PageObject(writer.add_object(stream), (0, 0, 595, 842)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _inflating(size: int) -> bytes:
    """A PDF whose cross-reference stream inflates to ``size`` bytes of zeros."""
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(size >> 20)) + packer.flush()
    head = b"%PDF-1.7\n"
    obj = b"1 0 obj\n<</Type/XRef/Size 2/W[1 4 2]/Root 1 0 R/Filter/FlateDecode/Length %d>>\nstream\n"
    data = head + obj % len(body) + body + b"\nendstream\nendobj\n"
    return data + b"startxref\n%d\n%%%%EOF\n" % len(head)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def verdicts(pki: Pki) -> dict[str, pdfsig.Verdict]:
    """Every case, checked together in one child process (as the gate checks a commit's letters)."""
    plain = letter()
    signed = sign(plain, pki)
    expired = pki.person("Pejabat Lama", since=NOW - 400 * DAY, until=NOW - 30 * DAY)
    later = pki.person("Pejabat Baru", since=NOW + 30 * DAY, until=NOW + 400 * DAY)
    stranger = make_pki()
    cases: dict[str, tuple[bytes, tuple[bytes, ...], pdfsig.Options]] = {
        "valid": (signed, (pki.root.pem,), pdfsig.Options()),
        "timestamped": (sign(plain, pki, timestamp_at=NOW - 2 * DAY), (pki.root.pem,), pdfsig.Options()),
        "untrusted-root": (signed, (stranger.root.pem,), pdfsig.Options()),
        "self-made-chain": (
            sign(plain, stranger, chain=(stranger.intermediate,)),
            (pki.root.pem,),
            pdfsig.Options(),
        ),
        "expired": (sign(plain, pki, expired), (pki.root.pem,), pdfsig.Options()),
        "expired-but-stamped-in-time": (
            sign(plain, pki, expired, timestamp_at=NOW - 60 * DAY),
            (pki.root.pem,),
            pdfsig.Options(),
        ),
        "not-yet-valid": (sign(plain, pki, later), (pki.root.pem,), pdfsig.Options()),
        "content-changed": (
            signed.replace(b"Surat Tugas", b"Surat Palsu"),
            (pki.root.pem,),
            pdfsig.Options(),
        ),
        "page-added": (_added_page(signed), (pki.root.pem,), pdfsig.Options()),
        "part-covered": (sign_part(plain, pki), (pki.root.pem,), pdfsig.Options()),
        "not-a-pdf": (b"PK\x03\x04 a zip file renamed .pdf", (pki.root.pem,), pdfsig.Options()),
        "unsigned": (plain, (pki.root.pem,), pdfsig.Options()),
        "truncated": (signed[: len(signed) * 2 // 3], (pki.root.pem,), pdfsig.Options()),
        "second-signature": (
            sign(signed, pki, pki.person("Saksi"), "TTE2"),
            (pki.root.pem,),
            pdfsig.Options(),
        ),
        "second-signature-allowed": (
            sign(signed, pki, pki.person("Saksi Dua"), "TTE2"),
            (pki.root.pem,),
            pdfsig.Options(after_signing="form-filling"),
        ),
        "revocation-required": (signed, (pki.root.pem,), pdfsig.Options(revocation="hard-fail")),
        "timestamp-required": (signed, (pki.root.pem,), pdfsig.Options(timestamp="required")),
        "stamped-in-future": (
            sign(plain, pki, timestamp_at=NOW + 3 * DAY),
            (pki.root.pem,),
            pdfsig.Options(),
        ),
        "no-roots": (signed, (), pdfsig.Options()),
    }
    names = list(cases)
    found = sandbox.verify([sandbox.Job(*cases[name]) for name in names])
    return dict(zip(names, found, strict=True))


def _codes(verdict: pdfsig.Verdict) -> set[str]:
    return {code for code, _p in verdict.problems} | {c for s in verdict.signatures for c, _p in s.problems}


def _refused(verdict: pdfsig.Verdict, policy: SignaturePolicy = REQUIRED) -> list[str]:
    (state, reasons), letter_ = pdfsig.judge(verdict, policy, "docs/surat.pdf")
    assert state is ArtefactState.INVALID and letter_ is None
    return reasons


def test_a_valid_letter_is_accepted_and_names_its_signer(verdicts: dict[str, pdfsig.Verdict]) -> None:
    (state, reasons), found = pdfsig.judge(verdicts["valid"], REQUIRED, "docs/surat.pdf")
    assert (state, reasons) == (ArtefactState.PRESENT, [])
    assert found is not None and found.signer == "Rahmat Hidayat" and found.time_source == "claimed"
    # signed during this run (after the test PKI was made, however long the suite has taken since)
    signed_at = dt.datetime.fromisoformat(found.signed_at)
    assert NOW - dt.timedelta(seconds=1) <= signed_at <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    subject = verdicts["valid"].signatures[0].subject
    assert subject["serial_number"] == "1371010101800001" and subject["o"] == "Diskominfotik Sumbar"


def test_the_signing_time_is_the_timestamps_when_there_is_one(verdicts: dict[str, pdfsig.Verdict]) -> None:
    (state, _r), found = pdfsig.judge(verdicts["timestamped"], REQUIRED, "x.pdf")
    assert state is ArtefactState.PRESENT and found is not None
    assert found.time_source == "timestamp"
    assert found.signed_at == (NOW - 2 * DAY).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("untrusted-root", "pdf.untrusted", "does not chain to a pinned trust root"),
        ("self-made-chain", "pdf.untrusted", "does not chain to a pinned trust root"),
        ("expired", "pdf.expired", "had expired at the signing time"),
        ("not-yet-valid", "pdf.not-yet-valid", "was not yet valid at the signing time"),
        ("content-changed", "pdf.broken", "the file was changed after signing"),
        ("page-added", "pdf.modified", "the file was changed after Rahmat Hidayat signed it (other)"),
        ("part-covered", "pdf.partial-coverage", "covers only part of the file"),
        ("not-a-pdf", "pdf.unreadable", "unreadable PDF"),
        ("truncated", "pdf.unreadable", "unreadable PDF"),
        ("second-signature", "pdf.modified", "(form filling); the policy allows no change after signing"),
        ("revocation-required", "pdf.no-revocation-data", "carries no valid revocation data"),
        ("timestamp-required", "pdf.timestamp-missing", "has no timestamp"),
        ("stamped-in-future", "pdf.future-time", "claims a signing time in the future"),
        ("no-roots", "pdf.no-roots", "no trust roots are pinned"),
    ],
)
def test_each_bad_letter_is_refused_with_its_reason(
    verdicts: dict[str, pdfsig.Verdict], case: str, code: str, words: str
) -> None:
    set_language("en")
    assert code in _codes(verdicts[case])
    assert any(words in reason for reason in _refused(verdicts[case])), _refused(verdicts[case])


def test_reasons_are_indonesian_by_default(verdicts: dict[str, pdfsig.Verdict]) -> None:
    set_language("id")
    try:
        assert any("akar tepercaya" in r for r in _refused(verdicts["untrusted-root"]))
    finally:
        set_language("en")


def test_validity_is_judged_at_the_time_a_timestamp_proves(verdicts: dict[str, pdfsig.Verdict]) -> None:
    # the certificate has expired since, but the timestamp shows it was valid when the letter was signed
    (state, reasons), found = pdfsig.judge(verdicts["expired-but-stamped-in-time"], REQUIRED, "x.pdf")
    assert (state, reasons) == (ArtefactState.PRESENT, []) and found is not None
    assert found.signer == "Pejabat Lama" and found.time_source == "timestamp"


def test_later_signatures_pass_only_where_the_policy_allows(verdicts: dict[str, pdfsig.Verdict]) -> None:
    (state, reasons), found = pdfsig.judge(
        verdicts["second-signature-allowed"], REQUIRED._replace(after_signing="form-filling"), "x.pdf"
    )
    assert (state, reasons) == (ArtefactState.PRESENT, []) and found is not None
    assert found.signer == "Saksi Dua"  # the last allowed signature is the one the report names


def test_an_unsigned_letter(verdicts: dict[str, pdfsig.Verdict]) -> None:
    set_language("en")
    assert _refused(verdicts["unsigned"]) == [
        "is not signed electronically; the policy requires a valid signature"
    ]
    (state, reasons), found = pdfsig.judge(verdicts["unsigned"], SignaturePolicy(required=False), "x.pdf")
    assert (state, reasons, found) == (ArtefactState.PRESENT, [], None)


def test_only_allowed_signers_count(verdicts: dict[str, pdfsig.Verdict]) -> None:
    set_language("en")
    kabid = SignaturePolicy(signers=(SignerMatch((("serial_number", "1371010101800001"),)),))
    assert pdfsig.judge(verdicts["valid"], kabid, "x.pdf")[0] == (ArtefactState.PRESENT, [])
    spaced = SignaturePolicy(
        signers=(SignerMatch((("cn", " rahmat  HIDAYAT "), ("o", "diskominfotik sumbar"))),)
    )
    assert pdfsig.judge(verdicts["valid"], spaced, "x.pdf")[0] == (ArtefactState.PRESENT, [])
    someone_else = SignaturePolicy(signers=(SignerMatch((("cn", "Rahmat Hidayat"), ("o", "Dinas Lain"))),))
    (reason,) = _refused(verdicts["valid"], someone_else)
    assert (
        reason
        == "signed by Rahmat Hidayat, who is not among the allowed signers (cn=Rahmat Hidayat, o=Dinas Lain)"
    )


def test_verdicts_survive_the_trip_through_json(verdicts: dict[str, pdfsig.Verdict]) -> None:
    for verdict in verdicts.values():
        assert pdfsig.Verdict.from_json(verdict.as_json()) == verdict
    with pytest.raises(ValueError, match="not a signature verdict"):
        pdfsig.Verdict.from_json({"problems": []})
    assert verdicts["stamped-in-future"].depends_on_now
    assert not verdicts["valid"].depends_on_now


def test_hostile_pdfs_are_refused_quickly_without_a_traceback(pki: Pki) -> None:
    nested = b"%PDF-1.7\n1 0 obj\n<</A " + b"[" * 200_000 + b"]" * 200_000 + b">>\nendobj\n"
    nested += b"trailer<</Root 1 0 R/Size 2>>\nstartxref\n9\n%%EOF\n"
    loop = b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer<</Size 1/Prev 9/Root 1 0 R>>\n"
    loop += b"startxref\n9\n%%EOF\n"  # a previous cross-reference section that is itself
    hostile = [_inflating(64 << 20), nested, loop, b"%PDF-1.7\n" + bytes(range(256)) * 4000 + b"\n%%EOF\n"]
    started = time.monotonic()
    found = sandbox.verify([sandbox.Job(data, (pki.root.pem,), pdfsig.Options()) for data in hostile])
    assert time.monotonic() - started < 30
    for verdict in found:
        assert verdict.problems and not verdict.signatures
        assert _refused(verdict)


def test_the_child_is_bounded_in_memory_and_time(pki: Pki) -> None:
    signed = sign(letter(), pki)
    job = sandbox.Job(signed, (pki.root.pem,), pdfsig.Options())
    # too little memory to even load pyHanko: the child dies, the letter is not accepted
    starved = sandbox.verify([job, job], sandbox.Limits(memory_bytes=64 << 20))
    assert [v.problems for v in starved] == [(("pdf.too-costly", {}),)] * 2
    # no time to finish: the parent stops waiting
    started = time.monotonic()
    hurried = sandbox.verify([job], sandbox.Limits(wall_seconds=0.05))
    assert hurried[0].problems == (("pdf.too-costly", {}),)
    assert time.monotonic() - started < 5
    set_language("en")
    assert "within the limits of time and memory" in _refused(hurried[0])[0]
