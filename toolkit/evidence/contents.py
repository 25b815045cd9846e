"""What an artefact file must hold, by kind: a regular, non-empty file of a readable size; Markdown with
no template placeholder left, its required sections non-empty and its front-matter fields set; a real PDF;
a real image; SQL and UML sources that look like SQL and UML.

Imported only when a file has to be judged: verdicts reached before come from the cache.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from toolkit.evidence.model import ArtefactState, Contents, Entry, FileResult
from toolkit.i18n import _
from toolkit.sop.model import Artefact, Settings

if TYPE_CHECKING:
    from markdown_it.token import Token


def check_file(artefact: Artefact, entry: Entry, contents: Contents, settings: Settings) -> FileResult:
    if entry.mode == "120000":
        return ArtefactState.INVALID, [_("is a symbolic link; store the document itself")]
    if not entry.is_regular:
        return ArtefactState.INVALID, [_("is not a regular file (a submodule?)")]
    if entry.size > settings.max_artefact_bytes:
        return ArtefactState.INVALID, [
            _("is {size} bytes, more than the limit of {limit}").format(
                size=entry.size, limit=settings.max_artefact_bytes
            )
        ]
    if entry.size == 0:
        return ArtefactState.INVALID, [_("is empty")]
    data = contents.get(entry.sha)
    if data is None:
        return ArtefactState.INVALID, [_("cannot be read from the repository")]
    return KIND_CHECKS[artefact.kind](artefact, data, settings)


def _text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")  # Windows line endings read as any other
    except UnicodeDecodeError:
        return None


def _not_text() -> FileResult:
    return ArtefactState.INVALID, [_("is not UTF-8 text (binary content?)")]


# The template's example content (a sample CREATE TABLE, sample table rows, a sample diagram) lies between
# these two marks, in whatever comment the file's language has. Either mark left means the example is too.
EXAMPLE_START, EXAMPLE_END = "[[CONTOH", "CONTOH]]"
# Either mark in any letter case, with spaces inside ("[[ contoh", "contoh ]]").
_EXAMPLE_MARK = re.compile(r"\[\[\s*contoh|contoh\s*\]\]", re.I)


def example_mark(line: str) -> bool:
    return bool(_EXAMPLE_MARK.search(line))


def _placeholder(text: str, settings: Settings) -> list[str]:
    """Why ``text`` still holds the template's own content: a placeholder to fill in, an example to
    replace (empty when it holds neither)."""
    rows = text.splitlines()
    reasons = []
    line = next((n for n, row in enumerate(rows, 1) if settings.placeholder in row), None)
    if line is not None:
        reasons.append(
            _("line {line} still has the template placeholder '{marker}'; fill it in").format(
                line=line, marker=settings.placeholder
            )
        )
    marks = [n for n, row in enumerate(rows, 1) if example_mark(row)]
    if marks:
        reasons.append(
            _(
                "lines {first}-{last} still hold the template's example (marked {start} ... {end}); "
                "replace it with the real content and remove the marks"
            ).format(first=marks[0], last=marks[-1], start=EXAMPLE_START, end=EXAMPLE_END)
        )
    return reasons


_NUMBERING = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)*\.?|[A-Z]\.|[IVX]+\.)\s+")


def _sections(text: str) -> dict[str, bool]:
    """Heading text (numbering dropped, case folded) -> whether its section has any content. Headings are
    found as a CommonMark renderer finds them (outside fences, indented code, quotes and lists), and so
    is the content (an HTML comment alone is none)."""
    from toolkit.evidence import markdown

    tokens = markdown.parse(markdown.split(text).body)
    headings: list[tuple[int, int, str]] = []  # (token index, level, title)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            title = markdown.shown(tokens[index + 1])
            headings.append((index, int(token.tag[1]), _NUMBERING.sub("", title).casefold()))
    found: dict[str, bool] = {}
    for position, (index, level, title) in enumerate(headings):
        end = len(tokens)
        for later_index, later_level, _title in headings[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        content = any(_shows(token) for token in tokens[index + 3 : end])  # after heading_close
        found[title] = found.get(title, False) or content
    return found


def _shows(token: Token) -> bool:
    """Whether a block token shows something (a comment or an empty paragraph does not)."""
    if token.type == "html_block":
        return bool(re.sub(r"<!--.*?-->", "", token.content, flags=re.S).strip())
    if token.type == "inline":
        return bool(token.content.strip()) and bool(_visible(token))
    return token.type in ("fence", "code_block", "hr", "table_open")


def _visible(token: Token) -> str:
    from toolkit.evidence.markdown import shown

    return shown(token) or ("image" if any(c.type == "image" for c in token.children or ()) else "")


def front_matter(text: str) -> dict[str, object] | None:
    """The front-matter fields of ``text``; None when it has none, or none that reads one way only."""
    data, problems = read_front_matter(text)
    return None if problems else data


def read_front_matter(text: str) -> tuple[dict[str, object] | None, list[tuple[int, str]]]:
    """The front matter of ``text`` (None when the file has none) and, by file line, what makes it
    ambiguous or unreadable: a duplicate key (PyYAML alone would keep the last one silently), a YAML
    syntax error, no mapping. Read with the policy's own YAML reader (:mod:`toolkit.sop.source`)."""
    from toolkit.evidence.markdown import split

    front = split(text.replace("\r\n", "\n")).front  # a document saved with Windows line endings
    if front is None or not front.strip():
        return None, []
    from toolkit.sop.source import parse_yaml  # here: a gate run whose verdicts are all known never needs it

    located, problems = parse_yaml(b"\n" + front.encode(), "")  # a first line: lines as in the file
    found = [(p.line, p.message) for p in problems]
    if located is None:
        return None, found or [(1, _("the front matter is empty"))]
    if not isinstance(located.data, dict):
        return None, [*found, (2, _("the front matter is not a list of 'field: value' lines"))]
    return located.data, found


