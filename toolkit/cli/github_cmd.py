"""``sopkit github ...``: the gate as a GitHub Actions job (and, next to it, the other GitHub commands)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from toolkit.errors import EXIT_BLOCKED, EXIT_USAGE, UserError
from toolkit.forge.github.names import CHECK_NAME
from toolkit.i18n import _


@click.group(help=_("GitHub: the gate in Actions, with pull-request reviews as sign-offs."))
def github() -> None:
    pass


@github.command(
    "gate",
    help=_(
        "Judge the pull request (or merge-queue entry) of the running GitHub Actions job: reviews and "
        "SSH-signed commits are the sign-offs, the base branch's policy decides. Publishes a check run with "
        "annotations (or, when the token may not write checks, the job summary and workflow annotations). "
        "Exit 0 pass, 1 blocked, 2 cannot decide (no token, API down, a checkout without history)."
    ),
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("The checkout (with its whole history)."),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help=_("Output format of the report printed to the log."),
)
def gate(repo: Path, fmt: str) -> None:
    from toolkit.forge.github import gate as ghgate
    from toolkit.forge.github.api import Annotation, GitHub, Unreachable
    from toolkit.gate.render import FORMATS, headline

    environ = os.environ
    summary_file = environ.get("GITHUB_STEP_SUMMARY")
    try:
        event = ghgate.read_event(*ghgate.environment_event(environ))
        hub = GitHub.from_environment(environ)
        verdict = ghgate.judge_event(repo, hub, event)
    except UserError as error:
        _summary(summary_file, "### " + _("SOP gate: cannot decide") + "\n\n" + error.message + "\n")
        click.echo(f"::error title=sop-gate::{_command_text(error.message)}")
        raise
    report = verdict.report
    click.echo(FORMATS[fmt](report), nl=False)
    markdown = ghgate.summary_markdown(report)
    _summary(summary_file, markdown)
    notes = [Annotation(path, message, code) for path, message, code in ghgate.file_notes(report)]
    try:
        published = hub.publish_check(
            verdict.head,
            CHECK_NAME,
            "success" if report.passed else "failure",
            headline(report),
            markdown,
            notes,
        )
    except Unreachable as error:
        click.echo(error.message, err=True)
        published = False
    if not published:  # the job's own check carries the verdict: annotations as workflow commands
        for note in notes:
            where = f"file={_property(note.path)},title={_property(note.title)}"
            click.echo(f"::error {where}::{_command_text(note.message)}")
    if not report.passed:
        raise SystemExit(EXIT_BLOCKED)


def _summary(path: str | None, text: str) -> None:
    if not path:
        return
    try:
        with Path(path).open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise UserError(
            _("cannot write the job summary {path}: {error}").format(path=path, error=error), EXIT_USAGE
        ) from error


def _command_text(text: str) -> str:
    """``text`` as a workflow command's message: GitHub reads %, CR and LF there as escapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """``text`` as a workflow command's property (a file name): ',' and ':' end it unless escaped."""
    return _command_text(text).replace(":", "%3A").replace(",", "%2C")


@github.command(
    "provision",
    help=_(
        "Set up the application's repository on GitHub from a folder made by `sopkit new` (with its "
        ".sop/roster.yaml): the private repository, the scaffold as its first commit, a team per role "
        "synced from the roster, CODEOWNERS from sop.yaml, branch protection bound to the sop-gate check of "
        "GitHub Actions, the production environment, labels and the tracking issue. Writes only what "
        "differs; run it again at any time. Token from GITHUB_TOKEN or GH_TOKEN (scopes repo, admin:org). "
        "Exit 0 done, 2 refused or failed (nothing more was written; run again)."
    ),
)
@click.option("--org", required=True, help=_("The GitHub organisation."))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    help=_("The application's repository made by `sopkit new`."),
)
@click.option("--name", default=None, help=_("The repository's name (default: app_slug of the scaffold)."))
@click.option(
    "--merge-methods",
    default="merge,squash,rebase",
    show_default=True,
    help=_("The merge methods the repository allows, separated by commas."),
)
@click.option("--dry-run", is_flag=True, help=_("Print what would be created or changed; write nothing."))
@click.option(
    "--api-url",
    default=None,
    help=_("The API of GitHub Enterprise Server (https://HOST/api/v3); default GitHub.com."),
)
def provision(
    org: str, source: Path, name: str | None, merge_methods: str, dry_run: bool, api_url: str | None
) -> None:
    from toolkit.forge.github.api import DEFAULT_API
    from toolkit.forge.github.provision import Provisioner, client
    from toolkit.forge.github.provision_input import prepare

    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    if not token:
        raise UserError(
            _(
                "no token: set GITHUB_TOKEN (or GH_TOKEN) to a token of an organisation owner with scopes "
                "repo and admin:org"
            )
        )
    prepared = prepare(source, org, name, [m.strip() for m in merge_methods.split(",") if m.strip()])
    run = Provisioner(
        client(token, api_url or DEFAULT_API),
        org,
        prepared.name,
        prepared.want,
        prepared.scaffold,
        dry_run=dry_run,
        progress=lambda line: click.echo(line, err=True),
    )
    summary = run.run()
    if dry_run:
        click.echo(_("Dry run: nothing was written to GitHub.") + "\n")
    click.echo(summary.render(), nl=False)
    if dry_run:
        click.echo("\n" + _("CODEOWNERS from sop.yaml:") + "\n" + prepared.want.codeowners, nl=False)
