"""``sopkit status`` and ``sopkit dashboard``: every application under a folder, as rows or as one page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.lean import lean
from toolkit.errors import EXIT_USAGE, UserError
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.overview.model import AppState

ROOT_ARG = click.argument(
    "root",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
)
BRANCH = click.option(
    "--branch",
    default="main",
    show_default=True,
    help=_("The branch whose state is reported: a name (refs/heads/NAME) or a full ref."),
)


def _gather(root: Path, branch: str) -> list[AppState]:
    from toolkit.forge.plain.status import status as plain_status
    from toolkit.repo.discover import MAX_DEPTH

    if not branch or any(c in branch for c in " \t\n:~^?*[\\") or ".." in branch:
        raise UserError(_("--branch {branch!r} is not a branch name").format(branch=branch))
    apps = plain_status(root, branch)
    if not apps:
        raise UserError(
            _(
                "no application repository under {root} (searched {depth} folders deep for git "
                "repositories with .sop/sop.yaml; symbolic links and hidden folders are not followed)"
            ).format(root=root, depth=MAX_DEPTH)
        )
    return apps


def _undecided(apps: list[AppState]) -> None:
    """Exit 2 once everything is printed when some repository could not be judged."""
    if any(a.problem for a in apps):
        raise SystemExit(EXIT_USAGE)


@click.command(
    help=_(
        "The state of every application repository under ROOT (a folder of clones or of a server's bare "
        "repositories): its current step, status, days in it against the office's time limit, who must "
        "act and how many steps are complete. Exit 0; 2 when a repository cannot be judged (it is listed "
        "with the reason) or none is found."
    )
)
@ROOT_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
    help=_("Output format."),
)
@BRANCH
@lean
def status(root: Path, fmt: str, branch: str) -> None:
    from toolkit.overview import table

    apps = _gather(root, branch)
    if fmt == "table":
        table.print_table(apps)
    else:
        render = {"csv": table.as_csv, "json": table.as_json, "markdown": table.as_markdown}[fmt]
        click.echo(render(apps), nl=False)
    _undecided(apps)
