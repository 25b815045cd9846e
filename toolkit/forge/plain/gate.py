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
    from toolkit.evidence.security_report import SecurityReport
    from toolkit.gate.model import Report, ReportedCommit, View
    from toolkit.repo.gather import Policy
    from toolkit.sop.model import Step


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


def check_release(repo: Path, rev: str, fallback: Policy | None = None, branch: str = "main") -> Report:
    """The release gate for ``rev``, judged by the policy and roster at the tip of the protected
    ``branch`` (never by what the released commit carries): the released commit on that branch, every
    step the release needs complete, and each security report naming, by its full id, a tested commit
    whose code is exactly the released code, with the result LULUS and no critical or high finding open.

    ``branch``: a branch name (``refs/heads/<branch>``, never a tag or another ref of that name), or a
    remote-tracking branch given in full (``refs/remotes/origin/main``) on a clone."""
    ref = protected_ref(branch)
    if ref.startswith("refs/remotes/") and _is_bare(repo):
        from toolkit.errors import UserError

        raise UserError(  # on a server, anyone who may push can write refs/remotes/*
            _(
                "--branch {branch}: a bare repository is the server; name its branch (refs/heads/...), not "
                "a remote-tracking branch, which anyone who may push can write"
            ).format(branch=branch)
        )
    named_tip = _branch_tip(repo, ref)
    start = _start(repo, [rev, named_tip], named_tip)
    head, tip = start.commits
    tree = start_snapshot(repo, head)
    tip_tree = start_snapshot(repo, tip) if tip != head else tree
    early = start.folders
    history = History(repo, head, early) if early is not None else None
    on_branch = tip == head or is_ancestor(repo, head, tip)

    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.gate import decide
    from toolkit.gate.model import Release
    from toolkit.repo.gather import view_at

    policy = _policy(repo, tip_tree.get(), fallback, start.read, early)
    history = _walking(repo, head, policy, history)
    snapshot = tree.get()
    view = view_at(repo, policy, head, snapshot, history.get)
    released = digest_of(code_paths(policy.sop, snapshot), snapshot)
    reports, tested = _security_reports(repo, policy, snapshot, head)
    release = Release(ref, tip, on_branch, reports, tested)
    return decide.decide_release(policy.sop, policy.roster, view, released, release)


def protected_ref(branch: str) -> str:
    """The full ref name of the protected branch ``branch``: ``refs/heads/<branch>``, or a branch or
    remote-tracking branch given in full; a tag or any other kind of ref is refused."""
    from toolkit.errors import UserError

    if not branch.startswith("refs/"):
        return f"refs/heads/{branch}"
    if any(branch.startswith(kind) and len(branch) > len(kind) for kind in ("refs/heads/", "refs/remotes/")):
        return branch
    raise UserError(
        _(
            "--branch {branch}: the protected branch is a branch (main, or refs/heads/main) or, on a "
            "clone, a remote-tracking branch (refs/remotes/origin/main); never a tag or another kind of ref"
        ).format(branch=branch)
    )


def _is_bare(repo: Path) -> bool:
    from toolkit.repo.gitread import Pending

    return Pending(repo, ["rev-parse", "--is-bare-repository"]).output().strip() == b"true"


def _branch_tip(repo: Path, ref: str) -> str:
    """The object id ``ref`` holds, read as exactly that ref (``rev-parse refs/heads/main`` would take
    a tag named ``refs/heads/main`` when the branch does not exist)."""
    from toolkit.errors import UserError
    from toolkit.repo.gitread import Pending

    try:
        out = Pending(repo, ["show-ref", "--verify", ref]).output().decode("utf-8", "replace")
    except UserError:
        out = ""
    found = out.split("\n", 1)[0].split(" ")
    if len(found) != 2 or found[1] != ref or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", found[0]):
        raise UserError(
            _(
                "cannot decide: {repo} has no branch {ref} to read the policy from; on a clone, name the "
                "remote-tracking branch in full (--branch refs/remotes/origin/main); the release is blocked"
            ).format(repo=repo, ref=ref)
        )
    return found[0]


def _security_reports(
    repo: Path, policy: Policy, snapshot: Snapshot, head: str
) -> tuple[dict[str, SecurityReport | None], dict[str, ReportedCommit]]:
    """The report of each step that names a tested commit, and what git holds under the id it names
    (looked up only when it is a full id of the repository's hash)."""
    from toolkit.evidence.security_report import CommitName, commit_name

    reports: dict[str, SecurityReport | None] = {}
    tested: dict[str, ReportedCommit] = {}
    for step in policy.sop.steps:
        if not step.tested_commit_field:
            continue
        report = reports[step.id] = _security_report(repo, policy, step, snapshot)
        value = report.fields.get(step.tested_commit_field, "").strip() if report else ""
        if commit_name(value, len(head)) is CommitName.FULL:
            tested[step.id] = _reported_commit(repo, policy, value, head)
    return reports, tested


def _security_report(repo: Path, policy: Policy, step: Step, snapshot: Snapshot) -> SecurityReport | None:
    """The facts of ``step``'s report (its Markdown artefact that carries the tested-commit field); ``None``
    when there is none that can be read."""
    from toolkit.evidence import security_report
    from toolkit.evidence.artefacts import artefact_files, needs_content
    from toolkit.repo.gather import with_sizes
    from toolkit.repo.gitread import read_objects

    files = [(a, e) for a, e in artefact_files([step], snapshot) if a.kind == "markdown"]
    files = [(a, e) for a, e in files if step.tested_commit_field in a.fields] or files
    if not files:
        return None
    (entry,) = with_sizes(repo, [files[0][1]])
    if not needs_content(entry, policy.sop.settings):
        return None
    content = read_objects(repo, [entry.sha]).get(entry.sha)
    try:
        text = content.decode("utf-8") if content is not None and b"\0" not in content else None
    except UnicodeDecodeError:
        text = None
    return security_report.parse(text) if text is not None else None


def _reported_commit(repo: Path, policy: Policy, oid: str, head: str) -> ReportedCommit:
    """What git holds under the full object id ``oid``: looked up as an object id only (a full-length
    hex name is never read as a ref name by git, and the id git answers with must be ``oid`` itself);
    for a commit, whether the released commit ``head`` contains it and the digest of its code."""
    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.gate.model import ReportedCommit
    from toolkit.repo.gitread import Pending

    if "\n" in oid or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", oid):
        return ReportedCommit()
    check = Pending(repo, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], f"{oid}\n".encode())
    found = check.output().decode("utf-8", "replace").split()
    if len(found) != 2 or found[0] != oid or found[1] not in {"commit", "tree", "blob", "tag"}:
        return ReportedCommit()  # "<oid> missing" (git's answer whatever the format), or another object
    if found[1] != "commit":
        return ReportedCommit(found[1])
    if not is_ancestor(repo, oid, head):
        return ReportedCommit("commit")
    tested = read_snapshot(repo, oid)
    return ReportedCommit("commit", True, digest_of(code_paths(policy.sop, tested), tested))
