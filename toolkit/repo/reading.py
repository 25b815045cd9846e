"""Reading a change from git for the gate: the files of both ends, the judging rules' blobs and the head's
history, each git process started as early as it can be, so that git works on one core while Python
imports and decides on the other. Forge-neutral: the plain server and the GitHub check read alike."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.cache import NO_CACHE, Cache
from toolkit.evidence.model import CommitInfo, Snapshot, ancestry
from toolkit.paths import ANSWERS_FILE, POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    changed_paths,
    read_snapshot,
    resolve,
    start_diff,
    start_lookup,
    start_snapshot,
)
from toolkit.repo.histories import History

if TYPE_CHECKING:
    from toolkit.gate.model import Rules


class EarlyWalk(NamedTuple):
    folders: list[str]  # what it follows commit by commit
    history: History


class Trees(NamedTuple):
    """The files of a change from ``base`` to ``head`` (no base: a new repository), read first: the rules
    that judge it are among them."""

    head: str
    base: str | None
    head_files: Snapshot
    base_files: Snapshot
    paths: tuple[str, ...]  # paths whose content differs
    rules_blobs: dict[str, bytes]  # the judging commit's policy, roster and answers, by blob id
    walk: EarlyWalk | None  # the head's history, its walk started early


class Commits(NamedTuple):
    """The history of the head, and what of it the base has."""

    all: tuple[CommitInfo, ...]  # oldest first
    known: frozenset[str]  # the commits the base already has
    rewritten: bool  # the base is not an ancestor of the head


def _resolve_with_rules(
    repo: Path, revs: list[str], rules_of: str | None
) -> tuple[list[str], dict[str, bytes], bytes | None]:
    """Resolve ``revs`` to commit ids and read the rules of ``rules_of``, in one git process: the blobs of
    its policy, roster and answers by id, and the policy's own."""
    names = [f"{rev}^{{commit}}" for rev in revs]
    files = (POLICY_FILE, ROSTER_FILE, ANSWERS_FILE)
    rules = [f"{rules_of}^{{commit}}:{file}" for file in files] if rules_of else []
    found = start_lookup(repo, names + rules).get() if not any("\n" in n for n in names) else {}
    # a revision git cannot resolve is resolved once more, for git's own words on why
    commits = [found[n].id if n in found else resolve(repo, rev) for n, rev in zip(names, revs, strict=True)]
    blobs = {found[n].id: found[n].content for n in rules if n in found and found[n].kind == "blob"}
    policy = found.get(rules[0]) if rules else None
    return commits, blobs, policy.content if policy is not None and policy.kind == "blob" else None


def read_trees(
    repo: Path, base_rev: str | None, head_rev: str, rules_of: str | None = None, cache: Cache = NO_CACHE
) -> Trees:
    """The files of the change; the rules' blobs are read from ``rules_of`` (default: the base). The
    history walk, which takes git longest, starts as soon as the policy tells which folders it follows."""
    revs = [head_rev, *([base_rev] if base_rev else [])]
    (head, *rest), blobs, policy = _resolve_with_rules(repo, revs, rules_of or base_rev)
    base = rest[0] if rest else None
    head_tree = start_snapshot(repo, head)
    walk = _early_walk(repo, head, base, policy, cache)
    # A base judged before is most likely a few commits behind (a server sees push after push): its files
    # are then the head's with git's diff undone, rather than a second listing of the whole tree.
    diff = start_diff(repo, base, head) if base is not None and walk and walk.history.base_seen else None
    base_tree = start_snapshot(repo, base) if diff is None else None
    head_files = head_tree.get()
    changes = diff.get() if diff is not None else None
    if changes is not None and not head_files.undecodable:
        before = Snapshot(base, head_files.entries.before(changes))
        return Trees(head, base, head_files, before, tuple(sorted(p for p, _m, _s in changes)), blobs, walk)
    base_files = base_tree.get() if base_tree is not None else read_snapshot(repo, base)
    if head_files.undecodable or base_files.undecodable:  # such names are not in the entries
        return Trees(head, base, head_files, base_files, changed_paths(repo, base, head), blobs, walk)
    return Trees(head, base, head_files, base_files, tuple(head_files.changed_from(base_files)), blobs, walk)


def _early_walk(
    repo: Path, head: str, base: str | None, policy: bytes | None, cache: Cache
) -> EarlyWalk | None:
    """The history walk over the folders ``policy`` follows, started before the rules are settled.
    A policy never validated before takes longer to validate than the walk takes: its folders are then
    read from the unchecked YAML, a guess that :func:`read_commits` uses only when the validated policy
    follows the same folders."""
    from toolkit import sop
    from toolkit.repo.gather import pathspecs

    if policy is None:
        return None
    validated = sop.known(policy, cache)
    specs = pathspecs(validated) if validated is not None else _guessed_folders(policy)
    return EarlyWalk(specs, History(repo, head, specs, cache, base)) if specs is not None else None


def _guessed_folders(policy: bytes) -> list[str] | None:
    """The folders an unchecked policy seems to follow; ``None`` when it is too odd to tell (too large, not
    YAML, not shaped like a policy, or aliases repeating more patterns than a policy holds)."""
    import itertools

    import yaml

    from toolkit.repo.gather import folders_of
    from toolkit.sop.source import MAX_FILE_BYTES

    if len(policy) > MAX_FILE_BYTES:
        return None
    try:
        data = yaml.load(policy, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        found = (a["path"] for s in data["steps"] for a in s["artefacts"])
        patterns = list(itertools.islice(itertools.chain(found, data["policy"]["paths"]), 10_001))
    except (yaml.YAMLError, KeyError, TypeError, ValueError):
        return None
    if len(patterns) > 10_000 or not all(isinstance(p, str) for p in patterns):
        return None  # never str() of what YAML aliases may have made enormous
    return folders_of(patterns)


def read_commits(
    repo: Path,
    trees: Trees,
    rules: Rules,
    cache: Cache = NO_CACHE,
) -> Commits:
    """The head's history as the gate needs it under ``rules`` (:func:`toolkit.repo.gather.history_of`;
    who a forge links to commits joins later, :func:`toolkit.forge.judge.signed_history`)."""
    from toolkit.repo.gather import history_of, pathspecs

    specs = pathspecs(rules.sop)
    early = trees.walk.history if trees.walk is not None and trees.walk.folders == specs else None
    walk = early or History(repo, trees.head, specs, cache, trees.base)
    commits = history_of(repo, rules, walk.get())
    if trees.base is None:
        return Commits(commits, frozenset(), False)
    if any(c.sha == trees.base for c in commits):  # the base's history is the head's, up to the base
        return Commits(commits, frozenset(ancestry(commits, trees.base)), False)
    based = History(repo, trees.base, specs, cache).get()
    return Commits(commits, frozenset(c.sha for c in based), True)
