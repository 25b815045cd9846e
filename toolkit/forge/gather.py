"""Gathering the gate's inputs from a plain git repository (a clone, a CI checkout or a bare server
repository): the policy and roster of a commit, what each commit holds, the change, the sign-offs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from toolkit.errors import EXIT_USAGE, Problem, ProblemsError, UserError
from toolkit.evidence import roster as roster_lib
from toolkit.evidence.artefacts import blobs_to_read, check_step
from toolkit.evidence.model import CommitInfo, Signoff, Snapshot
from toolkit.evidence.signoffs import claims, parse_commit
from toolkit.forge import sshsig
from toolkit.forge.gitread import changed_paths, read_history, read_objects, read_snapshot, rev_list
from toolkit.gate.model import Change, View
from toolkit.i18n import _
from toolkit.sop.model import Sop

POLICY_FILE = ".sop/sop.yaml"
ROSTER_FILE = ".sop/roster.yaml"


@dataclass(frozen=True)
class Policy:
    """The rules in force: the policy, the roster, and where they were read from."""

    sop: Sop
    roster: roster_lib.Roster
    source: str


def policy_at(repo: Path, snapshot: Snapshot, fallback: Policy | None = None) -> Policy:
    """The policy and roster a commit carries in ``.sop/``; ``fallback`` where it carries none.

    Fails closed: an unreadable or invalid policy or roster is a :class:`UserError` (the gate cannot
    decide), never a silent pass.
    """
    from toolkit import sop

    entry = snapshot.entries.get(POLICY_FILE)
    if entry is None:
        if fallback is not None:
            return fallback
        raise UserError(
            _(
                "cannot decide: {rev} has no {file} and no policy was given (--policy); the change is blocked"
            ).format(rev=(snapshot.rev or "?")[:12], file=POLICY_FILE),
            EXIT_USAGE,
        )
    where = f"{(snapshot.rev or '')[:12]}:{POLICY_FILE}"
    if not entry.is_regular:
        raise UserError(
            _("cannot decide: {file} is not a regular file; the change is blocked").format(file=where)
        )
    objects = read_objects(repo, [entry.sha])
    policy = _invalid_blocks(lambda: sop.parse(objects[entry.sha], where))
    roster_entry = snapshot.entries.get(ROSTER_FILE)
    if roster_entry is not None and roster_entry.is_regular:
        raw = read_objects(repo, [roster_entry.sha])[roster_entry.sha]
        roster_where = f"{(snapshot.rev or '')[:12]}:{ROSTER_FILE}"
        roster = _invalid_blocks(lambda: roster_lib.parse(raw, roster_where, set(policy.roles)))
    else:
        roster = fallback.roster if fallback is not None else roster_lib.EMPTY
    return Policy(policy, roster, where)


def policy_from_files(policy_path: Path, roster_path: Path | None) -> Policy:
    from toolkit import sop

    policy = sop.load(policy_path, str(policy_path))
    roster = roster_lib.load(roster_path, set(policy.roles)) if roster_path else roster_lib.EMPTY
    return Policy(policy, roster, str(policy_path))


T = TypeVar("T")


def _invalid_blocks(load: Callable[[], T]) -> T:
    try:
        return load()
    except ProblemsError as error:
        raise ProblemsError(
            [
                *error.problems,
                Problem(
                    error.problems[0].file,
                    1,
                    1,
                    _("the policy cannot be read, so the gate cannot decide: the change is blocked"),
                ),
            ]
        ) from error


def pathspecs(sop: Sop) -> list[str]:
    """Where the files the gate tracks per commit live (artefacts, policy): the first path segment of
    each pattern, so that git's path filter stays a cheap prefix match. An empty list means "all"."""
    tops = set()
    for pattern in [*(a.path for s in sop.steps for a in s.artefacts), *sop.policy.paths]:
        top = pattern.split("/", 1)[0]
        if any(c in top for c in "*?["):
            return []  # a pattern that starts with a wildcard can match anywhere
        tops.add(top)
    return sorted(tops)


