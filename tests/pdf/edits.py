"""Changes made to a signed PDF after signing, as an attacker makes them: incremental updates written by
hand at the byte level (with or without their ``%%EOF``, with objects their cross-reference table does not
list), bytes appended behind the PDF, and updates made with pyHanko's own writer."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence

Ref = tuple[int, int]


def page_contents_ref(pdf: bytes) -> Ref:
    """The reference of the first page's content stream."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    ref = reader.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents")
    return ref.idnum, ref.generation


def content(text: str) -> bytes:
    """A content stream object showing ``text`` where the test letters show theirs."""
    drawn = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    return b"<</Length %d>>\nstream\n" % len(drawn) + drawn + b"\nendstream"


def hand_update(
    pdf: bytes,
    objects: Mapping[Ref, bytes],
    *,
    dead: bytes = b"",
    trailer: bytes = b"",
    eof: bool = True,
) -> bytes:
    """``pdf`` with an incremental update written by hand: ``objects`` (body bytes by reference) listed
    in a new cross-reference table; ``dead`` bytes before them that the table does not list; ``trailer``
    entries added to the trailer; the final ``%%EOF`` left out when ``eof`` is false."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    size = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root")
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    body = b"\n" + dead
    table = [b"0 1\n0000000000 65535 f\r\n"]
    for (idnum, generation), value in objects.items():
        table.append(b"%d 1\n%010d %05d n\r\n" % (idnum, len(pdf) + len(body), generation))
        body += b"%d %d obj\n" % (idnum, generation) + value + b"\nendobj\n"
    at = len(pdf) + len(body)
    body += b"xref\n" + b"".join(table)
    body += b"trailer\n<</Size %d/Root %d %d R/Prev %d%s>>\n" % (
        max(size, *(i + 1 for i, _g in objects)) if objects else size,
        root.idnum,
        root.generation,
        previous,
        trailer,
    )
    body += b"startxref\n%d\n" % at + (b"%%EOF\n" if eof else b"")
    return pdf + body


def zip_behind(pdf: bytes) -> bytes:
    """``pdf`` with a ZIP archive appended (a PDF+ZIP polyglot: an archiver opens the same file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return pdf + out.getvalue()


def empty_signature_field(pdf: bytes, name: str, box: tuple[int, int, int, int], paint: bytes) -> bytes:
    """``pdf`` with a new, empty signature field whose widget at ``box`` paints ``paint`` (a content
    stream), added with pyHanko's writer."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec(name, box=box, on_page=0))
    for found in writer.root["/AcroForm"]["/Fields"]:
        field = found.get_object()
        if field.get("/T") == name:
            width, height = box[2] - box[0], box[3] - box[1]
            bbox = generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)])
            appearance = generic.StreamObject(
                {
                    generic.pdf_name("/BBox"): bbox,
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                    generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                },
                stream_data=paint,
            )
            field["/AP"] = generic.DictionaryObject({generic.pdf_name("/N"): writer.add_object(appearance)})
            writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def revocation_data(
    pdf: bytes, certificates: Sequence[bytes], crls: Sequence[bytes] = (), ocsps: Sequence[bytes] = ()
) -> bytes:
    """``pdf`` with a document security store holding ``certificates``, ``crls`` and ``ocsps`` (DER), as
    pyHanko's long-term validation update writes it."""
    from asn1crypto import crl, ocsp, x509  # type: ignore[import-untyped]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    DocumentSecurityStore.supply_dss_in_writer(
        writer,
        None,
        certs=[x509.Certificate.load(der) for der in certificates],
        crls=[crl.CertificateList.load(der) for der in crls],
        ocsps=[ocsp.OCSPResponse.load(der) for der in ocsps],
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
