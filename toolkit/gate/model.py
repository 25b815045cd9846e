"""What the gate receives and what it returns: rules, the repository state, the change and its sign-offs
go in, a report comes out (docs/security-model.md)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from toolkit.evidence.model import ArtefactCheck, CommitInfo, Signoff, Snapshot
from toolkit.evidence.roster import Roster
from toolkit.i18n import N_
from toolkit.sop.model import Sop


class Rules(NamedTuple):
    """The rules in force: the policy and roster of the judging commit, and the application they judge."""

    sop: Sop
    roster: Roster
    app: str | None  # the application's id (its slug in the scaffold answers); sign-offs must name it
    source: str = ""  # where the policy was read from
    roots: tuple[bytes, ...] = ()  # the pinned trust roots of signed letters (checked against their hashes)


if TYPE_CHECKING:
    from toolkit.evidence.pdfsig import Letter
    from toolkit.evidence.security_report import SecurityReport


class View(NamedTuple):
    """One commit as the gate sees it: its files, the state of every step's artefacts, and the history
    that leads to it (commits oldest first, and the sign-offs found on them)."""

    snapshot: Snapshot
    checks: Mapping[str, tuple[ArtefactCheck, ...]]  # step id -> its artefact checks
    commits: tuple[CommitInfo, ...]
    signoffs: tuple[Signoff, ...]
    letters: Mapping[str, Letter] = {}  # path -> the signer and time of each signed letter accepted


class Change(NamedTuple):
    """A push or pull request: from ``base`` (``None`` for a new repository) to the head."""

    base: str | None
    head: str
    paths: tuple[str, ...]  # paths whose content differs between base and head
    commits: tuple[CommitInfo, ...]  # the commits the change brings, oldest first
    signoffs: tuple[Signoff, ...]  # the sign-offs made on this change
    configured_policy: Mapping[str, str] | None = None  # path -> blob id of the server's own policy files
    policy_problems: tuple[str, ...] = ()  # why the policy the change brings is not valid


class Status(StrEnum):
    COMPLETE = "complete"
    MISSING = "missing"
    UNFILLED = "unfilled"
    INVALID = "invalid"
    AWAITING_SIGNOFF = "awaiting-signoff"
    STALE = "stale"
    BLOCKED = "blocked"


STATUS_LABELS = {
    Status.COMPLETE: N_("complete"),
    Status.MISSING: N_("missing"),
    Status.UNFILLED: N_("not filled in"),
    Status.INVALID: N_("invalid"),
    Status.AWAITING_SIGNOFF: N_("awaiting sign-off"),
    Status.STALE: N_("stale sign-off"),
    Status.BLOCKED: N_("blocked by a dependency"),
}


class StepReport(NamedTuple):
    no: int
    id: str
    title: str
    status: Status
    reasons: tuple[str, ...] = ()
    act: tuple[str, ...] = ()  # roles that must act next
    signed_by: tuple[str, ...] = ()  # "member (role)" of the valid sign-offs
    letters: tuple[Letter, ...] = ()  # its signed letters: who signed each and when
    signed_at: int | None = None  # when the last of its sign-offs was made (a complete step)
    people: tuple[str, ...] = ()  # who must act, by name from the roster: "Budi Santoso (Kasi ...)"


class Message(NamedTuple):
    """A stable code and what it names; the text is chosen when the report is rendered
    (:mod:`toolkit.gate.messages`)."""

    code: str
    params: Mapping[str, str] = {}


class Rejected(NamedTuple):
    """A sign-off offered for a rule that does not count, and why."""

    anchor: str
    problems: tuple[Message, ...]
    label: str = ""  # the sign-off's own name when its anchor does not name it (a review)


class Violation(NamedTuple):
    """Why a change may not land: a stable code (``signoff.missing``, ``code.design-incomplete``, ...), the
    step and path it concerns, the values its message names, and the sign-offs that were not enough."""

    code: str
    params: Mapping[str, str] = {}
    step: int | None = None
    path: str | None = None
    rejected: tuple[Rejected, ...] = ()

    @property
    def rule(self) -> str:
        """The rule broken: the code's first part (signoff, code, policy, dependency, release, ...)."""
        return self.code.split(".", 1)[0]


class Report(NamedTuple):
    steps: tuple[StepReport, ...]
    violations: tuple[Violation, ...] = ()
    kind: str = "state"  # state, change, release
    notes: tuple[Message, ...] = ()  # what the reader should know about how far to trust it

    @property
    def passed(self) -> bool:
        return not self.violations

    def step(self, step_id: str) -> StepReport:
        return next(s for s in self.steps if s.id == step_id)


class ReportedCommit(NamedTuple):
    """What git holds under the id a security report names as its tested commit (gathered only for a
    full id of the repository's hash, and looked up only as an object id, never as a ref name)."""

    kind: str | None = None  # the object's type (commit, blob, tree, tag); None when git has no such object
    in_history: bool = False  # a commit reachable from (or equal to) the released commit
    code: str | None = None  # the digest of the application code at that commit


class Release(NamedTuple):
    """The facts the release gate judges besides the released commit's view: where the rules came from,
    whether the released commit is on the protected branch, and what each security report says."""

    branch: str  # the protected branch's full ref name, e.g. refs/heads/main
    tip: str  # the commit at its tip, whose policy and roster judge the release
    on_branch: bool  # the released commit is the tip or reachable from it
    reports: Mapping[str, SecurityReport | None]  # step id -> its report (None: no readable report)
    tested: Mapping[str, ReportedCommit]  # step id -> what its report's tested commit is in git
