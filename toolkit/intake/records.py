"""The record files of a request: what each holds, how it is checked and written.

Records are small YAML mappings with Indonesian keys, readable by the office's staff. Checking one is
pure: bytes in, data or located problems out (``FILE:LINE:COL: message``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import yaml

from toolkit.errors import Problem
from toolkit.evidence.roster import Roster
from toolkit.i18n import _
from toolkit.intake.model import (
    ASSIGN,
    DISPOSE_KABID,
    DISPOSE_KADIS,
    MAX_RECORD_BYTES,
    NEW,
    RECORD,
    REJECT,
    Transition,
)
from toolkit.sop.source import parse_yaml

SIFAT = ("Sangat Segera", "Segera", "Biasa", "Rahasia")
JENIS = ("pembangunan", "pengembangan")
TEAM_FIELDS = ("tim_it_support", "tim_database", "web_desainer", "web_programmer", "tim_sekuriti")


class Days(NamedTuple):
    """The days a record's dates may name: not after the day its transition is made (office time zone),
    and, after the request letter, not before the letter's own date."""

    latest: dt.date
    earliest: dt.date | None = None


class Field(NamedTuple):
    name: str
    kind: str = "text"  # text, date, choice, members
    required: bool = True
    limit: int = 300  # characters of a text; members of a list
    choices: tuple[str, ...] = ()


_DISPOSITION = (
    Field("tanggal", "date"),
    Field("sifat", "choice", choices=SIFAT),
    Field("isi_disposisi", limit=1000),
    Field("catatan", required=False, limit=2000),
)
SCHEMAS: Mapping[str, tuple[Field, ...]] = {
    NEW.name: (
        Field("id"),
        Field("opd"),
        Field("aplikasi"),
        Field("jenis", "choice", choices=JENIS),
        Field("nomor_surat"),
        Field("tanggal_surat", "date"),
        Field("perihal", required=False),
        Field("ringkasan", required=False, limit=4000),
        Field("lampiran", required=False, limit=2000),  # links to the letter and the KAK (GitHub intake)
    ),
    RECORD.name: (
        Field("nomor_agenda", limit=100),
        Field("tanggal_diterima", "date"),
        Field("catatan", required=False, limit=2000),
    ),
    DISPOSE_KADIS.name: _DISPOSITION,
    DISPOSE_KABID.name: (
        *_DISPOSITION,
        Field("nomor_surat_tugas"),
        Field("tanggal_surat_tugas", "date"),
    ),
    ASSIGN.name: (
        Field("tanggal", "date"),
        Field("tim_it_support", "members", limit=20),
        Field("tim_database", "members", limit=20),
        Field("web_desainer", "members", required=False, limit=20),
        Field("web_programmer", "members", required=False, limit=20),
        Field("tim_sekuriti", "members", required=False, limit=20),
        Field("analisis_awal", required=False, limit=4000),
    ),
    REJECT.name: (Field("tanggal", "date"), Field("alasan", limit=2000)),
}


