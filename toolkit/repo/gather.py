"""Gathering the gate's inputs from a plain git repository (a clone, a CI checkout or a bare server
repository): the policy and roster of a commit, what each commit holds, the change, the sign-offs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, TypeVar

from toolkit.errors import EXIT_USAGE, Problem, ProblemsError, UserError
from toolkit.evidence import roster as roster_lib
from toolkit.evidence.artefacts import artefact_files, check_step, needs_content
from toolkit.evidence.model import ArtefactState, CommitInfo, Entry, FileResult, Signoff, Snapshot
from toolkit.evidence.signoffs import claims, parse_commit
from toolkit.forge.plain import sshsig
from toolkit.gate.model import Change, View
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    changed_paths,
    read_history,
    read_objects,
    read_sizes,
    read_snapshot,
    rev_list,
)
from toolkit.sop.model import Artefact, Sop


class Policy(NamedTuple):
    """The rules in force: the policy, the roster, and where they were read from."""

    sop: Sop
    roster: roster_lib.Roster
    source: str


def policy_at(
    repo: Path, snapshot: Snapshot, fallback: Policy | None = None, read: Mapping[str, bytes] | None = None
) -> Policy:
    """The policy and roster a commit carries in ``.sop/``; ``fallback`` where it carries none.
    ``read``: blobs already read (by id), so that they are not read again.

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
    roster_entry = snapshot.entries.get(ROSTER_FILE)
    roster_sha = roster_entry.sha if roster_entry is not None and roster_entry.is_regular else None
    wanted = [entry.sha] + ([roster_sha] if roster_sha else [])
    objects = {sha: read[sha] for sha in wanted if read is not None and sha in read}
    objects.update(read_objects(repo, [sha for sha in wanted if sha not in objects]))
    policy = _invalid_blocks(lambda: sop.parse(objects[entry.sha], where))
    if roster_sha:
        raw = objects[roster_sha]
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
    history: tuple[CommitInfo, ...] | Callable[[], list[CommitInfo]] | None = None,
    fields: bool = False,
    signoffs: tuple[Signoff, ...] | None = None,
) -> View:
    """One commit as the gate sees it. ``history``: read when not given, or a function that waits for it
    (it may still be on its way); ``signoffs``: those among ``history``, when already known; ``fields``:
    with the front-matter fields the release gate reads."""
    snapshot = snapshot if snapshot is not None else read_snapshot(repo, rev)
    sop = policy.sop
    known = file_verdicts(repo, sop, snapshot)
    checks = {s.id: tuple(check_step(s, snapshot, {}, sop.settings, known)) for s in sop.steps}
    if history is None:
        history = tuple(read_history(repo, rev, pathspecs(sop))) if rev else ()
    elif callable(history):
        history = tuple(history())
    if signoffs is None:
        signoffs = find_signoffs(repo, history, policy.roster)
    return View(snapshot, checks, history, signoffs, tested_fields(repo, sop, snapshot) if fields else {})


def file_verdicts(repo: Path, sop: Sop, snapshot: Snapshot) -> dict[tuple[str, str], FileResult]:
    """The verdict on every artefact file of ``snapshot``, keyed by (artefact pattern, path).

    A verdict depends only on the artefact's rules and the file's content, so it is remembered in the
    cache under a digest of both (and, for one read instead of one per file, all of a commit's verdicts
    under a digest of theirs): only files never judged before are read from git and checked.
    """
    from toolkit import cache

    files = artefact_files(sop.steps, snapshot)
    keys = _verdict_keys(sop, files)
    together = cache.key(*(key.encode() for key in keys))
    remembered = cache.lookup_json(VERDICTS, together)
    if isinstance(remembered, list) and len(remembered) == len(files):
        known = [_verdict(item) for item in remembered]
        if all(v is not None for v in known):
            return {(a.path, e.path): v for (a, e), v in zip(files, known, strict=True) if v is not None}
    verdicts, unknown = {}, []
    for (artefact, entry), key in zip(files, keys, strict=True):
        verdict = _verdict(cache.lookup_json(VERDICTS, key))
        if verdict is not None:
            verdicts[artefact.path, entry.path] = verdict
        else:
            unknown.append((artefact, entry, key))
    if _judge(repo, sop, unknown, verdicts):
        cache.store_json(VERDICTS, together, [[*verdicts[a.path, e.path]] for a, e in files])
    return verdicts