def view_at(
    repo: Path,
    policy: Policy,
    rev: str | None,
    snapshot: Snapshot | None = None,
    history: tuple[CommitInfo, ...] | None = None,
) -> View:
    snapshot = snapshot if snapshot is not None else read_snapshot(repo, rev)
    sop = policy.sop
    contents = read_objects(repo, blobs_to_read(sop.steps, snapshot, sop.settings))
    checks = {s.id: tuple(check_step(s, snapshot, contents, sop.settings)) for s in sop.steps}
    if history is None:
        history = tuple(read_history(repo, rev, pathspecs(sop))) if rev else ()
    signoffs = find_signoffs(repo, history, policy.roster)
    return View(snapshot, checks, history, signoffs, _tested_fields(sop, snapshot, contents))


def _tested_fields(sop: Sop, snapshot: Snapshot, contents: dict[str, bytes]) -> dict[str, dict[str, str]]:
    from toolkit.evidence.artefacts import front_matter

    fields: dict[str, dict[str, str]] = {}
    for step in sop.steps:
        if not step.tested_commit_field:
            continue
        for artefact in step.artefacts:
            entry = snapshot.entries.get(artefact.path)
            if artefact.kind == "markdown" and entry is not None and entry.sha in contents:
                front = front_matter(contents[entry.sha].decode("utf-8", "replace")) or {}
                fields[step.id] = {str(k): str(v) for k, v in front.items() if v is not None}
    return fields


def find_signoffs(
    repo: Path, commits: tuple[CommitInfo, ...], roster: roster_lib.Roster
) -> tuple[Signoff, ...]:
    """Sign-off commits among ``commits``: empty, single-parent commits whose message has the trailers."""
    candidates = [c for c in commits if c.claims_signoff and not c.paths and len(c.parents) <= 1]
    raw = read_objects(repo, [c.sha for c in candidates])
    found = []
    for commit in candidates:
        parsed = parse_commit(raw[commit.sha])
        claim = claims(parsed.message)
        if claim is None:
            continue
        step, role, digest = claim
        if parsed.signature is None:
            found.append(Signoff(commit.sha, step, role, digest, None, (_("the commit is not signed"),)))
            continue
        signer = sshsig.signer(parsed.signature, parsed.payload, roster)
        found.append(Signoff(commit.sha, step, role, digest, signer))
    return tuple(found)


def change_between(
    repo: Path,
    base: str | None,
    head: View,
    now: int,
    configured: dict[str, str] | None = None,
    base_history: set[str] | None = None,
    paths: tuple[str, ...] | None = None,
) -> Change:
    assert head.snapshot.rev is not None
    head_rev = head.snapshot.rev
    if base_history is None:
        base_history = rev_list(repo, base) if base else set()
    shas = {c.sha for c in head.commits} - base_history
    commits = tuple(c for c in head.commits if c.sha in shas)
    if paths is None:
        paths = changed_paths(repo, base, head_rev)
    policy_problems = _policy_problems(repo, head.snapshot) if POLICY_FILE in paths else ()
    signoffs = tuple(s for s in head.signoffs if s.commit in shas)
    return Change(base, head_rev, paths, commits, signoffs, now, configured, policy_problems)


def _policy_problems(repo: Path, snapshot: Snapshot) -> tuple[str, ...]:
    """Why the policy a change brings cannot be used (it would block every later change)."""
    from toolkit import sop

    entry = snapshot.entries.get(POLICY_FILE)
    if entry is None:
        return ()  # removing the policy is a policy change: the owners' sign-off rule covers it
    try:
        sop.parse(read_objects(repo, [entry.sha])[entry.sha], POLICY_FILE)
    except ProblemsError as error:
        return tuple(str(p) for p in error.problems)
    return ()