def parse_record(
    transition: Transition, raw: bytes, name: str, roster: Roster, days: Days | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The data of a record and what is wrong with it (nothing: it is valid). Team members must be in
    ``roster``; dates within ``days`` (when given: a record being judged, not one read back)."""
    if len(raw) > MAX_RECORD_BYTES:
        limit = MAX_RECORD_BYTES // 1024
        return {}, [Problem(name, 1, 1, _("the record is larger than {kib} KiB").format(kib=limit))]
    doc, problems = parse_yaml(raw, name, typed=False)  # a value is the text typed: 0412 stays 0412
    if doc is None:
        return {}, problems
    if not isinstance(doc.data, dict):
        return {}, [doc.problem((), _("a record is a mapping of fields (name: value)"))]
    data, found = _fields(transition, doc.data, roster, days)
    for path, message, key in found:
        problems.append(doc.problem(path, message, key=key))
    return data, problems


def check_values(
    transition: Transition, values: Mapping[str, Any], roster: Roster, days: Days | None = None
) -> tuple[dict[str, Any], list[str]]:
    """:func:`parse_record` for values that come without a file (an issue form, a comment command)."""
    data, found = _fields(transition, values, roster, days)
    return data, [message for _path, message, _key in found]


def _fields(
    transition: Transition, values: Mapping[Any, Any], roster: Roster, days: Days | None
) -> tuple[dict[str, Any], list[tuple[tuple[str, ...], str, bool]]]:
    """The checked data of a record's fields and what is wrong: (where, message, whether at the key)."""
    schema = SCHEMAS[transition.name]
    problems: list[tuple[tuple[str, ...], str, bool]] = []
    for key in values:
        if key not in {f.name for f in schema}:
            allowed = ", ".join(f.name for f in schema)
            name = str(key) if len(str(key)) <= 40 else str(key)[:40] + "…"
            message = _("unknown field '{field}'; allowed: {fields}").format(field=name, fields=allowed)
            problems.append(((str(key),), message, True))
    data: dict[str, Any] = {}
    for field in schema:
        value = values.get(field.name)
        if value is None or value in ("", []):
            if field.required:
                problems.append(((), _("the field '{field}' is required").format(field=field.name), False))
            continue
        checked, problem = _checked(field, value, roster)
        if problem is None and field.kind == "date" and days is not None:
            problem = _day_problem(dt.date.fromisoformat(checked), days)
        if problem:
            problems.append(((field.name,), f"{field.name}: {problem}", False))
        else:
            data[field.name] = checked
    return data, problems


def _checked(field: Field, value: Any, roster: Roster) -> tuple[Any, str | None]:
    if field.kind == "members":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, _("a list of roster member ids, e.g. [rina, joko]")
        if len(value) > field.limit:
            return None, _("at most {count} members").format(count=field.limit)
        unknown = [v for v in value if roster.member(v) is None]
        if unknown:
            return None, _("not in the roster: {ids}").format(ids=", ".join(unknown))
        return list(dict.fromkeys(value)), None
    if not isinstance(value, str):  # never a number or a truth value: 0412 would be 266 or 412
        return None, _("a single line of text")
    text = str(value).strip()
    if len(text) > field.limit:
        return None, _("at most {count} characters").format(count=field.limit)
    if not text.isprintable() and field.limit <= 300:
        return None, _("a single line of text without control characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        return None, _("control characters are not allowed")
    hidden = next((c for c in text if _HIDDEN.match(c)), None)
    if hidden is not None:  # text shown in another order than stored, or a terminal's C1 codes
        return None, _(
            "bidirectional overrides and control characters are not allowed (U+{code:04X})"
        ).format(code=ord(hidden))
    if field.kind == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return None, _("'{value}' is not a date like 2026-01-31").format(value=text)
        if len(text) != 10:
            return None, _("'{value}' is not a date like 2026-01-31").format(value=text)
    if field.kind == "choice" and text not in field.choices:
        return None, _("'{value}' is not one of: {choices}").format(
            value=text, choices=", ".join(field.choices)
        )
    return text, None


def _day_problem(day: dt.date, days: Days) -> str | None:
    """A date after the transition's day (a mistyped year), or before the request letter's date: a
    record is never changed once made, and the registers print its dates as recorded."""
    if day > days.latest:
        return _("{day} is after today ({today}); a date cannot lie ahead").format(
            day=day.isoformat(), today=days.latest.isoformat()
        )
    if days.earliest is not None and day < days.earliest:
        return _("{day} is before the request letter's date ({letter})").format(
            day=day.isoformat(), letter=days.earliest.isoformat()
        )
    return None


def letter_days(letter: Mapping[str, Any], today: dt.date) -> Days:
    """The :class:`Days` of a record of a request whose letter is ``letter`` (empty: the letter itself)."""
    try:
        return Days(today, dt.date.fromisoformat(str(letter.get("tanggal_surat", ""))))
    except ValueError:
        return Days(today)


def render_record(transition: Transition, values: Mapping[str, Any]) -> bytes:
    """A record as YAML, its fields in the schema's order (those without a value left out)."""
    ordered = {
        f.name: values[f.name] for f in SCHEMAS[transition.name] if values.get(f.name) not in (None, "", [])
    }
    header = f"# {transition.record}: sopkit request {transition.name.split('-')[0]}\n"
    body = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100, default_style=None)
    return (header + body).encode("utf-8")


def problem_lines(problems: Iterable[Problem]) -> list[str]:
    return [str(p) for p in sorted(problems)]


_DIGITS = re.compile(r"[0-9]+")
# the hyphens and minus signs that look like "-" (after NFKC, which folds the small and full-width ones)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"))
# DEL and the C1 controls, the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069), the line and paragraph separators: refused in every field, however long
_HIDDEN = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def agenda_key(number: Any) -> str:
    """An agenda number as two are compared: NFKC (a full-width ``０`` is ``0``), every decimal digit of
    any script as its ASCII digit (Arabic-Indic ``412`` is ``412``), every dash look-alike (U+2010 to
    U+2015, the minus sign) as ``-``, case folded, each run of digits without its leading zeros, so
    ``AG-0412`` and ``ag-412`` are one number. A character NFKC would make a digit without being one (a
    superscript ``²``, a subscript, a circled ``①``) stays itself: ``AG-1²`` is not ``AG-12``."""
    text = str(number)
    kept = [index for index, char in enumerate(text) if _digit_like(char)]
    pieces, start = [], 0
    for index in kept:
        pieces += [unicodedata.normalize("NFKC", text[start:index]), text[index]]
        start = index + 1
    pieces.append(unicodedata.normalize("NFKC", text[start:]))
    folded = "".join(pieces).translate(_DASHES)
    folded = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded).casefold().strip()
    return _DIGITS.sub(lambda run: run[0].lstrip("0") or "0", folded)


def _digit_like(char: str) -> bool:
    """Whether NFKC turns ``char`` into a digit it is not (superscripts, subscripts, circled digits)."""
    return not char.isdecimal() and any(c.isdecimal() for c in unicodedata.normalize("NFKC", char))
