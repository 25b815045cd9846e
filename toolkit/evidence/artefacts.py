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
from collections.abc import Iterable, KeysView, Mapping

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
    return next((p for p in _folded(snapshot).get(_fold(path), ()) if p != path), None)


_FOLDED: list[tuple[KeysView[str], dict[str, list[str]]]] = []


def _folded(snapshot: Snapshot) -> dict[str, list[str]]:
    """The paths of ``snapshot`` by their folded form (letter case and Unicode form ignored). Made once
    per set of names: the base and the head of a push mostly hold the same names."""
    names = snapshot.entries.keys()
    for known, folded in _FOLDED:
        if known == names:
            return folded
    folded = {}
    for path in names:  # an ASCII name folds to its lower case: no need to normalise it
        folded.setdefault(path.lower() if path.isascii() else _fold(path), []).append(path)
    _FOLDED[:] = [(names, folded), *_FOLDED[:3]]
    return folded


_INVISIBLE = re.compile("[\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def suspicious_names(paths: Iterable[str], snapshot: Snapshot) -> list[tuple[str, dict[str, str]]]:
    """Problems with the names of the files of ``snapshot`` among ``paths`` (others are left alone), as
    (code, what it names): names that collide with another file after folding case and Unicode form
    (they check out as one file on Windows and macOS), and control or invisible formatting characters."""
    paths = list(paths)
    folded = _folded(snapshot)
    if len(folded) == len(snapshot.entries) and not _INVISIBLE.search("/".join(paths)):
        return []  # the usual case, told without a look at each name
    problems: list[tuple[str, dict[str, str]]] = []
    for path in sorted(set(paths) & snapshot.entries.keys()):
        if _INVISIBLE.search(path):
            problems.append(("name.invisible", {"name": path.encode("unicode_escape").decode()}))
        twins = [p for p in folded[_fold(path)] if p != path]
        if twins:
            problems.append(("name.case-twin", {"name": path, "other": twins[0]}))
    return problems
