"""Gathering the gate's inputs from a git repository (a clone, a CI checkout or a bare server repository):
the rules of a commit, what each commit holds, the change. Sign-offs come from a source the forge
passes in (SSH-signed commits on a plain server, reviews on GitHub)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from toolkit.cache import NO_CACHE, Cache
from toolkit.errors import EXIT_USAGE, Problem, ProblemsError, UserError
from toolkit.evidence import roster as roster_lib
from toolkit.evidence.artefacts import artefact_files, check_step, needs_content
from toolkit.evidence.identity import unattributed
from toolkit.evidence.model import ArtefactState, CommitInfo, Entry, FileResult, Signoff, Snapshot
from toolkit.gate.model import Change, Rules, View
from toolkit.i18n import _
from toolkit.paths import ANSWERS_FILE, POLICY_FILE, ROSTER_FILE
from toolkit.repo.gitread import (
    mentions_coauthors,
    read_history,
    read_objects,
    read_paths,
    read_sizes,
    read_snapshot,
)
from toolkit.sop.model import Artefact, Sop

if TYPE_CHECKING:
    from toolkit.evidence.pdfsig import Letter

# Where a view's sign-offs come from: given the history of the commit, the sign-offs made on it.
SignoffSource = Callable[[tuple[CommitInfo, ...]], tuple[Signoff, ...]]
# Who a forge links to commits beyond the e-mails git records: given a history's commits and groups of
# those among them to ask about (the commits of a group share their addresses, so the forge's answer for
# one is its answer for all), it answers commit -> identities for every commit it knows (GitHub: the
# accounts of the authors, co-authors and committer).
Linked = Callable[[list[str], list[list[str]]], Mapping[str, tuple[str, ...]]]


def policy_at(
    repo: Path,
    snapshot: Snapshot,
    fallback: Rules | None = None,
    read: Mapping[str, bytes] | None = None,
    cache: Cache = NO_CACHE,
) -> Rules:
    """The rules a commit carries: the policy and roster in ``.sop/`` and the application named in its
    scaffold answers; ``fallback`` where it carries no policy (or names no application).
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
    roster_sha, answers_sha = (_regular_sha(snapshot, name) for name in (ROSTER_FILE, ANSWERS_FILE))
    wanted = [sha for sha in (entry.sha, roster_sha, answers_sha) if sha]
    objects = {sha: read[sha] for sha in wanted if read is not None and sha in read}
    objects.update(read_objects(repo, [sha for sha in wanted if sha not in objects]))
    policy = _invalid_blocks(lambda: sop.parse(objects[entry.sha], where, cache))
    if roster_sha:
        raw = objects[roster_sha]
        roster_where = f"{(snapshot.rev or '')[:12]}:{ROSTER_FILE}"
        roster = _invalid_blocks(lambda: roster_lib.parse(raw, roster_where, set(policy.roles), cache))
    else:
        roster = fallback.roster if fallback is not None else roster_lib.EMPTY
    # the application a server was set up for wins over what the repository says of itself
    app = fallback.app if fallback and fallback.app else app_of(objects[answers_sha]) if answers_sha else None
    return Rules(policy, roster, app, where, _roots_at(repo, snapshot, policy))


def _roots_at(repo: Path, snapshot: Snapshot, policy: Sop) -> tuple[bytes, ...]:
    """The trust roots ``policy`` pins, read from the same commit and checked against their hashes."""
    if not policy.settings.trust_roots:
        return ()
    from toolkit.evidence.trust import pinned_roots

    shas = {root.path: _regular_sha(snapshot, root.path) for root in policy.settings.trust_roots}
    blobs = read_objects(repo, [sha for sha in shas.values() if sha])
    found = {path: blobs.get(sha) if sha else None for path, sha in shas.items()}
    return pinned_roots(policy.settings.trust_roots, found, (snapshot.rev or "?")[:12])


def _regular_sha(snapshot: Snapshot, path: str) -> str | None:
    entry = snapshot.entries.get(path)
    return entry.sha if entry is not None and entry.is_regular else None


