"""Is each artefact of a step really there and really filled in?

An artefact is *present* only when its file exists as a regular file in the commit (a symlink or a
submodule never counts), is no larger than the policy allows, has the declared kind (a PDF is a PDF, an
image is an image, SQL and UML sources look like SQL and UML), and is filled in: no template placeholder
left, the required Markdown sections present and non-empty, the required front-matter fields set.
Hidden files (``.gitkeep``) are never artefacts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from toolkit.evidence.model import ArtefactCheck, ArtefactState, Entry, Snapshot
from toolkit.i18n import _
from toolkit.sop import globs
from toolkit.sop.model import Artefact, Settings, Step

Contents = Mapping[str, bytes]  # blob sha -> content
FileResult = tuple[ArtefactState, list[str]]  # the verdict on one file: its state and why
Known = Mapping[tuple[str, str], FileResult]  # (artefact pattern, path) -> verdict reached before


def artefact_paths(artefact: Artefact, snapshot: Snapshot) -> list[str]:
    """The files of ``snapshot`` that ``artefact`` names (hidden files excluded)."""
    if not globs.is_glob(artefact.path):
        return [artefact.path] if artefact.path in snapshot.entries else []
    literal = re.split(r"[*?\[]", artefact.path, maxsplit=1)[0]
    folder = literal[: literal.rfind("/") + 1]  # only files below the pattern's fixed folder can match
    regex = globs.compile_pattern(artefact.path)
    return [p for p in snapshot.under(folder) if regex.match(p) and not p.rsplit("/", 1)[-1].startswith(".")]


def step_paths(step: Step, snapshot: Snapshot) -> list[str]:
    return sorted({p for a in step.artefacts for p in artefact_paths(a, snapshot)})


def artefact_files(steps: Iterable[Step], snapshot: Snapshot) -> list[tuple[Artefact, Entry]]:
    """Every (artefact, file) pair of ``snapshot``: what the checks look at, file by file."""
    return [(a, snapshot.entries[p]) for s in steps for a in s.artefacts for p in artefact_paths(a, snapshot)]


def needs_content(entry: Entry, settings: Settings) -> bool:
    """Whether checking ``entry`` reads its content (a regular, non-empty file of a readable size)."""
    return entry.is_regular and 0 < entry.size <= settings.max_artefact_bytes


def check_step(
    step: Step, snapshot: Snapshot, contents: Contents, settings: Settings, known: Known | None = None
) -> list[ArtefactCheck]:
    return [check_artefact(a, snapshot, contents, settings, known) for a in step.artefacts]


def check_artefact(
    artefact: Artefact,
    snapshot: Snapshot,
    contents: Contents,
    settings: Settings,
    known: Known | None = None,
) -> ArtefactCheck:
    """The state of ``artefact`` in ``snapshot``; verdicts on files found in ``known`` are taken as they
    are (they depend only on the artefact, the settings and the file's content)."""
    paths = artefact_paths(artefact, snapshot)
    if not paths:
        reasons = [_("{path} is missing").format(path=artefact.path)]
        lookalike = _lookalike(artefact.path, snapshot)
        if lookalike:
            reasons.append(
                _(
                    "'{found}' differs only in letter case or Unicode form; the name must be exactly '{path}'"
                ).format(found=lookalike, path=artefact.path)
            )
        return ArtefactCheck(artefact.path, ArtefactState.MISSING, (), tuple(reasons), artefact.optional)
    worst = ArtefactState.PRESENT
    problems: list[str] = []
    for path in paths:
        verdict = known.get((artefact.path, path)) if known is not None else None
        state, why = verdict or check_file(artefact, snapshot.entries[path], contents, settings)
        problems += [f"{path}: {reason}" for reason in why]
        if _rank(state) > _rank(worst):
            worst = state
    return ArtefactCheck(artefact.path, worst, tuple(paths), tuple(problems), artefact.optional)


def _rank(state: ArtefactState) -> int:
    return [
        ArtefactState.PRESENT,
        ArtefactState.UNFILLED,
        ArtefactState.INVALID,
        ArtefactState.MISSING,
    ].index(state)


def _fold(path: str) -> str:
    return unicodedata.normalize("NFKC", path).casefold()


def _lookalike(path: str, snapshot: Snapshot) -> str | None:
    return next((p for p in _folded(snapshot).like(path) if p != path), None)


class _Folded(NamedTuple):
    """The paths of a snapshot by their folded form (letter case and Unicode form ignored)."""

    one: dict[str, str]  # folded form -> a path that has it
    twins: dict[str, list[str]]  # folded form -> every path that has it, where more than one does

    def like(self, path: str) -> list[str]:
        """The paths whose folded form is that of ``path``."""
        key = _key(path)
        if key in self.twins:
            return self.twins[key]
        return [self.one[key]] if key in self.one else []


_FOLDED: dict[int, tuple[Snapshot, _Folded]] = {}


def _folded(snapshot: Snapshot) -> _Folded:
    """Built once per snapshot; a tree of ASCII names (the usual one) is folded in one C-level pass."""
    cached = _FOLDED.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    paths = list(snapshot.entries)
    text = "\n".join(paths)
    if paths and text.isascii() and text.count("\n") == len(paths) - 1:
        keys = text.lower().split("\n")
    else:
        keys = [_key(p) for p in paths]
    one = dict(zip(keys, paths, strict=True))
    twins: dict[str, list[str]] = {}
    if len(one) != len(paths):
        for key, path in zip(keys, paths, strict=True):
            twins.setdefault(key, []).append(path)
        twins = {k: v for k, v in twins.items() if len(v) > 1}
    if len(_FOLDED) > 8:
        _FOLDED.clear()
    _FOLDED[id(snapshot)] = (snapshot, _Folded(one, twins))
    return _FOLDED[id(snapshot)][1]


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
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _not_text() -> FileResult:
    return ArtefactState.INVALID, [_("is not UTF-8 text (binary content?)")]


def _placeholder(text: str, settings: Settings) -> list[str]:
    line = next((n for n, row in enumerate(text.splitlines(), 1) if settings.placeholder in row), None)
    if line is None:
        return []
    return [
        _("line {line} still has the template placeholder '{marker}'; fill it in").format(
            line=line, marker=settings.placeholder
        )
    ]


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^(```|~~~)")
_NUMBERING = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)*\.?|[A-Z]\.|[IVX]+\.)\s+")


def _sections(text: str) -> dict[str, bool]:
    """Heading text (numbering dropped, case folded) -> whether its section has any content."""
    lines = text.splitlines()
    found: dict[str, bool] = {}
    fenced = False
    headings: list[tuple[int, int, str]] = []
    for index, line in enumerate(lines):
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            headings.append((index, len(match.group(1)), _NUMBERING.sub("", match.group(2)).casefold()))
    for position, (index, level, title) in enumerate(headings):
        end = len(lines)
        for later_index, later_level, _title in headings[position + 1 :]:
            if later_level <= level:
                end = later_index
                break
        body = "\n".join(lines[index + 1 : end]).strip()
        found[title] = found.get(title, False) or bool(body)
    return found


def front_matter(text: str) -> dict[str, object] | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    if end < 0:
        return None
    import yaml  # here: a gate run whose verdicts are all known never needs it

    try:
        data = yaml.load(text[4:end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _markdown(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    text = _text(data)
    if text is None:
        return _not_text()
    reasons = _placeholder(text, settings)
    if artefact.fields:
        front = front_matter(text)
        if front is None:
            reasons.append(
                _("has no front matter (--- ... ---) with the fields {fields}").format(
                    fields=", ".join(artefact.fields)
                )
            )
        else:
            for name in artefact.fields:
                value = front.get(name)
                if value is None or not str(value).strip():
                    reasons.append(_("front-matter field '{field}' is not filled in").format(field=name))
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


def _pdf(artefact: Artefact, data: bytes, settings: Settings) -> FileResult:
    head, tail = data[:1024], data[-1024:]
    if not re.search(rb"%PDF-[12]\.[0-9]", head) or b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
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


_INVISIBLE = re.compile("[\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _key(path: str) -> str:
    return path.lower() if path.isascii() else _fold(path)


def suspicious_names(paths: Iterable[str], snapshot: Snapshot) -> list[str]:
    """Problems with file names in ``paths``: names that collide with another file after folding case
    and Unicode form (they check out as one file on Windows and macOS), and control or invisible
    formatting characters."""
    paths = sorted(set(paths))
    invisible = _INVISIBLE.search("".join(paths))
    folded = _folded(snapshot)
    if not invisible and not folded.twins:
        return []  # the common case, decided without a look at each name
    problems = []
    for path in paths:
        if _INVISIBLE.search(path):
            problems.append(
                _("'{path}' contains control or invisible formatting characters").format(
                    path=path.encode("unicode_escape").decode()
                )
            )
        twins = [p for p in folded.like(path) if p != path]
        if twins:
            problems.append(
                _("'{path}' and '{other}' differ only in letter case or Unicode form").format(
                    path=path, other=twins[0]
                )
            )
    return problems
