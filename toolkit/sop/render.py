"""Views of the SOP: JSON, a Mermaid flowchart with swimlanes, a Markdown page, a terminal table."""

from __future__ import annotations

import json
from typing import Any

from toolkit.i18n import _
from toolkit.sop.model import Sop, Step


def as_dict(sop: Sop) -> dict[str, Any]:
    """The SOP as plain data for ``--format json`` (titles in the current language)."""

    def artefact(a: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"path": a.path, "kind": a.kind, "optional": a.optional}
        if a.title:
            out["title"] = a.title.get()
        if a.sections:
            out["sections"] = list(a.sections)
        if a.fields:
            out["fields"] = list(a.fields)
        if a.values:
            out["values"] = {field: list(allowed) for field, allowed in a.values}
        return out

    return {
        "sop": {"id": sop.id, "title": sop.title.get(), "organisation": sop.organisation},
        "roles": {r.id: {"title": r.title.get(), "team": r.team} for r in sop.roles.values()},
        "documents": {d.id: {"no": d.no, "title": d.title.get()} for d in sop.documents.values()},
        "phases": {p.id: p.title.get() for p in sop.phases.values()},
        "steps": [
            {
                "no": s.no,
                "id": s.id,
                "title": s.title.get(),
                "actors": list(s.actors),
                "phase": s.phase,
                "gate": s.gate,
                "requires": list(s.requires),
                "requires_started": list(s.requires_started),
                "inputs": list(s.inputs),
                "produces": list(s.produces),
                "outputs": [o.get() for o in s.outputs],
                "artefacts": [artefact(a) for a in s.artefacts],
                "signoffs": list(s.signoffs),
                "time_limit_days": s.time_limit_days,
                "produces_code": s.produces_code,
                "note": s.note.get() if s.note else None,
            }
            for s in sop.steps
        ],
        "gates": {
            "code": {
                "exclude": list(sop.code_gate.exclude),
                "requires": list(sop.code_gate.requires),
            },
            "release": {"requires": list(sop.release_gate.requires)},
        },
        "policy": {"owners": list(sop.policy.owners), "paths": list(sop.policy.paths)},
    }


def as_json(sop: Sop) -> str:
    return json.dumps(as_dict(sop), ensure_ascii=False, indent=2) + "\n"


