"""Reading what a repository holds at a commit, straight from git's objects (no work tree needed, so the
same code serves a clone, a CI checkout and a bare server repository inside a pre-receive hook)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from toolkit.evidence.model import CommitInfo, Entry, Snapshot
from toolkit.forge.git import git, git_env

ZERO = "0" * 40


def _decode_path(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _git_bytes(repo: Path, args: list[str]) -> bytes:
    result = subprocess.run(["git", *args], cwd=repo, env=git_env(), capture_output=True, check=False)
    if result.returncode != 0:
        from toolkit.errors import UserError
        from toolkit.i18n import _

        raise UserError(
            _("git {command} failed in {path}: {error}").format(
                command=args[0], path=repo, error=result.stderr.decode(errors="replace").strip()
            )
        )
    return result.stdout


def resolve(repo: Path, rev: str) -> str:
    """The full commit id of ``rev``; a :class:`UserError` when there is no such commit."""
    return git(["rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"], repo).strip()


def read_snapshot(repo: Path, rev: str | None) -> Snapshot:
    """Every file of the commit ``rev`` (``None``: the empty tree before the first commit)."""
    if rev is None:
        return Snapshot(None, {}, ())
    out = _git_bytes(repo, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev])
    entries: dict[str, Entry] = {}
    bad: list[str] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _sep, raw_path = record.partition(b"\t")
        mode, kind, sha, size = meta.split()
        path = _decode_path(raw_path)
        if path is None:
            bad.append(raw_path.decode("utf-8", "backslashreplace"))
            continue
        entries[path] = Entry(
            path, mode.decode(), kind.decode(), sha.decode(), int(size) if size != b"-" else 0
        )
    return Snapshot(rev, entries, tuple(bad))


def read_objects(repo: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The raw contents of the given objects (blobs, commits), read through one ``git cat-file --batch``;
    missing objects are left out."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    result = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        env=git_env(),
        check=True,
        input="".join(f"{sha}\n" for sha in wanted).encode(),
        capture_output=True,
    )
    out, blobs, pos = result.stdout, {}, 0
    for sha in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) < 3:  # "<sha> missing"
            pos = end + 1
            continue
        size = int(header[2])
        blobs[sha] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def read_commits(repo: Path, revs: list[str]) -> list[CommitInfo]:
    """Commits selected by ``revs`` (``git log`` arguments), oldest first, with the paths each changed."""
    out = _git_bytes(
        repo,
        [
            "log",
            "--topo-order",
            "--reverse",
            "--no-renames",
            "-z",
            "--name-only",
            "--format=%x1e%H%x1f%P%x1f%ae%x1f%ct%x1f%G?",
            *revs,
            "--",
        ],
    )
    commits = []
    for chunk in out.split(b"\x1e")[1:]:
        header, _sep, rest = chunk.partition(b"\0")
        sha, parents, email, when, _signed = header.decode("utf-8", "replace").split("\x1f")
        names = [n for n in rest.lstrip(b"\n").split(b"\0") if n]
        paths = tuple(
            p if p is not None else n.decode("utf-8", "backslashreplace")
            for n, p in ((n, _decode_path(n)) for n in names)
        )
        commits.append(CommitInfo(sha, tuple(parents.split()), email.lower(), int(when or 0), paths))
    return commits


def changed_paths(repo: Path, base: str | None, head: str) -> tuple[str, ...]:
    """Paths whose content differs between ``base`` and ``head`` (all of ``head``'s when no base)."""
    if base is None:
        out = _git_bytes(repo, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", head])
    else:
        out = _git_bytes(repo, ["diff", "--no-renames", "--name-only", "-z", base, head, "--"])
    return tuple(n.decode("utf-8", "backslashreplace") for n in out.split(b"\0") if n)


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    return (
        subprocess.run(
            ["git", "merge-base", "--is-ancestor", ancestor, descendant],
            cwd=repo,
            env=git_env(),
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
