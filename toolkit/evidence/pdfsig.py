"""Electronic signatures on PDF letters (PAdES / BSrE), judged offline: a function of bytes in, facts out.

:func:`verify` reads the signatures of a PDF with pyHanko and says, for each, who signed (the certificate
subject), when (the embedded timestamp's time when there is a valid one, else the time the signer claims)
and what is wrong with it: the signature does not match the bytes, it does not cover the whole file, the
file was changed after signing beyond what the policy allows, the certificate does not chain to a pinned
root, was not valid at the signing time or is revoked by embedded revocation data. Nothing is fetched
(no CRL, OCSP or AIA). pyHanko is imported only here, and this runs in a separate, bounded process
(:mod:`toolkit.sandbox`): a hostile PDF costs at most its limits.

:func:`judge` then applies an artefact's signature policy (required or not, the allowed signers) to those
facts, without pyHanko. Problems are (code, values) pairs; :func:`problem_text` words them in the reader's
language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from toolkit.evidence.certpurpose import purpose_problem
from toolkit.evidence.model import ArtefactState, FileResult
from toolkit.i18n import N_, _
from toolkit.sop.model import SignaturePolicy, SignerMatch

Problem = tuple[str, dict[str, str]]  # a stable code and the values its text names

# raised whenever a change makes the check judge the same letter otherwise: remembered verdicts are keyed by
# it, so they are judged again (2: revocation judged from the data the file carries, in both modes)
RULES = 2

# the subject fields a policy may match, by the names sop.yaml uses (the certificate's own names beside)
SUBJECT_FIELDS = {
    "cn": "common_name",
    "o": "organization_name",
    "ou": "organizational_unit_name",
    "serial_number": "serial_number",  # BSrE puts the holder's NIK/NIP here
    "email": "email_address",
    "c": "country_name",
    "title": "title",
}

TEXTS = {
    "pdf.unreadable": N_("unreadable PDF ({detail})"),
    "pdf.too-costly": N_(
        "the PDF could not be checked within the limits of time and memory (a damaged or hostile file?)"
    ),
    "pdf.check-failed": N_("the signature check failed ({detail}); the letter is not accepted"),
    "pdf.unsigned": N_("is not signed electronically; the policy requires a valid signature"),
    "pdf.no-roots": N_(
        "no trust roots are pinned (settings.trust_roots in sop.yaml), so no signature can be trusted"
    ),
    "pdf.malformed-signature": N_("signature '{field}' cannot be read ({detail})"),
    "pdf.broken": N_(
        "the signature of {signer} does not match the content: the file was changed after signing"
    ),
    "pdf.partial-coverage": N_(
        "the signature of {signer} covers only part of the file ({coverage}); a signed letter must be "
        "covered whole"
    ),
    "pdf.modified": N_(
        "the file was changed after {signer} signed it ({level}); the policy allows {allowed} after signing"
    ),
    "pdf.untrusted": N_(
        "the certificate of {signer} (issued by {issuer}) does not chain to a pinned trust root"
    ),
    "pdf.expired": N_(
        "the certificate of {signer} had expired at the signing time {time} (valid until {until})"
    ),
    "pdf.not-yet-valid": N_(
        "the certificate of {signer} was not yet valid at the signing time {time} (valid from {since})"
    ),
    "pdf.revoked": N_(
        "the certificate of {signer} is revoked (since {date}) by the revocation data the file carries, "
        "and nothing proves the letter was signed before that (no timestamp from before it)"
    ),
    "pdf.chain-revoked": N_(
        "the certificate of {cert}, a certification authority in the chain of {signer}, is revoked (since "
        "{date})"
    ),
    "pdf.timestamp-revoked": N_(
        "the timestamp in the signature of {signer} was made by {cert}, whose certificate is revoked "
        "(since {date})"
    ),
    "pdf.no-revocation-data": N_(
        "the signature of {signer} carries no valid revocation data (CRL or OCSP, signed by the issuer and "
        "current at the signing time) for {certs}; the policy requires it (revocation: hard-fail)"
    ),
    "pdf.certificate-rejected": N_("the certificate of {signer} is not accepted ({detail})"),
    "pdf.no-time": N_("the signature of {signer} names no signing time"),
    "pdf.future-time": N_("the signature of {signer} claims a signing time in the future ({time})"),
    "pdf.timestamp-invalid": N_(
        "the timestamp in the signature of {signer} does not verify or does not chain to a pinned root"
    ),
    "pdf.timestamp-missing": N_(
        "the signature of {signer} has no timestamp; the policy requires one (timestamp: required)"
    ),
    "pdf.signer-not-allowed": N_("signed by {signer}, who is not among the allowed signers ({allowed})"),
    "pdf.unsigned-bytes": N_(
        "the file holds {size} bytes from offset {offset} on that no signature covers and no later "
        "revision accounts for (a change appended after signing, or another file hidden behind the PDF); "
        "a PDF viewer may show them"
    ),
    "pdf.visible-addition": N_(
        "after {signer} signed, something that shows on a page was added ({what}); after signing, only "
        "signature fields without a visible widget may be added"
    ),
    "pdf.metadata-changed": N_(
        "after {signer} signed, the document's metadata changed ({what}); the policy allows no change "
        "after signing (only revocation data, document timestamps and the entries /ModDate and /Producer)"
    ),
    "pdf.wrong-purpose": N_("the certificate of {signer} is not meant for signing documents ({detail})"),
}

AFTER_SIGNING = {"none": N_("no change"), "form-filling": N_("form filling and later signatures")}


def problem_text(problem: Problem) -> str:
    code, params = problem
    if code == "pdf.modified" and params.get("allowed") in AFTER_SIGNING:
        params = {**params, "allowed": _(AFTER_SIGNING[params["allowed"]])}
    return _(TEXTS[code]).format(**params) if code in TEXTS else code


class Signature(NamedTuple):
    """One signature of a letter, as :func:`verify` found it."""

    field: str
    signer: str  # the certificate subject's common name (the whole subject where it has none)
    subject: Mapping[str, str]  # the subject's fields by the names of SUBJECT_FIELDS
    issuer: str
    signed_at: str  # ISO 8601, UTC ("" when the signature names no time)
    time_source: str  # "timestamp" (an embedded, verified timestamp) or "claimed" (the signer's word)
    problems: tuple[Problem, ...] = ()


class Verdict(NamedTuple):
    """What :func:`verify` found in one PDF."""

    problems: tuple[Problem, ...]  # about the file as a whole (unreadable, no roots, ...)
    signatures: tuple[Signature, ...]
    depends_on_now: bool = False  # the verdict rests on the time it was reached: never remember it

    def as_json(self) -> dict[str, Any]:
        return {
            "problems": [[c, p] for c, p in self.problems],
            "signatures": [
                {**s._asdict(), "subject": dict(s.subject), "problems": [[c, p] for c, p in s.problems]}
                for s in self.signatures
            ],
            "depends_on_now": self.depends_on_now,
        }

    @classmethod
    def from_json(cls, data: Any) -> Verdict:
        """The verdict in ``data`` (as :meth:`as_json` made it); ``ValueError`` for anything else."""
        try:
            signatures = tuple(
                Signature(
                    str(s["field"]),
                    str(s["signer"]),
                    {str(k): str(v) for k, v in s["subject"].items()},
                    str(s["issuer"]),
                    str(s["signed_at"]),
                    str(s["time_source"]),
                    _problems(s["problems"]),
                )
                for s in data["signatures"]
            )
            return cls(_problems(data["problems"]), signatures, bool(data["depends_on_now"]))
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a signature verdict: {error}") from error


def _problems(raw: Iterable[Any]) -> tuple[Problem, ...]:
    return tuple((str(code), {str(k): str(v) for k, v in params.items()}) for code, params in raw)


def unreadable(detail: str) -> Verdict:
    return Verdict((("pdf.unreadable", {"detail": detail}),), ())


class Options(NamedTuple):
    """What changes how a signature is validated (the rest of the policy is applied by :func:`judge`)."""

    after_signing: str = "none"  # none | form-filling
    revocation: str = "soft-fail"  # soft-fail | hard-fail
    timestamp: str = "optional"  # optional | required

    @classmethod
    def of(cls, policy: SignaturePolicy) -> Options:
        return cls(policy.after_signing, policy.revocation, policy.timestamp)


# --- verifying (pyHanko) --------------------------------------------------------------------------------


def verify(data: bytes, roots: Sequence[bytes], options: Options, now: dt.datetime) -> Verdict:
    """The signatures of the PDF ``data``, validated against the trust ``roots`` (PEM or DER
    certificates) at their signing time; ``now`` only tells a claimed time in the future."""
    import io

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not roots:
        return Verdict((("pdf.no-roots", {}),), ())
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        return unreadable(_detail(error))
    found, depends_on_now = [], False
    problems = _unsigned_bytes(reader, data, embedded) if embedded else ()
    for signature in embedded:
        try:
            result, at_now = _one(reader, signature, roots, options, now)
        except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            field = _field(signature)
            problem = ("pdf.malformed-signature", {"field": field, "detail": _detail(error)})
            result, at_now = Signature(field, field, {}, "", "", "claimed", (problem,)), False
        found.append(result)
        depends_on_now = depends_on_now or at_now
    return Verdict(problems, tuple(found), depends_on_now)


def _unsigned_bytes(reader: Any, data: bytes, embedded: list[Any]) -> tuple[Problem, ...]:
    """The bytes after the signed ranges that no later revision accounts for (:mod:`pdftail`)."""
    from pyhanko.pdf_utils.misc import PdfError

    from toolkit.evidence.pdfchanges import unaccounted_bytes

    try:
        offset = unaccounted_bytes(reader, data, embedded)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        return (("pdf.unreadable", {"detail": _detail(error)}),)
    if offset is None:
        return ()
    return (("pdf.unsigned-bytes", {"offset": str(offset), "size": str(len(data) - offset)}),)


def _detail(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def _field(signature: Any) -> str:
    try:
        return str(signature.field_name)
    except Exception:  # a field name that cannot even be read
        return "?"


def _one(
    reader: Any, signature: Any, roots: Sequence[bytes], options: Options, now: dt.datetime
) -> tuple[Signature, bool]:
    from pyhanko.sign.validation import validate_pdf_signature

    from toolkit.evidence.pdfrevocation import material

    cert = signature.signer_cert
    signer, subject = _subject(cert)
    issuer = cert.issuer.human_friendly
    stamped = _timestamp_time(signature)
    claimed = signature.self_reported_timestamp
    moment = stamped or claimed
    source = "timestamp" if stamped is not None else "claimed"
    named = {"signer": signer}
    if moment is None:
        return Signature(
            _field(signature), signer, subject, issuer, "", source, (("pdf.no-time", named),)
        ), False
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    shown = _iso(moment)
    problems: list[Problem] = []
    if stamped is None and options.timestamp == "required":
        problems.append(("pdf.timestamp-missing", named))
    in_future = moment > now + dt.timedelta(minutes=5)
    if in_future:
        problems.append(("pdf.future-time", {**named, "time": shown}))
    problems += _validity(cert, moment, named)
    purpose = purpose_problem(cert)
    if purpose is not None:
        problems.append(("pdf.wrong-purpose", {**named, "detail": purpose}))
    carried = material(reader, signature, certificates(roots))
    # the certificate's purpose is judged above (with its own reason), so pyHanko is given no constraint
    status = validate_pdf_signature(
        signature, _context(carried, moment), key_usage_settings=_key_usage(), diff_policy=None
    )
    integrity = _integrity(status, options, named)
    if not integrity and status.coverage == _entire_revision():
        integrity = _later_changes(reader, signature, options, named)
    problems += integrity
    if stamped is not None:
        ts = status.timestamp_validity
        if ts is None or not (ts.valid and ts.intact and ts.trusted):
            problems.append(("pdf.timestamp-invalid", named))
    problems += _trust(status, named, issuer, {c for c, _p in problems})
    if status.validation_path is not None:
        problems += _revocation(status, carried, named, (moment, stamped is not None), options, now)
    result = Signature(_field(signature), signer, subject, issuer, shown, source, tuple(problems))
    return result, in_future


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subject(cert: Any) -> tuple[str, dict[str, str]]:
    native = cert.subject.native
    subject = {}
    for ours, theirs in SUBJECT_FIELDS.items():
        value = native.get(theirs)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is not None:
            subject[ours] = " ".join(str(value).split())
    return subject.get("cn") or cert.subject.human_friendly, subject


def _timestamp_time(signature: Any) -> dt.datetime | None:
    """The time the embedded signature timestamp states (checked by the validation that follows)."""
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute

    try:
        token = find_unique_cms_attribute(
            signature.signer_info["unsigned_attrs"], "signature_time_stamp_token"
        )
    except NonexistentAttributeError:
        return None
    moment = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return moment if isinstance(moment, dt.datetime) else None


def _key_usage() -> Any:
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    return KeyUsageConstraints(key_usage=set())  # not None: pyHanko would put its default in


def _entire_revision() -> Any:
    from pyhanko.sign.validation import SignatureCoverageLevel

    return SignatureCoverageLevel.ENTIRE_REVISION


def _later_changes(reader: Any, signature: Any, options: Options, named: dict[str, str]) -> list[Problem]:
    """What the revisions after the signed one changed that pyHanko's analysis lets pass: annotations
    that show (any policy), metadata (under ``after_signing: none``)."""
    from toolkit.evidence.pdfchanges import metadata_changes, visible_additions

    revision = signature.signed_revision
    problems: list[Problem] = []
    added = visible_additions(reader, revision)
    if added:
        problems.append(("pdf.visible-addition", {**named, "what": "; ".join(added[:3])}))
    if options.after_signing == "none":
        changed = metadata_changes(reader, revision)
        if changed:
            problems.append(("pdf.metadata-changed", {**named, "what": ", ".join(changed[:3])}))
    return problems


def _context(material: dict[str, Any], moment: dt.datetime) -> Any:
    """A validation context that fetches nothing and checks no revocation (:mod:`pdfrevocation` does, by
    the data the file carries): the pinned roots and the file's certificates, at ``moment``."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import NO_REVOCATION, CertRevTrustPolicy

    policy = CertRevTrustPolicy(NO_REVOCATION)
    return ValidationContext(**material, allow_fetching=False, moment=moment, revinfo_policy=policy)


