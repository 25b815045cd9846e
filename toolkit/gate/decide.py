"""The decision: pure functions from the rules and the gathered evidence to a report.

Nothing here reads git, the disk or the network; everything it needs arrives in :class:`Rules`, a
:class:`View` or a :class:`Change`, so the pre-receive hook, the GitHub check and the tests run the very
same rules (docs/security-model.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from toolkit.evidence.classify import classes
from toolkit.evidence.model import ArtefactState, CommitInfo, Signoff, ancestry
from toolkit.evidence.roster import office_day
from toolkit.evidence.security_report import RESULT_FIELD, CommitName, SecurityReport, commit_name
from toolkit.evidence.signoffs import covered_paths, covers, digest_of, touches
from toolkit.gate.model import (
    STATUS_LABELS,
    Change,
    Message,
    Rejected,
    Release,
    Report,
    ReportedCommit,
    Rules,
    Status,
    StepReport,
    View,
    Violation,
)
from toolkit.i18n import _
from toolkit.sop.model import POLICY_STEP, Sop, Step

_ARTEFACT_STATUS = {
    ArtefactState.MISSING: Status.MISSING,
    ArtefactState.INVALID: Status.INVALID,
    ArtefactState.UNFILLED: Status.UNFILLED,
}


def signers_of(policy: Sop, step_id: str) -> tuple[str, ...]:
    return policy.policy.owners if step_id == POLICY_STEP else policy.step(step_id).signoffs


def signoff_problems(rules: Rules, signoff: Signoff, commits: Iterable[CommitInfo]) -> list[Message]:
    """Why ``signoff`` does not count, whatever it is offered for (empty when it counts). ``commits`` is
    the history up to it, oldest first."""
    policy = rules.sop
    problems = [Message(code) for code in signoff.problems]
    if signoff.step != POLICY_STEP and not any(s.id == signoff.step for s in policy.steps):
        return [*problems, Message("signoff.unknown-step", {"step": signoff.step})]
    roles = signers_of(policy, signoff.step)
    if signoff.role not in roles:
        problems.append(
            Message(
                "signoff.wrong-role", {"role": signoff.role, "step": signoff.step, "roles": ", ".join(roles)}
            )
        )
    if rules.app is None:
        problems.append(Message("signoff.no-app"))
    elif signoff.app != rules.app:
        problems.append(Message("signoff.other-app", {"app": signoff.app or "-", "here": rules.app}))
    if signoff.signer is None:
        return problems if signoff.problems else [*problems, Message("signoff.unknown-key")]
    # The role must be held on the day the sign-off was made: the day the enforcement point first saw it
    # (the server's push log), in the office's time zone. It stays valid after the signer leaves.
    day = office_day(signoff.time, policy.settings.timezone)
    if not rules.roster.holds(signoff.signer, signoff.role, day):
        params = {"member": signoff.signer, "role": signoff.role, "date": day.isoformat()}
        problems.append(Message("signoff.role-not-held", params))
    member = rules.roster.member(signoff.signer)
    if member is not None and _made_by(policy, signoff, commits, member.identities()):
        problems.append(Message("signoff.own-work", {"member": signoff.signer}))
    return problems


def _made_by(policy: Sop, signoff: Signoff, commits: Iterable[CommitInfo], people: frozenset[str]) -> bool:
    """Whether someone with one of the identities ``people`` (e-mails, GitHub accounts) authored,
    co-authored or committed a commit, up to the sign-off's anchor, that changed what the sign-off covers
    (the code too, for a step that covers it)."""
    for commit in commits:
        if not people.isdisjoint(commit.people) and any(
            covers(policy, signoff.step, p) for p in commit.paths
        ):
            return True
        if commit.sha == signoff.anchor:
            break
    return False


def _valid_signoffs(rules: Rules, view: View) -> dict[tuple[str, str], list[Signoff]]:
    found: dict[tuple[str, str], list[Signoff]] = {}
    for signoff in view.signoffs:
        if not signoff_problems(rules, signoff, view.commits):
            found.setdefault((signoff.step, signoff.role), []).append(signoff)
    return found


class Progress(NamedTuple):
    """Every step's report at one commit, and which steps are complete and which under way: a step is
    under way once its prerequisites are met and its work has visibly begun (one of its artefacts filled
    in, or, for the step whose output is the program, application code in the repository)."""

    reports: tuple[StepReport, ...]
    complete: frozenset[str]
    started: frozenset[str]

    def waiting(self, step: Step) -> list[str]:
        """The prerequisites of ``step`` not met: required steps not complete, steps it needs only
        under way not started."""
        return [d for d in step.requires if d not in self.complete] + [
            d for d in step.requires_started if d not in self.started
        ]


def progress(rules: Rules, view: View) -> Progress:
    valid = _valid_signoffs(rules, view)
    done = Progress((), frozenset(), frozenset())
    for step in rules.sop.steps:
        report = _step_report(rules.sop, step, view, valid, done)
        letters = tuple(
            view.letters[p] for c in view.checks.get(step.id, ()) for p in c.paths if p in view.letters
        )
        report = report._replace(letters=letters) if letters else report
        complete = report.status is Status.COMPLETE
        under_way = complete or (not done.waiting(step) and _begun(rules.sop, step, view))
        done = Progress(
            (*done.reports, report),
            done.complete | ({step.id} if complete else set()),
            done.started | ({step.id} if under_way else set()),
        )
    return done


def _begun(policy: Sop, step: Step, view: View) -> bool:
    if step.produces_code and classes(policy).holds_code(view.snapshot.entries):
        return True
    return any(c.state is ArtefactState.PRESENT for c in view.checks.get(step.id, ()))


def step_reports(rules: Rules, view: View) -> tuple[StepReport, ...]:
    """The state of every step at ``view`` (what the Kasi wants to see)."""
    return progress(rules, view).reports


def _step_report(
    policy: Sop, step: Step, view: View, valid: Mapping[tuple[str, str], list[Signoff]], done: Progress
) -> StepReport:
    title = step.title.get()
    checks = [
        c for c in view.checks.get(step.id, ()) if not (c.optional and c.state is ArtefactState.MISSING)
    ]
    worst = next(
        (
            s
            for s in (ArtefactState.MISSING, ArtefactState.INVALID, ArtefactState.UNFILLED)
            if any(c.state is s for c in checks)
        ),
        None,
    )
    blocked = _blocked(policy, step, title, done)
    if worst is not None:
        if blocked is not None and worst is not ArtefactState.INVALID:
            return blocked  # a prerequisite missing: told apart from the step's own unfinished documents
        reasons = tuple(r for c in checks if c.state is not ArtefactState.PRESENT for r in c.reasons)
        return StepReport(step.no, step.id, title, _ARTEFACT_STATUS[worst], reasons, step.actors)
    if step.produces_code and not classes(policy).holds_code(view.snapshot.entries):
        reasons = (_("no application code yet: this step's output is the program itself"),)
        return blocked or StepReport(step.no, step.id, title, Status.MISSING, reasons, step.actors)
    current = digest_of(covered_paths(policy, step.id, view.snapshot), view.snapshot)
    missing_roles, stale_roles, signed_by, times = [], [], [], []
    for role in step.signoffs:
        signoffs = valid.get((step.id, role), [])
        matching = [s for s in signoffs if s.digest == current]
        if matching:
            signed_by.append(f"{matching[-1].signer} ({role})")
            times.append(min(s.time for s in matching))
        elif signoffs:
            stale_roles.append(role)
        else:
            missing_roles.append(role)
    if stale_roles:
        reasons = tuple(
            _(
                "the sign-off of '{role}' is for an earlier version; the files changed since, so "
                "it must be signed again"
            ).format(role=r)
            for r in stale_roles
        )
        if step.covers_code:
            reasons += (
                _(
                    "this sign-off also covers the application code: code changed after the test "
                    "needs a re-test"
                ),
            )
        act = tuple(stale_roles + missing_roles)
        return StepReport(step.no, step.id, title, Status.STALE, reasons, act, tuple(signed_by))
    if missing_roles:
        reasons = (_("waiting for the sign-off of: {roles}").format(roles=", ".join(missing_roles)),)
        return StepReport(
            step.no, step.id, title, Status.AWAITING_SIGNOFF, reasons, tuple(missing_roles), tuple(signed_by)
        )
    if blocked is not None:
        return blocked._replace(signed_by=tuple(signed_by))
    signed_at = max(times) if times else None  # the role that signed last completed it
    return StepReport(step.no, step.id, title, Status.COMPLETE, (), (), tuple(signed_by), signed_at=signed_at)


def _blocked(policy: Sop, step: Step, title: str, done: Progress) -> StepReport | None:
    """The report of ``step`` blocked by the prerequisites not met, with those who must act on them
    (``None`` when every prerequisite is met)."""
    waiting = [policy.step(d) for d in done.waiting(step)]
    if not waiting:
        return None
    unfinished = [str(d.no) for d in waiting if d.id in step.requires]
    reasons = [_("depends on step {steps}, which is not complete").format(steps=", ".join(unfinished))]
    reasons = reasons if unfinished else []
    reasons += [
        _("step {step} must be under way first: its prerequisites complete and its work begun").format(
            step=d.no
        )
        for d in waiting
        if d.id not in step.requires
    ]
    act = tuple(dict.fromkeys(a for d in waiting for a in d.actors))
    return StepReport(step.no, step.id, title, Status.BLOCKED, tuple(reasons), act)


def _notes(*views: View | None) -> tuple[Message, ...]:
    untrusted = any(not s.trusted for view in views if view is not None for s in view.signoffs)
    return (Message("note.untrusted-times"),) if untrusted else ()


def state(rules: Rules, view: View, day: dt.date | None = None) -> Report:
    """The state of every step (what the Kasi wants to see), naming who must act from the roster: the
    members holding each role on ``day`` (any member granted the role, when no day is given)."""
    reports = tuple(r._replace(people=people_named(rules, r.act, day)) for r in step_reports(rules, view))
    return Report(reports, (), "state", _notes(view))


def people_named(rules: Rules, roles: tuple[str, ...], day: dt.date | None) -> tuple[str, ...]:
    """Each role as "Name, Name (role title)", or its title alone when nobody in the roster holds it."""
    named = []
    for role in roles:
        title = rules.sop.roles[role].title.get() if role in rules.sop.roles else role
        holders = [
            m.name
            for m in rules.roster.members
            if any(g.role == role and (day is None or g.covers(day)) for g in m.grants)
        ]
        named.append(f"{', '.join(holders)} ({title})" if holders else title)
    return tuple(named)


def decide_change(rules: Rules, base: View | None, head: View, change: Change) -> Report:
    """Whether ``change`` may land, judged by the rules of the base (docs/security-model.md):

    1. a change to a step's artefacts needs that step's sign-offs on the change;
    2. a step may only change once the steps it depends on are complete on the base (a new repository:
       in what it brings);
    3. application code may only change once the design steps are complete on the base (the same);
    4. a change to the policy files needs the policy owners' sign-offs;
    and file names must be sound, artefacts valid, a new policy readable.
    """
    policy = rules.sop
    # A new repository has no base: it arrives with its whole history (an application scaffolded from the
    # request registry holds steps 1-5 at once), so each step's prerequisites must be complete in what it
    # brings, with the sign-offs it brings. The order of the SOP still holds; only who signed decides.
    on_base = progress(rules, base if base is not None else head)
    base_complete = on_base.complete
    violations = _name_violations(head, change)
    violations += [Violation("policy.invalid", {"text": text}) for text in change.policy_problems]
    artefact_changes = classes(policy).artefacts_among(change.paths)
    for step in policy.steps:
        touched = [p for p in artefact_changes if touches(policy, step.id, p)]
        if not touched:
            continue
        for check in head.checks.get(step.id, ()):
            if check.state is ArtefactState.INVALID and set(check.paths) & set(touched):
                path = check.paths[0] if len(check.paths) == 1 else None
                violations += [
                    Violation("artefact.invalid", {"text": reason}, step.no, path) for reason in check.reasons
                ]
        drafting = step.id not in base_complete and not any(
            c.state is ArtefactState.PRESENT for c in head.checks.get(step.id, ())
        )
        if drafting:
            continue  # template drafts of a step that is not complete yet need nobody's approval
        violations += _signoff_rule(rules, step.id, step.no, head, change)
        unfinished = [policy.step(d) for d in step.requires if d not in on_base.complete]
        unstarted = [policy.step(d) for d in step.requires_started if d not in on_base.started]
        for reason, waiting in (("dependency.incomplete", unfinished), ("dependency.not-started", unstarted)):
            if waiting:
                params = {"step": str(step.no), "requires": ", ".join(str(d.no) for d in waiting)}
                violations.append(Violation(reason, params, step.no, touched[0]))
    code = classes(policy).code_among(change.paths)
    if code:
        waiting = [policy.step(d) for d in policy.code_gate.requires if d not in base_complete]
        if waiting:
            params = {"files": _some(code), "steps": ", ".join(str(d.no) for d in waiting)}
            violations.append(Violation("code.design-incomplete", params, None, code[0]))
    policy_files = classes(policy).policy_among(change.paths)
    if policy_files and not _matches_configured(head, change):
        violations += _signoff_rule(rules, POLICY_STEP, None, head, change)
    return Report(step_reports(rules, head), tuple(violations), "change", _notes(base, head))


def history_rewritten(report: Report, base: str, head: str) -> Report:
    """``report`` with the violation of a change that does not descend from its base (a force push)."""
    rewritten = Violation("history.rewritten", {"base": base[:12], "head": head[:12]})
    return report._replace(violations=(rewritten, *report.violations))


def _name_violations(head: View, change: Change) -> list[Violation]:
    from toolkit.evidence.artefacts import suspicious_names

    changed = set(change.paths) if head.snapshot.undecodable else set()
    violations = [
        Violation("name.not-utf8", {"name": name}, path=name)
        for name in head.snapshot.undecodable
        if name in changed
    ]
    return violations + [
        Violation(code, params, path=params["name"])
        for code, params in suspicious_names(change.paths, head.snapshot)
    ]


def _some(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (_(" and {count} more").format(count=len(paths) - limit) if len(paths) > limit else "")


def _matches_configured(head: View, change: Change) -> bool:
    """The first push of a new repository may bring policy files unsigned, as long as the rules the gate
    reads (the server's own policy and roster) arrive exactly as the server has them."""
    if change.base is not None or change.configured_policy is None:
        return False
    entries = head.snapshot.entries
    return all(entries[p].sha == sha for p, sha in change.configured_policy.items() if p in entries)


def _signoff_rule(
    rules: Rules, step_id: str, step_no: int | None, head: View, change: Change
) -> list[Violation]:
    """Every role that signs ``step_id`` off must have done so on this change, after its last edit of
    what the sign-off covers, for exactly the content of the head, and not as one of its makers."""
    policy = rules.sop
    current = digest_of(covered_paths(policy, step_id, head.snapshot), head.snapshot)
    edits = [c for c in change.commits if any(covers(policy, step_id, p) for p in c.paths)]
    history = head.commits
    offered = [s for s in change.signoffs if s.step == step_id]
    strangers = [
        Rejected(s.anchor, tuple(signoff_problems(rules, s, history)), s.label)
        for s in offered
        if s.role not in signers_of(policy, step_id)
    ]
    violations = []
    for role in signers_of(policy, step_id):
        rejected = list(strangers)
        for signoff in (s for s in offered if s.role == role):
            problems = signoff_problems(rules, signoff, history)
            if signoff.digest != current:
                problems.append(Message("signoff.stale-digest"))
            if not _after_all(signoff.anchor, edits, change.commits):
                problems.append(Message("signoff.before-last-change"))
            if not problems:
                break
            rejected.append(Rejected(signoff.anchor, tuple(problems), signoff.label))
        else:
            code = "policy.signoff-missing" if step_id == POLICY_STEP else "signoff.missing"
            params = {"role": role} if step_id == POLICY_STEP else {"step": str(step_no), "role": role}
            violations.append(Violation(code, params, step_no, None, tuple(rejected)))
    return violations


def _after_all(anchor: str, edits: list[CommitInfo], commits: tuple[CommitInfo, ...]) -> bool:
    """Whether every one of ``edits`` is ``anchor`` or one of its ancestors within the change's commits:
    an edit on a branch beside the sign-off, merged later, is not something it saw."""
    seen = ancestry(commits, anchor)
    return all(edit.sha in seen for edit in edits)


def decide_release(rules: Rules, view: View, released_code: str, release: Release) -> Report:
    """Whether ``view`` may be released. ``rules`` are the protected branch's, never the released
    commit's; ``release`` says whether the released commit is on that branch and what the security
    reports say (``released_code``: the digest of the released code).

    Blocked unless the released commit is on the branch, every step the release needs is complete, and
    the report of each step that covers the code names, by its full id, a commit of the released history
    whose code is exactly the released code, states the result LULUS and leaves no critical or high
    finding open."""
    policy = rules.sop
    reports = step_reports(rules, view)
    by_id = {r.id: r for r in reports}
    violations = []
    head = view.snapshot.rev or ""
    if not release.on_branch:
        params = {"commit": head[:12], "branch": release.branch, "tip": release.tip[:12]}
        violations.append(Violation("release.not-on-branch", params))
    for step_id in policy.release_gate.requires:
        report = by_id[step_id]
        if report.status is not Status.COMPLETE:
            params = {
                "step": str(report.no),
                "status": _(STATUS_LABELS[report.status]),
                "reasons": "; ".join(report.reasons) or "-",
            }
            violations.append(Violation("release.step-incomplete", params, report.no))
    for step in policy.steps:
        if step.covers_code and step.tested_commit_field and step.id in policy.release_gate.requires:
            found = release.reports.get(step.id)
            if found is None:
                violations.append(Violation("release.report-unreadable", {"step": str(step.no)}, step.no))
                continue
            tested = release.tested.get(step.id, ReportedCommit())
            problems = _tested_commit_problems(step, found, tested, len(head), released_code)
            problems += _security_result_problems(step, found)
            violations += [Violation(code, params, step.no) for code, params in problems]
    return Report(reports, tuple(violations), "release", _notes(view))


Problems = list[tuple[str, dict[str, str]]]  # (code, what its message names)

_COMMIT_FORMS = {
    CommitName.EMPTY: "release.commit-empty",
    CommitName.SHORT: "release.commit-short",
    CommitName.UPPER: "release.commit-upper-case",
    CommitName.OTHER_LENGTH: "release.commit-length",
    CommitName.NOT_HEX: "release.commit-not-an-id",
}


def _tested_commit_problems(
    step: Step, report: SecurityReport, tested: ReportedCommit, id_length: int, released_code: str
) -> Problems:
    """Why the commit the report names is not the released code, tested (empty when it is)."""
    field = step.tested_commit_field or ""
    value = report.fields.get(field, "").strip()
    form = commit_name(value, id_length)
    where = {"field": field, "step": str(step.no), "value": _shown(value)}
    if form is not CommitName.FULL:
        return [(_COMMIT_FORMS[form], {**where, "count": str(len(value)), "length": str(id_length)})]
    if tested.kind is None:
        return [("release.commit-unknown", where)]
    if tested.kind != "commit":
        return [("release.commit-not-a-commit", {**where, "kind": tested.kind})]
    if not tested.in_history or tested.code is None:
        return [("release.commit-not-in-history", where)]
    if tested.code != released_code:
        return [("release.code-changed", {"commit": value[:12]})]
    return []


def _security_result_problems(step: Step, report: SecurityReport) -> Problems:
    """Why the report's result and findings do not allow a release (empty when they do)."""
    problems: Problems = []
    if not report.passed:
        params = {"field": RESULT_FIELD, "step": str(step.no), "value": _shown(report.result or "")}
        problems.append(("release.result-not-passed", params))
    if report.tables == 0:
        problems.append(("release.no-findings-table", {"step": str(step.no)}))
    for doubt in report.doubts:
        params = {"step": str(step.no), "line": str(doubt.line), "detail": _shown(doubt.detail)}
        problems.append((f"release.report-{doubt.kind}", params))
    for finding in report.open_serious:
        code = "release.open-finding" if finding.known else "release.open-finding-unknown-severity"
        params = {
            "step": str(step.no),
            "severity": _shown(finding.severity),
            "line": str(finding.line),
            "row": _shown(" | ".join(finding.cells)),
        }
        problems.append((code, params))
    return problems


def _shown(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters (a report's text inside a message)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