VERDICTS = "artefact-verdicts"


def _verdict_keys(sop: Sop, files: list[tuple[Artefact, Entry]]) -> list[str]:
    """The cache key of each file's verdict: the code that judges, the language of the reasons, the
    artefact's rules and the file's mode and content id."""
    from toolkit import cache
    from toolkit.i18n import current_language

    code = cache.code_identity(Path(__file__).parent.parent / "evidence" / "contents.py")
    lang = current_language().encode()
    rules = (sop.settings.placeholder, sop.settings.max_artefact_bytes)
    return [
        cache.key(
            code, lang, repr((artefact.kind, artefact.sections, artefact.fields, *rules, *entry[1:])).encode()
        )
        for artefact, entry in files
    ]


def _judge(
    repo: Path,
    sop: Sop,
    unknown: list[tuple[Artefact, Entry, str]],
    verdicts: dict[tuple[str, str], FileResult],
) -> bool:
    """Judge the files no verdict was remembered for, into ``verdicts``, and remember each; whether
    every file could be read (a verdict on a file that could not be read is never remembered)."""
    if not unknown:
        return True
    from toolkit import cache
    from toolkit.evidence.contents import check_file

    settings = sop.settings
    entries = with_sizes(repo, [e for _a, e, _k in unknown])
    contents = read_objects(repo, [e.sha for e in entries if needs_content(e, settings)])
    all_read = True
    for (artefact, _unsized, key), entry in zip(unknown, entries, strict=True):
        verdict = check_file(artefact, entry, contents, settings)
        verdicts[artefact.path, entry.path] = verdict
        read = (entry.size >= 0 or entry.kind != "blob") and (
            entry.sha in contents or not needs_content(entry, settings)
        )
        if read:
            cache.store_json(VERDICTS, key, [*verdict])
        all_read = all_read and read
    return all_read


def _verdict(remembered: object) -> FileResult | None:
    """A verdict as the cache keeps it (``[state, [reason, ...]]``); ``None`` for anything else."""
    match remembered:
        case [str(state), list(reasons)] if state in set(ArtefactState) and all(
            isinstance(r, str) for r in reasons
        ):
            return ArtefactState(state), list(reasons)
    return None


def with_sizes(repo: Path, entries: list[Entry]) -> list[Entry]:
    """``entries`` with their sizes (a tree is listed without them; -1 stays for a missing object)."""
    sizes = read_sizes(repo, [e.sha for e in entries if e.size < 0 and e.kind == "blob"])
    return [e._replace(size=sizes.get(e.sha, e.size)) if e.size < 0 else e for e in entries]


def tested_fields(repo: Path, sop: Sop, snapshot: Snapshot) -> dict[str, dict[str, str]]:
    """Step id -> the front-matter fields of its report, for the steps that name a tested commit."""
    from toolkit.evidence.contents import front_matter

    fields: dict[str, dict[str, str]] = {}
    for step in sop.steps:
        if not step.tested_commit_field:
            continue
        for artefact in step.artefacts:
            entry = snapshot.entries.get(artefact.path)
            if artefact.kind != "markdown" or entry is None:
                continue
            (entry,) = with_sizes(repo, [entry])
            if not needs_content(entry, sop.settings):
                continue
            content = read_objects(repo, [entry.sha]).get(entry.sha)
            if content is not None:
                front = front_matter(content.decode("utf-8", "replace")) or {}
                fields[step.id] = {str(k): str(v) for k, v in front.items() if v is not None}
    return fields


def find_signoffs(
    repo: Path, commits: tuple[CommitInfo, ...], roster: roster_lib.Roster
) -> tuple[Signoff, ...]:
    """Sign-off commits among ``commits``: empty, single-parent commits whose message has the trailers."""
    candidates = [c for c in commits if c.empty and len(c.parents) <= 1]
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
