"""The decision: pure functions from the policy, the roster and the gathered evidence to a report.

Nothing here reads git or the network; everything it needs arrives in a :class:`View` or a
:class:`Change`, so the pre-receive hook, the GitHub check and the tests run the very same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from toolkit.evidence.classify import classes
from toolkit.evidence.model import ArtefactState, CommitInfo, Signoff
from toolkit.evidence.roster import Roster
from toolkit.evidence.security_report import RESULT_FIELD, CommitName, SecurityReport, commit_name
from toolkit.evidence.signoffs import covered_paths, digest_of, touches
from toolkit.gate.model import (
    STATUS_LABELS,
    Change,
    Release,
    Report,
    ReportedCommit,
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


def _day(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def signers_of(policy: Sop, step_id: str) -> tuple[str, ...]:
    return policy.policy.owners if step_id == POLICY_STEP else policy.step(step_id).signoffs


def signoff_problems(
    policy: Sop, roster: Roster, signoff: Signoff, commits: Iterable[CommitInfo], also_at: int | None = None
) -> list[str]:
    """Why ``signoff`` does not count (empty when it does). ``commits`` is the history up to it, oldest
    first; ``also_at`` is a second moment at which the role must be held (the push or check time)."""
    problems = list(signoff.problems)
    known_step = signoff.step == POLICY_STEP or any(s.id == signoff.step for s in policy.steps)
    if not known_step:
        return [*problems, _("names step '{step}', which the policy does not have").format(step=signoff.step)]
    if signoff.role not in signers_of(policy, signoff.step):
        problems.append(
            _("role '{role}' does not sign off '{step}' (the policy asks for: {roles})").format(
                role=signoff.role, step=signoff.step, roles=", ".join(signers_of(policy, signoff.step))
            )
        )
    if signoff.signer is None:
        if not signoff.problems:
            problems.append(_("the signature is not made by a key in the roster"))
        return problems
    history = list(commits)
    me = next((c for c in history if c.sha == signoff.commit), None)
    when = me.time if me else 0
    for moment in (when, also_at):
        if moment is not None and not roster.holds(signoff.signer, signoff.role, _day(moment)):
            problems.append(
                _("{member} does not hold the role '{role}' on {date}").format(
                    member=signoff.signer, role=signoff.role, date=_day(moment).date().isoformat()
                )
            )
            break
    member = roster.member(signoff.signer)
    authors = _authors_since_last_signoff(policy, signoff, history) if member is not None else set()
    if member is not None and authors & set(member.emails):
        problems.append(
            _("{member} wrote part of what they sign off; another holder of the role must sign").format(
                member=signoff.signer
            )
        )
    return problems


def _authors_since_last_signoff(policy: Sop, signoff: Signoff, history: list[CommitInfo]) -> set[str]:
    """Authors of the commits that changed the signed-off files since the step's previous sign-off."""
    authors: set[str] = set()
    for commit in history:
        if commit.sha == signoff.commit:
            break
        if any(touches(policy, signoff.step, p) for p in commit.paths):
            authors.add(commit.author)
    return authors


def _valid_signoffs(policy: Sop, roster: Roster, view: View) -> dict[tuple[str, str], list[Signoff]]:
    found: dict[tuple[str, str], list[Signoff]] = {}
    for signoff in view.signoffs:
        if not signoff_problems(policy, roster, signoff, view.commits):
            found.setdefault((signoff.step, signoff.role), []).append(signoff)
    return found


def step_reports(policy: Sop, roster: Roster, view: View) -> tuple[StepReport, ...]:
    """The state of every step at ``view`` (what the Kasi wants to see)."""
    valid = _valid_signoffs(policy, roster, view)
    complete: set[str] = set()
    reports = []
    for step in policy.steps:
        report = _step_report(policy, step, view, valid, complete)
        if report.status is Status.COMPLETE:
            complete.add(step.id)
        reports.append(report)
    return tuple(reports)


