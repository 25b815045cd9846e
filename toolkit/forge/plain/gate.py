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

from toolkit.cache import NO_CACHE, Cache
from toolkit.evidence.model import CommitInfo, Snapshot, ancestry
from toolkit.forge.plain import pushlog
from toolkit.i18n import _
from toolkit.paths import ANSWERS_FILE, POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    ZERO,
    changed_paths,
    is_ancestor,
    read_snapshot,
    resolve,
    start_diff,
    start_lookup,
    start_snapshot,
)
from toolkit.repo.histories import History

if TYPE_CHECKING:
    from toolkit.evidence.security_report import SecurityReport
    from toolkit.gate.model import Report, ReportedCommit, Rules, View
    from toolkit.repo.gather import SignoffSource
    from toolkit.sop.model import Step


# --- reading -------------------------------------------------------------------------------------------


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


def read_commits(repo: Path, trees: Trees, rules: Rules, cache: Cache = NO_CACHE) -> Commits:
    """The head's history as the gate needs it under ``rules`` (:func:`toolkit.repo.gather.history_of`)."""
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
    from toolkit.evidence.roster import office_day
    from toolkit.gate import decide

    rules, view = view_of(repo, rev, fallback, cache or Cache.default(), now)
    today = office_day(int(now if now is not None else time.time()), rules.sop.settings.timezone)
    return decide.state(rules, view, today)


def view_of(
    repo: Path, rev: str, fallback: Rules | None, cache: Cache, now: int | None
) -> tuple[Rules, View]:
    """The rules ``rev`` carries and the view of it (sign-offs timed by the push log where there is one)."""
    from toolkit.repo.gather import policy_at, view_at

    trees = read_trees(repo, None, rev, rules_of=rev, cache=cache)
    rules = policy_at(repo, trees.head_files, fallback, trees.rules_blobs, cache)
    commits = read_commits(repo, trees, rules, cache)
    clock_now = int(now if now is not None else time.time())
    source = signoff_source(repo, rules, cache, pushlog.arrivals(repo), frozenset(), clock_now)
    view = view_at(repo, rules, trees.head, source, trees.head_files, commits.all, cache=cache)
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
    trees = read_trees(repo, base_rev if base_rev != ZERO else None, head_rev, cache=cache)
    if trees.base is None:  # a new repository: the server's own rules judge it
        rules = fallback if fallback is not None else policy_at(repo, trees.base_files, None, None, cache)
        if rules.app is None:  # and it names its application in its scaffold answers
            rules = rules._replace(app=app_at(repo, trees.head_files))
    else:
        rules = policy_at(repo, trees.base_files, fallback, trees.rules_blobs, cache)
    commits = read_commits(repo, trees, rules, cache)
    when = int(now if now is not None else time.time())
    new = frozenset(c.sha for c in commits.all) - commits.known
    source = signoff_source(repo, rules, cache, pushlog.arrivals(repo), new, when)
    head = view_at(repo, rules, trees.head, source, trees.head_files, commits.all, cache=cache)
    base = None
    if trees.base is not None:
        if commits.rewritten:
            base = view_at(repo, rules, trees.base, source, trees.base_files, cache=cache)
        else:
            known = tuple(c for c in commits.all if c.sha in commits.known)
            signoffs = tuple(s for s in head.signoffs if s.anchor in commits.known)
            base = view_at(repo, rules, trees.base, signoffs, trees.base_files, known, cache=cache)
    change = change_between(repo, trees.base, head, set(commits.known), trees.paths, configured)
    report = decide.decide_change(rules, base, head, change)
    if commits.rewritten and trees.base is not None:
        report = decide.history_rewritten(report, trees.base, trees.head)
    return report


def check_release(
    repo: Path, rev: str, fallback: Rules | None = None, branch: str = "main", cache: Cache | None = None
) -> Report:
    """The release gate for ``rev``, judged by the policy and roster at the tip of the protected
    ``branch`` (never by what the released commit carries): the released commit on that branch, every
    step the release needs complete, and each security report naming, by its full id, a tested commit
    whose code is exactly the released code, with the result LULUS and no critical or high finding open.

    ``branch``: a branch name (``refs/heads/<branch>``, never a tag or another ref of that name), or a
    remote-tracking branch given in full (``refs/remotes/origin/main``) on a clone."""
    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.gate import decide
    from toolkit.gate.model import Release
    from toolkit.repo.gather import policy_at, view_at

    ref = protected_ref(branch)
    if ref.startswith("refs/remotes/") and _is_bare(repo):
        from toolkit.errors import UserError

        raise UserError(  # on a server, anyone who may push can write refs/remotes/*
            _(
                "--branch {branch}: a bare repository is the server; name its branch (refs/heads/...), not "
                "a remote-tracking branch, which anyone who may push can write"
            ).format(branch=branch)
        )
    tip = _branch_tip(repo, ref)
    cache = cache or Cache.default()
    trees = read_trees(repo, None, rev, rules_of=tip, cache=cache)
    head, snapshot = trees.head, trees.head_files
    tip_files = snapshot if tip == head else read_snapshot(repo, tip)
    rules = policy_at(repo, tip_files, fallback, trees.rules_blobs, cache)
    on_branch = tip == head or is_ancestor(repo, head, tip)
    commits = read_commits(repo, trees, rules, cache)
    source = signoff_source(repo, rules, cache, pushlog.arrivals(repo), frozenset(), int(time.time()))
    view = view_at(repo, rules, head, source, snapshot, commits.all, cache=cache)
    released = digest_of(code_paths(rules.sop, snapshot), snapshot)
    reports, tested = _security_reports(repo, rules, snapshot, head)
    return decide.decide_release(rules, view, released, Release(ref, tip, on_branch, reports, tested))


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
    repo: Path, policy: Rules, snapshot: Snapshot, head: str
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


def _security_report(repo: Path, policy: Rules, step: Step, snapshot: Snapshot) -> SecurityReport | None:
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


def _reported_commit(repo: Path, policy: Rules, oid: str, head: str) -> ReportedCommit:
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
