"""Whether a registry commit is a valid transition: pure, over facts an adapter gathered.

A commit is accepted when it is the one next commit of the registry (one parent: the tip), its trailers
name a request, a transition, the SOP step and the role, it adds exactly that request's next record
(and the attachments the transition allows) and changes nothing else, the record is valid, and its SSH
signature is by a roster member who holds the role on the day it was made -- judged by the gate's own
:func:`toolkit.gate.decide.signoff_problems`, so the registry and the gate never disagree on who may act.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from toolkit.evidence.contents import looks_like_pdf
from toolkit.evidence.model import Signoff
from toolkit.evidence.roster import office_day
from toolkit.gate.decide import signoff_problems
from toolkit.gate.messages import text
from toolkit.gate.model import Rules
from toolkit.i18n import _
from toolkit.intake.model import (
    MAX_COMMIT_FILES,
    NEW,
    POLICY,
    POLICY_FILES,
    README,
    REJECT,
    REQUEST_ID,
    TRANSITIONS,
    Event,
    Request,
    Transition,
    folder,
    next_transition,
)
from toolkit.intake.records import agenda_key, letter_days, parse_record, problem_lines
from toolkit.sop.model import POLICY_STEP

REQUEST, TRANSITION, STEP, ROLE, DIGEST = (
    "Sop-Request",
    "Sop-Transition",
    "Sop-Step",
    "Sop-Role",
    "Sop-Digest",
)
REGISTRY_APP = "registry"  # what a policy transition binds itself to, in place of a request
_TRAILER = re.compile(r"^(Sop-[A-Za-z]+):[ \t]*(\S+)[ \t\r]*$", re.M)
REGULAR = "100644"
# the times a commit may have: an office day in any time zone is a date (Python's years 1..9999)
MIN_TIME, MAX_TIME = 0, 253_402_128_000  # 1970-01-01 .. 9999-12-30, UTC
MAX_SKEW = 600  # seconds a transition's own date may be ahead of its arrival (clocks drift)


class FileChange(NamedTuple):
    """One path a commit changes against its parent."""

    path: str
    status: str  # A added, M modified, D deleted, T type changed
    mode: str  # the new mode (000000 when deleted)
    sha: str  # the new blob id
    size: int  # bytes (-1: unknown)
    content: bytes | None  # the new bytes, when small enough to be read


class RegistryCommit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    message: str
    signed: bool
    signer: str | None  # the roster member whose key made the signature (None: no key of the roster)
    time: int  # when it was made, as trusted as the adapter can tell (see ``trusted``)
    trusted: bool  # ``time`` is the server's arrival time, not the signer's claim
    changes: tuple[FileChange, ...]
    new_rules: Rules | None = None  # the policy and roster it brings, when it changes .sop/ validly
    rules_problems: tuple[str, ...] = ()  # why the policy or roster it brings is not valid
    # its own committer date, when it arrives at the server now (``time`` is the arrival): it must be
    # of the same office day, so that every clone (which can only read this date) judges it alike
    dated: int | None = None


class Registry(NamedTuple):
    """The registry after the commits judged so far: the rules in force and every request."""

    rules: Rules
    requests: Mapping[str, Request]
    head: str | None

    def request(self, request_id: str) -> Request | None:
        return self.requests.get(request_id)


def trailers(message: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in _TRAILER.findall(message):
        found.setdefault(key, []).append(value)
    return found


def message(title: str, request_id: str, transition: str, step: str, role: str, digest: str) -> str:
    return (
        f"{title}\n\n{REQUEST}: {request_id}\n{TRANSITION}: {transition}\n{STEP}: {step}\n"
        f"{ROLE}: {role}\n{DIGEST}: {digest}\n"
    )


def digest(changes: Iterable[FileChange]) -> str:
    """What the transition adds: path, mode and blob id of each file (the trailer binds the signed
    message to them, as a sign-off's digest does)."""
    hasher = hashlib.sha256()
    for change in sorted(changes):
        hasher.update(f"{change.path}\0{change.mode}\0{change.sha}\n".encode("utf-8", "surrogateescape"))
    return "sha256:" + hasher.hexdigest()


def shown_path(path: str) -> str:
    """A path as a message shows it: a byte that is not UTF-8 (kept by git's reader as a lone surrogate)
    written as ``\\xff``, so that it can be printed, and seen."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_problems(commit: RegistryCommit) -> list[str]:
    """A file name that is not UTF-8 text: nothing of a registry may be named so (its digest, records and
    views are text)."""
    return [
        _("{commit}: a file name must be UTF-8 text; {path} is not (rename it)").format(
            commit=commit.sha[:12], path=shown_path(change.path)
        )
        for change in commit.changes
        if shown_path(change.path) != change.path
    ]


def shape_problems(commit: RegistryCommit) -> list[str]:
    """A commit no transition can be: a path it names twice (a hand-made tree git's own checks refuse,
    whose first entry git reads and whose last a mapping keeps), or more files than any transition
    changes (the reader stops one file past :data:`MAX_COMMIT_FILES`)."""
    paths = [c.path for c in commit.changes]
    twice = sorted({shown_path(p) for p in paths if paths.count(p) > 1})
    if twice:
        return [
            _("{commit}: its tree names {paths} twice (a malformed tree)").format(
                commit=commit.sha[:12], paths=", ".join(twice)
            )
        ]
    if len(paths) > MAX_COMMIT_FILES:
        return [
            _("{commit}: it changes more than {count} files; no transition does").format(
                commit=commit.sha[:12], count=MAX_COMMIT_FILES
            )
        ]
    return []


def first_commit_problems(commit: RegistryCommit) -> list[str]:
    """The registry's first commit holds its policy and roster (and a README), nothing else."""
    problems = [] if not commit.parents else [_("the first commit of a registry has no parent")]
    named = shape_problems(commit) or name_problems(commit)
    if named:
        return problems + named
    paths = {c.path for c in commit.changes}
    for name in POLICY_FILES:
        if name not in paths:
            problems.append(_("the registry's first commit must hold {file}").format(file=name))
    for change in commit.changes:
        if change.path not in {*POLICY_FILES, README}:
            problems.append(
                _("{path}: the first commit holds only {files}").format(
                    path=change.path, files=", ".join((*POLICY_FILES, README))
                )
            )
        elif change.mode != REGULAR:
            problems.append(_("{path}: not a regular file").format(path=change.path))
    problems += list(commit.rules_problems)
    return problems + time_problems(commit)


def judge(registry: Registry, commit: RegistryCommit) -> list[str]:
    """Why ``commit`` is not a valid next transition of ``registry`` (empty: it is)."""
    unreadable = time_problems(commit)
    if unreadable:
        return unreadable
    return _transition_problems(registry, commit) + date_problems(registry, commit)


def time_problems(commit: RegistryCommit) -> list[str]:
    """A commit's time outside :data:`MIN_TIME`..:data:`MAX_TIME` (or unreadable: -1) cannot be read as
    an office day: the commit is refused before anything depends on its time."""
    times = (commit.time, commit.dated)
    if all(MIN_TIME <= t <= MAX_TIME for t in times if t is not None):
        return []
    return [
        _(
            "{commit}: the commit's date cannot be read (it must fall between 1970 and 9999); make the "
            "transition again with sopkit request"
        ).format(commit=commit.sha[:12])
    ]


def date_problems(registry: Registry, commit: RegistryCommit) -> list[str]:
    """A transition arriving at the server (``commit.dated`` set) must be dated on the office day it
    arrives, and not ahead of it: the server judges it by its arrival, every clone by its own date, and
    every judgement that depends on the time (the year of a new id, the roles held) is by office day. So
    the two can never disagree: a transition dated another day or year is refused, not accepted by the
    server and then refused by every clone (which left the registry unusable), and a transition cannot
    be back-dated into a role's window."""
    if commit.dated is None:
        return []
    zone = registry.rules.sop.settings.timezone
    dated, arrived = office_day(commit.dated, zone), office_day(commit.time, zone)
    if dated != arrived:
        problem = _(
            "the commit is dated {dated}, but reached the server on {day} ({zone}); a transition is judged "
            "by the day it is made, so it must reach the server on the same day"
        ).format(dated=dated.isoformat(), day=arrived.isoformat(), zone=zone)
    elif commit.dated > commit.time + MAX_SKEW:
        problem = _(
            "the commit is dated {minutes} minutes after it reached the server (more than {most} "
            "minutes); check the computer's clock"
        ).format(minutes=(commit.dated - commit.time) // 60, most=MAX_SKEW // 60)
    else:
        return []
    return [
        problem
        + "; "
        + _(
            "make it again: git fetch, git reset --hard origin/main (this drops the transitions not "
            "pushed), repeat them with sopkit request, and push them the same day"
        )
    ]


def _transition_problems(registry: Registry, commit: RegistryCommit) -> list[str]:
    if commit.parents != ((registry.head,) if registry.head else ()):
        return [
            _(
                "{commit}: a registry's history is a single line: each transition's only parent is the "
                "registry's tip {head}"
            ).format(commit=commit.sha[:12], head=(registry.head or "-")[:12])
        ]
    named = shape_problems(commit) or name_problems(commit)
    if named:
        return named
    found = trailers(commit.message)
    claimed = {k: v[0] for k, v in found.items() if len(v) == 1}
    if any(len(v) > 1 for v in found.values()) or not {TRANSITION, STEP, ROLE, DIGEST} <= claimed.keys():
        return [
            _(
                "{commit}: not a transition: its message must name exactly one {keys} (make transitions "
                "with sopkit request)"
            ).format(commit=commit.sha[:12], keys=", ".join((REQUEST, TRANSITION, STEP, ROLE, DIGEST)))
        ]
    if claimed[TRANSITION] == POLICY:
        return _policy_problems(registry, commit, claimed)
    transition = TRANSITIONS.get(claimed[TRANSITION])
    request_id = claimed.get(REQUEST, "")
    if transition is None:
        return [_("unknown transition '{name}'").format(name=claimed[TRANSITION])]
    if not REQUEST_ID.match(request_id):
        return [_("'{id}' is not a request id like 2026-001").format(id=request_id)]
    request = registry.request(request_id)
    problems, step_no = _order_problems(registry, transition, request, request_id, commit.time)
    if step_no is None:
        return problems
    step = registry.rules.sop.step(step_no)
    if claimed[STEP] != step.id:
        problems.append(
            _("the message names the step '{claimed}', but {transition} is step {no} '{step}'").format(
                claimed=claimed[STEP], transition=transition.name, no=step.no, step=step.id
            )
        )
    problems += _file_problems(registry, transition, request_id, commit)
    if claimed[DIGEST] != digest(commit.changes):
        problems.append(_("the message's {key} does not match the files the commit adds").format(key=DIGEST))
    problems += _signer_problems(registry.rules, commit, step.id, claimed[ROLE], request_id)
    return problems


def _order_problems(
    registry: Registry, transition: Transition, request: Request | None, request_id: str, moment: int
) -> tuple[list[str], int | None]:
    """Whether ``transition`` may happen to the request now, and the SOP step whose roles make it."""
    if transition is NEW:
        if request is not None:
            return [_("request {id} exists already").format(id=request_id)], None
        expected = _expected_id(registry, request_id, moment)
        if request_id != expected:
            return [
                _(
                    "{id} is not the next request id: a new request is {expected} (ids are given in "
                    "order by sopkit request new)"
                ).format(id=request_id, expected=expected)
            ], None
        return [], NEW.step_no
    if request is None:
        return [_("there is no request {id}").format(id=request_id)], None
    upcoming = next_transition(request.state)
    if upcoming is None:
        return [
            _("request {id} is closed ({state}); nothing may follow").format(
                id=request_id, state=request.state
            )
        ], None
    if transition is REJECT:
        return [], upcoming.step_no
    if transition is not upcoming:
        return [
            _("request {id} is '{state}': the next transition is '{next}', not '{name}'").format(
                id=request_id, state=request.state, next=upcoming.name, name=transition.name
            )
        ], None
    return [], transition.step_no


def _file_problems(
    registry: Registry, transition: Transition, request_id: str, commit: RegistryCommit
) -> list[str]:
    base = folder(request_id)
    record_path = f"{base}/{transition.record}"
    allowed = {record_path, *(f"{base}/{name}" for name in transition.attachments)}
    problems = []
    paths = {c.path for c in commit.changes}
    for name in (transition.record, *transition.required):
        if f"{base}/{name}" not in paths:
            problems.append(_("the transition must add {path}").format(path=f"{base}/{name}"))
    limit = registry.rules.sop.settings.max_artefact_bytes
    for change in commit.changes:
        if change.path not in allowed:
            problems.append(
                _("{path}: '{name}' of request {id} may add only {files}; nothing else may change").format(
                    path=change.path, name=transition.name, id=request_id, files=", ".join(sorted(allowed))
                )
            )
        elif change.status != "A":
            problems.append(
                _("{path}: exists already; a record is never changed once made").format(path=change.path)
            )
        elif change.mode != REGULAR:
            problems.append(
                _("{path}: not a regular file (a symbolic link or executable)").format(path=change.path)
            )
        elif change.size > limit:
            problems.append(
                _("{path}: {size} bytes, larger than the policy's limit of {limit} bytes").format(
                    path=change.path, size=change.size, limit=limit
                )
            )
        elif change.content is None:
            problems.append(_("{path}: its content cannot be read from git").format(path=change.path))
        elif change.path == record_path:
            problems += _record_problems(registry, transition, request_id, change, commit.time)
        elif not looks_like_pdf(change.content):
            problems.append(_("{path}: not a PDF").format(path=change.path))
    return problems


def _record_problems(
    registry: Registry, transition: Transition, request_id: str, change: FileChange, moment: int
) -> list[str]:
    assert change.content is not None
    request = registry.request(request_id)
    today = office_day(moment, registry.rules.sop.settings.timezone)
    days = letter_days(request.letter if request else {}, today)
    data, found = parse_record(transition, change.content, change.path, registry.rules.roster, days)
    problems = problem_lines(found)
    if transition is NEW and data.get("id") not in (None, request_id):
        problems.append(
            _("{path}: id must be {id}, the request's folder").format(path=change.path, id=request_id)
        )
    agenda = data.get("nomor_agenda")
    if agenda is not None:
        key = agenda_key(agenda)
        taken = [r.id for r in registry.requests.values() if agenda_key(_agenda(r)) == key]
        if taken:
            problems.append(
                _("{path}: the agenda number {no} is already request {id}'s").format(
                    path=change.path, no=agenda, id=taken[0]
                )
            )
    return problems


def _agenda(request: Request) -> Any:
    return request.records.get("02-pencatatan.yaml", {}).get("nomor_agenda", "")


def _signer_problems(rules: Rules, commit: RegistryCommit, step_id: str, role: str, app: str) -> list[str]:
    """The gate's own judgement of a signed act: signed by a roster key, a role the step's sign-offs
    name, held by the signer on the day it was made (office time zone), bound to this request."""
    signoff = Signoff(
        commit.sha,
        step_id,
        role,
        "",
        commit.signer,
        commit.time,
        app,
        () if commit.signed else ("signoff.unsigned",),
        commit.trusted,
    )
    return [text(m) for m in signoff_problems(rules._replace(app=app), signoff, ())]


def _policy_problems(registry: Registry, commit: RegistryCommit, claimed: Mapping[str, str]) -> list[str]:
    """A change of the registry's policy or roster: only those files, valid, signed by a policy owner
    of the rules in force."""
    problems = []
    for change in commit.changes:
        if change.path not in POLICY_FILES:
            problems.append(
                _("{path}: a policy transition changes only {files}").format(
                    path=change.path, files=", ".join(POLICY_FILES)
                )
            )
        elif change.status != "M" or change.mode != REGULAR:
            problems.append(_("{path}: must stay a regular file").format(path=change.path))
    if not commit.changes:
        problems.append(_("a policy transition must change the policy or the roster"))
    problems += list(commit.rules_problems)
    if commit.new_rules is None and not commit.rules_problems:
        problems.append(_("the new policy or roster could not be read"))
    if claimed.get(STEP) != POLICY_STEP:
        problems.append(_("a policy transition names the step '{step}'").format(step=POLICY_STEP))
    if claimed[DIGEST] != digest(commit.changes):
        problems.append(_("the message's {key} does not match the files the commit adds").format(key=DIGEST))
    problems += _signer_problems(registry.rules, commit, POLICY_STEP, claimed[ROLE], REGISTRY_APP)
    return problems


def apply(registry: Registry, commit: RegistryCommit) -> Registry:
    """The registry after the accepted ``commit``."""
    found = {k: v[0] for k, v in trailers(commit.message).items()}
    if not commit.parents:
        return registry._replace(head=commit.sha)
    if found.get(TRANSITION) == POLICY:
        assert commit.new_rules is not None
        return registry._replace(rules=commit.new_rules, head=commit.sha)
    transition = TRANSITIONS[found[TRANSITION]]
    request_id = found[REQUEST]
    before = registry.request(request_id)
    record_path = f"{folder(request_id)}/{transition.record}"
    content = next(c.content for c in commit.changes if c.path == record_path)
    assert content is not None
    data, _problems = parse_record(transition, content, record_path, registry.rules.roster)
    event = Event(transition.name, commit.signer or "", found[ROLE], commit.time, commit.trusted, commit.sha)
    files = tuple(sorted({*(before.files if before else ()), *(c.path for c in commit.changes)}))
    request = Request(
        request_id,
        transition.target,
        {**(before.records if before else {}), transition.record: data},
        (*(before.events if before else ()), event),
        files,
    )
    return registry._replace(requests={**registry.requests, request_id: request}, head=commit.sha)


LAST_DAY_OF_LAST_YEAR = 15  # until 15 January a new request may still take the year before's next id


def _expected_id(registry: Registry, request_id: str, moment: int) -> str:
    """The one id a new request made at ``moment`` may take: the next of its own year, when that is the
    office's year then, or the one before in the first days of January, up to the 15th (a request made on
    31 December and pushed in January); this year's next id otherwise. So no id can skip ahead
    (``2026-999999`` would leave no next id) or be a second spelling of one taken (``2026-0001`` beside
    ``2026-001``), and no request is filed under last year in July."""
    day = office_day(moment, registry.rules.sop.settings.timezone)
    found = REQUEST_ID.match(request_id)
    claimed = int(found["year"]) if found else day.year
    late = claimed == day.year - 1 and day.month == 1 and day.day <= LAST_DAY_OF_LAST_YEAR
    return next_id(registry, claimed if claimed == day.year or late else day.year)


def next_id(registry: Registry, year: int) -> str:
    """The next request id of ``year``: ``2026-001``, ``2026-002``, ..."""
    taken = [
        int(m["seq"]) for i in registry.requests if (m := REQUEST_ID.match(i)) and int(m["year"]) == year
    ]
    return f"{year:04d}-{max(taken, default=0) + 1:03d}"
