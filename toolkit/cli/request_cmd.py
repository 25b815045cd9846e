"""``sopkit request ...`` and ``sopkit report requests``: the request registry (SOP steps 1-5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.lean import lean
from toolkit.errors import UserError
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.intake.scaffold import Scaffolded

REGISTRY = click.option(
    "--registry",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("The request registry (a git repository made by sopkit request init)."),
)
KEY = click.option(
    "--key",
    help=_("Your SSH signing key (default: git's user.signingkey)."),
)
PDF = click.Path(path_type=Path, dir_okay=False, exists=True)
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help=_("Output format."),
)


def _done(result: Any) -> None:
    click.echo(
        _("{id}: {transition} recorded by {member} as {role} (commit {commit})").format(
            id=result.request_id,
            transition=result.transition,
            member=result.member,
            role=result.role,
            commit=result.commit[:12],
        )
    )


def _act(
    registry: Path,
    name: str,
    request_id: str | None,
    values: dict[str, Any],
    files: dict[str, Path | None],
    key: str | None,
) -> None:
    from toolkit.intake.act import act

    attachments = {k: v for k, v in files.items() if v is not None}
    _done(
        act(
            registry,
            name,
            request_id,
            {k: v for k, v in values.items() if v not in (None, "")},
            attachments,
            key,
        )
    )


@click.group(help=_("The request registry: application requests and their dispositions (SOP steps 1-5)."))
def request() -> None:
    pass


@request.command("init", help=_("Create a request registry in DIR with the office's policy and roster."))
@click.argument("directory", type=click.Path(path_type=Path, resolve_path=True))
@click.option("--policy", type=PDF, required=True, help=_("The office's sop.yaml."))
@click.option(
    "--roster", type=PDF, required=True, help=_("The roster: who holds which role, with their SSH keys.")
)
@click.option(
    "--github",
    "github_org",
    default=None,
    help=_(
        "Make a GitHub intake repository for organisation ORG instead (requests as issues with a form, "
        "moved on by labels and comment commands); push it to GitHub and protect its default branch."
    ),
)
@click.option(
    "--toolkit-ref",
    default=None,
    help=_("With --github: the sop-toolkit commit (40 hex) whose workflows it calls."),
)
@click.option(
    "--toolkit-repo", default=None, help=_("With --github: OWNER/NAME of the office's sop-toolkit.")
)
@click.option(
    "--requirements",
    type=PDF,
    default=None,
    help=_(
        "With --github: the hashed requirements the workflows install (scripts/lock_gate.py writes them)."
    ),
)
def init(
    directory: Path,
    policy: Path,
    roster: Path,
    github_org: str | None,
    toolkit_ref: str | None,
    toolkit_repo: str | None,
    requirements: Path | None,
) -> None:
    if github_org is None:
        if toolkit_ref or toolkit_repo or requirements:
            raise UserError(_("--toolkit-ref, --toolkit-repo and --requirements go with --github ORG"))
        from toolkit.intake.registry import init as init_registry

        commit = init_registry(directory, policy, roster)
        click.echo(
            _("Request registry ready: {path} (commit {commit})").format(path=directory, commit=commit[:12])
        )
        return
    from toolkit.intake.intake_repo import create_intake

    if not toolkit_ref:
        raise UserError(_("--github needs --toolkit-ref: the sop-toolkit commit (40 hex) the workflows call"))
    answers = {"github_org": github_org, "toolkit_ref": toolkit_ref}
    if toolkit_repo:
        answers["toolkit_repo"] = toolkit_repo
    if requirements is not None:
        answers["gate_requirements"] = requirements.read_text(encoding="utf-8")
    commit = create_intake(directory, policy, roster, answers)
    click.echo(
        _(
            "Intake repository ready: {path} (commit {commit}). Push it to {org} on GitHub, protect its "
            "default branch and give the roster's members their GitHub logins."
        ).format(path=directory, commit=commit[:12], org=github_org)
    )


@request.command(
    "new", help=_("Step 1: record an agency's request letter (done by TU on the agency's behalf).")
)
@REGISTRY
@click.option("--opd", required=True, help=_("The requesting agency."))
@click.option("--app", "app_name", required=True, help=_("The application's name."))
@click.option("--letter-no", required=True, help=_("The request letter's number."))
@click.option("--letter-date", required=True, help=_("The request letter's date (YYYY-MM-DD)."))
@click.option("--letter", type=PDF, required=True, help=_("The request letter (PDF)."))
@click.option("--kak", type=PDF, help=_("The terms of reference, KAK (PDF)."))
@click.option(
    "--kind", type=click.Choice(["pembangunan", "pengembangan"]), default="pembangunan", show_default=True
)
@click.option("--subject", help=_("The letter's subject (perihal)."))
@click.option("--summary", help=_("A summary of the request."))
@KEY
def new(
    registry: Path,
    opd: str,
    app_name: str,
    letter_no: str,
    letter_date: str,
    letter: Path,
    kak: Path | None,
    kind: str,
    subject: str | None,
    summary: str | None,
    key: str | None,
) -> None:
    values = {
        "opd": opd,
        "aplikasi": app_name,
        "jenis": kind,
        "nomor_surat": letter_no,
        "tanggal_surat": letter_date,
        "perihal": subject,
        "ringkasan": summary,
    }
    _act(registry, "new", None, values, {"surat-permintaan.pdf": letter, "kak.pdf": kak}, key)


@request.command("record", help=_("Step 2: TU records the letter with an agenda number and forwards it."))
@click.argument("request_id")
@REGISTRY
@click.option("--agenda", required=True, help=_("The agenda number of the incoming-mail record."))
@click.option("--received", help=_("The day the letter was received (YYYY-MM-DD; default today)."))
@click.option("--note", help=_("A note."))
@KEY
def record(
    registry: Path, request_id: str, agenda: str, received: str | None, note: str | None, key: str | None
) -> None:
    values = {"nomor_agenda": agenda, "tanggal_diterima": received, "catatan": note}
    _act(registry, "record", request_id, values, {}, key)


@request.command(
    "dispose",
    help=_(
        "Steps 3 and 4: the Kadis's disposition to the Kabid, then the Kabid's to the Kasi with the "
        "letter of assignment."
    ),
)
@click.argument("request_id")
@REGISTRY
@click.option("--instruction", required=True, help=_("The instruction, e.g. 'Untuk ditindaklanjuti'."))
@click.option(
    "--nature",
    default="Biasa",
    show_default=True,
    type=click.Choice(["Sangat Segera", "Segera", "Biasa", "Rahasia"]),
)
@click.option("--note", help=_("A note."))
@click.option("--assignment-no", help=_("The Kabid: the letter of assignment's number."))
@click.option("--assignment-date", help=_("The Kabid: the letter of assignment's date (YYYY-MM-DD)."))
@click.option("--assignment-pdf", type=PDF, help=_("The Kabid: the signed letter of assignment (PDF)."))
@KEY
def dispose(
    registry: Path,
    request_id: str,
    instruction: str,
    nature: str,
    note: str | None,
    assignment_no: str | None,
    assignment_date: str | None,
    assignment_pdf: Path | None,
    key: str | None,
) -> None:
    values = {
        "isi_disposisi": instruction,
        "sifat": nature,
        "catatan": note,
        "nomor_surat_tugas": assignment_no,
        "tanggal_surat_tugas": assignment_date,
    }
    _act(registry, "dispose", request_id, values, {"surat-tugas.pdf": assignment_pdf}, key)


def _ids(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@request.command(
    "assign", help=_("Step 5: the Kasi assigns the team and the database team (roster ids, comma-separated).")
)
@click.argument("request_id")
@REGISTRY
@click.option("--it-support", required=True, help=_("IT support management team."))
@click.option("--database", required=True, help=_("Database team."))
@click.option("--designer", help=_("Web designers."))
@click.option("--programmer", help=_("Web programmers."))
@click.option("--security", help=_("Security team."))
@click.option("--analysis", help=_("The first analysis of the flow and business process."))
@KEY
def assign(
    registry: Path,
    request_id: str,
    it_support: str,
    database: str,
    designer: str | None,
    programmer: str | None,
    security: str | None,
    analysis: str | None,
    key: str | None,
) -> None:
    values = {
        "tim_it_support": _ids(it_support),
        "tim_database": _ids(database),
        "web_desainer": _ids(designer),
        "web_programmer": _ids(programmer),
        "tim_sekuriti": _ids(security),
        "analisis_awal": analysis,
    }
    _act(registry, "assign", request_id, values, {}, key)


@request.command("reject", help=_("End a request: by the role that must act next, with the reason."))
@click.argument("request_id")
@REGISTRY
@click.option("--reason", required=True, help=_("Why the request is rejected."))
@KEY
def reject(registry: Path, request_id: str, reason: str, key: str | None) -> None:
    _act(registry, "reject", request_id, {"alasan": reason}, {}, key)


@request.command(
    "policy",
    help=_(
        "Change the registry's own policy or roster (who holds which role, their keys): a transition "
        "signed by a policy owner of the rules in force. Push it; then the registry server's copies "
        "can be updated with sopkit server init --registry."
    ),
)
@REGISTRY
@click.option("--policy", type=PDF, required=True, help=_("The office's sop.yaml."))
@click.option(
    "--roster", type=PDF, required=True, help=_("The roster: who holds which role, with their SSH keys.")
)
@KEY
def policy(registry: Path, policy: Path, roster: Path, key: str | None) -> None:
    from toolkit.intake.act import change_policy

    _done(change_policy(registry, policy, roster, key))


@request.command("show", help=_("One request: its records, who did what and when, who must act next."))
@click.argument("request_id")
@REGISTRY
@FORMAT
@lean
def show(registry: Path, request_id: str, fmt: str) -> None:
    from toolkit.intake import registry as store
    from toolkit.intake.report import request_detail, rows

    loaded = store.load(registry)
    found = loaded.request(request_id)
    if found is None:
        raise UserError(_("there is no request {id} in {path}").format(id=request_id, path=registry))
    if fmt == "json":
        import json

        click.echo(
            json.dumps(rows(loaded, [found])[0] | {"records": found.records}, ensure_ascii=False, indent=2)
        )
    else:
        click.echo(request_detail(loaded, found), nl=False)


@request.command("list", help=_("Every request with its state and who must act next."))
@REGISTRY
@FORMAT
@lean
def list_requests(registry: Path, fmt: str) -> None:
    _report(registry, "json" if fmt == "json" else "table", None, None, None, None)


@request.command("verify", help=_("Re-check the registry's whole history: every commit a valid transition."))
@REGISTRY
@lean
def verify(registry: Path) -> None:
    from toolkit.errors import EXIT_BLOCKED
    from toolkit.intake import registry as store

    verdict = store.verify(registry)
    if verdict.valid:
        requests = len(verdict.registry.requests) if verdict.registry else 0
        click.echo(
            _("registry valid: {commits} commits, {requests} requests").format(
                commits=verdict.judged, requests=requests
            )
        )
        if verdict.untrusted_times:
            click.echo(_("note: the times are the signers' own (no server push log here)"))
        return
    click.echo(
        _("registry NOT valid: commit {commit} is refused ({count} commits before it are valid):").format(
            commit=(verdict.refused or "")[:12], count=verdict.judged
        ),
        err=True,
    )
    for problem in verdict.problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(EXIT_BLOCKED)


@request.command(
    "scaffold", help=_("Create the application repository of an assigned request, steps 1-5 in place.")
)
@click.argument("request_id")
@REGISTRY
@click.option(
    "--dest",
    type=click.Path(path_type=Path, resolve_path=True),
    help=_(
        "Where to make the application repository (default: a folder named by the app's slug, in the "
        "current folder, or beside the registry when run inside it)."
    ),
)
@click.option(
    "--github",
    "intake",
    default=None,
    help=_(
        "OWNER/NAME of the GitHub intake repository: REQUEST_ID is its issue (7 or 2026-007), judged again "
        "from its timeline; the repository is then provisioned in OWNER (or --org) like `sopkit github "
        "provision`. Token from GITHUB_TOKEN or GH_TOKEN."
    ),
)
@click.option(
    "--org", default=None, help=_("With --github: the organisation to provision in (default: OWNER).")
)
@click.option(
    "--api-url", default=None, help=_("With --github: GitHub Enterprise Server's API (https://HOST/api/v3).")
)
def scaffold(
    registry: Path,
    request_id: str,
    dest: Path | None,
    intake: str | None,
    org: str | None,
    api_url: str | None,
) -> None:
    if intake is None:
        from toolkit.intake.scaffold import scaffold_request

        made = scaffold_request(registry, request_id, dest)
    else:
        made = _scaffold_on_github(intake, request_id, dest, org, api_url)
    click.echo(
        _("Application repository {path} made from request {id}").format(path=made.path, id=request_id)
    )
    for line in made.todo:
        click.echo(f"  {line}")


def _scaffold_on_github(
    intake: str, request_id: str, dest: Path | None, org: str | None, api_url: str | None
) -> Scaffolded:
    from toolkit.cli.github_cmd import run_provision, token_from_environment
    from toolkit.forge.github.api import DEFAULT_API, GitHub
    from toolkit.forge.github.intake import announce, issue_number, refuse_existing, scaffold_issue
    from toolkit.forge.github.provision_input import prepare

    token = token_from_environment()
    hub = GitHub(intake, token, api_url or DEFAULT_API)
    number = issue_number(request_id)
    made = scaffold_issue(hub, number, dest, request_id.strip())
    target = org or hub.owner
    refuse_existing(hub, target, prepare(made.path, target, None, ("merge",)).name)
    name = run_provision(target, made.path, None, "merge,squash,rebase", False, api_url)
    announce(hub, number, f"{org or hub.owner}/{name}")
    return made


def _report(
    registry: Path, fmt: str, start: str | None, end: str | None, intake: str | None, api_url: str | None
) -> None:
    from toolkit.intake import registry as store
    from toolkit.intake.report import FORMATS, in_period

    if intake is None:
        loaded = store.load(registry)
    else:
        from toolkit.cli.github_cmd import token_from_environment
        from toolkit.forge.github.api import DEFAULT_API, GitHub
        from toolkit.forge.github.intake import requests_registry

        loaded, undecided, notes = requests_registry(
            GitHub(intake, token_from_environment(), api_url or DEFAULT_API)
        )
        for line in undecided:
            click.echo(_("left out: {why}").format(why=line), err=True)
        for line in notes:
            click.echo(_("note: {what}").format(what=line), err=True)
    chosen = in_period(loaded, start, end)
    render: Callable[..., str] = FORMATS[fmt]
    click.echo(render(loaded, chosen), nl=False)


@click.group(help=_("Registers and reports."))
def report() -> None:
    pass


@report.command(
    "requests",
    help=_(
        "The registers the SOP names for steps 2-4 (arsip surat masuk, laporan permintaan aplikasi). "
        "Exit 1 when the registry's history is not valid (sopkit request verify says why)."
    ),
)
@REGISTRY
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option("--from", "start", help=_("First day (YYYY-MM-DD) of the letters' dates."))
@click.option("--to", "end", help=_("Last day (YYYY-MM-DD) of the letters' dates."))
@click.option(
    "--github",
    "intake",
    default=None,
    help=_(
        "OWNER/NAME of a GitHub intake repository instead of --registry: every request issue judged again "
        "from its timeline (token from GITHUB_TOKEN or GH_TOKEN)."
    ),
)
@click.option(
    "--api-url", default=None, help=_("With --github: GitHub Enterprise Server's API (https://HOST/api/v3).")
)
@lean
def requests(
    registry: Path, fmt: str, start: str | None, end: str | None, intake: str | None, api_url: str | None
) -> None:
    _report(registry, fmt, start, end, intake, api_url)
