"""The gate on a plain git repository: gather the inputs for a state report, a change or a release, and
hand them to the pure decision.

Each entry point starts git's reads as soon as it knows what to read and imports the decision code only
then, so that git works on one core while Python imports and decides on the other.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.evidence.model import CommitInfo, Snapshot
from toolkit.forge.histories import History
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    ZERO,
    Later,
    changed_paths,
    is_ancestor,
    read_snapshot,
    resolve,
    start_diff,
    start_lookup,
    start_snapshot,
)

if TYPE_CHECKING:
    from toolkit.gate.model import Report, View
    from toolkit.repo.gather import Policy


class _Start(NamedTuple):
    """What one first git process tells: the commits, and the rules of the commit that judges."""

    commits: tuple[str, ...]  # the revisions asked for, resolved to commit ids
    read: dict[str, bytes]  # that commit's policy and roster blobs, by id
    folders: list[str] | None  # the folders its policy tracks, when that policy was seen before


def _start(repo: Path, revs: list[str], rules_of: str | None) -> _Start:
    """Resolve ``revs`` and read the policy and roster of the revision ``rules_of``, in one git process.
    The history walk takes longest and needs the policy's folders: when the policy was seen before they
    are known from its bytes alone, and the walk starts before any decision code is imported."""
    names = [f"{rev}^{{commit}}" for rev in revs]
    rules = [f"{rules_of}^{{commit}}:{file}" for file in (POLICY_FILE, ROSTER_FILE)] if rules_of else []
    found = start_lookup(repo, names + rules).get() if not any("\n" in n for n in names) else {}
    # a revision git cannot resolve is resolved once more, for git's own words on why
    commits = tuple(
        found[n].id if n in found else resolve(repo, rev) for n, rev in zip(names, revs, strict=True)
    )
    blobs = {name: found[name] for name in rules if name in found and found[name].kind == "blob"}
    policy = blobs.get(rules[0]) if rules else None
    folders = _remembered_pathspecs(policy.content) if policy is not None else None
    return _Start(commits, {b.id: b.content for b in blobs.values()}, folders)


def state(repo: Path, rev: str, fallback: Policy | None = None) -> Report:
    from toolkit.gate import decide

    policy, view = _view(repo, rev, fallback)
    return decide.state(policy.sop, policy.roster, view)


def _view(repo: Path, rev: str, fallback: Policy | None, fields: bool = False) -> tuple[Policy, View]:
    """The policy of ``rev`` and the view of it, the git reads started as early as they can be."""
    (head,), read, early = _start(repo, [rev], rev)
    tree = start_snapshot(repo, head)
    history = History(repo, head, early) if early is not None else None
    snapshot = tree.get()
    from toolkit.repo.gather import view_at

    policy = _policy(repo, snapshot, fallback, read, early)
    history = _walking(repo, head, policy, history)
    return policy, view_at(repo, policy, head, snapshot, history.get, fields=fields)


def _policy(
    repo: Path, snapshot: Snapshot, fallback: Policy | None, read: dict[str, bytes], early: list[str] | None
) -> Policy:
    """The policy of ``snapshot`` (its folders remembered for the next run)."""
    from toolkit.repo.gather import policy_at

    policy = policy_at(repo, snapshot, fallback, read)
    entry = snapshot.entries.get(POLICY_FILE)
    if early is None and entry is not None and entry.sha in read:
        _remember_pathspecs(read[entry.sha], _folders(policy))
    return policy


def _walking(
    repo: Path, head: str, policy: Policy, early: History | None, base: str | None = None
) -> History:
    """The history started early, when it walks the folders ``policy`` tracks; else one that does."""
    if early is not None and early.pathspecs == _folders(policy):
        return early
    return History(repo, head, _folders(policy), base)


def _folders(policy: Policy) -> list[str]:
    from toolkit.repo.gather import pathspecs

    return pathspecs(policy.sop)


def check_change(
    repo: Path,
    base_rev: str | None,
    head_rev: str,
    fallback: Policy | None = None,
    configured: dict[str, str] | None = None,
    now: int | None = None,
) -> Report:
    """The gate for the change ``base..head``, judged by the policy of the base (``fallback`` when the
    base has none, as on the first push of a new repository)."""
    base_rev = base_rev if base_rev and base_rev != ZERO else None
    start = _start(repo, [head_rev, base_rev] if base_rev else [head_rev], base_rev)
    head, base = start.commits[0], start.commits[1] if base_rev else None
    head_tree = start_snapshot(repo, head)
    early = start.folders
    history = History(repo, head, early, base) if early is not None else None
    # A base judged before is most likely a few commits behind: its files are then the head's with git's
    # diff undone, rather than a second listing of the whole tree.
    diff = start_diff(repo, base, head) if base is not None and history and history.base_seen else None
    base_tree = start_snapshot(repo, base) if diff is None else None

    from toolkit.gate import decide
    from toolkit.gate.model import Report, Violation
    from toolkit.repo.gather import change_between, policy_at, view_at

    base_snapshot, paths = _base_and_change(repo, base, head_tree, base_tree, diff)
    if base is None:
        policy = fallback if fallback is not None else policy_at(repo, base_snapshot)
    else:
        policy = _policy(repo, base_snapshot, fallback, start.read, early)
    history = _walking(repo, head, policy, history, base)
    head_snapshot = head_tree.get()
    head_view = view_at(repo, policy, head, head_snapshot, history.get)
    base_view, known, rewritten = None, set[str](), False
    if base is not None:
        ancestry = _ancestry(head_view.commits, base)
        if ancestry is not None:  # the base's history is the head's, up to the base
            known = ancestry
            commits = tuple(c for c in head_view.commits if c.sha in known)
            signoffs = tuple(s for s in head_view.signoffs if s.commit in known)
            base_view = view_at(repo, policy, base, base_snapshot, commits, signoffs=signoffs)
        else:
            base_view = view_at(repo, policy, base, base_snapshot, History(repo, base, _folders(policy)).get)
            known, rewritten = {c.sha for c in base_view.commits}, True
    when = int(now if now is not None else time.time())
    if paths is None:
        paths = _changed(repo, base, head, base_snapshot, head_snapshot)
    change = change_between(repo, base, head_view, when, configured, known, paths)
    report = decide.decide_change(policy.sop, policy.roster, base_view, head_view, change)
    if rewritten and base is not None:
        history_rewritten = Violation(
            "history",
            _("the change rewrites history: {base} is not an ancestor of {head} (force push?)").format(
                base=base[:12], head=head[:12]
            ),
        )
        report = Report(report.steps, (history_rewritten, *report.violations), report.kind)
    return report


def _base_and_change(
    repo: Path,
    base: str | None,
    head_tree: Later[Snapshot],
    base_tree: Later[Snapshot] | None,
    diff: Later[list[tuple[str, str, str]] | None] | None,
) -> tuple[Snapshot, tuple[str, ...] | None]:
    """The base's files, and what the change touched when the diff tells it already."""
    if base_tree is not None:
        return base_tree.get(), None
    assert diff is not None
    changes, head_snapshot = diff.get(), head_tree.get()
    if changes is None or head_snapshot.undecodable:  # names that are not UTF-8: list the tree
        return read_snapshot(repo, base), None
    before = Snapshot(base, head_snapshot.entries.before(changes))
    return before, tuple(sorted(path for path, _mode, _sha in changes))