_SLUG = re.compile(rb"^app_slug:[ \t]*[\"']?([a-z0-9][a-z0-9-]{0,62})[\"']?[ \t]*$", re.M)


def app_at(repo: Path, snapshot: Snapshot) -> str | None:
    """The application ``snapshot`` names in its scaffold answers."""
    sha = _regular_sha(snapshot, ANSWERS_FILE)
    return app_of(read_objects(repo, [sha]).get(sha, b"")) if sha else None


def app_name_at(repo: Path, snapshot: Snapshot) -> str | None:
    """The application's name (``app_name`` in the scaffold answers), for people to read."""
    sha = _regular_sha(snapshot, ANSWERS_FILE)
    return app_name_of(read_objects(repo, [sha]).get(sha, b"")) if sha else None


def app_name_of(raw: bytes) -> str | None:
    """The ``app_name`` of scaffold answers, or ``None`` (answers larger than any scaffold writes are
    not read)."""
    import yaml

    if len(raw) > 64 * 1024:
        return None
    try:
        answers = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    name = answers.get("app_name") if isinstance(answers, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def app_of(answers: bytes) -> str | None:
    """The application's id in the scaffold answers (``app_slug``), or ``None``."""
    found = _SLUG.findall(answers)
    return found[0].decode() if len(found) == 1 else None


def policy_from_files(
    policy_path: Path, roster_path: Path | None, app: str | None = None, cache: Cache = NO_CACHE
) -> Rules:
    """The rules in files: a policy, a roster, and the trust roots the policy pins (beside it, as they
    are beside ``.sop/sop.yaml`` in a repository: ``.sop/trust/x.pem`` is ``trust/x.pem`` next to the
    policy file). ``cache`` remembers the policy and roster that passed validation, by their bytes."""
    from toolkit import sop

    if cache is NO_CACHE:
        policy = sop.load(policy_path, str(policy_path))
        roster = roster_lib.load(roster_path, set(policy.roles)) if roster_path else roster_lib.EMPTY
    else:
        policy = sop.parse(_read(policy_path), str(policy_path), cache)
        roster = (
            roster_lib.parse(_read(roster_path), str(roster_path), set(policy.roles), cache)
            if roster_path
            else roster_lib.EMPTY
        )
    return Rules(policy, roster, app, str(policy_path), roots_from_files(policy_path, policy))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProblemsError(
            [Problem(str(path), 1, 1, _("cannot read it: {reason}").format(reason=exc.strerror))]
        ) from exc


def root_file(policy_path: Path, root: str) -> Path:
    """Where the trust root ``root`` (a path in ``.sop/``) lies for a policy kept in ``policy_path``."""
    return policy_path.parent / root.removeprefix(POLICY_FILE.rsplit("/", 1)[0] + "/")


def roots_from_files(policy_path: Path, policy: Sop) -> tuple[bytes, ...]:
    from toolkit.evidence.trust import pinned_roots

    found: dict[str, bytes | None] = {}
    for root in policy.settings.trust_roots:
        path = root_file(policy_path, root.path)
        try:
            found[root.path] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        except OSError:
            found[root.path] = None
    return pinned_roots(policy.settings.trust_roots, found, str(policy_path.parent))


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
    """Where the files live whose every change the gate follows commit by commit (artefacts, policy): the
    first path segment of each pattern, so that git's path filter stays a cheap prefix match. An empty
    list means "all"."""
    return folders_of([*(a.path for s in sop.steps for a in s.artefacts), *sop.policy.paths])


def folders_of(patterns: list[str]) -> list[str]:
    """The first path segment of each pattern (none: a pattern starts with a wildcard, follow all)."""
    tops = set()
    for pattern in patterns:
        top = pattern.split("/", 1)[0]
        if any(c in top for c in "*?["):
            return []  # a pattern that starts with a wildcard can match anywhere
        tops.add(top)
    return sorted(tops)


def history_of(repo: Path, rules: Rules, walk: list[CommitInfo]) -> tuple[CommitInfo, ...]:
    """The history walked over :func:`pathspecs`, with every path of the commits roster members made: who
    signs off must not have written what they sign, and the security sign-off covers the code wherever
    it lies. Nobody else's code changes matter commit by commit (the code gate and the digests judge the
    trees), so they are not listed. A forge's accounts join with :func:`linked_history`."""
    officers = _officers(rules)
    theirs = [c.sha for c in walk if not officers.isdisjoint(c.people)]
    if not theirs or not pathspecs(rules.sop):
        return tuple(walk)
    whole = read_paths(repo, theirs)
    return tuple(c._replace(paths=whole.get(c.sha, c.paths)) if c.sha in whole else c for c in walk)


def _officers(rules: Rules) -> frozenset[str]:
    return frozenset(i for member in rules.roster.members for i in member.identities())


def linked_history(
    repo: Path, rules: Rules, history: tuple[CommitInfo, ...], linked: Linked, upto: int
) -> tuple[CommitInfo, ...]:
    """``history`` (from :func:`history_of`) with the accounts a forge links to its first ``upto``
    commits joining their people, and every path of those that become a member's. Asked about: the
    commits git cannot fully attribute (made under addresses the roster does not know, or naming
    co-authors git does not read), one group per set of addresses (the forge links a commit to accounts by
    its addresses, so the answer for one is the answer for all; a commit naming co-authors git does not
    read is a group of its own)."""
    officers = _officers(rules)
    judged = history[: max(upto, 0)]
    if not judged:
        return history
    mentioned = mentions_coauthors(repo, history[-1].sha)
    groups: dict[object, list[str]] = {}
    for c in judged:
        if c.empty:
            continue  # changes nothing, so covers nothing a sign-off signs
        if c.sha in mentioned:
            groups[c.sha] = [c.sha]
        elif unattributed(c.people, officers):
            groups.setdefault(frozenset(c.people), []).append(c.sha)
    asked = linked([c.sha for c in judged], list(groups.values()))
    if not asked:
        return history
    joined, newly = [], []
    for commit in history:
        extra = asked.get(commit.sha)
        if not extra:
            joined.append(commit)
            continue
        people = tuple(dict.fromkeys((*commit.people, *extra)))
        if officers.isdisjoint(commit.people) and not officers.isdisjoint(people):
            newly.append(commit.sha)
        joined.append(commit._replace(people=people))
    whole = read_paths(repo, newly) if newly and pathspecs(rules.sop) else {}
    return tuple(c._replace(paths=whole[c.sha]) if c.sha in whole else c for c in joined)


def view_at(
    repo: Path,
    rules: Rules,
    rev: str | None,
    signoffs: SignoffSource | tuple[Signoff, ...],
    snapshot: Snapshot | None = None,
    history: tuple[CommitInfo, ...] | None = None,
    cache: Cache = NO_CACHE,
) -> View:
    """One commit as the gate sees it. ``signoffs``: the source that finds them in the history, or those
    already found; ``snapshot`` and ``history``: read when not given."""
    snapshot = snapshot if snapshot is not None else read_snapshot(repo, rev)
    sop = rules.sop
    known, letters = file_verdicts(repo, sop, snapshot, cache, rules.roots)
    checks = {s.id: tuple(check_step(s, snapshot, {}, sop.settings, known)) for s in sop.steps}
    if history is None:
        history = history_of(repo, rules, read_history(repo, rev, pathspecs(sop))) if rev else ()
    found = signoffs if isinstance(signoffs, tuple) else signoffs(history)
    return View(snapshot, checks, history, found, letters)


Verdicts = dict[tuple[str, str], FileResult]


def file_verdicts(
    repo: Path, sop: Sop, snapshot: Snapshot, cache: Cache = NO_CACHE, roots: tuple[bytes, ...] = ()
) -> tuple[Verdicts, dict[str, Letter]]:
    """The verdict on every artefact file of ``snapshot``, keyed by (artefact pattern, path), and the
    signer and time of each signed letter accepted, by path.

    A verdict depends only on the artefact's rules, the file's content and (for a signed letter) the
    pinned ``roots``, so it is remembered in the cache under a digest of them (and, for one read instead
    of one per file, all of a commit's verdicts under a digest of theirs): only files never judged before
    are read from git and checked.
    """
    files = artefact_files(sop.steps, snapshot)
    keys = _verdict_keys(sop, files, roots)
    together = Cache.key(VERDICTS, *(key.encode() for key in keys))
    remembered = cache.lookup(VERDICTS, together)
    if isinstance(remembered, list) and len(remembered) == len(files):
        known = [_verdict(item) for item in remembered]
        if all(v is not None for v in known):
            return _split(files, [v for v in known if v is not None])
    verdicts: dict[tuple[str, str], Judged] = {}
    unknown = []
    for (artefact, entry), key in zip(files, keys, strict=True):
        verdict = _verdict(cache.lookup(VERDICTS, key))
        if verdict is not None:
            verdicts[artefact.path, entry.path] = verdict
        else:
            unknown.append((artefact, entry, key))
    judged = [verdicts[a.path, e.path] for a, e in files if (a.path, e.path) in verdicts]
    if _judge(repo, sop, unknown, verdicts, cache, roots):
        judged = [verdicts[a.path, e.path] for a, e in files]
        cache.store(VERDICTS, together, [_stored(v) for v in judged])
    return _split(files, [verdicts[a.path, e.path] for a, e in files])


VERDICTS = "artefact-verdicts"


class Judged(NamedTuple):
    state: ArtefactState
    reasons: list[str]
    letter: Letter | None = None


def _split(files: list[tuple[Artefact, Entry]], judged: list[Judged]) -> tuple[Verdicts, dict[str, Letter]]:
    verdicts = {(a.path, e.path): (v.state, v.reasons) for (a, e), v in zip(files, judged, strict=True)}
    return verdicts, {v.letter.path: v.letter for v in judged if v.letter is not None}


def _stored(verdict: Judged) -> list[object]:
    """A verdict as the cache keeps it: ``[state, [reason, ...]]``, and the letter's facts after them."""
    letter = verdict.letter
    return [verdict.state, verdict.reasons, *([list(letter)] if letter is not None else [])]


def _verdict_keys(sop: Sop, files: list[tuple[Artefact, Entry]], roots: tuple[bytes, ...]) -> list[str]:
    """The cache key of each file's verdict: the language of the reasons, the artefact's rules and the
    file's mode and content id (and for a signed letter, the pinned roots and the validator's versions)."""
    from toolkit.i18n import current_language

    lang = current_language().encode()
    rules = (sop.settings.placeholder, sop.settings.max_artefact_bytes)
    pinned = ""
    if any(a.signature is not None for a, _e in files):
        from toolkit.evidence.trust import roots_digest

        # a new validator may judge the same letter otherwise: its versions are part of the key
        pinned = (roots_digest(roots) if roots else "") + validator_versions()
    return [
        Cache.key(
            VERDICTS,
            lang,
            repr((a.kind, a.sections, a.fields, a.values, *rules, *entry[1:])).encode(),
            *([repr(a.signature).encode(), pinned.encode(), entry.path.encode()] if a.signature else []),
        )
        for a, entry in files
    ]


def validator_versions() -> str:
    """The installed versions of the libraries that judge a signed letter, and of sop-toolkit's own
    rules for it (:data:`toolkit.evidence.pdfsig.RULES`)."""
    from importlib.metadata import PackageNotFoundError, version

    from toolkit.evidence.pdfsig import RULES

    found = [f"rules=={RULES}"]
    for name in ("pyHanko", "pyhanko-certvalidator"):
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}==?")
    return ";" + ";".join(found)