def _mermaid_text(text: str) -> str:
    # Labels are quoted; quotes, ';' (a statement separator) and markup are written as entities.
    for char, entity in (("&", "#amp;"), ('"', "#quot;"), (";", "#59;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, entity)
    return text


def as_mermaid(sop: Sop) -> str:
    """A flowchart with one swimlane (subgraph) per role; a step sits in its first actor's lane."""
    lines = ["flowchart TD"]
    lanes: dict[str, list[Step]] = {}
    for step in sop.steps:
        lanes.setdefault(step.actors[0], []).append(step)
    for role_id in sop.roles:
        if role_id not in lanes:
            continue
        title = _mermaid_text(sop.roles[role_id].title.get())
        lines.append(f'  subgraph lane_{_node(role_id)}["{title}"]')
        for step in lanes[role_id]:
            label = f"{step.no}. {step.title.get()}"
            others = [sop.roles[a].title.get() for a in step.actors[1:]]
            if others:
                label += " (+ " + ", ".join(others) + ")"
            lines.append(f'    s{step.no}["{_mermaid_text(label)}"]')
        lines.append("  end")
    for step in sop.steps:
        for dep in step.requires:
            lines.append(f"  s{sop.step(dep).no} --> s{step.no}")
        for dep in step.requires_started:  # dashed: under way is enough
            lines.append(f"  s{sop.step(dep).no} -.-> s{step.no}")
    return "\n".join(lines) + "\n"


def _node(text: str) -> str:
    return text.replace("-", "_")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _join(texts: list[str]) -> str:
    return "<br>".join(_cell(t) for t in texts) if texts else "—"


def as_markdown(sop: Sop) -> str:
    """The page kept in docs/sop.md: header, documents, the step table and the diagram."""
    role = {r.id: r.title.get() for r in sop.roles.values()}
    out = [
        _("<!-- Generated from sop.yaml by `sopkit sop show --format markdown`; do not edit. -->"),
        "",
        f"# {sop.title.get()}",
        "",
        f"{sop.organisation}",
        "",
        "## " + _("Required documents"),
        "",
    ]
    out += [f"{d.no}. {d.title.get()}" for d in sorted(sop.documents.values(), key=lambda d: d.no)]
    out += [
        "",
        "## " + _("Steps"),
        "",
        "| {} | {} | {} | {} | {} | {} | {} |".format(
            _("No"), _("Step"), _("Actors"), _("Requires"), _("Artefacts"), _("Sign-off"), _("Days*")
        ),
        "|---:|---|---|---|---|---|---:|",
    ]
    for s in sop.steps:
        requires = _requires(sop, s)
        artefacts = [f"`{a.path}`" + (_(" (optional)") if a.optional else "") for a in s.artefacts]
        out.append(
            "| {} | {} | {} | {} | {} | {} | {} |".format(
                s.no,
                _cell(s.title.get()),
                _join([role[a] for a in s.actors]),
                requires or "—",
                _join(artefacts),
                _join([role[r] for r in s.signoffs]),
                s.time_limit_days or "—",
            )
        )
    out += [
        "",
        _(
            "\\* Time limits are the office's own setting, not the SOP's: the SOP's \"Waktu\" column is "
            "empty. Set `time_limit_days` on a step in sop.yaml; until then none is shown."
        ),
    ]
    notes = [s for s in sop.steps if s.note]
    if notes:
        out += ["", "## " + _("Where this policy interprets the SOP"), ""]
        out += [f"- **{s.no}. {_cell(s.title.get())}** — {s.note.get()}" for s in notes if s.note]
    gate = sop.code_gate
    out += [
        "",
        "## " + _("Gates"),
        "",
        "- "
        + (
            _(
                "Application code is every file that is neither an artefact nor a policy file, wherever it "
                "lies; not code, by name: {files}."
            ).format(files=", ".join(f"`{p}`" for p in gate.exclude))
            if gate.exclude
            else _("Application code is every file that is neither an artefact nor a policy file.")
        ),
        "- "
        + _("Application code may merge once these steps are complete: {steps}.").format(
            steps=", ".join(f"{sop.step(d).no}" for d in gate.requires)
        ),
        "- "
        + _("A release needs these steps complete: {steps}.").format(
            steps=", ".join(f"{sop.step(d).no}" for d in sop.release_gate.requires)
        ),
        "- "
        + _("Changes to the policy files ({paths}) need: {owners}.").format(
            paths=", ".join(f"`{p}`" for p in sop.policy.paths),
            owners=", ".join(role[o] for o in sop.policy.owners),
        ),
        "",
        "## " + _("Flow"),
        "",
        "```mermaid",
        as_mermaid(sop).rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(out)


def _requires(sop: Sop, step: Step) -> str:
    """The prerequisites of ``step`` by number; a step needed only under way is marked so."""
    complete = [str(sop.step(d).no) for d in step.requires]
    started = [_("{no} (under way)").format(no=sop.step(d).no) for d in step.requires_started]
    return ", ".join(complete + started)


def print_table(sop: Sop) -> None:
    """The steps as a table on the terminal (role ids, explained in a legend below)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=sop.title.get(),
        expand=False,
        show_lines=True,
        caption=_("Artefacts marked ? are optional; full paths: --format markdown"),
    )
    table.add_column(_("No"), justify="right")
    table.add_column(_("Step"))
    table.add_column(_("Actors"))
    table.add_column(_("Requires"))
    table.add_column(_("Artefacts"), overflow="fold")
    table.add_column(_("Sign-off"))
    table.add_column(_("Days*"), justify="right")
    for s in sop.steps:
        table.add_row(
            str(s.no),
            s.title.get(),
            "\n".join(s.actors),
            _requires(sop, s),
            "\n".join(a.path.rsplit("/", 1)[-1] + ("?" if a.optional else "") for a in s.artefacts),
            "\n".join(s.signoffs),
            str(s.time_limit_days or ""),
        )
    legend = Table(title=_("Roles"), expand=False, show_header=False)
    for role in sop.roles.values():
        legend.add_row(role.id, role.title.get())
    console = Console()
    if not console.is_terminal:  # piped into a file or a pager: do not squeeze to 80 columns
        console = Console(width=120)
    console.print(table)
    console.print(legend)