def certificates(roots: Sequence[bytes]) -> list[Any]:
    """The certificates in ``roots`` (PEM, possibly several in one file, or DER); ``ValueError`` when a
    file holds none."""
    from asn1crypto import pem, x509  # type: ignore[import-untyped]

    found = []
    for raw in roots:
        if pem.detect(raw):
            blocks = [der for kind, _headers, der in pem.unarmor(raw, multiple=True) if kind == "CERTIFICATE"]
        else:
            blocks = [raw]
        if not blocks:
            raise ValueError("no certificate")
        for der in blocks:
            cert = x509.Certificate.load(der)
            _ = cert.native  # parse it all now: a broken certificate fails here, not inside validation
            found.append(cert)
    return found


def _integrity(status: Any, options: Options, named: dict[str, str]) -> list[Problem]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if not (status.intact and status.valid):
        return [("pdf.broken", named)]
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return []
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        name = coverage.name.lower().replace("_", " ") if coverage is not None else "unknown"
        return [("pdf.partial-coverage", {**named, "coverage": name})]
    allowed = (
        ModificationLevel.FORM_FILLING
        if options.after_signing == "form-filling"
        else (ModificationLevel.LTA_UPDATES)
    )
    level = status.modification_level
    if level is None or level > allowed or not status.docmdp_ok:
        shown = level.name.lower().replace("_", " ") if level is not None else "unknown"
        params = {**named, "level": shown, "allowed": options.after_signing}
        return [("pdf.modified", params)]
    return []