def _judge(
    repo: Path,
    sop: Sop,
    unknown: list[tuple[Artefact, Entry, str]],
    verdicts: dict[tuple[str, str], Judged],
    cache: Cache,
    roots: tuple[bytes, ...],
) -> bool:
    """Judge the files no verdict was remembered for, into ``verdicts``, and remember each; whether
    every file could be read (a verdict on a file that could not be read is never remembered, nor one
    that rests on the time it was reached)."""
    if not unknown:
        return True
    from toolkit.evidence.contents import check_file

    settings = sop.settings
    entries = with_sizes(repo, [e for _a, e, _k in unknown])
    contents = read_objects(repo, [e.sha for e in entries if needs_content(e, settings)])
    all_read = True
    letters = []
    for (artefact, _unsized, key), entry in zip(unknown, entries, strict=True):
        state, reasons = check_file(artefact, entry, contents, settings)
        verdicts[artefact.path, entry.path] = Judged(state, reasons)
        read = (entry.size >= 0 or entry.kind != "blob") and (
            entry.sha in contents or not needs_content(entry, settings)
        )
        if read and artefact.signature is not None and state is ArtefactState.PRESENT:
            letters.append((artefact, entry, key))
        elif read:
            cache.store(VERDICTS, key, [state, reasons])
        all_read = all_read and read
    return _judge_signatures(letters, contents, verdicts, cache, roots) and all_read


