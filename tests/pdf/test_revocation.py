"""Revocation, judged from the data a signed letter carries: CRLs and OCSP responses made here by the test
PKI's CAs (and forged by another key under their names), added to real signed PDFs as pyHanko's long-term
validation update adds them, and checked in the bounded child process as the gate checks them, under both
``revocation: soft-fail`` and ``revocation: hard-fail``."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pdf.edits import revocation_data
from tests.pdf.pki import DAY, NOW, Pki, crl, letter, make_pki, ocsp_response, sign
from toolkit import sandbox
from toolkit.evidence import pdfsig
from toolkit.evidence.model import ArtefactState
from toolkit.i18n import set_language
from toolkit.sop.model import SignaturePolicy

MODES = ("soft-fail", "hard-fail")
HOUR = dt.timedelta(hours=1)
CHECKED_AT = NOW + DAY  # the gate's "now": after every signing time and revocation below


def _cases(pki: Pki) -> dict[str, bytes]:
    plain = letter()
    signed = sign(plain, pki)  # the time the signer claims: NOW (a few seconds after)
    stamped = sign(plain, pki, timestamp_at=NOW - 2 * DAY)  # a timestamp proves it was signed by then
    forger = make_pki()  # another CA's key, used under the test CAs' names
    good_root = crl(pki.root)  # the root CA's list: the intermediate is not revoked
    chain = [pki.intermediate.der]

    def carried(pdf: bytes, *crls: bytes, ocsps: tuple[bytes, ...] = ()) -> bytes:
        return revocation_data(pdf, chain, [*crls, good_root], list(ocsps))

    def revoking(since: dt.datetime, **kw: object) -> bytes:
        return crl(pki.intermediate, ((pki.signer, since),), **kw)  # type: ignore[arg-type]

    return {
        "revoked-by-crl": carried(signed, revoking(NOW - 10 * DAY)),
        "revoked-by-ocsp": carried(
            signed, ocsps=(ocsp_response(pki.intermediate, pki.signer, NOW - 10 * DAY),)
        ),
        # a list that expired long before the letter was signed still proves the revocation it states
        "revoked-by-an-old-crl": carried(signed, revoking(NOW - 40 * DAY, issued=NOW - 30 * DAY)),
        # the signer claims a time before the revocation: nothing proves it (a stolen key signs any date)
        "revoked-after-the-claimed-time": carried(signed, revoking(NOW + HOUR, issued=NOW + 2 * HOUR)),
        "revoked-after-the-timestamp": carried(stamped, revoking(NOW - DAY)),
        "revoked-before-the-timestamp": carried(stamped, revoking(NOW - 3 * DAY)),
        "ca-revoked": revocation_data(
            signed, chain, [crl(pki.intermediate), crl(pki.root, ((pki.intermediate, NOW - 5 * DAY),))]
        ),
        "tsa-revoked": carried(stamped, crl(pki.intermediate, ((pki.tsa, NOW - 5 * DAY),))),
        "good-crl": carried(signed, crl(pki.intermediate)),
        "good-ocsp": carried(signed, ocsps=(ocsp_response(pki.intermediate, pki.signer),)),
        "good-crl-stamped": carried(stamped, crl(pki.intermediate)),
        "good-crl-issued-before-signing": carried(signed, crl(pki.intermediate, issued=NOW - 2 * DAY)),
        "stale-crl": carried(signed, crl(pki.intermediate, issued=NOW - 30 * DAY)),
        "no-revocation-data": signed,
        "forged-good-crl": carried(signed, crl(pki.intermediate, signed_by=forger.intermediate)),
        "forged-good-ocsp": carried(
            signed, ocsps=(ocsp_response(pki.intermediate, pki.signer, signed_by=forger.intermediate),)
        ),
        "forged-revoking-crl": carried(
            signed, revoking(NOW - 10 * DAY, signed_by=forger.intermediate), crl(pki.intermediate)
        ),
        "forged-revoking-ocsp": carried(
            signed,
            crl(pki.intermediate),
            ocsps=(ocsp_response(pki.intermediate, pki.signer, NOW - DAY, signed_by=forger.intermediate),),
        ),
        # a revoked letter with a newer, forged list that leaves the signer out
        "revoked-with-a-forged-newer-crl": carried(
            signed,
            revoking(NOW - 10 * DAY),
            crl(pki.intermediate, issued=NOW + HOUR, signed_by=forger.intermediate),
        ),
    }


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(scope="module")
def verdicts(pki: Pki) -> dict[tuple[str, str], pdfsig.Verdict]:
    cases = _cases(pki)
    keys = [(name, mode) for name in cases for mode in MODES]
    jobs = [sandbox.Job(cases[name], (pki.root.pem,), pdfsig.Options(revocation=mode)) for name, mode in keys]
    return dict(zip(keys, sandbox.verify(jobs, now=CHECKED_AT), strict=True))


def _judged(verdict: pdfsig.Verdict, mode: str) -> tuple[ArtefactState, list[str]]:
    set_language("en")
    (state, reasons), _letter = pdfsig.judge(verdict, SignaturePolicy(revocation=mode), "docs/surat.pdf")  # type: ignore[arg-type]
    return state, reasons


def _codes(verdict: pdfsig.Verdict) -> set[str]:
    return {code for code, _p in verdict.problems} | {c for s in verdict.signatures for c, _p in s.problems}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("revoked-by-crl", "pdf.revoked", "the certificate of Rahmat Hidayat is revoked (since {d})"),
        ("revoked-by-ocsp", "pdf.revoked", "the certificate of Rahmat Hidayat is revoked (since {d})"),
        ("revoked-by-an-old-crl", "pdf.revoked", "is revoked (since"),
        ("revoked-after-the-claimed-time", "pdf.revoked", "nothing proves the letter was signed before"),
        ("revoked-before-the-timestamp", "pdf.revoked", "is revoked (since"),
        ("ca-revoked", "pdf.chain-revoked", "CA Uji Tingkat 2, a certification authority in the chain of"),
        ("tsa-revoked", "pdf.timestamp-revoked", "was made by TSA Uji, whose certificate is revoked"),
        ("revoked-with-a-forged-newer-crl", "pdf.revoked", "is revoked (since {d})"),
    ],
)
def test_a_revoked_certificate_is_refused_in_either_mode(
    verdicts: dict[tuple[str, str], pdfsig.Verdict], case: str, code: str, words: str, mode: str
) -> None:
    verdict = verdicts[(case, mode)]
    state, reasons = _judged(verdict, mode)
    assert state is ArtefactState.INVALID
    assert code in _codes(verdict)
    expected = words.format(d=(NOW - 10 * DAY).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert any(expected in reason for reason in reasons), reasons


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "case",
    [
        "good-crl",
        "good-ocsp",
        "good-crl-stamped",
        "good-crl-issued-before-signing",
        # PAdES: a signature a timestamp proves was made before the revocation stays valid
        "revoked-after-the-timestamp",
        # forged data cannot make a good letter bad
        "forged-revoking-crl",
        "forged-revoking-ocsp",
    ],
)
def test_a_certificate_shown_good_is_accepted_in_either_mode(
    verdicts: dict[tuple[str, str], pdfsig.Verdict], case: str, mode: str
) -> None:
    assert _judged(verdicts[(case, mode)], mode) == (ArtefactState.PRESENT, [])


@pytest.mark.parametrize(
    ("case", "certs"),
    [
        ("no-revocation-data", "Rahmat Hidayat, CA Uji Tingkat 2"),
        ("stale-crl", "Rahmat Hidayat"),  # its next update was before the signing time
        ("forged-good-crl", "Rahmat Hidayat"),
        ("forged-good-ocsp", "Rahmat Hidayat"),
    ],
)
def test_hard_fail_needs_valid_revocation_data_and_soft_fail_does_not(
    verdicts: dict[tuple[str, str], pdfsig.Verdict], case: str, certs: str
) -> None:
    state, reasons = _judged(verdicts[(case, "hard-fail")], "hard-fail")
    assert state is ArtefactState.INVALID
    assert reasons == [
        "the signature of Rahmat Hidayat carries no valid revocation data (CRL or OCSP, signed by the issuer "
        f"and current at the signing time) for {certs}; the policy requires it (revocation: hard-fail)"
    ]
    assert _judged(verdicts[(case, "soft-fail")], "soft-fail") == (ArtefactState.PRESENT, [])


def test_the_reason_is_indonesian_by_default(verdicts: dict[tuple[str, str], pdfsig.Verdict]) -> None:
    set_language("id")
    try:
        (_state, reasons), _letter = pdfsig.judge(
            verdicts[("revoked-by-crl", "soft-fail")], SignaturePolicy()
        )
        assert any("dicabut" in reason for reason in reasons), reasons
    finally:
        set_language("en")
