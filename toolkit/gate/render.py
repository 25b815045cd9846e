"""A gate report as text (terminals, hook output), JSON (machines) and Markdown (pull requests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from toolkit.gate.messages import text, violation_text
from toolkit.gate.model import STATUS_LABELS, Report, Status, StepReport, Violation
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.evidence.pdfsig import Letter


def _violation(v: Violation) -> dict[str, Any]:
    """A violation for machines: its stable code and fields, and the text in the current language."""
    return {
        "code": v.code,
        "rule": v.rule,
        "step": v.step,
        "path": v.path,
        "params": dict(v.params),
        "rejected": [
            {
                "anchor": r.anchor,
                "label": r.label,
                "problems": [{"code": m.code, "params": dict(m.params)} for m in r.problems],
            }
            for r in v.rejected
        ],
        "message": violation_text(v),
    }


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "decision": "pass" if report.passed else "block",
        "kind": report.kind,
        "steps": [
            {
                "no": s.no,
                "id": s.id,
                "title": s.title,
                "status": s.status.value,
                "reasons": list(s.reasons),
                "act": list(s.act),
                "signed_by": list(s.signed_by),
                "signed_at": s.signed_at,
                "letters": [letter.as_json() for letter in s.letters],
                "people": list(s.people),
            }
            for s in report.steps
        ],
        "violations": [_violation(v) for v in report.violations],
        "notes": [{"code": n.code, "message": text(n)} for n in report.notes],
    }


def as_json(report: Report) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n"


def headline(report: Report) -> str:
    if report.kind == "state":
        done = sum(1 for s in report.steps if s.status is Status.COMPLETE)
        return _("SOP state: {done} of {total} steps complete").format(done=done, total=len(report.steps))
    if report.passed:
        return _("SOP gate: PASSED")
    return _("SOP gate: BLOCKED ({count} violations)").format(count=len(report.violations))


def _to_act(step: StepReport) -> str:
    """Who must act on ``step``: the people by name where the report has them, else the roles."""
    if step.people:
        return _("to act: {people}").format(people="; ".join(step.people))
    return _("to act: {roles}").format(roles=", ".join(step.act))


def as_text(report: Report) -> str:
    title_width = min(48, max(len(s.title) for s in report.steps)) if report.steps else 10
    status_width = max(len(_(label)) for label in STATUS_LABELS.values())
    lines = [headline(report), ""]
    no, step_label, status, details_label = _("No"), _("Step"), _("Status"), _("Details")
    lines.append(f"{no:>3}  {step_label:<{title_width}}  {status:<{status_width}}  {details_label}")
    for step in report.steps:
        title = step.title if len(step.title) <= title_width else step.title[: title_width - 1] + "…"
        details = list(step.reasons)
        if step.act:
            details.append(_to_act(step))
        if step.status is Status.COMPLETE and step.signed_by:
            details.append(_("signed off by {who}").format(who=", ".join(step.signed_by)))
        details += [letter_text(letter) for letter in step.letters]
        first, *rest = details or [""]
        lines.append(
            f"{step.no:>3}  {title:<{title_width}}  {_(STATUS_LABELS[step.status]):<{status_width}}  {first}"
        )
        pad = " " * (3 + 2 + title_width + 2 + status_width + 2)
        lines += [pad + detail for detail in rest]
    if report.violations:
        lines += ["", _("Violations:")]
        lines += [f"  - [{v.rule}] {violation_text(v)}" for v in report.violations]
    if report.notes:
        lines += ["", *(_("Note: {text}").format(text=text(n)) for n in report.notes)]
    return "\n".join(lines).rstrip() + "\n"


def letter_text(letter: Letter) -> str:
    """Who signed a letter and when; a time the signer claims is said to be theirs."""
    when = letter.signed_at.replace("T", " ").replace("Z", " UTC")
    if letter.time_source == "timestamp":
        return _("{path}: signed electronically by {signer} on {time} (timestamp)").format(
            path=letter.path, signer=letter.signer, time=when
        )
    return _("{path}: signed electronically by {signer} on {time} (the signer's own time)").format(
        path=letter.path, signer=letter.signer, time=when
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(report: Report) -> str:
    icon = {Status.COMPLETE: "✅", Status.BLOCKED: "⏸️", Status.AWAITING_SIGNOFF: "✍️", Status.STALE: "♻️"}
    lines = [
        f"### {headline(report)}",
        "",
        "| " + " | ".join((_("No"), _("Step"), _("Status"), _("Details"))) + " |",
        "|---:|---|---|---|",
    ]
    for step in report.steps:
        details = [
            *step.reasons,
            *([_to_act(step)] if step.act else []),
            *(letter_text(letter) for letter in step.letters),
        ]
        lines.append(
            f"| {step.no} | {_cell(step.title)} | {icon.get(step.status, '❌')} "
            f"{_(STATUS_LABELS[step.status])} | {'<br>'.join(_cell(d) for d in details) or '—'} |"
        )
    if report.violations:
        lines += ["", "**" + _("Violations:") + "**", ""]
        lines += [f"- `{v.code}` {_cell(violation_text(v))}" for v in report.violations]
    if report.notes:
        lines += ["", *(f"> {_cell(text(n))}" for n in report.notes)]
    return "\n".join(lines) + "\n"


FORMATS = {"text": as_text, "json": as_json, "markdown": as_markdown}
