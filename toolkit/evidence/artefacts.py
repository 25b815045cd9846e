"""Is each artefact of a step really there and really filled in?

An artefact is *present* only when its file exists as a regular file in the commit (a symlink or a
submodule never counts), is no larger than the policy allows, has the declared kind (a PDF is a PDF, an
image is an image, SQL and UML sources look like SQL and UML), and is filled in: no template placeholder
left, the required Markdown sections present and non-empty, the required front-matter fields set.
Hidden files (``.gitkeep``) are never artefacts. What each kind of file must hold is
:mod:`toolkit.evidence.contents`; this module finds the files and names the verdict per artefact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from toolkit.evidence.model import ArtefactCheck, ArtefactState, Contents, Entry, FileResult, Snapshot
from toolkit.i18n import _
from toolkit.sop import globs
from toolkit.sop.model import Artefact, Settings, Step

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
        if verdict is None:
            from toolkit.evidence.contents import check_file  # only for files not judged before

            verdict = check_file(artefact, snapshot.entries[path], contents, settings)
        state, why = verdict
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


class _Folded:
    """The paths of a snapshot by their folded form (letter case and Unicode form ignored), worked out
    only as far as a question needs. Most trees hold ASCII names only: those are lower-cased in one pass
    over the joined names, and a name is looked up in that text rather than in a map of ten thousand."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._paths = list(snapshot.entries)
        joined = "\n".join(self._paths)
        self._ascii = joined.isascii() and joined.count("\n") == len(self._paths) - 1
        self._text = f"\n{joined.lower()}\n" if self._ascii else ""
        self._map: dict[str, list[str]] | None = None

    def like(self, path: str) -> list[str]:
        """The paths whose folded form is that of ``path``."""
        key = _key(path)
        if not self._ascii or self._map is not None:
            return self.mapping().get(key, [])
        found, needle, start = [], f"\n{key}\n", 0
        while (at := self._text.find(needle, start)) >= 0:
            found.append(self._paths[self._text.count("\n", 0, at)])
            start = at + 1
        return found

    @property
    def twins(self) -> bool:
        """Whether any two paths share a folded form."""
        if self._ascii:
            lowered = self._text[1:-1].split("\n")
            return len(set(lowered)) != len(lowered)
        return any(len(paths) > 1 for paths in self.mapping().values())

    def mapping(self) -> dict[str, list[str]]:
        """Folded form -> the paths that have it (built on first use: for many lookups)."""
        if self._map is None:
            self._map = {}
            for path in self._paths:
                self._map.setdefault(_key(path), []).append(path)
        return self._map


_FOLDED: dict[int, tuple[Snapshot, _Folded]] = {}


def _folded(snapshot: Snapshot) -> _Folded:
    """Made once per snapshot."""
    cached = _FOLDED.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    if len(_FOLDED) > 8:
        _FOLDED.clear()
    _FOLDED[id(snapshot)] = (snapshot, _Folded(snapshot))
    return _FOLDED[id(snapshot)][1]


_INVISIBLE = re.compile("[\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _key(path: str) -> str:
    return path.lower() if path.isascii() else _fold(path)


def suspicious_names(paths: Iterable[str], snapshot: Snapshot) -> list[str]:
    """Problems with the names of the files of ``snapshot`` among ``paths`` (others are left alone):
    names that collide with another file after folding case and Unicode form (they check out as one
    file on Windows and macOS), and control or invisible formatting characters."""
    paths = list(paths)
    invisible = _INVISIBLE.search("".join(paths))
    folded = _folded(snapshot)
    if not invisible and not folded.twins:
        return []  # the common case, decided without a look at each name
    problems = []
    folded.mapping()  # many names to look up: one map rather than one scan each
    for path in sorted(set(paths) & snapshot.entries.keys()):
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
