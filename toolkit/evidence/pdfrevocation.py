"""Whether the certificates of a signed letter were revoked, judged only from the revocation data the file
carries (CRLs and OCSP responses in its document security store or in the signature itself); nothing is
fetched. :mod:`toolkit.evidence.pdfsig` calls this for each validated certification path.

pyHanko's own revocation modes do not fit an offline check: its "soft-fail" looks at embedded data only for
certificates that name a distribution point or an OCSP responder, and its point-in-time validation ignores
a CRL issued after the signing time (the usual case: revocation data is added after signing). So the
standing of each certificate of the path (the signer's and the CAs' below the pinned root) is asked of
pyHanko's CRL and OCSP checks directly, twice:

- **revoked?** Any authentic CRL or OCSP response (signed by the issuer, or by a responder it
  authorised), whatever its age, that says the certificate was revoked before the moment the signature
  provably existed: the time of a verified timestamp, otherwise *now* (the time the signer claims proves
  nothing: a stolen key can sign with any date). A signature timestamped before the revocation stays
  valid (PAdES, ETSI EN 319 102-1).
- **known good?** (``revocation: hard-fail``) an authentic CRL or OCSP response still current at the
  signing time (its next update not before it; issued before or after it) that does not list the
  certificate.

Data that does not verify (a CRL signed by another key under the issuer's name) counts for neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

FOREVER = dt.timedelta(days=365 * 200)  # "any age": revocation is final, however old the list saying so


class Standing(NamedTuple):
    """What the embedded revocation data says of one certification path."""

    revoked: (
        tuple[str, dt.datetime, bool] | None
    )  # the revoked certificate's name, since when, whether the leaf
    unproven: tuple[str, ...]  # the certificates no usable revocation data shows as good


def standing(
    path: Any,
    material: dict[str, Any],
    signed_at: dt.datetime,
    proven: bool,
    now: dt.datetime,
    need_good: bool,
) -> Standing:
    """The standing of the certificates of ``path`` (a pyHanko validation path) by the ``material`` (the
    trust roots, other certificates, CRLs and OCSP responses of a validation context), for a signature
    made at ``signed_at`` (``proven`` by a timestamp, or only claimed); which of them no data shows as
    good only when ``need_good``."""
    import asyncio

    certs = list(path.iter_certs(include_root=False))
    any_age = _context(material, signed_at if proven else now, _policy(any_age=True))
    current = _context(material, signed_at, _policy(any_age=False))

    async def judge() -> Standing:
        unproven = []
        for index, cert in enumerate(reversed(certs)):  # the signer's first
            times = [moment for _good, moment in await _checks(cert, path, any_age) if moment is not None]
            if times:
                return Standing((_name(cert), min(times), index == 0), ())
            if need_good and not any(good for good, _m in await _checks(cert, path, current)):
                unproven.append(_name(cert))
        return Standing(None, tuple(unproven))

    return asyncio.run(judge())


def _name(cert: Any) -> str:
    common = cert.subject.native.get("common_name")
    return str(common) if common else str(cert.subject.human_friendly)


def _policy(any_age: bool) -> Any:
    from pyhanko_certvalidator.policy_decl import NO_REVOCATION, CertRevTrustPolicy, FreshnessReqType

    # the path itself is validated by the caller: only the lists' and responses' own dates matter here
    if any_age:
        return CertRevTrustPolicy(
            NO_REVOCATION,
            freshness=FOREVER,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        )
    return CertRevTrustPolicy(NO_REVOCATION, retroactive_revinfo=True)


def _context(material: dict[str, Any], moment: dt.datetime, policy: Any) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(**material, allow_fetching=False, moment=moment, revinfo_policy=policy)


async def _checks(cert: Any, path: Any, context: Any) -> list[tuple[bool, dt.datetime | None]]:
    """For the OCSP responses, then the CRLs: whether they show ``cert`` good, or when it was revoked."""
    from pyhanko_certvalidator.errors import (
        CRLValidationError,
        OCSPValidationError,
        PathError,
        RevokedError,
        ValidationError,
    )
    from pyhanko_certvalidator.revinfo.validate_crl import verify_crl
    from pyhanko_certvalidator.revinfo.validate_ocsp import verify_ocsp_response

    found: list[tuple[bool, dt.datetime | None]] = []
    for check in (verify_ocsp_response, verify_crl):
        try:
            await check(cert, path, context)
            found.append((True, None))
        except RevokedError as error:
            moment = error.revocation_dt
            found.append((False, moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)))
        except (CRLValidationError, OCSPValidationError, PathError, ValidationError, ValueError, LookupError):
            found.append((False, None))  # none that applies, or none that verifies: no evidence either way
    return found


def material(reader: Any, signature: Any, roots: Sequence[Any]) -> dict[str, Any]:
    """The certificates and revocation data a letter carries for ``signature``: its own archive (Adobe's
    revocation-information attribute) and the document security store; ``roots`` are the pinned roots."""
    from asn1crypto import crl as asn1_crl  # type: ignore[import-untyped]
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    certs = list(signature.other_embedded_certs)
    crls: list[Any] = []
    ocsps: list[Any] = []
    try:
        archive = find_unique_cms_attribute(
            signature.signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
        crls += list(archive["crl"] or ())
        ocsps += list(archive["ocsp"] or ())
    except NonexistentAttributeError:
        pass
    try:
        store = DocumentSecurityStore.read_dss(reader)
        certs += list(store.load_certs())
        crls += [asn1_crl.CertificateList.load(ref.get_object().data) for ref in store.crls]
        ocsps += [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in store.ocsps]
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, NotImplementedError):
        pass  # no store (the usual case), or one that cannot be read: what it holds counts for nothing
    return {"trust_roots": list(roots), "other_certs": certs, "crls": crls, "ocsps": ocsps}
