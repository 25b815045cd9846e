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
