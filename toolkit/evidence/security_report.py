"""What a security test report says, read from its text alone (no git, no disk): its front-matter fields,
its result, and its findings, each with its severity and whether it is still open.

The release gate needs three facts from the report of the security step: the tested commit, named by its
full id; the result, which must be ``LULUS``; and no open finding of severity Kritis/Tinggi. Findings are
read from every table whose header has a severity column and a status column (Indonesian or English
names), found as a CommonMark/GFM renderer finds tables (:mod:`toolkit.evidence.markdown`); a finding
counts as open unless its status says it is fixed or closed and its table's re-test column says the re-test
passed (a table without one cannot close a finding). A CVSS score of 7.0 or more makes a finding serious
whatever its severity word says. Whatever cannot be read counts against the release: an unknown severity
of an open finding blocks like a high one, a report without a findings table cannot show that nothing is
open, and what a reader may see otherwise than the gate reads it is a :class:`Doubt` that blocks (a
table in raw HTML, in a quote or list, in indented code; Kritis/Tinggi in another table; a control marked
non-compliant that no finding names; front matter with a duplicate key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from markdown_it.token import Token

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
    doubts: tuple[Doubt, ...] = ()  # what may be read otherwise by a reader: each blocks a release

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


class DoubtKind(StrEnum):
    """What in a report a reader may see otherwise than the gate reads it (each blocks the release)."""

    FRONT_MATTER = "front-matter"  # front matter that cannot be read one way only (a duplicate key, ...)
    HTML_TABLE = "html-table"  # a table written in raw HTML
    NESTED_TABLE = "nested-table"  # a table inside a block quote or a list item
    CODE_ROWS = "code-rows"  # table rows in indented code (some renderers show them as a table)
    SERIOUS_ELSEWHERE = "serious-elsewhere"  # Kritis/Tinggi in a table that is not read as findings
    CONTROL_WITHOUT_FINDING = "control-without-finding"  # a non-compliant control no finding names


class Doubt(NamedTuple):
    line: int  # 1-based
    kind: DoubtKind
    detail: str  # what is meant, as written (a cell, a control's code, a YAML problem)


def parse(text: str) -> SecurityReport:
    """The facts of a security test report (Markdown with YAML front matter)."""
    from toolkit.evidence import markdown
    from toolkit.evidence.contents import read_front_matter

    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    front, problems = read_front_matter(text)
    doubts = [Doubt(line, DoubtKind.FRONT_MATTER, problem) for line, problem in problems]
    front = None if problems else front  # read neither way: the release waits until it reads one way
    fields = {str(k): _field(v) for k, v in (front or {}).items() if v is not None}
    tables = _tables(markdown.parse(markdown.split(text).body), doubts)
    findings_tables = [t for t in tables if t.columns is not None]
    findings = [f for t in findings_tables for f in t.findings()]
    doubts += [d for t in tables if t.columns is None for d in t.doubts(findings)]
    return SecurityReport(
        fields, fields.get(RESULT_FIELD), len(findings_tables), tuple(findings), tuple(sorted(doubts))
    )


def _field(value: object) -> str:
    if isinstance(value, bool):  # YAML's yes/no/true: keep what was meant to be text recognisable
        return "true" if value else "false"
    return str(value)


def _norm(cell: str, note: bool = True) -> str:
    """A cell compared by meaning: emphasis, code marks and case dropped, and (unless ``note`` is
    false) a trailing note in brackets ("Tingkat risiko (Kritis/Tinggi/...)", "Tinggi (CVSS 8.1)")."""
    text = re.sub(r"[*_`]", "", cell)
    if note:
        text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = text.strip().rstrip(".:").strip()
    return " ".join(text.split()).casefold()


Row = tuple[int, tuple[str, ...]]  # (line, cells as a reader sees them)


class _Columns(NamedTuple):
    """Where a findings table keeps what the gate reads."""

    severity: int
    statuses: list[int]
    retests: list[int]
    cvss: list[int]


class _Table(NamedTuple):
    line: int
    header: tuple[str, ...]  # normalised
    rows: list[Row]
    columns: _Columns | None  # None: no findings table

    def findings(self) -> list[Finding]:
        assert self.columns is not None
        found = (_finding(line, cells, self.columns) for line, cells in self.rows)
        return [f for f in found if f is not None]

    def doubts(self, findings: list[Finding]) -> list[Doubt]:
        """Why a table that is not read as findings may hold one: a cell saying Kritis/Tinggi, a control
        marked non-compliant that no finding names by its code."""
        found = [
            Doubt(line, DoubtKind.SERIOUS_ELSEWHERE, cell)
            for line, cells in self.rows
            for cell in cells
            if _norm(cell) in SERIOUS
        ]
        code = next((n for n, name in enumerate(self.header) if name in CODE_HEADERS), None)
        status = next((n for n, name in enumerate(self.header) if name in STATUS_HEADERS), None)
        if code is None or status is None:
            return found
        for line, cells in self.rows:
            said = _norm(cells[status]) if status < len(cells) else ""
            if not said or said in COMPLIANT or said in NOT_APPLICABLE:
                continue
            name = cells[code].strip() if code < len(cells) else ""
            if not name or not any(_names(name, f.cells) for f in findings):
                found.append(Doubt(line, DoubtKind.CONTROL_WITHOUT_FINDING, name or " | ".join(cells)))
        return found


# A controls table (the BSSN areas): a control's code and its status. A control not marked compliant (or
# not applicable) must be a finding: some finding row names its code.
CODE_HEADERS = frozenset({"kode", "kode kontrol", "code", "control code", "control id"})
COMPLIANT = frozenset({"sesuai", "memenuhi", "compliant", "pass", "passed", "lulus"})


def _names(code: str, cells: tuple[str, ...]) -> bool:
    pattern = re.compile(rf"(?<![0-9a-z]){re.escape(code.casefold())}(?![0-9])")
    return any(pattern.search(cell.casefold()) for cell in cells)


_HTML_TABLE = re.compile(r"<\s*/?\s*(table|thead|tbody|tr|td|th)\b", re.I)


def _tables(tokens: list[Token], doubts: list[Doubt]) -> list[_Table]:
    """Every table of the document as a renderer shows it. What a renderer may show as a table but is
    not read as one (raw HTML, rows in indented code), and tables nested in quotes or lists, go to
    ``doubts``."""
    from toolkit.evidence.markdown import shown

    tables: list[_Table] = []
    rows: list[Row] = []
    cells: list[str] = []
    in_cell = False
    for token in tokens:
        line = token.map[0] + 1 if token.map else 0
        if token.type == "table_open":
            rows = []
            if token.level > 0:
                doubts.append(Doubt(line, DoubtKind.NESTED_TABLE, ""))
        elif token.type == "tr_open":
            rows.append((line, ()))
            cells = []
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "tr_close":
            rows[-1] = (rows[-1][0], tuple(cells))
        elif token.type == "table_close" and rows:
            header = tuple(_norm(c) for c in rows[0][1])
            tables.append(_Table(rows[0][0], header, rows[1:], _columns(header)))
        elif token.type == "inline" and in_cell:
            cells.append(shown(token))
        if _html_table(token):
            doubts.append(Doubt(line, DoubtKind.HTML_TABLE, ""))
        elif token.type == "code_block":
            piped = [n for n, row in enumerate(token.content.split("\n")) if row.lstrip().startswith("|")]
            if piped:
                doubts.append(Doubt(line + piped[0], DoubtKind.CODE_ROWS, ""))
    return tables


def _html_table(token: Token) -> bool:
    if token.type == "html_block":
        return bool(_HTML_TABLE.search(token.content))
    return token.type == "inline" and any(
        c.type == "html_inline" and _HTML_TABLE.search(c.content) for c in token.children or ()
    )


def _columns(header: tuple[str, ...]) -> _Columns | None:
    """Where a findings table keeps severity, status, re-test and CVSS (None: no findings table)."""
    severity = next((n for n, name in enumerate(header) if name in SEVERITY_HEADERS), None)
    statuses = [n for n, name in enumerate(header) if name in STATUS_HEADERS]
    if severity is None or not statuses:
        return None
    return _Columns(
        severity,
        statuses,
        [n for n, name in enumerate(header) if name in RETEST_HEADERS],
        [n for n, name in enumerate(header) if name in CVSS_HEADERS],
    )


def _finding(line: int, cells: tuple[str, ...], at: _Columns) -> Finding | None:
    """One row of a findings table; ``None`` for an empty row or one that says there is no finding and
    leaves its severity, status and CVSS empty or not applicable."""

    def cell(n: int) -> str:
        return cells[n] if n < len(cells) else ""

    if not any(_norm(c) for c in cells):
        return None
    severity = cell(at.severity)
    statuses = tuple(cell(n) for n in at.statuses)
    read = {at.severity, *at.statuses, *at.retests, *at.cvss}
    says_none = any(_norm(c) in NO_FINDING for n, c in enumerate(cells) if n not in read)
    judged = [severity, *statuses, *(cell(n) for n in at.cvss)]
    if says_none and all(_norm(c, note=False) in NOT_APPLICABLE for c in judged):
        return None
    closed = all(_norm(s, note=False) in CLOSED for s in statuses)
    # closed only once re-tested: a table without a re-test column cannot show that a fix holds
    retested = bool(at.retests) and all(_norm(cell(n), note=False) in RETEST_PASSED for n in at.retests)
    level = _norm(severity)
    known = level in SERIOUS or level in MINOR
    serious = level not in MINOR or any(_cvss(cell(n)) >= CVSS_SERIOUS for n in at.cvss)
    return Finding(line, cells, severity, statuses, not (closed and retested), serious, known)


_CVSS_VECTOR = re.compile(r"\bCVSS:\d+(?:\.\d+)?/\S*", re.I)
_OUT_OF_TEN = re.compile(r"/\s*10(?:[.,]0+)?(?![\d.,])")
_SCORE = re.compile(r"(?<![\d.,])\d{1,2}(?:[.,]\d{1,2})?(?![\d.,])")


def _cvss(cell: str) -> float:
    """The CVSS base score a cell gives: the highest number from 0 to 10 in it once vector strings
    ("CVSS:3.1/AV:N/...") and "/10" are taken out (0 when it gives none)."""
    text = _OUT_OF_TEN.sub(" ", _CVSS_VECTOR.sub(" ", cell))
    scores = [float(n.replace(",", ".")) for n in _SCORE.findall(text)]
    return max((n for n in scores if 0 <= n <= 10), default=0.0)
