"""Histories remembered per commit.

A commit's id pins every commit reachable from it, as git stores them (and sop-toolkit reads git as
stored: no replace objects, no grafts), so the gate's walk of it over a set of folders is kept in the
cache under the repository, the commit and the folders. A second look at the same commit walks nothing; a
push whose base was walked before walks only the commits it brings. A shallow clone is never remembered:
its history stops where the clone did, and deepening it changes what a commit's history is.

Measured (``benchmarks/gate_check.py``, 2,000 commits): the walk and its parsing are a fifth of a warm
gate run, reading the remembered history a twentieth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.cache import Cache
from toolkit.evidence.model import CommitInfo
from toolkit.repo.gitread import Later, start_history

NAMESPACE = "histories"
KEEP = 32  # histories kept; the oldest go first


class History:
    """The history of ``head`` over ``pathspecs`` as it arrives: remembered, or walked (only the commits
    since ``base`` when the base's history is remembered)."""

    def __init__(
        self, repo: Path, head: str, pathspecs: list[str], cache: Cache, base: str | None = None
    ) -> None:
        self.pathspecs = pathspecs
        self._repo, self._head, self._cache = repo, head, cache
        self._where = _identity(repo) if cache.root is not None else None
        self._known = self._remembered(head)
        self._since = self._remembered(base) if self._known is None and base is not None else None
        # whether the base's history was remembered: the sign of a base judged before
        self.base_seen = self._since is not None or (
            base is not None and self._where is not None and self._cache.has(NAMESPACE, self._key(base))
        )
        self._walk: Later[list[CommitInfo]] | None = None
        if self._known is None:
            self._walk = start_history(repo, head, pathspecs, self._since)

    def get(self) -> list[CommitInfo]:
        if self._known is None:
            assert self._walk is not None
            new = self._walk.get()
            if self._since is not None and not _continues(self._since, new):
                new, self._since = start_history(self._repo, self._head, self.pathspecs).get(), None
            self._known = [*(self._since or ()), *new]
            self._remember(self._known)
        return self._known

    def _key(self, commit: str) -> str:
        assert self._where is not None
        return Cache.key(NAMESPACE, self._where, commit.encode(), "\n".join(self.pathspecs).encode())

    def _remembered(self, commit: str | None) -> list[CommitInfo] | None:
        if commit is None or self._where is None:
            return None
        rows = self._cache.lookup(NAMESPACE, self._key(commit))
        try:
            commits = [_commit(row) for row in rows] if isinstance(rows, list) else None
        except (TypeError, ValueError):
            return None  # a damaged entry: walk again
        return commits if commits and commits[-1].sha == commit else None

    def _remember(self, commits: list[CommitInfo]) -> None:
        if self._where is None:
            return
        rows = [
            [c.sha, c.tree, list(c.parents), list(c.people), c.time, list(c.paths), c.empty] for c in commits
        ]
        self._cache.store(NAMESPACE, self._key(self._head), rows)
        self._cache.trim(NAMESPACE, KEEP)


def _identity(repo: Path) -> bytes | None:
    """The repository, for the cache's keys; ``None`` for one whose history must not be remembered: a
    shallow clone, or a folder whose git directory is not plain to see (a linked work tree, a
    sub-folder)."""
    folder = repo.resolve()
    gitdir = folder if (folder / "HEAD").is_file() and (folder / "objects").is_dir() else folder / ".git"
    if not gitdir.is_dir() or (gitdir / "shallow").exists():
        return None
    return str(gitdir).encode()


def _continues(since: list[CommitInfo], new: list[CommitInfo]) -> bool:
    """Whether the commits walked since the base sit on it: the base is a parent of one of them (it is an
    ancestor of the head, so all its history is), and every parent is known."""
    if not any(since[-1].sha in commit.parents for commit in new):
        return False  # the head does not descend from the base: its history is not the base's and more
    known = {c.sha for c in since}
    for commit in new:
        if not known.issuperset(commit.parents):
            return False
        known.add(commit.sha)
    return True


def _commit(row: Any) -> CommitInfo:
    sha, tree, parents, people, when, paths, empty = row
    if not all(isinstance(x, str) for x in (sha, tree, *parents, *people, *paths)) or not isinstance(
        when, int
    ):
        raise TypeError("not a remembered commit")
    return CommitInfo(sha, tuple(parents), tuple(people), when, tuple(paths), bool(empty), tree)