def _step_report(
    policy: Sop, step: Step, view: View, valid: Mapping[tuple[str, str], list[Signoff]], complete: set[str]
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
    if worst is not None:
        reasons = tuple(r for c in checks if c.state is not ArtefactState.PRESENT for r in c.reasons)
        return StepReport(step.no, step.id, title, _ARTEFACT_STATUS[worst], reasons, step.actors)
    current = digest_of(covered_paths(policy, step.id, view.snapshot), view.snapshot)
    missing_roles, stale_roles, signed_by = [], [], []
    for role in step.signoffs:
        signoffs = valid.get((step.id, role), [])
        matching = [s for s in signoffs if s.digest == current]
        if matching:
            signed_by.append(f"{matching[-1].signer} ({role})")
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
        return StepReport(
            step.no,
            step.id,
            title,
            Status.STALE,
            reasons,
            tuple(stale_roles + missing_roles),
            tuple(signed_by),
        )
    if missing_roles:
        return StepReport(
            step.no,
            step.id,
            title,
            Status.AWAITING_SIGNOFF,
            (_("waiting for the sign-off of: {roles}").format(roles=", ".join(missing_roles)),),
            tuple(missing_roles),
            tuple(signed_by),
        )
    waiting = [policy.step(d) for d in step.requires if d not in complete]
    if waiting:
        return StepReport(
            step.no,
            step.id,
            title,
            Status.BLOCKED,
            (
                _("depends on step {steps}, which is not complete").format(
                    steps=", ".join(str(d.no) for d in waiting)
                ),
            ),
            tuple(dict.fromkeys(a for d in waiting for a in d.actors)),
            tuple(signed_by),
        )
    return StepReport(step.no, step.id, title, Status.COMPLETE, (), (), tuple(signed_by))


def state(policy: Sop, roster: Roster, view: View) -> Report:
    return Report(step_reports(policy, roster, view), (), "state")


def decide_change(policy: Sop, roster: Roster, base: View | None, head: View, change: Change) -> Report:
    """Whether ``change`` may land: the four rules of DESIGN.md §3, with the policy and roster of the base."""
    base_reports = {r.id: r for r in step_reports(policy, roster, base)} if base else {}
    base_complete = {k for k, r in base_reports.items() if r.status is Status.COMPLETE}
    head_reports = step_reports(policy, roster, head)
    violations: list[Violation] = [Violation("name", m) for m in _name_problems(head, change)]
    violations += [Violation("policy", m) for m in change.policy_problems]
    artefact_changes = classes(policy).artefacts_among(change.paths)
    for step in policy.steps:
        touched = [p for p in artefact_changes if touches(policy, step.id, p)]
        if not touched:
            continue
        for check in head.checks.get(step.id, ()):
            if check.state is ArtefactState.INVALID and set(check.paths) & set(touched):
                violations += [Violation("artefact", reason, step.no) for reason in check.reasons]
        drafting = step.id not in base_complete and not any(
            c.state is ArtefactState.PRESENT for c in head.checks.get(step.id, ())
        )
        if drafting:
            continue  # template drafts of a step that is not complete yet need nobody's approval
        violations += _signoff_rule(policy, roster, step.id, step.no, head, change)
        waiting = [policy.step(d) for d in step.requires if d not in base_complete]
        if waiting:
            violations.append(
                Violation(
                    "dependency",
                    _(
                        "step {no} changes, but step {deps} is not complete on the base; complete it first"
                    ).format(no=step.no, deps=", ".join(str(d.no) for d in waiting)),
                    step.no,
                )
            )
    code = classes(policy).code_among(change.paths)
    if code:
        waiting = [policy.step(d) for d in policy.code_gate.requires if d not in base_complete]
        if waiting:
            violations.append(
                Violation(
                    "code",
                    _(
                        "application code changes ({files}), but the design steps {steps} are not complete "
                        "on the base"
                    ).format(files=_some(code), steps=", ".join(str(d.no) for d in waiting)),
                )
            )
    policy_files = classes(policy).policy_among(change.paths)
    if policy_files and not _matches_configured(policy, head, change):
        violations += _signoff_rule(policy, roster, POLICY_STEP, None, head, change)
    return Report(head_reports, tuple(violations), "change")


def _name_problems(head: View, change: Change) -> list[str]:
    from toolkit.evidence.artefacts import suspicious_names

    changed = set(change.paths) if head.snapshot.undecodable else set()
    problems = [
        _("'{name}' is not a UTF-8 file name; rename it").format(name=name)
        for name in head.snapshot.undecodable
        if name in changed
    ]
    return problems + suspicious_names(change.paths, head.snapshot)


def _some(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (_(" and {count} more").format(count=len(paths) - limit) if len(paths) > limit else "")


def _matches_configured(policy: Sop, head: View, change: Change) -> bool:
    """The first push of a new repository may bring policy files unsigned, as long as the rules the gate
    reads (the server's own policy and roster) arrive exactly as the server has them."""
    if change.base is not None or change.configured_policy is None:
        return False
    entries = head.snapshot.entries
    return all(entries[p].sha == sha for p, sha in change.configured_policy.items() if p in entries)


def _signoff_rule(
    policy: Sop, roster: Roster, step_id: str, step_no: int | None, head: View, change: Change
) -> list[Violation]:
    """Every role that signs ``step_id`` off must have done so on this change, after its last edit of
    the files, for exactly the content of the head, and not as its author."""
    label = f"{step_no}" if step_no else _("policy")
    current = digest_of(covered_paths(policy, step_id, head.snapshot), head.snapshot)
    edits = [c for c in change.commits if any(touches(policy, step_id, p) for p in c.paths)]
    history = list(head.commits)
    violations = []
    strangers = [
        s for s in change.signoffs if s.step == step_id and s.role not in signers_of(policy, step_id)
    ]
    for role in signers_of(policy, step_id):
        candidates = [s for s in change.signoffs if s.step == step_id and s.role == role]
        reasons: list[str] = [
            _("sign-off {commit} does not count: {why}").format(
                commit=s.commit[:12], why="; ".join(signoff_problems(policy, roster, s, history))
            )
            for s in strangers
        ]
        accepted = False
        for signoff in candidates:
            problems = signoff_problems(policy, roster, signoff, history, also_at=change.now)
            if signoff.digest != current:
                problems.append(
                    _("it signs other content than the head of the change (stale or forged digest)")
                )
            if edits and not _after(signoff.commit, edits[-1].sha, change.commits):
                problems.append(_("it was made before the last change of the files"))
            if not problems:
                accepted = True
                break
            reasons.append(
                _("sign-off {commit} does not count: {why}").format(
                    commit=signoff.commit[:12], why="; ".join(problems)
                )
            )
        if not accepted:
            head_line = _("step {step} changes and needs the sign-off of '{role}' on this change").format(
                step=label, role=role
            )
            if step_id == POLICY_STEP:
                head_line = _(
                    "the policy files change and need the sign-off of the policy owner '{role}' on "
                    "this change"
                ).format(role=role)
            violations.append(
                Violation(
                    "signoff" if step_id != POLICY_STEP else "policy",
                    " — ".join([head_line, *reasons]),
                    step_no,
                )
            )
    return violations


def _after(later: str, earlier: str, commits: tuple[CommitInfo, ...]) -> bool:
    """Whether ``earlier`` is an ancestor of ``later`` within the change's commits."""
    parents = {c.sha: c.parents for c in commits}
    seen, stack = set(), [later]
    while stack:
        sha = stack.pop()
        if sha == earlier:
            return True
        if sha in seen:
            continue
        seen.add(sha)
        stack.extend(parents.get(sha, ()))
    return False


def decide_release(policy: Sop, roster: Roster, view: View, released_code: str, release: Release) -> Report:
    """Whether ``view`` may be released (DESIGN.md §3, release gate). ``policy`` and ``roster`` are the
    protected branch's, never the released commit's; ``release`` says whether the released commit is on
    that branch and what the security reports say (``released_code``: the digest of the released code).

    Blocked unless the released commit is on the branch, every step the release needs is complete, and
    the report of each step that covers the code names, by its full id, a commit of the released history
    whose code is exactly the released code, states the result LULUS and leaves no critical or high
    finding open."""
    reports = step_reports(policy, roster, view)
    by_id = {r.id: r for r in reports}
    violations = []
    head = view.snapshot.rev or ""
    if not release.on_branch:
        violations.append(
            Violation(
                "release",
                _(
                    "the released commit {commit} is not on the protected branch {branch} (at {tip}): "
                    "only what reached {branch} through the gate may be released"
                ).format(commit=head[:12], branch=release.branch, tip=release.tip[:12]),
            )
        )
    for step_id in policy.release_gate.requires:
        report = by_id[step_id]
        if report.status is not Status.COMPLETE:
            violations.append(
                Violation(
                    "release",
                    _("step {no} is {status}: {reasons}").format(
                        no=report.no,
                        status=_(STATUS_LABELS[report.status]),
                        reasons="; ".join(report.reasons) or "-",
                    ),
                    report.no,
                )
            )
    for step in policy.steps:
        if step.covers_code and step.tested_commit_field and step.id in policy.release_gate.requires:
            found = release.reports.get(step.id)
            if found is None:
                violations.append(
                    Violation(
                        "release",
                        _("the report of step {no} cannot be read, so the release cannot be judged").format(
                            no=step.no
                        ),
                        step.no,
                    )
                )
                continue
            tested = release.tested.get(step.id, ReportedCommit())
            problems = _tested_commit_problems(step, found, tested, len(head), released_code)
            problems += _security_result_problems(step, found)
            violations += [Violation("release", problem, step.no) for problem in problems]
    return Report(reports, tuple(violations), "release")


def _tested_commit_problems(
    step: Step, report: SecurityReport, tested: ReportedCommit, id_length: int, released_code: str
) -> list[str]:
    """Why the commit the report names is not the released code, tested (empty when it is)."""
    field = step.tested_commit_field or ""
    value = report.fields.get(field, "").strip()
    form = commit_name(value, id_length)
    where = _("'{field}' in the report of step {no}").format(field=field, no=step.no)
    if form is not CommitName.FULL:
        why = {
            CommitName.EMPTY: _("is empty"),
            CommitName.SHORT: _("is '{value}', a short id (or a name that looks like one)"),
            CommitName.UPPER: _("is '{value}', in capital letters"),
            CommitName.OTHER_LENGTH: _("is '{value}', {count} hex digits"),
            CommitName.NOT_HEX: _(
                "is '{value}', not a commit id (a branch, tag or other name is not accepted)"
            ),
        }[form].format(value=_shown(value), count=len(value))
        return [
            _(
                "{where} {why}: it must be the full id of the tested commit, {length} lower-case hex digits "
                "(git rev-parse HEAD)"
            ).format(where=where, why=why, length=id_length)
        ]
    if tested.kind is None:
        return [
            _("{where} names {value}, which is no object in this repository").format(where=where, value=value)
        ]
    if tested.kind != "commit":
        return [
            _("{where} names {value}, which is a {kind}, not a commit").format(
                where=where, value=value, kind=tested.kind
            )
        ]
    if not tested.in_history or tested.code is None:
        return [
            _("{where} names commit {value}, which is not in the history of the released commit").format(
                where=where, value=value
            )
        ]
    if tested.code != released_code:
        return [
            _("the code changed after the tested commit {commit}; re-test it before release").format(
                commit=value[:12]
            )
        ]
    return []


def _security_result_problems(step: Step, report: SecurityReport) -> list[str]:
    """Why the report's result and findings do not allow a release (empty when they do)."""
    problems = []
    if not report.passed:
        problems.append(
            _("'{field}' in the report of step {no} must be {passed}; it is '{value}'").format(
                field=RESULT_FIELD, no=step.no, passed="LULUS", value=_shown(report.result or "")
            )
        )
    if report.tables == 0:
        problems.append(
            _(
                "the report of step {no} has no findings table (a table with a severity column such as "
                "'Tingkat risiko' and a 'Status' column), so no open critical or high finding can be "
                "ruled out"
            ).format(no=step.no)
        )
    for finding in report.open_serious:
        row = _shown(" | ".join(finding.cells))
        if finding.known:
            problems.append(
                _(
                    "the report of step {no} has an open finding of severity '{severity}' (line {line}: "
                    "{row}); fix it, re-test, and mark it Diperbaiki"
                ).format(no=step.no, severity=finding.severity, line=finding.line, row=row)
            )
        else:
            problems.append(
                _(
                    "the report of step {no} has an open finding of unknown severity '{severity}' (line "
                    "{line}: {row}); it counts as high: give it Kritis, Tinggi, Sedang or Rendah, or mark "
                    "it Diperbaiki"
                ).format(no=step.no, severity=_shown(finding.severity), line=finding.line, row=row)
            )
    return problems


def _shown(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters (a report's text inside a message)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
