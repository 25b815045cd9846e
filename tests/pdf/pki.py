"""A test PKI made in the tests (root -> intermediate -> signer, and a timestamping authority), and PDF
letters signed with pyHanko: what BSrE and the office's officials do, on this machine."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


@dataclass
class Identity:
    key: Any
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(cn: str, **more: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID")]
    if "o" in more:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, more["o"]))
    if "ou" in more:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, more["ou"]))
    if "serial_number" in more:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, more["serial_number"]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attributes)


def issue(
    cn: str,
    issuer: Identity | None = None,
    ca: bool = False,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    tsa: bool = False,
    purposes: list[x509.ObjectIdentifier] | None = None,
    usage: dict[str, bool] | None = None,
    **subject: str,
) -> Identity:
    # pyHanko's test timestamping authority signs with RSA only
    key: Any = rsa.generate_private_key(65537, 2048) if tsa else ec.generate_private_key(ec.SECP256R1())
    name = _name(cn, **subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(since or NOW - 365 * DAY)
        .not_valid_after(until or NOW + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    if ca:
        flags.update(key_cert_sign=True, crl_sign=True)
    else:
        flags.update(digital_signature=True, content_commitment=True)
    builder = builder.add_extension(x509.KeyUsage(**{**flags, **(usage or {})}), critical=True)
    if tsa or purposes:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(purposes or [ExtendedKeyUsageOID.TIME_STAMPING]), critical=bool(tsa)
        )
    cert = builder.sign((issuer or Identity(key, None)).key, hashes.SHA256())  # type: ignore[arg-type]
    return Identity(key, cert)


@dataclass
class Pki:
    root: Identity
    intermediate: Identity
    signer: Identity
    tsa: Identity
    others: dict[str, Identity] = field(default_factory=dict)

    def person(self, cn: str, **kw: object) -> Identity:
        """Another certificate from the same intermediate (``since``/``until`` for its validity)."""
        identity = issue(cn, self.intermediate, **kw)  # type: ignore[arg-type]
        self.others[cn] = identity
        return identity


def make_pki() -> Pki:
    root = issue(
        "Root CA Uji",
        ca=True,
        o="Balai Sertifikasi Elektronik Uji",
        since=NOW - 3650 * DAY,
        until=NOW + 3650 * DAY,
    )
    intermediate = issue(
        "CA Uji Tingkat 2",
        root,
        ca=True,
        o="Balai Sertifikasi Elektronik Uji",
        since=NOW - 1000 * DAY,
        until=NOW + 1000 * DAY,
    )
    signer = issue(
        "Rahmat Hidayat",
        intermediate,
        o="Diskominfotik Sumbar",
        ou="Bidang Aptika",
        serial_number="1371010101800001",
    )
    tsa = issue("TSA Uji", intermediate, tsa=True, o="Balai Sertifikasi Elektronik Uji")
    return Pki(root, intermediate, signer, tsa)


def letter(text: str = "Surat Tugas Nomor 800/123/Diskominfotik/2026") -> bytes:
    """An unsigned one-page PDF letter."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/F1"): writer.add_object(font)}
            )
        }
    )
    stream = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode())
    writer.insert_page(PageObject(writer.add_object(stream), (0, 0, 595, 842), resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _asn1(identity: Identity):
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509

    der_key = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_x509.Certificate.load(identity.der), keys.PrivateKeyInfo.load(der_key)


def sign(
    pdf: bytes,
    pki: Pki,
    signer: Identity | None = None,
    field_name: str = "TTE",
    timestamp_at: dt.datetime | None = None,
    chain: tuple[Identity, ...] | None = None,
    box: tuple[int, int, int, int] | None = None,
) -> bytes:
    """``pdf`` signed (PAdES) by ``signer`` (default: the PKI's signer), its chain embedded; with a
    timestamp from the test TSA when ``timestamp_at`` is given; in a new field with a visible widget at
    ``box`` when given."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key = _asn1(signer or pki.signer)
    embedded = [
        asn1_x509.Certificate.load(c.der) for c in (chain if chain is not None else (pki.intermediate,))
    ]
    simple = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs(embedded)
    )
    timestamper = None
    if timestamp_at is not None:
        tsa_cert, tsa_key = _asn1(pki.tsa)
        timestamper = DummyTimeStamper(
            tsa_cert,
            tsa_key,
            SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(pki.intermediate.der)]),
            fixed_dt=timestamp_at,
        )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=None)
    spec = fields.SigFieldSpec(field_name, box=box) if box is not None else None
    out = signers.sign_pdf(writer, meta, signer=simple, timestamper=timestamper, new_field_spec=spec)
    return out.getvalue()


def sign_part(pdf: bytes, pki: Pki) -> bytes:
    """``pdf`` signed as usual, then its signature made anew over a byte range that stops before the
    signed revision's cross-reference table: a sound signature that covers only part of the file."""
    import asyncio
    import hashlib
    import re

    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signed = sign(pdf, pki)
    found = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", signed)
    assert found is not None
    first, second = int(found.group(1)), int(found.group(2))
    xref = signed.rfind(b"xref", second)
    assert xref > second
    old = found.group(0)
    new = f"/ByteRange [0 {first} {second} {xref - second}]".encode()
    data = signed[: found.start()] + new.ljust(len(old)) + signed[found.end() :]
    digest = hashlib.sha256(data[:first] + data[second:xref]).digest()
    cert, key = _asn1(pki.signer)
    simple = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(pki.intermediate.der)]),
    )
    cms = asyncio.run(simple.async_sign(digest, "sha256", use_pades=True)).dump().hex().encode()
    room = second - first - 2  # the hex string between < and >
    assert len(cms) <= room
    return data[: first + 1] + cms.ljust(room, b"0") + data[second - 1 :]


def crl(
    issuer: Identity,
    revoked: tuple[tuple[Identity, dt.datetime], ...] = (),
    *,
    issued: dt.datetime | None = None,
    valid_for: dt.timedelta = 7 * DAY,
    signed_by: Identity | None = None,
) -> bytes:
    """A CRL (DER) from ``issuer`` listing ``revoked`` certificates with their revocation times, issued at
    ``issued`` (default: now); signed with another identity's key when ``signed_by`` is given (a forgery:
    the issuer's name, someone else's key)."""
    issued = issued or NOW
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(issued)
        .next_update(issued + valid_for)
        .add_extension(x509.CRLNumber(int(issued.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    for identity, since in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(identity.cert.serial_number)
            .revocation_date(since)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    signed = builder.sign((signed_by or issuer).key, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.DER)


def ocsp_response(
    issuer: Identity,
    subject: Identity,
    revoked_at: dt.datetime | None = None,
    *,
    issued: dt.datetime | None = None,
    signed_by: Identity | None = None,
) -> bytes:
    """An OCSP response (DER) by ``issuer`` itself about ``subject``: good, or revoked since
    ``revoked_at``; when ``signed_by`` is given, a forgery signed by that identity (another CA's key
    under the same name), its responder named by name and its certificate enclosed."""
    from cryptography.x509 import ocsp

    issued = issued or NOW
    status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=subject.cert,
        issuer=issuer.cert,
        algorithm=hashes.SHA256(),
        cert_status=status,
        this_update=issued,
        next_update=issued + 7 * DAY,
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
    )
    if signed_by is None:
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
    else:
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.NAME, signed_by.cert)
        builder = builder.certificates([signed_by.cert])
    signed = builder.sign((signed_by or issuer).key, hashes.SHA256())
    return signed.public_bytes(serialization.Encoding.DER)
