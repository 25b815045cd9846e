"""What a security test report says, read from its text alone (no git, no disk): its front-matter fields,
its result, and its findings, each with its severity and whether it is still open.

The release gate needs three facts from the report of the security step: the tested commit, named by its
full id; the result, which must be ``LULUS``; and no open finding of severity Kritis/Tinggi. Findings are
read from every Markdown table whose header has a severity column and a status column (Indonesian or
English names); a finding counts as open unless its status says it is fixed or closed and, where the table
has a re-test column, the re-test passed. A CVSS score of 7.0 or more makes a finding serious whatever
its severity word says. Whatever cannot be read counts against the release: an unknown severity of an
open finding blocks like a high one, and a report without a findings table cannot show that nothing is
open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

RESULT_FIELD = "hasil"
PASSED = "lulus"  # the only result that releases, compared case-insensitively

# Header names, compared after normalising (see _norm): what the template uses and what a reworked or
# English report can be foreseen to use.
SEVERITY_HEADERS = frozenset(
    {
        "tingkat risiko",
        "tingkat",
        "tingkat keparahan",
        "keparahan",
        "risiko",
        "severity",
        "risk",
        "risk level",
    }
)
STATUS_HEADERS = frozenset({"status", "status temuan", "status perbaikan", "finding status"})
# A re-test column: a finding is closed only once its re-test passed (the SOP's "testing ulang").
RETEST_HEADERS = frozenset({"uji ulang", "hasil uji ulang", "re-test", "retest", "re-test result"})
RETEST_PASSED = frozenset({"lulus", "berhasil", "passed", "pass"})
CVSS_HEADERS = frozenset({"cvss", "skor cvss", "nilai cvss", "cvss score"})
CVSS_SERIOUS = 7.0  # CVSS v3/v4 "High" starts here
# Severities: a serious one blocks while open; an open finding of a severity not known here blocks too.
SERIOUS = frozenset({"kritis", "sangat tinggi", "tinggi", "critical", "high"})
MINOR = frozenset({"sedang", "menengah", "rendah", "informasi", "info", "medium", "moderate", "low"})
# Statuses that close a finding (exactly these words; "belum diperbaiki" stays open).
CLOSED = frozenset({"diperbaiki", "sudah diperbaiki", "ditutup", "selesai", "fixed", "closed", "resolved"})
# A row that says there is no finding at all (its severity left empty or not applicable).
NO_FINDING = frozenset({"tidak ada temuan", "tidak ada", "nihil", "no findings", "no finding", "none"})
NOT_APPLICABLE = frozenset({"", "-", "--", "—", "–", "tidak berlaku", "tidak ada", "n/a", "na", "none"})


class Finding(NamedTuple):
    line: int  # where its row is in the report (1-based)
    cells: tuple[str, ...]  # the row as written
    severity: str  # as written
    statuses: tuple[str, ...]  # the status column(s), as written
    open: bool  # no status column says fixed or closed, or a re-test did not pass
    serious: bool  # Kritis/Tinggi, a severity not known to be minor, or a CVSS score of 7.0 or more
    known: bool  # the severity is one this module knows (serious or minor)


class SecurityReport(NamedTuple):
    fields: Mapping[str, str]  # front-matter fields (values as text)
    result: str | None  # the value of ``hasil``, as written
    tables: int  # how many findings tables the report has
    findings: tuple[Finding, ...]  # their rows, "no finding" rows left out

    @property
    def passed(self) -> bool:
        return self.result is not None and self.result.strip().casefold() == PASSED

    @property
    def open_serious(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.open and f.serious)


class CommitName(StrEnum):
    """What a ``commit_diuji`` value looks like, before anything is looked up."""

    FULL = "full"  # a full object id of the repository's hash, lower-case: the only acceptable form
    EMPTY = "empty"
    SHORT = "short"  # hex, shorter than a full id (an abbreviation, or a ref named like one)
    UPPER = "upper"  # a full id in capitals (git would read it as a ref name)
    OTHER_LENGTH = "other-length"  # hex of another length (the other hash function's id?)
    NOT_HEX = "not-hex"  # a ref name, a tag name, an expression such as HEAD~1


def commit_name(value: str, id_length: int) -> CommitName:
    """How ``value`` names a commit in a repository whose ids are ``id_length`` hex digits (40: SHA-1,
    64: SHA-256). Only :attr:`CommitName.FULL` may be looked up, and only as an object id."""
    if not value:
        return CommitName.EMPTY
    if re.fullmatch(r"[0-9a-f]+", value):
        if len(value) == id_length:
            return CommitName.FULL
        return CommitName.SHORT if len(value) < id_length else CommitName.OTHER_LENGTH
    if re.fullmatch(r"[0-9a-fA-F]+", value) and len(value) == id_length:
        return CommitName.UPPER
    return CommitName.NOT_HEX


def parse(text: str) -> SecurityReport:
    """The facts of a security test report (Markdown with YAML front matter)."""
    from toolkit.evidence.contents import front_matter

    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    front = front_matter(text) or {}
    fields = {str(k): _field(v) for k, v in front.items() if v is not None}
    tables, findings = _findings(_body(text))
    return SecurityReport(fields, fields.get(RESULT_FIELD), tables, tuple(findings))


def _field(value: object) -> str:
    if isinstance(value, bool):  # YAML's yes/no/true: keep what was meant to be text recognisable
        return "true" if value else "false"
    return str(value)


def _body(text: str) -> list[tuple[int, str]]:
    """The lines after the front matter, numbered as in the file, with fenced code blocks and HTML
    comments blanked out (neither is rendered as a table)."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].rstrip("\r") == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r") == "---"), None)
        start = end + 1 if end is not None else 0
    body: list[tuple[int, str]] = []
    fence: str | None = None
    in_comment = False
    for number, raw in enumerate(lines[start:], start + 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            body.append((number, ""))
            continue
        if not in_comment and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
            body.append((number, ""))
            continue
        kept, in_comment = _without_comments(line, in_comment)
        body.append((number, kept))
    return body


def _without_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    kept: list[str] = []
    pos = 0
    while pos < len(line):
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                return "".join(kept), True
            pos, in_comment = end + 3, False
        else:
            start = line.find("<!--", pos)
            if start < 0:
                kept.append(line[pos:])
                break
            kept.append(line[pos:start])
            pos, in_comment = start + 4, True
    return "".join(kept), in_comment


_SEPARATOR = re.compile(r"\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*")


def _cells(line: str) -> list[str]:
    """The cells of a table row (``\\|`` is a pipe inside a cell)."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", row)]


def _norm(cell: str, note: bool = True) -> str:
    """A cell compared by meaning: emphasis, code marks and case dropped, and (unless ``note`` is
    false) a trailing note in brackets ("Tingkat risiko (Kritis/Tinggi/...)", "Tinggi (CVSS 8.1)")."""
    text = re.sub(r"[*_`]", "", cell)
    if note:
        text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = text.strip().rstrip(".:").strip()
    return " ".join(text.split()).casefold()


# A line that starts another block (heading, quote, list, fence, HTML) ends a table; any other non-blank
# line is one more row of it, as a Markdown renderer shows it. A header indented as code is no table.
_OTHER_BLOCK = re.compile(r" {0,3}(#|>|[-*+](\s|$)|\d+[.)](\s|$)|```|~~~|<)")
_CODE = re.compile(r" {4}|\t")


def _in_table(line: str) -> bool:
    return bool(line.strip()) and ("|" in line or not _OTHER_BLOCK.match(line))


def _findings(body: list[tuple[int, str]]) -> tuple[int, list[Finding]]:
    tables, findings = 0, []
    i = 0
    while i + 1 < len(body):
        header, separator = body[i][1], body[i + 1][1]
        if (
            "|" not in header
            or _OTHER_BLOCK.match(header)
            or _CODE.match(header)
            or not _SEPARATOR.fullmatch(separator)
            or len(_cells(separator)) != len(_cells(header))
        ):
            i += 1
            continue
        names = [_norm(c) for c in _cells(header)]
        severity = next((n for n, name in enumerate(names) if name in SEVERITY_HEADERS), None)
        statuses = [n for n, name in enumerate(names) if name in STATUS_HEADERS]
        i += 2
        rows = []
        # A row ends the table only where it starts another block and holds no cell separator: a line such
        # as "#2 | RCE | Kritis | Terbuka" is a row for some renderers, so it is read as one (fail closed).
        while (
            i < len(body) and body[i][1].strip() and ("|" in body[i][1] or not _OTHER_BLOCK.match(body[i][1]))
        ):
            rows.append(body[i])
            i += 1
        if severity is None or not statuses:
            continue  # another table (the re-test log, the BSSN controls)
        tables += 1
        columns = _Columns(
            severity,
            statuses,
            [n for n, name in enumerate(names) if name in RETEST_HEADERS],
            [n for n, name in enumerate(names) if name in CVSS_HEADERS],
        )
        for number, line in rows:
            finding = _finding(number, _cells(line), columns)
            if finding is not None:
                findings.append(finding)
    return tables, findings


class _Columns(NamedTuple):
    """Where a findings table keeps what the gate reads."""

    severity: int
    statuses: list[int]
    retests: list[int]
    cvss: list[int]


def _finding(number: int, cells: list[str], at: _Columns) -> Finding | None:
    """One row of a findings table; ``None`` for an empty row or one that says there is no finding."""

    def cell(n: int) -> str:
        return cells[n] if n < len(cells) else ""

    if not any(_norm(c) for c in cells):
        return None
    severity = cell(at.severity)
    statuses = tuple(cell(n) for n in at.statuses)
    read = {at.severity, *at.statuses, *at.retests, *at.cvss}
    others = [_norm(c) for n, c in enumerate(cells) if n not in read]
    if any(o in NO_FINDING for o in others) and _norm(severity) in NOT_APPLICABLE:
        return None
    closed = all(_norm(s, note=False) in CLOSED for s in statuses)
    retested = all(_norm(cell(n)) in RETEST_PASSED for n in at.retests)
    level = _norm(severity)
    known = level in SERIOUS or level in MINOR
    serious = level not in MINOR or any(_cvss(cell(n)) >= CVSS_SERIOUS for n in at.cvss)
    return Finding(number, tuple(cells), severity, statuses, not (closed and retested), serious, known)


def _cvss(cell: str) -> float:
    """The CVSS base score a cell gives (the last number from 0 to 10 in it, so that a vector string
    before the score is passed over), or 0 when it gives none."""
    scores = [
        float(n.replace(",", ".")) for n in re.findall(r"(?<![\d.,])\d{1,2}(?:[.,]\d)?(?![\d.,])", cell)
    ]
    scores = [n for n in scores if 0 <= n <= 10]
    return scores[-1] if scores else 0.0
