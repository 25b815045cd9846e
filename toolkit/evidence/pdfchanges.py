"""What a PDF's later revisions changed after a signature, beyond what pyHanko's difference analysis says
(read with pyHanko; only :mod:`toolkit.evidence.pdfsig` calls this, in the bounded child process).

* :func:`unaccounted_bytes`: bytes after the signed range that no later revision accounts for
  (:mod:`toolkit.evidence.pdftail`).
* :func:`visible_additions`: annotations added to a page after signing that show (pyHanko counts a new,
  empty signature field as form filling, whatever its widget paints over the page). Only invisible ones
  may be added: a widget with a zero-area rectangle, or hidden.
* :func:`metadata_changes`: the document information and XMP metadata (the title a viewer shows), which
  pyHanko lets change with revocation updates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from toolkit.evidence.pdftail import first_unaccounted

# document information entries a signing or archiving tool updates on every save; nothing a reader sees
# as the letter's content
BOOKKEEPING_INFO = frozenset({"/ModDate", "/Producer"})
BOOKKEEPING_XMP = ("ModifyDate", "MetadataDate", "Producer", "InstanceID")
_HIDDEN, _NO_VIEW = 2, 32  # annotation flags (ISO 32000-2, 12.5.3)
_MAX_PAGES = 10_000
_MAX_ANNOTATIONS = 100_000


def unaccounted_bytes(reader: Any, data: bytes, signatures: Sequence[Any]) -> int | None:
    """The offset of the first byte after the earliest signature's range that neither white space nor
    a later revision pyHanko parsed accounts for; ``None`` when there is none."""
    from pyhanko.sign.validation import SignatureCoverageLevel

    # a signature over part of a revision is refused for that already; the rest must be accounted for
    whole = [
        s for s in signatures if s.evaluate_signature_coverage() >= SignatureCoverageLevel.ENTIRE_REVISION
    ]
    if not whole:
        return None
    earliest = min(whole, key=_signed_end)
    start = _signed_end(earliest)
    if start >= len(data):
        return None
    xrefs = reader.xrefs
    later = range(earliest.signed_revision + 1, xrefs.total_revisions)
    spans: dict[int, int] = {}
    for revision in later:
        spans.update(_revision_spans(reader, revision, start))
    ends = [xrefs.get_startxref_for_revision(revision) for revision in later]
    return first_unaccounted(data, start, spans, ends)


def _signed_end(signature: Any) -> int:
    _zero, _first, second, length = signature.byte_range
    return int(second) + int(length)


def _revision_spans(reader: Any, revision: int, start: int) -> dict[int, int]:
    """start -> end of each object one later revision lists in the file, and of its cross-reference
    section (with the trailer of a table)."""
    from pyhanko.pdf_utils.xref import XRefSectionType

    xrefs = reader.xrefs
    section = xrefs.get_xref_data(revision)
    spans = {}
    for ref in xrefs.explicit_refs_in_revision(revision):
        try:
            offset = section.try_resolve(ref)
        except KeyError:
            continue
        if isinstance(offset, int) and offset >= start:
            spans[offset] = _object_end(reader, offset)
    # the section where its startxref says (pyHanko corrects a pointer that is off; here it stays
    # unaccounted for), and no hybrid one: such an update is refused
    meta = xrefs.get_xref_container_info(revision)
    declared = meta.declared_startxref
    if meta.xref_section_type == XRefSectionType.STANDARD and _keyword_at(reader, declared, b"xref"):
        spans[declared] = _trailer_end(reader, meta.end_location)
    elif meta.xref_section_type == XRefSectionType.STREAM and meta.start_location == declared:
        spans[declared] = _object_end(reader, declared)
    return spans


def _keyword_at(reader: Any, offset: int, keyword: bytes) -> bool:
    reader.stream.seek(offset)
    return bool(reader.stream.read(len(keyword)) == keyword)


def _object_end(reader: Any, offset: int) -> int:
    """Where the indirect object at ``offset`` ends (after ``endobj``); ``offset`` itself when it cannot
    be read (its bytes then stay unaccounted for)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.misc import PdfError, read_non_whitespace
    from pyhanko.pdf_utils.xref import read_object_header

    stream = reader.stream
    try:
        stream.seek(offset)
        idnum, generation = read_object_header(stream, strict=False)  # type: ignore[no-untyped-call]
        generic.read_object(stream, generic.Reference(idnum, generation, reader))
        read_non_whitespace(stream, seek_back=True, allow_eof=True)  # type: ignore[no-untyped-call]
        end = stream.tell()
    except (PdfError, ValueError, KeyError, TypeError):
        return offset
    return end + 6 if stream.read(6) == b"endobj" else offset


def _trailer_end(reader: Any, table_end: int) -> int:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.misc import PdfError, read_non_whitespace

    stream = reader.stream
    try:
        stream.seek(table_end)
        read_non_whitespace(stream, seek_back=True)  # type: ignore[no-untyped-call]
        if stream.read(7) == b"trailer":  # pyHanko's table reader may have read it already
            read_non_whitespace(stream, seek_back=True)  # type: ignore[no-untyped-call]
        else:
            stream.seek(-7, 1)
        container = generic.TrailerReference(reader)  # type: ignore[no-untyped-call]
        generic.DictionaryObject.read_from_stream(stream, container)
        return int(stream.tell())
    except (PdfError, ValueError, KeyError, TypeError):
        return table_end


# --- annotations ----------------------------------------------------------------------------------------


