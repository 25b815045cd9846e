"""Reading what a repository holds at a commit, straight from git's objects (no work tree needed, so the
same code serves a clone, a CI checkout and a bare server repository inside a pre-receive hook).

Every read can be *started* and collected later: the gate starts its reads together, so that git works
on one core while Python imports and decides on the other.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from toolkit.evidence.identity import with_accounts
from toolkit.evidence.model import CommitInfo, Entries, Snapshot
from toolkit.repo.git import git_env

ZERO = "0" * 40
EMPTY_TREES = {  # the id of the empty tree, in SHA-1 and SHA-256 repositories
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}
# Settings a user's configuration could set that would change the output the parsers below expect.
_PLAIN = ["-c", "core.quotepath=false", "-c", "log.showroot=true", "-c", "color.ui=never"]
_PLAIN += ["-c", "i18n.logOutputEncoding=UTF-8"]  # messages and names re-encoded as UTF-8, whatever they were

T = TypeVar("T")


class Pending:
    """A git command running in the background; :meth:`output` waits for it and returns its output."""

    def __init__(self, repo: Path, args: list[str], stdin: bytes | None = None) -> None:
        self._repo, self._args = repo, args
        self._result: tuple[bytes, bytes] = (b"", b"")
        try:
            self._process = subprocess.Popen(
                ["git", *_PLAIN, *args],
                cwd=repo,
                env=git_env(),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as exc:
            from toolkit.errors import UserError
            from toolkit.i18n import _

            raise UserError(_("git is not installed or not on PATH; install git and try again")) from exc
        # A reader thread drains the pipes as git writes, so git never waits on a full pipe.
        self._reader = threading.Thread(target=self._communicate, args=(stdin,), daemon=True)
        self._reader.start()

    def _communicate(self, stdin: bytes | None) -> None:
        self._result = self._process.communicate(stdin)

    def output(self) -> bytes:
        self._reader.join()
        out, err = self._result
        if self._process.returncode != 0:
            from toolkit.errors import UserError
            from toolkit.i18n import _

            raise UserError(
                _("git {command} failed in {path}: {error}").format(
                    command=self._args[0], path=self._repo, error=err.decode(errors="replace").strip()
                )
            )
        return out


def stream(repo: Path, args: list[str], stdin: bytes) -> Generator[bytes, None, None]:
    """git's output in chunks as git writes it, for output that only a reader who stops early keeps
    small (a hostile tree of a million paths): closing the iterator before the end stops git."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["git", *_PLAIN, *args],
            cwd=repo,
            env=git_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert process.stdin is not None and process.stdout is not None
        feed, out = process.stdin, process.stdout

        def write() -> None:  # beside the reads: git stops reading its input while its output waits
            try:
                feed.write(stdin)
                feed.close()
            except BrokenPipeError:  # git ended (or was stopped) before it read everything
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        finished = False
        try:
            while chunk := out.read(65536):
                yield chunk
            finished = True
        finally:
            if not finished:
                process.kill()
            out.close()
            process.wait()
            writer.join()
        if process.returncode != 0:
            from toolkit.errors import UserError
            from toolkit.i18n import _

            errors.seek(0)
            raise UserError(
                _("git {command} failed in {path}: {error}").format(
                    command=args[0], path=repo, error=errors.read().decode(errors="replace").strip()
                )
            )


class Later(Generic[T]):
    """The parsed result of a :class:`Pending` read, parsed once, when first asked for."""

    def __init__(self, pending: Pending, parse: Callable[[bytes], T]) -> None:
        self._pending, self._parse = pending, parse
        self._value: tuple[T] | None = None

    @classmethod
    def ready(cls, value: T) -> Later[T]:
        """A result known without asking git."""
        later = cls.__new__(cls)
        later._value = (value,)
        return later

    def get(self) -> T:
        if self._value is None:
            self._value = (self._parse(self._pending.output()),)
        return self._value[0]


def _git_bytes(repo: Path, args: list[str]) -> bytes:
    return Pending(repo, args).output()