def _validity(cert: Any, moment: dt.datetime, named: dict[str, str]) -> list[Problem]:
    since, until = cert.not_valid_before, cert.not_valid_after
    if moment > until:
        return [("pdf.expired", {**named, "time": _iso(moment), "until": _iso(until)})]
    if moment < since:
        return [("pdf.not-yet-valid", {**named, "time": _iso(moment), "since": _iso(since)})]
    return []


def _trust(status: Any, named: dict[str, str], issuer: str, found: set[str]) -> list[Problem]:
    """Why the certificate does not chain to a pinned root at the signing time (pyHanko's validation)."""
    from pyhanko.sign.ades.report import AdESIndeterminate

    indication = status.trust_problem_indic
    if indication is None and status.validation_path is not None:
        return []
    if found & {"pdf.expired", "pdf.not-yet-valid", "pdf.broken"}:
        return []  # already said, and more precisely
    if indication in (
        AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
        AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
    ):
        return [("pdf.untrusted", {**named, "issuer": issuer})]
    detail = indication.name.lower().replace("_", " ") if indication is not None else "no path"
    return [("pdf.certificate-rejected", {**named, "detail": detail})]


def _revocation(
    status: Any,
    carried: dict[str, Any],
    named: dict[str, str],
    signed: tuple[dt.datetime, bool],
    options: Options,
    now: dt.datetime,
) -> list[Problem]:
    """What the revocation data the file carries says of the signer's path and, when the signing time is
    a timestamp's, of the timestamping authority's path (:mod:`pdfrevocation`)."""
    from toolkit.evidence.pdfrevocation import standing

    moment, stamped = signed
    hard = options.revocation == "hard-fail"
    problems: list[Problem] = []
    unproven: list[str] = []
    found = standing(status.validation_path, carried, moment, stamped, now, hard)
    if found.revoked is not None:
        whose, since, leaf = found.revoked
        code = "pdf.revoked" if leaf else "pdf.chain-revoked"
        problems.append((code, {**named, "cert": whose, "date": _iso(since)}))
    unproven += found.unproven
    ts = status.timestamp_validity
    if stamped and ts is not None and ts.validation_path is not None:
        at = ts.timestamp
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        tsa = standing(ts.validation_path, carried, at, True, now, hard)
        if tsa.revoked is not None:
            whose, since, _leaf = tsa.revoked
            problems.append(("pdf.timestamp-revoked", {**named, "cert": whose, "date": _iso(since)}))
        unproven += [name for name in tsa.unproven if name not in unproven]
    if hard and unproven and not problems:
        problems.append(("pdf.no-revocation-data", {**named, "certs": ", ".join(unproven)}))
    return problems