def visible_additions(reader: Any, signed_revision: int) -> list[str]:
    """The annotations that show on a page now but were not there at ``signed_revision``, each as
    "page N: Subtype 'field name'"."""
    before = {key for key, _page, _annot in _annotations(reader.get_historical_resolver(signed_revision))}
    found = []
    for key, page, annotation in _annotations(reader):
        if key not in before and _visible(annotation):
            subtype = str(annotation.get("/Subtype", "?")).lstrip("/")
            name = annotation.get("/T") or _parent_name(annotation)
            found.append(f"page {page}: {subtype}" + (f" '{name}'" if name else ""))
    return found


def _annotations(handler: Any) -> Iterator[tuple[object, int, Any]]:
    """(identity, page number, annotation dictionary) of each annotation on the pages of ``handler``;
    the identity is the reference, or the place in the page's list for a direct annotation."""
    from pyhanko.pdf_utils import generic

    for number, page in enumerate(_pages(handler), start=1):
        annotations = page.get("/Annots")
        if not isinstance(annotations, generic.ArrayObject):
            continue
        for index, raw in enumerate(annotations.raw_get(i) for i in range(len(annotations))):
            if index >= _MAX_ANNOTATIONS:
                break
            if isinstance(raw, generic.IndirectObject):
                key: object = (raw.idnum, raw.generation)
                annotation = raw.get_object()  # type: ignore[no-untyped-call]
            else:
                key, annotation = ("direct", number, index), raw
            if isinstance(annotation, generic.DictionaryObject):
                yield key, number, annotation


def _pages(handler: Any) -> Iterator[Any]:
    """The page dictionaries of the page tree, in order, each node visited once (a loop ends)."""
    from pyhanko.pdf_utils import generic

    seen: set[tuple[int, int]] = set()
    todo: list[Any] = [handler.root.raw_get("/Pages")]
    count = 0
    while todo and count < _MAX_PAGES:
        raw = todo.pop()
        if isinstance(raw, generic.IndirectObject):
            if (raw.idnum, raw.generation) in seen:
                continue
            seen.add((raw.idnum, raw.generation))
        node = raw.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        kids = node.get("/Kids")
        if isinstance(kids, generic.ArrayObject):
            todo.extend(reversed([kids.raw_get(i) for i in range(len(kids))]))
        else:
            count += 1
            yield node


def _visible(annotation: Any) -> bool:
    try:
        flags = int(annotation.get("/F", 0))
    except (TypeError, ValueError):
        flags = 0
    if flags & (_HIDDEN | _NO_VIEW):
        return False
    try:
        x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
    except (KeyError, TypeError, ValueError):
        return True  # no readable rectangle: assume the worst
    return x1 != x2 and y1 != y2


def _parent_name(annotation: Any) -> str:
    parent = annotation.get("/Parent")
    try:
        return str(parent.get("/T", "")) if parent is not None else ""
    except AttributeError:
        return ""


# --- metadata -------------------------------------------------------------------------------------------


def metadata_changes(reader: Any, signed_revision: int) -> list[str]:
    """What changed in the document information (entries beyond :data:`BOOKKEEPING_INFO`) and the XMP
    metadata after ``signed_revision``."""
    changed = []
    then, now = _info(reader, signed_revision), _info(reader, None)
    for key in sorted(set(then) | set(now)):
        if key not in BOOKKEEPING_INFO and then.get(key) != now.get(key):
            changed.append(f"document information {key}")
    if _xmp_changed(reader, signed_revision):
        changed.append("XMP metadata")
    return changed


def _info(reader: Any, revision: int | None) -> dict[str, str]:
    from pyhanko.pdf_utils import generic

    trailer = reader.trailer.flatten(revision)
    raw = trailer.raw_get("/Info") if "/Info" in trailer else None
    if raw is None:
        return {}
    if isinstance(raw, generic.IndirectObject):
        info = reader.get_object(raw.reference, revision=revision)
    else:
        info = raw
    if not isinstance(info, generic.DictionaryObject):
        return {"?": repr(info)}
    return {str(k): repr(info.raw_get(k)) for k in info}


def _xmp_changed(reader: Any, signed_revision: int) -> bool:
    try:
        old = _metadata_ref(reader.get_historical_root(signed_revision))
        now = _metadata_ref(reader.root)
        if old == now and (now is None or reader.xrefs.get_last_change(now) <= signed_revision):
            return False
        return _xmp_fields(reader, old, signed_revision) != _xmp_fields(reader, now, None)
    except ValueError:
        return True  # XMP that cannot be read changed: assume the worst


def _metadata_ref(root: Any) -> Any:
    from pyhanko.pdf_utils import generic

    if "/Metadata" not in root:
        return None
    raw = root.raw_get("/Metadata")
    if not isinstance(raw, generic.IndirectObject):
        raise ValueError("direct metadata stream")
    return raw.reference


def _xmp_fields(reader: Any, ref: Any, revision: int | None) -> dict[str, str]:
    """The XMP properties (by expanded name) other than the dates and tool names a save updates."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.xmp_xml import parse_xmp

    if ref is None:
        return {}
    stream = reader.get_object(ref, revision=revision)
    if not isinstance(stream, generic.StreamObject):
        raise ValueError("metadata is not a stream")
    try:
        roots = parse_xmp(io.BytesIO(stream.data))
    except Exception as error:  # lxml's and pyHanko's own errors on a broken packet
        raise ValueError(str(error)) from error
    fields = {str(name): repr(value) for root in roots for name, value in root}
    return {name: value for name, value in fields.items() if not name.endswith(BOOKKEEPING_XMP)}
