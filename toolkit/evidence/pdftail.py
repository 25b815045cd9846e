"""What follows a signature in a PDF: every byte after the signed range must be accounted for.

A PDF viewer and pyHanko may read different revisions of the same file: pyHanko looks for the last
``%%EOF`` in the final kilobyte, a viewer follows the last ``startxref``. Bytes appended after the signed
revision without an ``%%EOF`` of their own (an unsigned incremental update), or another file hidden behind
the PDF (a polyglot), are then invisible to the check and visible to the reader. So the bytes after a
signature's range must consist of nothing but the later revisions the check reviewed: their objects (at the
offsets their cross-reference sections name), their cross-reference sections and trailers, each revision
closed by ``startxref N %%EOF`` naming its own cross-reference section, in order; and after the last
revision, whitespace only. Pure: the caller reads the structure (with pyHanko) and passes it in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

WHITESPACE = b"\x00\t\n\x0c\r "  # PDF white-space characters (ISO 32000-2, 7.2.3)
_WS = rb"[\x00\t\n\x0c\r ]"
_REVISION_END = re.compile(rb"startxref" + _WS + rb"+(\d{1,20})" + _WS + rb"+%%EOF")


def first_unaccounted(
    data: bytes, start: int, spans: Mapping[int, int], revision_ends: Sequence[int]
) -> int | None:
    """The offset of the first byte from ``start`` on that is neither white space nor part of a known
    structure; ``None`` when every byte is accounted for. ``spans``: start -> end of each object,
    cross-reference section and trailer of the later revisions; ``revision_ends``: the ``startxref``
    value each later revision must end with, oldest first (``len(data)`` is returned when one is
    missing)."""
    position, pending = start, list(revision_ends)
    while True:
        position = _skip_whitespace(data, position)
        if position >= len(data):
            return None if not pending else len(data)
        end = spans.get(position, position)
        if end > position:
            position = end
            continue
        found = _REVISION_END.match(data, position)
        if found is not None and pending and int(found.group(1)) == pending[0]:
            pending.pop(0)
            position = found.end()
            continue
        return position


def _skip_whitespace(data: bytes, position: int) -> int:
    while position < len(data) and data[position] in WHITESPACE:
        position += 1
    return position