# --- judging (the policy) -------------------------------------------------------------------------------


class Letter(NamedTuple):
    """A signed letter as the report names it: the accepted signature's signer and time."""

    path: str
    signer: str
    signed_at: str
    time_source: str  # timestamp | claimed

    def as_json(self) -> dict[str, str]:
        return dict(self._asdict())


def judge(verdict: Verdict, policy: SignaturePolicy, path: str = "") -> tuple[FileResult, Letter | None]:
    """The verdict on a letter under ``policy``: every signature it carries must be sound, and (when
    required) one of them must be by an allowed signer; the letter as the report names it."""
    if verdict.problems:
        codes = {code for code, _p in verdict.problems}
        if codes <= {"pdf.no-roots"} and not policy.required and not verdict.signatures:
            return (ArtefactState.PRESENT, []), None
        found = [*verdict.problems, *(p for s in verdict.signatures for p in s.problems)]
        return (ArtefactState.INVALID, [problem_text(p) for p in found]), None
    if not verdict.signatures:
        if policy.required:
            return (ArtefactState.INVALID, [problem_text(("pdf.unsigned", {}))]), None
        return (ArtefactState.PRESENT, []), None
    reasons = [problem_text(p) for s in verdict.signatures for p in s.problems]
    sound = [s for s in verdict.signatures if not s.problems]
    allowed = [s for s in sound if allowed_signer(s, policy.signers)]
    if not reasons and not allowed:
        for s in sound:
            params = {"signer": s.signer, "allowed": describe(policy.signers)}
            reasons.append(problem_text(("pdf.signer-not-allowed", params)))
    if reasons:
        return (ArtefactState.INVALID, reasons), None
    chosen = allowed[-1]
    return (ArtefactState.PRESENT, []), Letter(path, chosen.signer, chosen.signed_at, chosen.time_source)


def allowed_signer(signature: Signature, signers: Sequence[SignerMatch]) -> bool:
    """Whether the certificate subject matches one of ``signers`` (every field it names, compared without
    regard to letter case and spacing); any signer when the policy names none."""
    if not signers:
        return True
    return any(
        all(_same(signature.subject.get(name, ""), value) for name, value in match.fields)
        for match in signers
    )


def _same(found: str, wanted: str) -> bool:
    return " ".join(found.split()).casefold() == " ".join(wanted.split()).casefold() and bool(found.strip())


def describe(signers: Sequence[SignerMatch]) -> str:
    return "; ".join(", ".join(f"{k}={v}" for k, v in match.fields) for match in signers) or "-"
