"""What each registry commit changes, read from git one folder level at a time.

A transition adds files at ``requests/<ID>/<file>``, the first commit ``README.md`` and ``.sop/*``: no
valid commit changes anything deeper than three levels or more than :data:`MAX_COMMIT_FILES` files. A
recursive ``git diff-tree`` would hold every changed path of a commit before writing one (git queues the
whole diff): a hostile commit of four objects nesting a million paths cost the server's hook 770 MiB. So
the trees are compared level by level, deeper only where a valid commit can go, a commit is left as soon as
it changes more than any transition does, and no folder listing larger than :data:`MAX_TREE_BYTES` is
read. The commit keeps what was seen (a folder left unread is a change of that folder), which is enough for
the decision to refuse it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from pathlib import Path
from typing import NamedTuple

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.intake.decide import FileChange
from toolkit.intake.model import MAX_COMMIT_FILES
from toolkit.repo.gitread import EMPTY_TREES, Pending, read_sizes, stream

DEPTH = 3  # requests/<ID>/<file>: the deepest a valid commit changes
TREE = "040000"
ABSENT = "000000"
# a folder listing git compares at once: the requests/ folder of some 60,000 requests (35 bytes each);
# comparing one costs about 0.1 s, so a window of commits (registry.FIRST_WINDOW) costs little
MAX_TREE_BYTES = 2 * 1024 * 1024


class _Pair(NamedTuple):
    """Two trees to compare: a folder of ``commit`` at ``prefix``, before and after."""

    commit: str
    prefix: str
    old: str
    new: str


def changes_of(repo: Path, listed: list[tuple[str, tuple[str, ...]]]) -> dict[str, list[FileChange]]:
    """What each commit of ``listed`` (id, parents) changes against its first parent, with sizes and no
    contents yet."""
    found: dict[str, list[FileChange]] = {sha: [] for sha, _parents in listed}
    if not listed:
        return found
    empty = next(t for t in EMPTY_TREES if len(t) == len(listed[0][0]))
    roots = _tree_ids(repo, [n for sha, parents in listed for n in (*parents[:1], sha)])
    level = [
        _Pair(sha, "", roots.get(parents[0], empty) if parents else empty, roots.get(sha, empty))
        for sha, parents in listed
    ]
    counted = dict.fromkeys(found, 0)  # the changes kept, and the folders still to read, of each commit
    for depth in range(1, DEPTH + 1):
        deeper: dict[str, list[_Pair]] = {}
        for pair, meta, name in _compared(repo, _small(repo, level, found)):
            if counted[pair.commit] > MAX_COMMIT_FILES:
                continue  # refused already: one change more than a valid commit makes is kept
            counted[pair.commit] += 1
            old_mode, mode, old, new, status = meta[1:].decode().split()
            path = pair.prefix + name.decode("utf-8", "surrogateescape")
            if depth < DEPTH and {old_mode, mode} <= {TREE, ABSENT}:
                inside = _Pair(
                    pair.commit,
                    path + "/",
                    old if old_mode == TREE else empty,
                    new if mode == TREE else empty,
                )
                deeper.setdefault(pair.commit, []).append(inside)
            else:
                found[pair.commit].append(FileChange(path, status[0], mode, new, -1, None))
            if counted[pair.commit] > MAX_COMMIT_FILES:  # its folders are kept as changes, not read
                found[pair.commit] += [_folder(p) for p in deeper.pop(pair.commit, [])]
        level = [p for pairs in deeper.values() for p in pairs]
        for pair in level:  # a folder read is counted by what it holds
            counted[pair.commit] -= 1
    sizes = read_sizes(repo, [c.sha for kept in found.values() for c in kept if c.mode not in (TREE, ABSENT)])
    return {
        sha: [c if c.mode in (TREE, ABSENT) else c._replace(size=sizes.get(c.sha, -1)) for c in kept]
        for sha, kept in found.items()
    }


def _small(repo: Path, level: list[_Pair], found: dict[str, list[FileChange]]) -> list[_Pair]:
    """The pairs git may compare: two trees (an entry a hand-made tree calls a folder may be a file, which
    git would skip with no header, misplacing every entry after it), no larger than
    :data:`MAX_TREE_BYTES`. Any other is kept as a change of its own, unread (refused: not a file)."""
    script = "".join(f"{t}\n" for t in dict.fromkeys(t for pair in level for t in (pair.old, pair.new)))
    out = Pending(
        repo, ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], script.encode()
    )
    trees = {
        parts[0]: int(parts[2])
        for parts in (line.split() for line in out.output().decode().splitlines())
        if len(parts) == 3 and parts[1] == "tree" and parts[2].isdigit()
    }
    small = []
    for pair in level:
        if (
            max(trees.get(pair.old, MAX_TREE_BYTES + 1), trees.get(pair.new, MAX_TREE_BYTES + 1))
            > MAX_TREE_BYTES
        ):
            found[pair.commit].append(_folder(pair))
        else:
            small.append(pair)
    return small


def _folder(pair: _Pair) -> FileChange:
    """A folder a commit changes, kept as one change (refused: a transition changes files)."""
    return FileChange(pair.prefix.rstrip("/") or ".", "M", TREE, pair.new, -1, None)


def _tree_ids(repo: Path, commits: Iterable[str]) -> dict[str, str]:
    """The tree of each commit (one ``cat-file`` for all)."""
    wanted = list(dict.fromkeys(commits))
    script = "".join(f"{sha}^{{tree}}\n" for sha in wanted).encode()
    out = Pending(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], script).output()
    lines = out.decode().splitlines()
    return {sha: line.split()[0] for sha, line in zip(wanted, lines, strict=True) if line.endswith(" tree")}


def _compared(repo: Path, pairs: list[_Pair]) -> Generator[tuple[_Pair, bytes, bytes], None, None]:
    """The entries that differ between the trees of each pair, one level deep, read as git writes them:
    (pair, the ``:`` line, the name). One ``git diff-tree`` for all pairs; each pair's output starts with
    a line naming its two trees (``--always``: also when they do not differ)."""
    if not pairs:
        return
    script = "".join(f"{p.old} {p.new}\n" for p in pairs).encode()
    chunks = stream(repo, ["diff-tree", "--stdin", "-z", "--raw", "--always", "--no-renames"], script)
    index, meta, rest = -1, b"", b""
    try:
        for chunk in chunks:
            *tokens, rest = (rest + chunk).split(b"\0")
            for token in tokens:
                if meta:  # the name of the entry just read
                    yield pairs[index], meta, token
                    meta = b""
                    continue
                for line in token.split(b"\n"):
                    if line.startswith(b":"):
                        meta = line
                    elif line:  # the next pair's two trees, as asked: anything else is not git's answer
                        index += 1
                        if index >= len(pairs) or line.decode() != f"{pairs[index].old} {pairs[index].new}":
                            raise UserError(
                                _("git diff-tree answered out of turn in {path}; nothing is judged").format(
                                    path=repo
                                )
                            )
    finally:
        chunks.close()
