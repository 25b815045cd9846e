"""``sopkit sop ...``: validate, show, draw and describe sop.yaml."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.lean import lean
from toolkit.i18n import _, ngettext

PATH_ARG = click.argument(
    "path", required=False, default="sop.yaml", type=click.Path(dir_okay=False, path_type=str)
)


def _load(path: str):  # type: ignore[no-untyped-def]
    from toolkit import sop

    return sop.load(Path(path), display=path)


@click.group(help=_("Check and view the SOP policy (sop.yaml)."))
def sop() -> None:
    pass


@sop.command(
    help=_("Check sop.yaml; every problem is reported as FILE:LINE:COL. Exit 0 when valid, 2 otherwise.")
)
@PATH_ARG
@lean
def validate(path: str) -> None:
    from toolkit import sop as sop_lib
    from toolkit.errors import EXIT_USAGE

    model, problems = sop_lib.problems(Path(path), display=path)
    if model is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(
            ngettext(
                "{count} problem found in {file}", "{count} problems found in {file}", len(problems)
            ).format(count=len(problems), file=path),
            err=True,
        )
        raise SystemExit(EXIT_USAGE)
    click.echo(
        _("{file}: valid ({steps} steps, {roles} roles, {documents} documents)").format(
            file=path, steps=len(model.steps), roles=len(model.roles), documents=len(model.documents)
        )
    )


@sop.command(help=_("Show the steps as a table, JSON or Markdown."))
@PATH_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help=_("Output format."),
)
@lean
def show(path: str, fmt: str) -> None:
    from toolkit.sop import render

    model = _load(path)
    if fmt == "json":
        click.echo(render.as_json(model), nl=False)
    elif fmt == "markdown":
        click.echo(render.as_markdown(model), nl=False)
    else:
        render.print_table(model)


@sop.command(help=_("Print a Mermaid flowchart of the steps, one swimlane per role."))
@PATH_ARG
@lean
def diagram(path: str) -> None:
    from toolkit.sop import render

    click.echo(render.as_mermaid(_load(path)), nl=False)


@sop.command(help=_("Print the JSON Schema of sop.yaml (for editors and CI)."))
@lean
def schema() -> None:
    from toolkit.paths import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)
