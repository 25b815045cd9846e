"""Whether a certificate is meant for signing documents (RFC 5280 key usage and extended key usage).

A certificate under a pinned root may have been issued for something else: a timestamping authority, a
web server, a client login, code signing. Its key signs a PDF as well as any other, so the purpose is
checked: the key usage must allow ``digitalSignature`` or ``nonRepudiation``; and when the certificate
restricts its purposes (an extended key usage), one of them must cover signing documents.
"""

from __future__ import annotations

from typing import Any

SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})

# extended key usages that allow signing documents, by OID
DOCUMENT_SIGNING = {
    "2.5.29.37.0": "anyExtendedKeyUsage",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.36": "documentSigning",  # RFC 9336
    "1.3.6.1.4.1.311.10.3.12": "documentSigning (Microsoft)",
    "1.2.840.113583.1.1.5": "Adobe Authentic Documents Trust",
}


def purpose_problem(cert: Any) -> str | None:
    """Why ``cert`` (an asn1crypto certificate) may not sign a document, or ``None`` when it may."""
    usage = cert.key_usage_value
    if usage is not None and not SIGNING_USAGES & set(usage.native):
        found = ", ".join(sorted(usage.native)) or "-"
        return f"key usage {found}; digital_signature or non_repudiation is needed"
    extended = cert.extended_key_usage_value
    if extended is None:
        return None
    oids = [purpose.dotted for purpose in extended]
    if any(oid in DOCUMENT_SIGNING for oid in oids):
        return None
    names = ", ".join(_name(purpose) for purpose in extended) or "-"
    return f"extended key usage {names} only; one for signing documents is needed"


def _name(purpose: Any) -> str:
    native = purpose.native
    return str(native) if native != purpose.dotted else purpose.dotted
