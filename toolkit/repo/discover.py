"""Finding the application repositories under a folder: a folder of clones, or of a server's bare
repositories. Symbolic links are never followed (a link cannot lead the walk out of the folder), the walk
goes at most :data:`MAX_DEPTH` folders deep and does not enter a repository it found, nor hidden folders."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.paths import ANSWERS_FILE, POLICY_FILE
from toolkit.repo.gitread import GitObject, Later, start_lookup

REGISTRY_README = "README.md"  # a request registry's (toolkit.intake), which has no scaffold answers

MAX_DEPTH = 4  # ROOT/group/name.git is 2; room for an office's own grouping, never a walk of a whole disk


class Found(NamedTuple):
    """A git repository under the root."""

    path: Path
    name: str  # its path below the root, with "/" (the root itself: its own folder name)
    bare: bool


def repositories(root: Path, max_depth: int = MAX_DEPTH) -> list[Found]:
    """The git repositories under ``root`` (``root`` itself included), sorted by name."""
    try:
        info = root.lstat()
    except OSError as error:
        raise UserError(_("cannot read {path}: {error}").format(path=root, error=error.strerror)) from error
    if not stat.S_ISDIR(info.st_mode):
        raise UserError(
            _("{path} is not a folder: give the folder that holds the application repositories").format(
                path=root
            )
        )
    return sorted(_walk(root, root, max_depth), key=lambda f: f.name)


def _walk(root: Path, folder: Path, depth: int) -> Iterator[Found]:
    kind = _repository_kind(folder)
    if kind is not None:
        name = folder.relative_to(root).as_posix() if folder != root else folder.name
        yield Found(folder, name, kind == "bare")
        return
    if depth == 0:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return  # an unreadable folder holds nothing we can report on
    for entry in entries:
        if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
            yield from _walk(root, Path(entry.path), depth - 1)


def _repository_kind(folder: Path) -> str | None:
    """``"work"`` for a work tree with its own ``.git`` folder, ``"bare"`` for a bare repository, else
    ``None``. A ``.git`` file (a linked work tree or a submodule) points elsewhere and is not followed."""
    if _is(folder / ".git", stat.S_ISDIR):
        return "work"
    if (
        _is(folder / "HEAD", stat.S_ISREG)
        and _is(folder / "objects", stat.S_ISDIR)
        and _is(folder / "refs", stat.S_ISDIR)
    ):
        return "bare"
    return None


def _is(path: Path, kind: object) -> bool:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return bool(kind(mode))  # type: ignore[operator]


def branch_ref(branch: str) -> str:
    """The full ref of ``branch``: a name is read only as ``refs/heads/NAME``; a full ref as given."""
    return branch if branch.startswith("refs/") else f"refs/heads/{branch}"


class Application(NamedTuple):
    """A repository that holds an application (its policy is on the branch), or that may and cannot be
    read: the policy only on HEAD (the branch is missing), or git cannot read the repository."""

    repo: Found
    problem: str | None = None
    answers: bytes = b""  # the scaffold answers on the branch (the application's name)


def start_probe(repo: Found, ref: str) -> Later[dict[str, GitObject]]:
    """Start looking for the policy on ``ref`` and on HEAD, and reading the scaffold answers (one git
    process)."""
    names = [
        f"{ref}:{POLICY_FILE}",
        f"HEAD:{POLICY_FILE}",
        f"{ref}:{ANSWERS_FILE}",
        f"{ref}:{REGISTRY_README}",
    ]
    return start_lookup(repo.path, names)


def _is_registry(readme: GitObject | None) -> bool:
    from toolkit.intake.registry import README_TEXT

    return readme is not None and readme.content.startswith(README_TEXT.split("\n", 1)[0].encode())


def applications(found: list[Found], branch: str, at_once: int = 8) -> list[Application]:
    """The repositories of ``found`` that hold an application (``.sop/sop.yaml`` on the branch or HEAD);
    ``at_once`` git processes run together."""
    ref = branch_ref(branch)
    result: list[Application] = []
    for start in range(0, len(found), at_once):
        chunk = found[start : start + at_once]
        probes = [start_probe(repo, ref) for repo in chunk]
        for repo, probe in zip(chunk, probes, strict=True):
            try:
                seen = probe.get()
            except UserError as error:  # reported, never skipped: it may be an application
                result.append(Application(repo, error.message))
                continue
            if f"{ref}:{POLICY_FILE}" in seen:
                answers = seen.get(f"{ref}:{ANSWERS_FILE}")
                if answers is None and _is_registry(seen.get(f"{ref}:{REGISTRY_README}")):
                    continue  # the request registry holds requests, not an application
                result.append(Application(repo, answers=answers.content if answers is not None else b""))
            elif f"HEAD:{POLICY_FILE}" in seen:
                why = _("cannot decide: {ref} holds no {file} but HEAD does; name the branch with --branch")
                result.append(Application(repo, why.format(ref=ref, file=POLICY_FILE)))
    return result
