"""Histories remembered per commit.

The commits reachable from a commit never change (its id pins them all), so the gate's walk of them is
kept in the cache, under the commit, the folders walked and the code that read them. A push whose base
was seen before walks only the commits it brings, and keeps only those, linked to the base's history;
a second look at the same commit walks nothing. Only the latest few histories are kept: on a server, the
next push starts where the last one ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from toolkit import cache
from toolkit.evidence.model import CommitInfo
from toolkit.repo.gitread import Later, start_history

NAMESPACE = "histories"
KEEP = 32  # histories kept; the oldest go first
LINKS = 8  # a history kept as "its base's, and these commits" at most this many times over


class History:
    """The history of ``head`` as it arrives: from the cache, or a walk of what the cache lacks."""

    def __init__(self, repo: Path, head: str, pathspecs: Iterable[str], base: str | None = None) -> None:
        self._repo, self._head, self._specs = repo, head, list(pathspecs)
        self.pathspecs = self._specs
        self._known = _remembered(head, self._specs)
        self._since = None if self._known is not None or base is None else _remembered(base, self._specs)
        # the base was judged before (a server sees push after push): the change is likely small
        self.base_seen = self._since is not None or (
            base is not None and cache.has(NAMESPACE, _key(base, self._specs))
        )
        self._walk: Later[list[CommitInfo]] | None = None
        if self._known is None:
            self._walk = start_history(repo, head, self._specs, self._since.commits if self._since else None)

    def get(self) -> list[CommitInfo]:
        if self._known is None:
            assert self._walk is not None
            new = self._walk.get()
            since = self._since
            if since is not None and not _continues(since.commits[-1].sha, new):
                new = start_history(self._repo, self._head, self._specs).get()  # not an ancestor: walk all
                since = None
            if since is None:
                self._known = _Remembered(new, 0)
            else:
                self._known = _Remembered([*since.commits, *new], since.links + 1)
            _remember(self._head, self._specs, new, since)
        return self._known.commits


class _Remembered(NamedTuple):
    commits: list[CommitInfo]
    links: int  # how many "base and these commits" steps it is kept as


def _continues(base: str, new: list[CommitInfo]) -> bool:
    """Whether the commits ``new`` walked since ``base`` sit on top of it (``base`` is an ancestor)."""
    return any(base in c.parents for c in new)


def _key(commit: str, pathspecs: list[str]) -> str:
    # the code that reads git: how it walks, and how git is told to read (replace objects, grafts)
    reading = Path(__file__).parent.parent / "repo"
    code = cache.code_identity(reading / "gitread.py", reading / "git.py")
    return cache.key(code, commit.encode(), "\n".join(pathspecs).encode())


def _remembered(commit: str, pathspecs: list[str], depth: int = 0) -> _Remembered | None:
    """A history kept whole (a list of commits), or as the history of an earlier commit and the commits
    since (``{"on": commit, "commits": [...]}``); ``None`` when it is not kept, or damaged."""
    data = cache.lookup_json(NAMESPACE, _key(commit, pathspecs))
    try:
        if isinstance(data, dict) and isinstance(data.get("on"), str) and depth < LINKS:
            earlier = _remembered(data["on"], pathspecs, depth + 1)
            if earlier is None:
                return None
            found = _Remembered([*earlier.commits, *map(_commit, data["commits"])], earlier.links + 1)
        elif isinstance(data, list):
            found = _Remembered([_commit(item) for item in data], 0)
        else:
            return None
    except (TypeError, ValueError, KeyError):
        return None  # a damaged entry: walk again
    return found if found.commits and found.commits[-1].sha == commit else None


def _commit(item: Any) -> CommitInfo:
    sha, tree, parents, author, when, paths, empty = item
    if not all(isinstance(x, str) for x in (sha, tree, author, *parents, *paths)):
        raise TypeError("not a remembered commit")
    return CommitInfo(sha, tuple(parents), author, int(when), tuple(paths), bool(empty), tree)


def _remember(
    commit: str, pathspecs: list[str], commits: list[CommitInfo], on: _Remembered | None = None
) -> None:
    """Keep the history of ``commit``: ``commits`` whole, or, walked on top of the kept history ``on``,
    as that one's and ``commits`` (a push then writes only its own commits) unless the chain is long."""
    import json

    def rows(commits: list[CommitInfo]) -> list[list[Any]]:
        return [[c.sha, c.tree, list(c.parents), c.author, c.time, list(c.paths), c.empty] for c in commits]

    if on is not None and on.links + 1 < LINKS:
        data: Any = {"on": on.commits[-1].sha, "commits": rows(commits)}
    else:
        data = rows([*(on.commits if on else ()), *commits])
    cache.store(NAMESPACE, _key(commit, pathspecs), json.dumps(data, ensure_ascii=False))
    cache.trim(NAMESPACE, KEEP)
