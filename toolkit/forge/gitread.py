"""Reading what a repository holds at a commit, straight from git's objects (no work tree needed, so the
same code serves a clone, a CI checkout and a bare server repository inside a pre-receive hook)."""

from __future__ import annotations

import re
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


_LS_TREE = re.compile(r"(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([^\0]*)\0")


def read_snapshot(repo: Path, rev: str | None) -> Snapshot:
    """Every file of the commit ``rev`` (``None``: the empty tree before the first commit)."""
    if rev is None:
        return Snapshot(None, {}, ())
    out = _git_bytes(repo, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev])
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return _read_snapshot_slowly(rev, out)
    entries = {
        path: Entry(path, mode, kind, sha, int(size) if size != "-" else 0)
        for mode, kind, sha, size, path in _LS_TREE.findall(text)
    }
    return Snapshot(rev, entries, ())


def _read_snapshot_slowly(rev: str, out: bytes) -> Snapshot:
    """The same, name by name, for a tree holding names that are not UTF-8 (reported, never matched)."""
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


def _names(repo: Path, args: list[str]) -> dict[str, tuple[str, ...]]:
    """sha -> changed paths, from ``git log --name-only`` with ``args``."""
    out = _git_bytes(repo, ["log", "--no-renames", "-z", "--name-only", "--format=%x1e%H", *args])
    names: dict[str, tuple[str, ...]] = {}
    for chunk in out.split(b"\x1e")[1:]:
        sha, _sep, rest = chunk.partition(b"\0")
        raw = [n for n in rest.lstrip(b"\n").split(b"\0") if n]
        names[sha.decode().strip()] = tuple(
            p if p is not None else n.decode("utf-8", "backslashreplace")
            for n, p in ((n, _decode_path(n)) for n in raw)
        )
    return names


def read_history(repo: Path, rev: str, pathspecs: Iterable[str]) -> list[CommitInfo]:
    """The commits reachable from ``rev``, oldest first. Each carries the paths it changed among
    ``pathspecs`` (folders or files; none: every path); a commit whose message
    has sign-off trailers carries all the paths it changed (a sign-off must change none)."""
    from concurrent.futures import ThreadPoolExecutor

    specs = [f":(literal){p}" for p in pathspecs]
    with ThreadPoolExecutor(max_workers=3) as pool:  # three walks of the same history, side by side
        order = pool.submit(
            _git_bytes, repo, ["log", "--topo-order", "--reverse", "--format=%H%x1f%P%x1f%ae%x1f%ct", rev]
        )
        touching = pool.submit(_names, repo, [rev, "--", *specs])
        claiming = pool.submit(_names, repo, ["--extended-regexp", "--grep=^Sop-(Step|Role|Digest):", rev])
        out, touched, claims = order.result(), touching.result(), claiming.result()
    touched.update(claims)
    commits = []
    for line in out.decode("utf-8", "replace").splitlines():
        sha, parents, email, when = line.split("\x1f")
        commits.append(
            CommitInfo(
                sha,
                tuple(parents.split()),
                email.lower(),
                int(when or 0),
                touched.get(sha, ()),
                sha in claims,
            )
        )

    return commits


def rev_list(repo: Path, spec: str) -> set[str]:
    return set(git(["rev-list", spec], repo).split())


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
