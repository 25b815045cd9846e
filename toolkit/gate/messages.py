"""The text of every code the gate reports, translated when a report is rendered.

Codes are stable (scripts and the JSON report rely on them); texts may change. A code whose text is
``{text}`` carries a message that was already worded where it was found (an artefact's or the policy's
own problems).
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.gate.model import Message, Rejected, Violation
from toolkit.i18n import N_, _

TEXTS = {
    # violations of a change
    "name.not-utf8": N_("'{name}' is not a UTF-8 file name; rename it"),
    "name.invisible": N_("'{name}' contains control or invisible formatting characters"),
    "name.case-twin": N_("'{name}' and '{other}' differ only in letter case or Unicode form"),
    "policy.invalid": "{text}",
    "artefact.invalid": "{text}",
    "signoff.missing": N_("step {step} changes and needs the sign-off of '{role}' on this change"),
    "policy.signoff-missing": N_(
        "the policy files change and need the sign-off of the policy owner '{role}' on this change"
    ),
    "dependency.incomplete": N_(
        "step {step} changes, but step {requires} is not complete on the base; complete it first"
    ),
    "dependency.not-started": N_(
        "step {step} changes, but step {requires} is not under way on the base (its prerequisites "
        "complete and its work begun); start it first"
    ),
    "code.design-incomplete": N_(
        "application code changes ({files}), but the design steps {steps} are not complete on the base"
    ),
    "history.rewritten": N_("the change rewrites history: {base} is not an ancestor of {head} (force push?)"),
    "pull.out-of-date": N_(
        "pull request #{number} is behind {branch}: bring it up to date (Update branch, or merge {branch} "
        "into it), so that the gate judges what would land"
    ),
    # violations of a release
    "release.step-incomplete": N_("step {step} is {status}: {reasons}"),
    "release.not-on-branch": N_(
        "the released commit {commit} is not on the protected branch {branch} (at {tip}): only what "
        "reached {branch} through the gate may be released"
    ),
    "release.report-unreadable": N_(
        "the report of step {step} cannot be read, so the release cannot be judged"
    ),
    "release.commit-empty": N_(
        "'{field}' in the report of step {step} is empty: it must be the full id of the tested commit, "
        "{length} lower-case hex digits (git rev-parse HEAD)"
    ),
    "release.commit-short": N_(
        "'{field}' in the report of step {step} is '{value}', a short id (or a name that looks like one): "
        "it must be the full id of the tested commit, {length} lower-case hex digits (git rev-parse HEAD)"
    ),
    "release.commit-upper-case": N_(
        "'{field}' in the report of step {step} is '{value}', in capital letters: it must be the full id "
        "of the tested commit, {length} lower-case hex digits (git rev-parse HEAD)"
    ),
    "release.commit-length": N_(
        "'{field}' in the report of step {step} is '{value}', {count} hex digits: it must be the full id "
        "of the tested commit, {length} lower-case hex digits (git rev-parse HEAD)"
    ),
    "release.commit-not-an-id": N_(
        "'{field}' in the report of step {step} is '{value}', not a commit id (a branch, tag or other "
        "name is not accepted): it must be the full id of the tested commit, {length} lower-case hex "
        "digits (git rev-parse HEAD)"
    ),
    "release.commit-unknown": N_(
        "'{field}' in the report of step {step} names {value}, which is no object in this repository"
    ),
    "release.commit-not-a-commit": N_(
        "'{field}' in the report of step {step} names {value}, which is a {kind}, not a commit"
    ),
    "release.commit-not-in-history": N_(
        "'{field}' in the report of step {step} names commit {value}, which is not in the history of the "
        "released commit"
    ),
    "release.code-changed": N_(
        "the code changed after the tested commit {commit}; re-test it before release"
    ),
    "release.result-not-passed": N_("'{field}' in the report of step {step} must be LULUS; it is '{value}'"),
    "release.no-findings-table": N_(
        "the report of step {step} has no findings table (a table with a severity column such as "
        "'Tingkat risiko' and a 'Status' column), so no open critical or high finding can be ruled out"
    ),
    "release.open-finding": N_(
        "the report of step {step} has an open finding of severity '{severity}' (line {line}: {row}); "
        "fix it, re-test, and mark it Diperbaiki with Uji ulang: Lulus (in a 'Uji ulang' column of the "
        "findings table)"
    ),
    "release.open-finding-unknown-severity": N_(
        "the report of step {step} has an open finding of unknown severity '{severity}' (line {line}: "
        "{row}); it counts as high: give it Kritis, Tinggi, Sedang or Rendah, or fix it, re-test, and "
        "mark it Diperbaiki with Uji ulang: Lulus"
    ),
    "release.report-front-matter": N_(
        "the front matter of the report of step {step} cannot be read one way only (line {line}: "
        "{detail}); fix it"
    ),
    "release.report-html-table": N_(
        "the report of step {step} has a table in HTML (line {line}); write findings as a Markdown table"
    ),
    "release.report-nested-table": N_(
        "the report of step {step} has a table inside a quote or a list (line {line}); put tables at the "
        "start of a line, outside quotes and lists"
    ),
    "release.report-code-rows": N_(
        "the report of step {step} has table rows in an indented code block (line {line}), which some "
        "viewers show as a table; remove the indentation, or put code in a ``` block"
    ),
    "release.report-serious-elsewhere": N_(
        "the report of step {step} says '{detail}' on line {line}, in a table that is not the findings "
        "table (no 'Tingkat risiko' and 'Status' columns); put every finding in the findings table"
    ),
    "release.report-control-without-finding": N_(
        "control {detail} in the report of step {step} (line {line}) is not marked Sesuai or Tidak "
        "berlaku, but no finding names it; add a finding row with its code"
    ),
    # why a sign-off does not count
    "signoff.unknown-step": N_("names step '{step}', which the policy does not have"),
    "signoff.wrong-role": N_("role '{role}' does not sign off '{step}' (the policy asks for: {roles})"),
    "signoff.unsigned": N_("the commit is not signed"),
    "signoff.unknown-key": N_("the signature is not made by a key in the roster"),
    "signoff.role-not-held": N_("{member} does not hold the role '{role}' on {date}"),
    "signoff.own-work": N_(
        "{member} wrote, co-wrote or committed part of what they sign off; another holder of the role "
        "must sign"
    ),
    "signoff.other-app": N_("it was made for the application '{app}', not for this one ('{here}')"),
    "signoff.no-app": N_(
        "this repository names no application (app_slug in .copier-answers.yml), so no sign-off can be "
        "bound to it"
    ),
    "signoff.stale-digest": N_("it signs other content than the head of the change (stale or forged digest)"),
    "signoff.before-last-change": N_("it was made before the last change of the files"),
    "signoff.review-outdated": N_(
        "the approval was given on an earlier commit of the pull request; approve the latest commit"
    ),
    "signoff.own-pull-request": N_("the approval is by the author of the pull request"),
    # notes
    "note.review-not-in-roster": N_(
        "the approval of @{login} counts for nothing: no member of the roster has that GitHub login"
    ),
    "note.review-no-signing-role": N_(
        "the approval of @{login} ({member}) counts for nothing: they hold no role that signs anything"
    ),
    "note.untrusted-times": N_(
        "sign-off times are the signers' own commit dates (no push log here): role windows are judged at "
        "the dates the signers chose; the server's push log decides"
    ),
}


def text(message: Message) -> str:
    return _(TEXTS[message.code]).format(**message.params) if message.code in TEXTS else message.code


def distinct(messages: Iterable[Message]) -> tuple[Message, ...]:
    """``messages`` without repeats, in their order."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Message] = {}
    for message in messages:
        seen.setdefault((message.code, tuple(sorted(message.params.items()))), message)
    return tuple(seen.values())


def joined(messages: Iterable[Message]) -> str:
    return "; ".join(text(m) for m in messages)


def rejected_text(rejected: Rejected) -> str:
    return _("sign-off {commit} does not count: {why}").format(
        commit=rejected.label or rejected.anchor[:12], why=joined(rejected.problems)
    )


def violation_text(violation: Violation) -> str:
    head = text(Message(violation.code, violation.params))
    return " — ".join([head, *(rejected_text(r) for r in violation.rejected)])