def _decode_path(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def resolve(repo: Path, rev: str) -> str:
    """The full commit id of ``rev``; a :class:`UserError` when there is no such commit."""
    return (
        _git_bytes(repo, ["rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"]).decode().strip()
    )


def ref_tip(repo: Path, ref: str) -> str | None:
    """The object id the full ref ``ref`` holds, read as exactly that ref; ``None`` when there is none.
    (``rev-parse refs/remotes/origin/main`` would take a tag of that name when the branch is missing.)"""
    from toolkit.errors import UserError

    try:
        out = Pending(repo, ["show-ref", "--verify", ref]).output().decode("utf-8", "replace")
    except UserError:
        return None
    found = out.split("\n", 1)[0].split(" ")
    if len(found) != 2 or found[1] != ref or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", found[0]):
        return None
    return found[0]


def start_snapshot(repo: Path, rev: str | None) -> Later[Snapshot]:
    """Every file of the commit ``rev`` (``None``: the empty tree before the first commit)."""
    if rev is None:
        return Later.ready(Snapshot(None, Entries({}), ()))
    return Later(Pending(repo, ["ls-tree", "-r", "-z", "--full-tree", rev]), lambda out: _snapshot(rev, out))


def read_snapshot(repo: Path, rev: str | None) -> Snapshot:
    return start_snapshot(repo, rev).get()


def _snapshot(rev: str, out: bytes) -> Snapshot:
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return _snapshot_slowly(rev, out)
    records = {}
    for record in text.split("\0")[:-1]:  # "mode kind id<TAB>path"; no name holds a NUL
        meta, path = record.split("\t", 1)
        records[path] = meta
    return Snapshot(rev, Entries(records), ())


def _snapshot_slowly(rev: str, out: bytes) -> Snapshot:
    """The same, name by name, for a tree holding names that are not UTF-8 (reported, never matched)."""
    records: dict[str, str] = {}
    bad: list[str] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _sep, raw_path = record.partition(b"\t")
        path = _decode_path(raw_path)
        if path is None:
            bad.append(raw_path.decode("utf-8", "backslashreplace"))
            continue
        records[path] = meta.decode()
    return Snapshot(rev, Entries(records), tuple(bad))


class GitObject(NamedTuple):
    id: str
    kind: str  # blob, tree, commit, tag
    content: bytes


_ID = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")


def start_lookup(repo: Path, names: Iterable[str]) -> Later[dict[str, GitObject]]:
    """The objects git finds for ``names`` (ids, or expressions such as ``main^{commit}`` and
    ``rev:path``), read through one ``git cat-file --batch``, by the name asked for; a name git cannot
    resolve is left out."""
    wanted = list(dict.fromkeys(names))
    if any("\n" in name for name in wanted):
        raise ValueError("an object name cannot hold a newline")  # the batch protocol is line-based
    stdin = "".join(f"{name}\n" for name in wanted).encode()
    return Later(Pending(repo, ["cat-file", "--batch"], stdin), lambda out: _objects(wanted, out))


def start_diff(repo: Path, base: str, head: str) -> Later[list[tuple[str, str, str]] | None]:
    """What ``base..head`` changed, path by path: (path, mode, id) as it was in ``base`` (mode
    ``000000``: the path is new). ``None`` when a changed name is not UTF-8 (the caller lists the tree)."""
    args = ["diff-tree", "-r", "-z", "--no-renames", "--ignore-submodules=none", "--raw", base, head]
    return Later(Pending(repo, args), _diff)


# ":<old mode> <new mode> <old id> <new id> <status>" NUL <path> NUL, record after record
_RAW = re.compile(r":([0-7]{6}) [0-7]{6} ([0-9a-f]+) [0-9a-f]+ [A-Z][0-9]*\0([^\0]*)\0")


def _diff(out: bytes) -> list[tuple[str, str, str]] | None:
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return [(path, mode, sha) for mode, sha, path in _RAW.findall(text)]


def read_sizes(repo: Path, ids: Iterable[str]) -> dict[str, int]:
    """The size in bytes of each object (missing ones left out), from one ``git cat-file --batch-check``."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    out = Pending(repo, ["cat-file", "--batch-check"], "".join(f"{i}\n" for i in wanted).encode()).output()
    sizes = {}
    for line in out.decode().splitlines():
        found = line.split()  # "<id> <kind> <size>", or "<id> missing"
        if len(found) == 3 and found[2].isdigit():
            sizes[found[0]] = int(found[2])
    return sizes


def read_objects(repo: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The contents of the objects named (missing ones left out)."""
    wanted = list(names)
    found = start_lookup(repo, wanted).get() if wanted else {}
    return {name: found_object.content for name, found_object in found.items()}


def _objects(wanted: list[str], out: bytes) -> dict[str, GitObject]:
    found, pos = {}, 0
    for name in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3 or not header[2].isdigit() or not _ID.fullmatch(header[0]):
            pos = end + 1  # "<name> missing" (or "ambiguous"), the name perhaps holding spaces
            continue
        size = int(header[2])
        found[name] = GitObject(header[0].decode(), header[1].decode(), out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return found


def start_history(
    repo: Path, rev: str, pathspecs: Iterable[str] = (), since: list[CommitInfo] | None = None
) -> Later[list[CommitInfo]]:
    """The commits reachable from ``rev``, oldest first, in one walk. Each carries the paths it changed
    among ``pathspecs`` (folders or files; none: every path; a merge: against its first parent, so an edit
    made inside a merge is seen), the people who made it (author, committer, ``Co-authored-by:``
    co-authors) and whether it changed nothing at all. ``since``: the history of a commit walked before;
    only the commits it lacks are walked then."""
    people = "%ae%x1f%ce%x1f%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1d)"
    specs = [f":(literal){p}" for p in pathspecs]
    # --full-history --sparse keeps every commit, while the path filter keeps the name lists short.
    args = ["log", "--topo-order", "--reverse", "--full-history", "--sparse", "--no-renames", "--no-color"]
    args += ["--no-show-signature", "--ignore-submodules=none", "--name-only", "--diff-merges=first-parent"]
    args += [f"--format=%x1e%H %T %ct %P%x1f{people}", rev, *([f"^{since[-1].sha}"] if since else [])]
    trees = {c.sha: c.tree for c in since or ()}
    return Later(Pending(repo, [*args, "--", *specs]), lambda out: _history(out, trees))


def read_history(repo: Path, rev: str, pathspecs: Iterable[str] = ()) -> list[CommitInfo]:
    return start_history(repo, rev, pathspecs).get()


def mentions_coauthors(repo: Path, rev: str) -> set[str]:
    """The commits reachable from ``rev`` whose message names a co-author anywhere: git reads
    ``Co-authored-by:`` only in the closing block of trailers, GitHub links it on any line."""
    out = Pending(repo, ["log", "--format=%H", "-i", "-F", "--grep=co-authored-by", rev, "--"]).output()
    return set(out.decode("ascii", "replace").split())


def read_paths(repo: Path, commits: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every path each of ``commits`` changed (a merge: against its first parent)."""
    wanted = list(dict.fromkeys(commits))
    if not wanted:
        return {}
    args = ["log", "--no-walk=unsorted", "--stdin", "--no-renames", "--no-color", "--name-only"]
    args += ["--ignore-submodules=none"]
    args += ["--diff-merges=first-parent", "--format=%x1e%H"]
    out = Pending(repo, args, "".join(f"{sha}\n" for sha in wanted).encode()).output()
    text = out.decode("utf-8", "surrogateescape")
    found = {}
    for record in text[1:].split("\n\x1e") if text else ():
        sha, _sep, body = record.partition("\n")
        found[sha] = _names(body) if body.strip() else ()
    return found


_EMAIL = re.compile(r"<([^<>]*)>")


def _history(out: bytes, trees: dict[str, str] | None = None) -> list[CommitInfo]:
    # A record is a header line (sha, tree, time, parents; then, after \x1f each, the author's and the
    # committer's e-mail and the co-authors) and the names it changed, one per line. Names come C-quoted
    # when they hold a control character (quotepath is off, so other names come out as they are): no line
    # but a header starts with the mark \x1e. Bytes that are not UTF-8 survive decoding as surrogates,
    # and names holding them are escaped.
    commits: list[CommitInfo] = []
    trees = {} if trees is None else trees  # commit -> tree, for telling empty commits
    text = out.decode("utf-8", "surrogateescape")
    for record in text[1:].split("\n\x1e") if text else ():
        header, _sep, body = record.partition("\n")
        ids, *who = header.split("\x1f")
        sha, tree, when, *parents = _header(ids)
        trees[sha] = tree
        empty = trees.get(parents[0]) == tree if len(parents) == 1 else not parents and tree in EMPTY_TREES
        names = _names(body) if body.strip() else ()
        author, committer, coauthors = [*who, "", "", ""][:3]
        if author == committer and not coauthors and author.isascii():  # most commits: one person
            people: tuple[str, ...] = (author.lower(),)
        else:
            emails = [author, committer, *_EMAIL.findall(coauthors)]
            people = tuple(dict.fromkeys(_text(e).lower() for e in emails if e))
        if "noreply.github.com" in header.lower():  # GitHub's no-reply address names an account
            people = with_accounts(people)
        commits.append(CommitInfo(sha, tuple(parents), people, int(when), names, empty, tree))
    return commits


def _header(ids: str) -> list[str]:
    """Commit, tree, time and parents; an error the user can act on when git could not print them (a
    commit whose ``encoding`` header names a text encoding its bytes are not in garbles its dates)."""
    fields = ids.split()
    if len(fields) < 3 or not fields[2].isdigit():
        from toolkit.errors import UserError
        from toolkit.i18n import _

        raise UserError(
            _(
                "cannot decide: git cannot read the author, committer and date of commit {commit} back (its "
                "'encoding' header names an encoding its text is not in?); re-create it without one"
            ).format(commit=(fields or ["?"])[0][:12])
        )
    return fields


def _names(body: str) -> tuple[str, ...]:
    lines = [line for line in body.split("\n") if line]
    return tuple(_text(_unquote(line.encode("utf-8", "surrogateescape"))) for line in lines)


def _text(raw: str | bytes) -> str:
    """A name or e-mail as text; bytes that are not UTF-8 shown escaped (``\\xff``)."""
    if isinstance(raw, str) and raw.isascii():
        return raw
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    return data.decode("utf-8", "backslashreplace")


_C_ESCAPE = re.compile(rb'\\([0-7]{3}|[abtnvfr"\\])')
_C_LETTERS = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def _unquote(name: bytes) -> bytes:
    """A name as git prints it (``"tab\\there"`` for a name it had to quote) back to its bytes."""
    if not (len(name) >= 2 and name.startswith(b'"') and name.endswith(b'"')):
        return name

    def byte(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        return bytes([_C_LETTERS[code] if code in _C_LETTERS else int(code, 8)])

    return _C_ESCAPE.sub(byte, name[1:-1])


def rev_list(repo: Path, spec: str) -> set[str]:
    return set(_git_bytes(repo, ["rev-list", spec]).decode().split())


def changed_paths(repo: Path, base: str | None, head: str) -> tuple[str, ...]:
    """Paths whose content differs between ``base`` and ``head`` (all of ``head``'s when no base)."""
    if base is None:
        out = _git_bytes(repo, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", head])
    else:
        args = ["diff", "--no-renames", "--ignore-submodules=none", "--name-only", "-z", base, head, "--"]
        out = _git_bytes(repo, args)
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


def working_tree_branch(repo: Path, path: str) -> tuple[str | None, bool]:
    """The branch checked out in the working tree around ``repo`` (``None``: detached, or not a git
    working tree) and whether ``path`` in it has changes not committed."""
    from toolkit.errors import UserError

    try:
        branch = _git_bytes(repo, ["symbolic-ref", "--short", "-q", "HEAD"]).decode(errors="replace").strip()
    except UserError:
        branch = ""
    try:
        changed = bool(_git_bytes(repo, ["status", "--porcelain", "--", path]).strip())
    except UserError:
        changed = False
    return branch or None, changed