def _judge_signatures(
    letters: list[tuple[Artefact, Entry, str]],
    contents: Mapping[str, bytes],
    verdicts: dict[tuple[str, str], Judged],
    cache: Cache,
    roots: tuple[bytes, ...],
) -> bool:
    """The signatures of the letters that are valid PDFs, checked in one bounded child process."""
    if not letters:
        return True
    from toolkit import sandbox
    from toolkit.evidence import pdfsig

    jobs = [
        sandbox.Job(contents[e.sha], roots, pdfsig.Options.of(a.signature))
        for a, e, _k in letters
        if a.signature
    ]
    found = sandbox.verify(jobs)
    lasting = True
    for (artefact, entry, key), verdict in zip(letters, found, strict=True):
        assert artefact.signature is not None
        (state, reasons), letter = pdfsig.judge(verdict, artefact.signature, entry.path)
        judged = verdicts[artefact.path, entry.path] = Judged(state, reasons, letter)
        if verdict.depends_on_now or any(code == "pdf.too-costly" for code, _p in verdict.problems):
            lasting = False  # the time it was judged, or the machine's load, decided it: judge it again
        else:
            cache.store(VERDICTS, key, _stored(judged))
    return lasting


def _verdict(remembered: object) -> Judged | None:
    """A verdict as the cache keeps it; ``None`` for anything else."""
    from toolkit.evidence.pdfsig import Letter

    match remembered:
        case [str(state), list(reasons), *rest] if (
            state in set(ArtefactState) and all(isinstance(r, str) for r in reasons) and len(rest) <= 1
        ):
            letter = None
            if rest:
                facts = rest[0]
                if not (
                    isinstance(facts, list) and len(facts) == 4 and all(isinstance(f, str) for f in facts)
                ):
                    return None
                letter = Letter(*facts)
            return Judged(ArtefactState(state), list(reasons), letter)
    return None


def with_sizes(repo: Path, entries: list[Entry]) -> list[Entry]:
    """``entries`` with their sizes (a tree is listed without them; -1 stays for a missing object)."""
    sizes = read_sizes(repo, [e.sha for e in entries if e.size < 0 and e.kind == "blob"])
    return [e._replace(size=sizes.get(e.sha, e.size)) if e.size < 0 else e for e in entries]


def change_between(
    repo: Path,
    base: str | None,
    head: View,
    known: set[str],
    paths: tuple[str, ...],
    configured: Mapping[str, str] | None = None,
) -> Change:
    """The change from ``base`` to ``head``: ``known`` are the commits the base already has, ``paths``
    the paths whose content differs."""
    assert head.snapshot.rev is not None
    commits = tuple(c for c in head.commits if c.sha not in known)
    new = {c.sha for c in commits}
    policy_problems = _policy_problems(repo, head.snapshot) if POLICY_FILE in paths else ()
    signoffs = tuple(s for s in head.signoffs if s.anchor in new)
    return Change(base, head.snapshot.rev, paths, commits, signoffs, configured, policy_problems)


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
