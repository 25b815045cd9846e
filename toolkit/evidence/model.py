"""The facts the gate decides on, as immutable data."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, KeysView, Mapping
from enum import StrEnum
from typing import NamedTuple


class Entry(NamedTuple):
    """One file of a commit, as git records it (a tuple: ten thousand of them are made per commit)."""

    path: str
    mode: str  # 100644, 100755, 120000 (symlink), 160000 (submodule)
    kind: str  # blob, commit
    sha: str
    size: int = -1  # bytes; -1 until asked for (listing a tree with sizes costs git a look at each file)

    @property
    def is_regular(self) -> bool:
        return self.kind == "blob" and self.mode in ("100644", "100755")


class Entries(Mapping[str, Entry]):
    """The files of a commit by path, kept as git lists them (``mode kind id size``): a commit may hold
    ten thousand files and most are never looked at one by one, so an :class:`Entry` is made on access."""

    __slots__ = ("_records",)

    def __init__(self, records: dict[str, str]) -> None:
        self._records = records

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Entries:
        return cls({e.path: f"{e.mode} {e.kind} {e.sha} {e.size}" for e in entries})

    def __getitem__(self, path: str) -> Entry:
        mode, kind, sha, *size = self._records[path].split()
        return Entry(path, mode, kind, sha, int(size[0]) if size and size[0].isdigit() else -1)

    def __contains__(self, path: object) -> bool:
        return path in self._records

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def keys(self) -> KeysView[str]:  # the dict's own view: set operations at C speed
        return self._records.keys()

    def before(self, changes: Iterable[tuple[str, str, str]]) -> Entries:
        """These files as they were before ``changes``: (path, mode, id) of each changed path beforehand,
        mode ``000000`` for a path that did not exist."""
        records = dict(self._records)
        for path, mode, sha in changes:
            if mode == "000000":
                records.pop(path, None)
            else:
                records[path] = f"{mode} {'commit' if mode == '160000' else 'blob'} {sha}"
        return Entries(records)

    def changed_from(self, base: Entries) -> list[str]:
        """The paths whose content or mode differs from ``base``, added and removed ones included."""
        old, new = base._records, self._records
        return sorted([p for p, r in new.items() if old.get(p) != r] + [p for p in old if p not in new])


class Snapshot:
    """Every file of one commit (``rev`` is ``None`` for the empty tree before the first commit).
    Not changed once made."""

    __slots__ = ("_sorted", "entries", "rev", "undecodable")

    def __init__(
        self, rev: str | None, entries: Mapping[str, Entry], undecodable: tuple[str, ...] = ()
    ) -> None:
        self.rev = rev
        # built by hand (tests): a mapping of entries
        self.entries = entries if isinstance(entries, Entries) else Entries.of(entries.values())
        self.undecodable = undecodable  # file names that are not UTF-8 (shown escaped)
        self._sorted: list[str] | None = None

    @property
    def sorted_paths(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.entries)
        return self._sorted

    def under(self, folder: str) -> list[str]:
        """The paths that start with ``folder`` (a prefix ending in '/', or '' for all)."""
        paths = self.sorted_paths
        start = bisect.bisect_left(paths, folder)
        end = bisect.bisect_left(paths, folder + "\U0010ffff") if folder else len(paths)
        return paths[start:end]

    def changed_from(self, base: Snapshot) -> list[str]:
        return self.entries.changed_from(base.entries)


class CommitInfo(NamedTuple):
    """One commit of a history (a tuple: thousands of them are made per gate run)."""

    sha: str
    parents: tuple[str, ...]
    # e-mails, lower-case: the author, the committer, the co-authors; then GitHub accounts (github:login)
    people: tuple[str, ...]
    time: int  # committer time as the committer claims it, seconds since the epoch
    # what it changed (a merge: against its first parent): every path for the commits of roster members,
    # the artefact and policy folders' paths for everyone else's (toolkit.repo.gather.history_of)
    paths: tuple[str, ...]
    empty: bool = False  # it changes no file at all (its tree is its parent's): the shape of a sign-off
    tree: str = ""  # the id of its tree


def ancestry(commits: Iterable[CommitInfo], tip: str) -> set[str]:
    """``tip`` and the commits among ``commits`` that it descends from."""
    parents = {c.sha: c.parents for c in commits}
    seen: set[str] = set()
    stack = [tip]
    while stack:
        sha = stack.pop()
        if sha not in seen:
            seen.add(sha)
            stack.extend(parents.get(sha, ()))
    return seen


class ArtefactState(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    UNFILLED = "unfilled"
    INVALID = "invalid"


Contents = Mapping[str, bytes]  # blob id -> content
FileResult = tuple[ArtefactState, list[str]]  # the verdict on one artefact file: its state and why


class ArtefactCheck(NamedTuple):
    pattern: str
    state: ArtefactState
    paths: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    optional: bool = False


class Signoff(NamedTuple):
    """A sign-off as a provider found it (an SSH-signed commit, a review), before the rules judge it."""

    anchor: str  # the commit it approves: the sign-off commit itself, or the reviewed head of a pull request
    step: str
    role: str
    digest: str  # what it signs: the digest of the files it covers ("" when the provider signs a commit)
    signer: str | None = None  # roster member id, when the provider verified who made it
    time: int = 0  # when it was made, as trusted as the provider can tell (see ``trusted``)
    app: str | None = None  # the application the signed payload names
    problems: tuple[str, ...] = ()  # why the provider already knows it does not count
    trusted: bool = True  # ``time`` is when the enforcement point first saw it, not the signer's claim
    label: str = ""  # how a report names it when it is not a commit of its own ("review 7 by @budi")