def _changed(
    repo: Path, base: str | None, head: str, base_snapshot: Snapshot, head_snapshot: Snapshot
) -> tuple[str, ...]:
    if base_snapshot.undecodable or head_snapshot.undecodable:  # such names are not in the entries
        return changed_paths(repo, base, head)
    return tuple(head_snapshot.changed_from(base_snapshot))


def _pathspecs_key(raw_policy: bytes) -> str:
    from toolkit import cache

    return cache.key(cache.code_identity(Path(__file__).parent / "gather.py"), raw_policy)


def _remembered_pathspecs(raw_policy: bytes) -> list[str] | None:
    from toolkit import cache

    found = cache.lookup_json("policy-pathspecs", _pathspecs_key(raw_policy))
    return found if isinstance(found, list) and all(isinstance(f, str) for f in found) else None


def _remember_pathspecs(raw_policy: bytes, specs: list[str]) -> None:
    from toolkit import cache

    cache.store_json("policy-pathspecs", _pathspecs_key(raw_policy), specs)


def _ancestry(commits: tuple[CommitInfo, ...], base: str) -> set[str] | None:
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
    return seen


def check_release(repo: Path, rev: str, fallback: Policy | None = None) -> Report:
    """The release gate for ``rev``: every step it needs complete, and the security sign-off covering
    exactly the released code."""
    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.gate import decide

    policy, view = _view(repo, rev, fallback, fields=True)
    head = view.snapshot.rev or rev
    released = digest_of(code_paths(policy.sop, view.snapshot), view.snapshot)
    tested = None
    for step in policy.sop.steps:
        named = view.fields.get(step.id, {}).get(step.tested_commit_field or "", "").strip()
        if step.tested_commit_field and named:
            tested = _tested_code(repo, policy, named, head)
    return decide.decide_release(policy.sop, policy.roster, view, tested, released)


def _tested_code(repo: Path, policy: Policy, named: str, head: str) -> str | None:
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
    return digest_of(code_paths(policy.sop, snapshot), snapshot)
