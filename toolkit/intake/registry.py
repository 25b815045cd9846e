"""The request registry in git: reading and replaying its history, and making a transition.

No decisions here: every commit is judged by :mod:`toolkit.intake.decide`. This module gathers what the
decision needs (what each commit changes, its bytes, who signed it, when) and writes commits only after
the decision accepted them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from toolkit.cache import NO_CACHE, Cache
from toolkit.errors import EXIT_BLOCKED, ProblemsError, UserError
from toolkit.evidence import roster as roster_lib
from toolkit.evidence.model import CommitInfo
from toolkit.evidence.signoffs import parse_commit
from toolkit.forge.plain import sshsig
from toolkit.forge.plain.signoffs import Clock
from toolkit.gate.model import Rules
from toolkit.i18n import _
from toolkit.intake.changes import changes_of
from toolkit.intake.decide import (
    FileChange,
    Registry,
    RegistryCommit,
    apply,
    first_commit_problems,
    judge,
)
from toolkit.intake.model import MAX_COMMIT_FILES, POLICY_FILES, README
from toolkit.repo.git import git, git_env
from toolkit.repo.gitread import ZERO, Pending, read_objects, read_sizes
from toolkit.sop.source import MAX_FILE_BYTES

BRANCH = "main"
MAX_POLICY_BYTES = MAX_FILE_BYTES  # a policy or roster is read whole: no larger than sop.yaml may be
MAX_COMMIT_BYTES = 1024 * 1024  # a transition's commit (its message and signature) is a few KiB
READ_BUDGET = 64 * 1024 * 1024  # commits and file contents held at once while replaying a history
# the commits whose changes are compared at once: few at first (a push of hostile commits is refused at
# its first, so what follows is never compared), twice as many each time, as a valid history goes on
FIRST_WINDOW, MAX_WINDOW = 16, 1024
NO_CLOCK = Clock()  # no server push log: the signers' own commit times
POLICY_FILE, ROSTER_FILE = POLICY_FILES


@dataclass(frozen=True)
class Verdict:
    """A registry's history judged: the registry as far as it is valid, and the first refused commit."""

    registry: Registry | None  # None: not even the first commit is valid
    judged: int  # commits accepted
    refused: str | None = None  # the first commit refused
    problems: tuple[str, ...] = ()
    untrusted_times: bool = True  # the times are the signers' own (no server push log)

    @property
    def valid(self) -> bool:
        return self.refused is None


