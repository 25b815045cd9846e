"""The gate on a plain git repository: read the commits, gather the sign-offs, and hand both to the pure
decision, for a state report, a change or a release.

Reading starts every git process it can at once (one ``cat-file`` for the revisions and the judging
rules, the head's tree, its history, the change's diff), so that git works on one core while Python
imports and decides on the other.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.cache import Cache
from toolkit.evidence.model import CommitInfo, Snapshot
from toolkit.forge.plain import pushlog
from toolkit.paths import ANSWERS_FILE, POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    ZERO,
    changed_paths,
    is_ancestor,
    read_history,
    read_snapshot,
    resolve,
    start_diff,
    start_history,
    start_lookup,
    start_snapshot,
)

if TYPE_CHECKING:
    from toolkit.gate.model import Report, Rules, View
    from toolkit.repo.gather import SignoffSource


# --- reading -------------------------------------------------------------------------------------------


class Reading(NamedTuple):
    """What git holds for a change from ``base`` to ``head`` (no base: a new repository)."""

    head: str
    base: str | None
    head_files: Snapshot
    base_files: Snapshot
    paths: tuple[str, ...]  # paths whose content differs
    commits: tuple[CommitInfo, ...]  # the head's history, oldest first
    known: frozenset[str]  # the commits the base already has
    rewritten: bool  # the base is not an ancestor of the head
    rules_blobs: dict[str, bytes]  # the judging commit's policy, roster and answers, by blob id


def _resolve_with_rules(
    repo: Path, revs: list[str], rules_of: str | None
) -> tuple[list[str], dict[str, bytes]]:
    """Resolve ``revs`` to commit ids and read the rules of ``rules_of``, in one git process."""
    names = [f"{rev}^{{commit}}" for rev in revs]
    files = (POLICY_FILE, ROSTER_FILE, ANSWERS_FILE)
    rules = [f"{rules_of}^{{commit}}:{file}" for file in files] if rules_of else []
    found = start_lookup(repo, names + rules).get() if not any("\n" in n for n in names) else {}
    # a revision git cannot resolve is resolved once more, for git's own words on why
    commits = [found[n].id if n in found else resolve(repo, rev) for n, rev in zip(names, revs, strict=True)]
    blobs = {found[n].id: found[n].content for n in rules if n in found and found[n].kind == "blob"}
    return commits, blobs


def read_change(repo: Path, base_rev: str | None, head_rev: str, rules_of: str | None = None) -> Reading:
    """Read the change; the rules are read from ``rules_of`` (default: the base)."""
    revs = [head_rev, *([base_rev] if base_rev else [])]
    (head, *rest), blobs = _resolve_with_rules(repo, revs, rules_of or base_rev)
    base = rest[0] if rest else None
    head_tree, history = start_snapshot(repo, head), start_history(repo, head)
    diff = start_diff(repo, base, head) if base is not None else None
    head_files = head_tree.get()
    if base is None:
        base_files, paths = Snapshot(None, {}), tuple(head_files.entries)
    else:
        assert diff is not None
        changes = diff.get()
        if changes is None or head_files.undecodable:  # names that are not UTF-8: list both trees
            base_files = read_snapshot(repo, base)
            paths = changed_paths(repo, base, head)
        else:  # the base's files are the head's with the change undone: no second listing of the tree
            base_files = Snapshot(base, head_files.entries.before(changes))
            paths = tuple(sorted(path for path, _mode, _sha in changes))
    commits = tuple(history.get())
    known, rewritten = frozenset[str](), False
    if base is not None:
        ancestry = _ancestry(commits, base)
        rewritten = ancestry is None
        known = frozenset(c.sha for c in read_history(repo, base)) if ancestry is None else ancestry
    return Reading(head, base, head_files, base_files, paths, commits, known, rewritten, blobs)


def _ancestry(commits: tuple[CommitInfo, ...], base: str) -> frozenset[str] | None:
    """The commits reachable from ``base`` among ``commits`` (``None`` when ``base`` is not one of them)."""
    parents = {c.sha: c.parents for c in commits}
    if base not in parents:
        return None
    seen: set[str] = set()
    stack = [base]
    while stack:
        sha = stack.pop()
        if sha not in seen:
            seen.add(sha)
            stack.extend(parents.get(sha, ()))
    return frozenset(seen)


# --- gathering the sign-offs ----------------------------------------------------------------------------


def signoff_source(
    repo: Path, rules: Rules, cache: Cache, arrivals: Mapping[str, int] | None, new: frozenset[str], now: int
) -> SignoffSource:
    from toolkit.forge.plain.signoffs import Clock, ssh_signoffs

    return ssh_signoffs(repo, rules.roster, Clock(arrivals, new, now), cache)


# --- deciding -------------------------------------------------------------------------------------------


def state(
    repo: Path, rev: str, fallback: Rules | None = None, cache: Cache | None = None, now: int | None = None
) -> Report:
    from toolkit.gate import decide

    rules, view = view_of(repo, rev, fallback, cache or Cache.default(), now)
    return decide.state(rules, view)


def view_of(
    repo: Path, rev: str, fallback: Rules | None, cache: Cache, now: int | None, fields: bool = False
) -> tuple[Rules, View]:
    """The rules ``rev`` carries and the view of it (sign-offs timed by the push log where there is one)."""
    from toolkit.repo.gather import policy_at, view_at

    reading = read_change(repo, None, rev, rules_of=rev)
    head = reading.head
    rules = policy_at(repo, reading.head_files, fallback, reading.rules_blobs, cache)
    clock_now = int(now if now is not None else time.time())
    source = signoff_source(repo, rules, cache, pushlog.arrivals(repo), frozenset(), clock_now)
    view = view_at(repo, rules, head, source, reading.head_files, reading.commits, fields, cache)
    return rules, view


def check_change(
    repo: Path,
    base_rev: str | None,
    head_rev: str,
    fallback: Rules | None = None,
    configured: dict[str, str] | None = None,
    now: int | None = None,
    cache: Cache | None = None,
) -> Report:
    """The gate for the change ``base..head``, judged by the rules of the base (``fallback`` when the
    base has none, as on the first push of a new repository). On a server, sign-offs are timed by the
    push log and those of this change arrive ``now``."""
    from toolkit.gate import decide
    from toolkit.repo.gather import app_at, change_between, policy_at, view_at

    cache = cache or Cache.default()
    reading = read_change(repo, base_rev if base_rev != ZERO else None, head_rev)
    if reading.base is None:  # a new repository: the server's own rules judge it
        rules = fallback if fallback is not None else policy_at(repo, reading.base_files, None, None, cache)
        if rules.app is None:  # and it names its application in its scaffold answers
            rules = rules._replace(app=app_at(repo, reading.head_files))
    else:
        rules = policy_at(repo, reading.base_files, fallback, reading.rules_blobs, cache)
    when = int(now if now is not None else time.time())
    new = frozenset(c.sha for c in reading.commits) - reading.known
    source = signoff_source(repo, rules, cache, pushlog.arrivals(repo), new, when)
    head = view_at(repo, rules, reading.head, source, reading.head_files, reading.commits, cache=cache)
    base = None
    if reading.base is not None:
        if reading.rewritten:
            base = view_at(repo, rules, reading.base, source, reading.base_files, cache=cache)
        else:
            commits = tuple(c for c in reading.commits if c.sha in reading.known)
            signoffs = tuple(s for s in head.signoffs if s.anchor in reading.known)
            base = view_at(repo, rules, reading.base, signoffs, reading.base_files, commits, cache=cache)
    change = change_between(repo, reading.base, head, set(reading.known), reading.paths, configured)
    report = decide.decide_change(rules, base, head, change)
    if reading.rewritten and reading.base is not None:
        report = decide.history_rewritten(report, reading.base, reading.head)
    return report


def check_release(repo: Path, rev: str, fallback: Rules | None = None, cache: Cache | None = None) -> Report:
    """The release gate for ``rev``: every step it needs complete, and the security sign-off covering
    exactly the released code."""
    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.gate import decide

    rules, view = view_of(repo, rev, fallback, cache or Cache.default(), None, fields=True)
    head = view.snapshot.rev or rev
    released = digest_of(code_paths(rules.sop, view.snapshot), view.snapshot)
    tested = None
    for step in rules.sop.steps:
        named = view.fields.get(step.id, {}).get(step.tested_commit_field or "", "").strip()
        if step.tested_commit_field and named:
            tested = _tested_code(repo, rules, named, head)
    return decide.decide_release(rules, view, tested, released)


def _tested_code(repo: Path, rules: Rules, named: str, head: str) -> str | None:
    """The code digest of the commit the test report names, if it is a commit in the released history."""
    from toolkit.errors import UserError
    from toolkit.evidence.signoffs import code_paths, digest_of

    if not re.fullmatch(r"[0-9a-f]{7,40}", named):  # a commit id, never a ref name like HEAD
        return None
    try:
        tested = resolve(repo, named)
    except UserError:
        return None
    if not is_ancestor(repo, tested, head):
        return None
    snapshot = read_snapshot(repo, tested)
    return digest_of(code_paths(rules.sop, snapshot), snapshot)
