"""The release gate, whatever the forge: the released commit judged by the policy and roster at the tip of
the protected branch, with the sign-offs the forge's source finds (:mod:`toolkit.forge.judge`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cache import Cache
from toolkit.evidence.model import Snapshot
from toolkit.i18n import _
from toolkit.repo.gitread import is_ancestor, read_snapshot
from toolkit.repo.reading import read_commits, read_trees

if TYPE_CHECKING:
    from toolkit.evidence.security_report import SecurityReport
    from toolkit.forge.judge import Accounts, Sources
    from toolkit.gate.model import Report, ReportedCommit, Rules
    from toolkit.sop.model import Step


def check_release(
    repo: Path,
    rev: str,
    sources: Sources,
    fallback: Rules | None = None,
    branch: str = "main",
    cache: Cache | None = None,
    accounts: Accounts | None = None,
) -> Report:
    """The release gate for ``rev``, judged by the policy and roster at the tip of the protected
    ``branch`` (never by what the released commit carries): the released commit on that branch, every
    step the release needs complete, and each security report naming, by its full id, a tested commit
    whose code is exactly the released code, with the result LULUS and no critical or high finding open.

    ``branch``: a branch name (``refs/heads/<branch>``, never a tag or another ref of that name), or a
    remote-tracking branch given in full (``refs/remotes/origin/main``) on a clone. ``accounts``: who the
    forge links to commits (:mod:`toolkit.forge.judge`)."""
    from toolkit.evidence.signoffs import code_paths, digest_of
    from toolkit.forge.judge import signed_history
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
    history, found = signed_history(repo, rules, commits.all, sources(rules, frozenset()), accounts)
    view = view_at(repo, rules, head, found, snapshot, history, cache=cache)
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
    from toolkit.errors import UserError
    from toolkit.repo.gitread import ref_tip

    found = ref_tip(repo, ref)
    if found is None:
        raise UserError(
            _(
                "cannot decide: {repo} has no branch {ref} to read the policy from; on a clone, name the "
                "remote-tracking branch in full (--branch refs/remotes/origin/main); the release is blocked"
            ).format(repo=repo, ref=ref)
        )
    return found


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
