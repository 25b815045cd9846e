"""The stand-in's repositories are real bare git repositories: every branch, commit, tree and blob it
serves comes from git plumbing, and pull-request merges write real commits."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.repo.git import git_env

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class GitError(Exception):
    """A git command failed; the stand-in answers it as GitHub would (422 or 409)."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    date: str  # ISO 8601, UTC ("2026-01-02T03:04:05Z")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    path: str
    size: int | None


@dataclass(frozen=True)
class FileChange:
    status: str  # GitHub's words: added, removed, modified, renamed
    path: str
    previous: str | None
    additions: int
    deletions: int
    sha: str | None


def _git_date(iso: str) -> str:
    """git accepts ISO 8601 with a zone; GitHub's ``Z`` is written as ``+0000``."""
    return iso.replace("Z", "+0000")


def _iso(epoch: str) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitStore:
    """One bare repository."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.extra_env: dict[str, str] = {}  # a pre-receive hook's quarantine, while it is judged

    @classmethod
    def create(cls, path: Path, default_branch: str) -> GitStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--bare", "-q", f"--initial-branch={default_branch}", str(path)],
            check=True,
            env=git_env(),
            capture_output=True,
        )
        store = cls(path)
        store.run("config", "receive.advertisePushOptions", "true")
        return store

    def run(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
        result = self.run_raw(args, data=data, env=env)
        if result.returncode != 0:
            raise GitError(result.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
        return result.stdout.decode(errors="replace")

    def run_raw(
        self, args: Sequence[str], *, data: bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        full_env = git_env()
        full_env.update(self.extra_env)
        full_env.update(env or {})
        return subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=data,
            capture_output=True,
            env=full_env,
            check=False,
        )

    # ---- refs
    def rev(self, name: str) -> str | None:
        """The commit a branch, a full ref or a (short) object id names, or None."""
        for candidate in (f"refs/heads/{name}", name):
            result = self.run_raw(["rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"])
            if result.returncode == 0:
                return result.stdout.decode().strip()
        return None

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        out = self.run("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines())  # type: ignore[misc]

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        self.run("update-ref", ref, new, *([old] if old else []))

    def delete_ref(self, ref: str) -> None:
        self.run("update-ref", "-d", ref)

    # ---- objects
    def object_type(self, sha: str) -> str | None:
        result = self.run_raw(["cat-file", "-t", sha])
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def write_blob(self, content: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", data=content).strip()

    def read_blob(self, sha: str) -> bytes:
        result = self.run_raw(["cat-file", "blob", sha])
        if result.returncode != 0:
            raise GitError(f"no blob {sha}")
        return result.stdout

    def ls_tree(self, treeish: str, path: str = "", recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", *(["-r", "-t"] if recursive else []), treeish]
        if path:
            args += ["--", path]
        out = self.run(*args)
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, name = record.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, name, None if size == "-" else int(size)))
        return entries

    def entry(self, commit: str, path: str) -> TreeEntry | None:
        """The tree entry at ``path`` in ``commit`` (a file or a folder), or None."""
        path = path.strip("/")
        if not path:
            return TreeEntry("040000", "tree", self.run("rev-parse", f"{commit}^{{tree}}").strip(), "", None)
        found = [e for e in self.ls_tree(commit, path) if e.path == path]
        return found[0] if found else None

    def write_tree(self, base_tree: str | None, changes: Iterable[tuple[str, str, str | None]]) -> str:
        """A new tree: ``base_tree`` with each ``(path, mode, sha)`` set (sha None removes the path),
        written through a private index so nested paths become nested trees as git makes them."""
        index = self.path / f"standin-index-{os.getpid()}-{id(self)}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            self.run("read-tree", *([base_tree] if base_tree else ["--empty"]), env=env)
            for path, mode, sha in changes:
                if sha is None:
                    self.run("update-index", "--force-remove", "--", path, env=env)
                else:
                    self.run("update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=env)
            return self.run("write-tree", env=env).strip()
        finally:
            index.unlink(missing_ok=True)

    def commit_tree(
        self, tree: str, parents: Sequence[str], message: str, author: Person, committer: Person
    ) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": _git_date(author.date),
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": _git_date(committer.date),
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.run(*args, data=message.encode(), env=env).strip()

    def commit(self, sha: str) -> CommitInfo:
        return commits_of(self, [sha])[0]

    # ---- history
    def rev_list(self, *args: str) -> list[str]:
        return self.run("rev-list", *args).split()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run_raw(["merge-base", "--is-ancestor", ancestor, descendant]).returncode == 0

    def merge_base(self, one: str, other: str) -> str | None:
        result = self.run_raw(["merge-base", one, other])
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def merged_tree(self, ours: str, theirs: str, base: str | None = None) -> str | None:
        """The tree of merging ``theirs`` into ``ours`` (git's own merge), or None on a conflict. With
        ``base`` (a cherry-pick: the change from ``base`` to ``theirs`` applied to ``ours``) git's
        three-way index merge is used, since ``merge-tree --merge-base`` needs git 2.40."""
        if base is None:
            result = self.run_raw(["merge-tree", "--write-tree", "--no-messages", ours, theirs])
            return result.stdout.decode().split()[0] if result.returncode == 0 else None
        index = self.path / f"standin-index-{os.getpid()}-{id(self)}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if self.run_raw(
                ["read-tree", "-i", "-m", "--aggressive", base, ours, theirs], env=env
            ).returncode:
                return None
            written = self.run_raw(["write-tree"], env=env)
            return written.stdout.decode().strip() if written.returncode == 0 else None
        finally:
            index.unlink(missing_ok=True)

    def changes(self, old: str, new: str) -> list[FileChange]:
        """Files changed from ``old`` to ``new`` with line counts (renames found as git finds them)."""
        out = self.run("diff", "--raw", "--numstat", "-z", "-M", "--no-abbrev", old, new).split("\0")
        words = {"A": "added", "D": "removed", "M": "modified", "T": "changed", "R": "renamed", "C": "copied"}
        raw: list[tuple[str, str, str | None, str | None]] = []
        i = 0
        while i < len(out) and out[i].startswith(":"):
            meta = out[i].split()
            code, new_sha = meta[4], meta[3]
            if code[0] in "RC":
                previous, path = out[i + 1], out[i + 2]
                i += 3
            else:
                previous, path = None, out[i + 1]
                i += 2
            raw.append((words.get(code[0], "changed"), path, previous, None if code[0] == "D" else new_sha))
        counts: list[tuple[int, int]] = []
        while i < len(out):
            if not out[i]:
                i += 1
                continue
            add, delete, rest = out[i].split("\t", 2)
            counts.append((int(add) if add != "-" else 0, int(delete) if delete != "-" else 0))
            i += 3 if rest == "" else 1  # a rename's numstat row is followed by its two paths
        return [
            FileChange(status, path, previous, *counts[n], sha)
            for n, (status, path, previous, sha) in enumerate(raw)
        ]


def commits_of(store: GitStore, shas: Sequence[str]) -> list[CommitInfo]:
    """Many commits read by one git process (a page of history, say)."""
    if not shas:
        return []
    fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B%x1e"
    out = store.run("show", "-s", "--no-walk=unsorted", f"--format={fmt}", *shas)
    found = []
    for raw in out.split("\x1e"):
        record = raw.lstrip("\n")
        if not record:
            continue
        f = record.split("\0", 9)
        found.append(
            CommitInfo(
                f[0],
                f[1],
                tuple(f[2].split()),
                Person(f[3], f[4], _iso(f[5])),
                Person(f[6], f[7], _iso(f[8])),
                f[9].rstrip("\n"),
            )
        )
    return found