def _field_reasons(artefact: Artefact, text: str) -> list[str]:
    """Why the front matter does not fill the artefact's fields: it cannot be read one way only, it is
    missing, a field is empty, or a field holds a value the policy does not allow (``values``)."""
    front, problems = read_front_matter(text)
    if problems:
        return [
            _("front matter, line {line}: {problem}").format(line=line, problem=problem)
            for line, problem in problems
        ]
    if front is None:
        return [
            _("has no front matter (--- ... ---) with the fields {fields}").format(
                fields=", ".join(artefact.fields)
            )
        ]
    reasons = []
    allowed = dict(artefact.values)
    for name in artefact.fields:
        value = front.get(name)
        if value is None or not str(value).strip():
            reasons.append(_("front-matter field '{field}' is not filled in").format(field=name))
        elif name in allowed and _same_words(str(value)) not in {_same_words(v) for v in allowed[name]}:
            reasons.append(
                _("front-matter field '{field}' is '{value}'; it must be one of: {allowed}").format(
                    field=name, value=" ".join(str(value).split())[:80], allowed=" / ".join(allowed[name])
                )
            )
    return reasons


def _same_words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _markdown(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    text = _text(data)
    if text is None:
        return _not_text()
    reasons = _placeholder(text, settings)
    if artefact.fields:
        reasons += _field_reasons(artefact, text)
    if artefact.sections:
        found = _sections(text)
        for section in artefact.sections:
            has_body = found.get(section.casefold())
            if has_body is None:
                reasons.append(_("section '{section}' is missing").format(section=section))
            elif not has_body:
                reasons.append(_("section '{section}' is empty").format(section=section))
    if not text.strip():
        reasons.append(_("is empty"))
    return (ArtefactState.UNFILLED if reasons else ArtefactState.PRESENT), reasons


def looks_like_pdf(data: bytes) -> bool:
    """A PDF header near the start, ``startxref`` and ``%%EOF`` near the end."""
    head, tail = data[:1024], data[-1024:]
    return bool(re.search(rb"%PDF-[12]\.[0-9]", head)) and b"%%EOF" in tail and b"startxref" in data[-4096:]


def _pdf(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    if not looks_like_pdf(data):
        return ArtefactState.INVALID, [_("is not a valid PDF (no PDF header, startxref or %%EOF)")]
    return ArtefactState.PRESENT, []


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _image(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (data.startswith(_IMAGE_MAGIC) or webp):
        return ArtefactState.INVALID, [_("is not a PNG, JPEG, GIF or WebP image")]
    return ArtefactState.PRESENT, []


_SQL = re.compile(r"\b(create|alter|insert|select|update|delete|drop|grant|comment)\b", re.I)
_SQL_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_UML = re.compile(
    r"@start(uml|er|mindmap)\b|^\s*(erDiagram|classDiagram|sequenceDiagram|stateDiagram"
    r"(-v2)?|flowchart|graph|usecaseDiagram)\b",
    re.M,
)


def _source(pattern: re.Pattern[str], kind: str) -> Callable[[Artefact, bytes, Settings], FileResult]:
    def check(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
        text = _text(data)
        if text is None:
            return _not_text()
        reasons = _placeholder(text, settings)
        code = _SQL_COMMENTS.sub("", text) if kind == "sql" else text
        if not pattern.search(code):
            return ArtefactState.INVALID, [_("does not look like {kind}").format(kind=kind.upper())]
        return (ArtefactState.UNFILLED if reasons else ArtefactState.PRESENT), reasons

    return check


def _any(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    return ArtefactState.PRESENT, []


KIND_CHECKS: dict[str, Callable[[Artefact, bytes, Settings], FileResult]] = {
    "markdown": _markdown,
    "pdf": _pdf,
    "image": _image,
    "sql": _source(_SQL, "sql"),
    "uml": _source(_UML, "uml"),
    "any": _any,
}