def commit_list(repo: Path, tip: str, since: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The commits up to ``tip`` (after ``since``), oldest first, with their parents."""
    args = [
        "rev-list",
        "--reverse",
        "--topo-order",
        "--parents",
        tip,
        *([f"^{since}"] if since else []),
        "--",
    ]
    out = Pending(repo, args).output().decode().split("\n")
    found = []
    for line in out:
        if line.strip():
            sha, *parents = line.split()
            found.append((sha, tuple(parents)))
    return found


def _with_contents(
    repo: Path, changes: Mapping[str, list[FileChange]], limit: int
) -> dict[str, list[FileChange]]:
    """The changes with the contents of each file no larger than ``limit``, the limit of the rules in
    force before these commits (never of rules a commit brings: an unsigned commit raising the limit
    must not make the replay read what the office never allowed). A commit changing more files than any
    transition adds is refused for that alone: nothing of it is read (one ``cat-file`` for all)."""
    wanted = {
        c.sha
        for found in changes.values()
        if len(found) <= MAX_COMMIT_FILES
        for c in found
        if 0 <= c.size <= limit
    }
    blobs = read_objects(repo, sorted(wanted))
    return {sha: [c._replace(content=blobs.get(c.sha)) for c in found] for sha, found in changes.items()}


def _batch(
    listed: list[tuple[str, tuple[str, ...]]],
    start: int,
    sized: Mapping[str, list[FileChange]],
    limit: int,
    commit_sizes: Mapping[str, int],
) -> list[str]:
    """The commits from ``start`` (among those compared, ``sized``) read together, the commit objects
    and their files: at most :data:`READ_BUDGET` bytes (at least one commit), ending at a commit that
    touches ``.sop/`` (the commits after it are read with its rules' limit, once it is accepted)."""
    chunk: list[str] = []
    total = 0
    for sha, _parents in listed[start:]:
        if sha not in sized:
            break
        found = sized[sha]
        size = sum(c.size for c in found if 0 <= c.size <= limit) if len(found) <= MAX_COMMIT_FILES else 0
        size += max(0, min(commit_sizes.get(sha, 0), MAX_COMMIT_BYTES))
        if chunk and total + size > READ_BUDGET:
            break
        chunk.append(sha)
        total += size
        if any(c.path in POLICY_FILES for c in found):
            break
    return chunk


def _committer_time(payload: bytes) -> int:
    """The commit's committer time; -1 when it cannot be read (refused: ``decide.time_problems``)."""
    for line in payload.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            if len(parts) == 3 and parts[1].isdigit() and len(parts[1]) <= 12:
                return int(parts[1])
            return -1
    return -1


def parse_rules(policy: bytes, roster: bytes, where: str) -> Rules:
    """The rules in a registry commit's ``.sop/`` files; :class:`ProblemsError` when invalid."""
    from toolkit import sop

    parsed = sop.parse(policy, f"{where}:{POLICY_FILE}")
    missing = [no for no in range(1, 6) if not any(s.no == no and s.signoffs for s in parsed.steps)]
    if missing:
        raise UserError(
            _("{file}: a request registry needs steps 1-5 with sign-off roles; missing: {steps}").format(
                file=f"{where}:{POLICY_FILE}", steps=", ".join(map(str, missing))
            )
        )
    members = roster_lib.parse(roster, f"{where}:{ROSTER_FILE}", set(parsed.roles))
    return Rules(parsed, members, None, f"{where}:{POLICY_FILE}")


def _rules_of(repo: Path, sha: str, changes: list[FileChange]) -> tuple[Rules | None, tuple[str, ...]]:
    """The rules a commit that touches ``.sop/`` brings, or why they are not valid (a file over
    :data:`MAX_POLICY_BYTES` is refused unread)."""
    if not any(c.path in POLICY_FILES for c in changes):
        return None, ()
    listed = git(["ls-tree", "-z", "-l", sha, "--", *POLICY_FILES], repo).split("\0")
    blobs = {line.split("\t", 1)[1]: line.split()[2] for line in listed if "\t" in line}
    sizes = {line.split("\t", 1)[1]: line.split("\t", 1)[0].split()[3] for line in listed if "\t" in line}
    if set(blobs) != set(POLICY_FILES):
        return None, (
            _("{commit}: the registry needs both {files}").format(
                commit=sha[:12], files=", ".join(POLICY_FILES)
            ),
        )
    large = [name for name, size in sizes.items() if not size.isdigit() or int(size) > MAX_POLICY_BYTES]
    if large:
        return None, tuple(
            _("{commit}: {file} is larger than {limit} bytes").format(
                commit=sha[:12], file=name, limit=MAX_POLICY_BYTES
            )
            for name in large
        )
    raw = read_objects(repo, list(blobs.values()))
    try:
        return parse_rules(raw[blobs[POLICY_FILE]], raw[blobs[ROSTER_FILE]], sha[:12]), ()
    except ProblemsError as error:
        return None, tuple(str(p) for p in error.problems)
    except UserError as error:
        return None, (error.message,)


def replay(
    repo: Path,
    tip: str,
    clock: Clock = NO_CLOCK,
    expected: Mapping[str, str] | None = None,
    cache: Cache = NO_CACHE,
    since: Registry | None = None,
) -> Verdict:
    """Judge every commit up to ``tip`` (after ``since``, a registry judged before), oldest first.

    ``expected``: the blob ids the first commit's policy files must have (a server's own copies).
    """
    listed = commit_list(repo, tip, since.head if since else None)
    commit_sizes = read_sizes(repo, [sha for sha, _parents in listed])
    sized: dict[str, list[FileChange]] = {}  # what the commits of the window compared change
    changes: dict[str, list[FileChange]] = {}  # ... with the contents read
    raw: dict[str, bytes] = {}  # the commit objects read
    registry = since
    judged = 0
    window = FIRST_WINDOW
    for index, (sha, parents) in enumerate(listed):
        if sha not in sized:  # a few commits first, more as they prove valid: a refused one ends it all
            sized = changes_of(repo, listed[index : index + window])
            window = min(2 * window, MAX_WINDOW)
        if sha not in changes:  # read with the limit of the rules in force before it (none: the first)
            changes.clear()
            limit = registry.rules.sop.settings.max_artefact_bytes if registry is not None else 0
            batch = _batch(listed, index, sized, limit, commit_sizes)
            changes.update(_with_contents(repo, {b: sized[b] for b in batch}, limit))
            small = [b for b in batch if 0 <= commit_sizes.get(b, -1) <= MAX_COMMIT_BYTES]
            raw = read_objects(repo, small)
        if sha not in raw:
            large = _("{commit}: the commit is larger than {limit} bytes").format(
                commit=sha[:12], limit=MAX_COMMIT_BYTES
            )
            return Verdict(registry, judged, sha, (large,))
        parsed = parse_commit(raw[sha])
        dated = _committer_time(parsed.payload)
        when, trusted = clock.time_of(CommitInfo(sha, parents, (), dated, ()))
        # reaching the branch in this push: its date must be on the office day of its time on the server,
        # its first logged arrival (a commit parked on another, unjudged ref first) or now
        arriving = clock.arrivals is not None and sha in clock.new
        new_rules, rules_problems = _rules_of(repo, sha, sized[sha])
        commit = RegistryCommit(
            sha,
            parents,
            parsed.message,
            parsed.signature is not None,
            None,
            when,
            trusted,
            tuple(changes[sha]),
            new_rules,
            rules_problems,
            dated if arriving else None,
        )
        if registry is None:
            problems = first_commit_problems(commit) + _expected_problems(changes[sha], expected)
            if problems or new_rules is None:
                return Verdict(None, judged, sha, tuple(problems) or (_("no valid policy"),))
            registry = apply(Registry(new_rules, {}, None), commit)
        else:
            if parsed.signature is not None:
                signer = sshsig.signer(parsed.signature, parsed.payload, registry.rules.roster, cache)
                commit = commit._replace(signer=signer)
            problems = judge(registry, commit)
            if problems:
                return Verdict(registry, judged, sha, tuple(f"{sha[:12]}: {p}" for p in problems))
            registry = apply(registry, commit)
        judged += 1
    return Verdict(registry, judged, untrusted_times=clock.arrivals is None)


def _expected_problems(changes: list[FileChange], expected: Mapping[str, str] | None) -> list[str]:
    if expected is None:
        return []
    have = {c.path: c.sha for c in changes}
    return [
        _(
            "{file} differs from the server's own copy; the registry must start with the office's policy"
        ).format(file=name)
        for name, sha in expected.items()
        if have.get(name) != sha
    ]


def load(repo: Path, rev: str = "HEAD", cache: Cache | None = None) -> Registry:
    """The registry at ``rev``, its whole history judged; refused (exit 1) when any commit is invalid."""
    head = _tip(repo, rev)
    verdict = replay(repo, head, cache=cache or Cache.default())
    if not verdict.valid or verdict.registry is None:
        raise UserError(
            _(
                "the registry's history is not valid; nothing is done (see sopkit request verify):"
                "\n  {problems}"
            ).format(problems="\n  ".join(verdict.problems)),
            EXIT_BLOCKED,
        )
    return verdict.registry


def _tip(repo: Path, rev: str) -> str:
    if not (repo / ".git").exists() and not (repo / "HEAD").is_file():
        raise UserError(
            _(
                "{path} is not a request registry (no git repository); make one with sopkit request init"
            ).format(path=repo)
        )
    head = git(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], repo, check=False).strip()
    if not head:
        raise UserError(
            _("{path} has no commits; make a registry with sopkit request init").format(path=repo)
        )
    return head


def verify(repo: Path) -> Verdict:
    """The whole history of the registry in ``repo`` judged, for ``sopkit request verify``; on a registry
    server, timed by its push log."""
    from toolkit.forge.plain import pushlog

    head = git(["rev-parse", "--verify", "-q", "HEAD^{commit}"], repo, check=False).strip()
    if not head:
        raise UserError(
            _("{path} has no commits; make a registry with sopkit request init").format(path=repo)
        )
    arrivals = pushlog.arrivals(repo)
    clock = NO_CLOCK if arrivals is None else Clock(arrivals)
    return replay(repo, head, clock, cache=Cache.default())


def check_new(dest: Path, policy: Path, roster: Path) -> None:
    """Refuse, before anything is written, a ``dest`` that is not new or empty and a policy or roster
    that is not a valid regular file."""
    if dest.is_symlink() or (dest.exists() and (not dest.is_dir() or any(dest.iterdir()))):
        raise UserError(_("{dest} must be a new or empty folder").format(dest=dest))
    for path in (policy, roster):
        if path.is_symlink() or not path.is_file():
            raise UserError(_("{path} is not a regular file").format(path=path))
    try:
        parse_rules(policy.read_bytes(), roster.read_bytes(), "init")
    except ProblemsError as error:
        raise UserError(error.message) from error


def init(dest: Path, policy: Path, roster: Path) -> str:
    """A new registry in ``dest``: its policy and roster in ``.sop/``, a README, one first commit."""
    check_new(dest, policy, roster)
    dest.mkdir(parents=True, exist_ok=True)
    git(["init", "-q", "-b", BRANCH], dest)
    (dest / ".sop").mkdir()
    shutil.copyfile(policy, dest / POLICY_FILE)
    shutil.copyfile(roster, dest / ROSTER_FILE)
    (dest / README).write_text(README_TEXT, encoding="utf-8")
    git(["add", "-A"], dest)
    identity = ["-c", "user.name=sop-toolkit", "-c", "user.email=sopkit@localhost"]
    git(
        [*identity, "commit", "-q", "--no-verify", "-m", "Registri permintaan aplikasi / request registry"],
        dest,
    )
    return git(["rev-parse", "HEAD"], dest).strip()


README_TEXT = """# Registri permintaan aplikasi

Registri ini mencatat permintaan aplikasi dari OPD dan disposisinya (langkah 1-5 SOP), satu folder per
permintaan di `requests/`. Setiap langkah adalah satu commit yang ditandatangani dengan kunci SSH orang yang
melakukannya; jangan mengubah berkas secara manual. Gunakan `sopkit request` (lihat `sopkit request --help`).

This registry records the agencies' application requests and their dispositions (SOP steps 1-5). Every
transition is one commit signed by the person who made it; use `sopkit request`, never edit by hand.
"""


def public_key(key: str) -> str:
    """The public half of a signing key (a literal ``ssh-...`` key, a ``.pub`` file or a private key
    file with its ``.pub`` beside it), as ``type base64``."""
    if key.startswith("key::"):
        key = key[5:]
    if not key.startswith("ssh-"):
        path = Path(key)
        candidates = [path] if path.suffix == ".pub" else [path.with_name(path.name + ".pub"), path]
        for candidate in candidates:
            try:
                first = candidate.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                continue
            if first.startswith(("ssh-", "ecdsa-", "sk-")):
                key = first
                break
        else:
            raise UserError(
                _("cannot find the public key of {key} (expected {key}.pub beside it)").format(key=key)
            )
    return " ".join(key.split()[:2])


def member_of_key(key: str, roster: roster_lib.Roster) -> roster_lib.Member | None:
    wanted = public_key(key)
    return next((m for m in roster.members if any(" ".join(k.split()[:2]) == wanted for k in m.keys)), None)


def hash_blob(repo: Path, content: bytes, write: bool) -> str:
    return git(["hash-object", *(["-w"] if write else []), "--stdin"], repo, input_bytes=content).strip()


def write_commit(
    repo: Path, files: Mapping[str, bytes], message: str, key: str, author: roster_lib.Member
) -> str:
    """A commit on top of HEAD adding ``files``, signed with ``key``; HEAD and the working tree are not
    moved (see :func:`advance`). Returns its id."""
    head = git(["rev-parse", "HEAD"], repo).strip()
    with tempfile.TemporaryDirectory(prefix="sopkit-intake-") as tmp:
        env = {**git_env(), "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        env.update(
            {
                "GIT_AUTHOR_NAME": author.name,
                "GIT_AUTHOR_EMAIL": author.emails[0],
                "GIT_COMMITTER_NAME": author.name,
                "GIT_COMMITTER_EMAIL": author.emails[0],
            }
        )

        def run(args: list[str], stdin: bytes | None = None) -> str:
            done = subprocess.run(
                ["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, check=False
            )
            if done.returncode != 0:
                raise UserError(
                    _("git {command} failed in {path}: {error}").format(
                        command=args[0] if args[0] != "-c" else "commit-tree",
                        path=repo,
                        error=done.stderr.decode(errors="replace").strip(),
                    )
                )
            return done.stdout.decode().strip()

        run(["read-tree", head])
        for path, content in files.items():
            sha = hash_blob(repo, content, write=True)
            run(["update-index", "--add", "--cacheinfo", f"100644,{sha},{path}"])
        tree = run(["write-tree"])
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"]
        return run([*signing, "commit-tree", tree, "-p", head, "-S", "-F", "-"], message.encode())


def advance(repo: Path, commit: str) -> None:
    """Move the registry's branch and working tree to ``commit`` (a fast-forward)."""
    git(["merge", "--ff-only", "-q", commit], repo)


def require_clean(repo: Path) -> None:
    if git(["status", "--porcelain", "--untracked-files=all"], repo).strip():
        raise UserError(
            _(
                "{path} has uncommitted changes; a registry is changed only by sopkit request "
                "(git status shows them)"
            ).format(path=repo)
        )


def now() -> int:
    return int(time.time())


def expected_policy(bare: Path) -> dict[str, str]:
    """The blob ids of a server's own policy and roster, which a new registry must start with."""
    from toolkit.forge.plain.server import CONFIG_DIR

    own = bare / CONFIG_DIR
    return {
        POLICY_FILE: git(["hash-object", "--", str(own / "sop.yaml")], bare).strip(),
        ROSTER_FILE: git(["hash-object", "--", str(own / "roster.yaml")], bare).strip(),
    }


def check_reconfigure(bare: Path, branches: tuple[str, ...], policy: Path, roster: Path) -> None:
    """Before ``sopkit server init --registry`` writes anything on a server whose registry has history:
    refuse a policy or roster other than the registry's own at its tip. The server's copies judged its
    first push; what is in force now changed only by signed policy transitions, and so must any change."""
    if not (bare / "HEAD").is_file():
        return
    given = {POLICY_FILE: policy, ROSTER_FILE: roster}
    for branch in branches:
        ref = branch if branch.startswith("refs/") else f"refs/heads/{branch}"
        tip = git(["rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], bare, check=False).strip()
        if not tip:
            continue
        listed = git(["ls-tree", "-z", tip, "--", *POLICY_FILES], bare).split("\0")
        have = {line.split("\t", 1)[1]: line.split()[2] for line in listed if "\t" in line}
        for name, path in given.items():
            if have.get(name) != git(["hash-object", "--", str(path.resolve())], bare).strip():
                raise UserError(
                    _(
                        "{path} holds a request registry with history: its {file} is the registry's own "
                        "(at {commit}), and {given} differs from it. The server's copies judge only a new "
                        "registry's first push; a policy owner changes the registry's policy or roster with "
                        "a signed transition: sopkit request policy --policy FILE --roster FILE --key KEY "
                        "in a clone, then git push; then run this again with the same files. Nothing was "
                        "changed."
                    ).format(path=bare, file=name, commit=tip[:12], given=path)
                )


def judge_push(bare: Path, old: str, new: str, clock: Clock, cache: Cache) -> Verdict:
    """A push to a registry server: the history before it (as it is on the server), then its commits.

    The server's own copies of the policy and roster judge the first push of a new registry only: they
    are its root of trust. After that the rules in force are the registry's own, changed only by a policy
    owner's signed transition; the history on the server was judged when it arrived, so reconfiguring the
    server (``sopkit server init``, refused when its copies differ from the registry's) cannot brick it."""
    if old == ZERO:
        return replay(bare, new, clock, expected_policy(bare), cache)
    before = replay(bare, old, clock._replace(new=frozenset()), None, cache)
    if not before.valid or before.registry is None:
        return before
    return replay(bare, new, clock, None, cache, since=before.registry)
