"""``sopkit new`` and ``sopkit upgrade``: application repositories from the template."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.errors import EXIT_BLOCKED
from toolkit.i18n import _


@click.command(
    help=_(
        "Create an application repository in DEST from the office's template: documents for "
        "every SOP step, the gate wired in, git initialised with a first commit."
    )
)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--data",
    "-d",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help=_('An answer to a template question, e.g. --data opd="Badan Kepegawaian Daerah"; repeatable.'),
)
@click.option(
    "--defaults",
    is_flag=True,
    help=_("Do not ask: take the default of every question not given with --data."),
)
@click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=_("Use this sop.yaml instead of the template's (it is validated first)."),
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=_("Put this roster (who holds which role, with their SSH keys) in .sop/roster.yaml."),
)
def new(dest: Path, pairs: tuple[str, ...], defaults: bool, policy: Path | None, roster: Path | None) -> None:
    from toolkit.scaffold.new import create, parse_data

    repo = create(dest, parse_data(pairs), defaults=defaults, policy=policy, roster=roster)
    click.echo(
        _("Created {path} (template {version}, first commit {commit}).").format(
            path=repo.path, version=repo.template_version, commit=repo.commit[:12]
        )
    )
    if repo.fallback_identity:
        click.echo(
            _(
                "Note: git does not know your name yet, so the first commit is by 'sop-toolkit'. Set it "
                'with: git config --global user.name "Nama"; git config --global user.email EMAIL'
            ),
            err=True,
        )
    click.echo(
        _(
            "Next steps:\n"
            "  1. cd {path} and read README.md: it explains the SOP flow and where each document goes.\n"
            "  2. Fill in the documents of the intake steps under docs/01-... to docs/06-... .\n"
            "  3. Push the repository to the office's git server or GitHub.\n"
            "  4. See the steps and what each needs: sopkit sop show .sop/sop.yaml"
        ).format(path=repo.path)
    )


@click.command(
    help=_(
        "Bring application repositories to the newest template version; a conflict with "
        "local edits fails cleanly and commits nothing."
    )
)
@click.argument("dest", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--all",
    "root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help=_("Upgrade every application repository directly under ROOT."),
)
@click.option(
    "--check",
    is_flag=True,
    help=_("Only report which repositories are behind (exit 1 if any); change nothing."),
)
@click.option(
    "--from",
    "made_from",
    metavar="X.Y.Z",
    help=_(
        "For a repository made with plain `copier copy`, whose answers do not record the template "
        "version: the version it was made from."
    ),
)
def upgrade(dest: Path | None, root: Path | None, check: bool, made_from: str | None) -> None:
    from toolkit.errors import UserError
    from toolkit.scaffold.store import ensure_store
    from toolkit.scaffold.upgrade import find_repos
    from toolkit.scaffold.upgrade import upgrade as upgrade_repo

    if dest is not None and root is not None:
        raise UserError(_("give either DEST or --all ROOT, not both"))
    repos = list(find_repos(root)) if root is not None else [dest or Path()]
    if not repos:
        raise UserError(
            _("no application repositories (with .copier-answers.yml) under {root}").format(root=root)
        )
    store = ensure_store()
    failed = False
    for repo in repos:
        try:
            result = upgrade_repo(repo, check=check, store=store, made_from=made_from)
        except UserError as error:
            if len(repos) == 1:
                raise
            click.echo(f"{repo}: {error.message}", err=True)
            failed = True
            continue
        failed |= result.outcome in ("drift", "conflict")
        messages = {
            "up-to-date": _("{path}: up to date (template {new})"),
            "upgraded": _("{path}: upgraded {old} -> {new}, committed"),
            "drift": _("{path}: behind: template {old}, newest {new}"),
            "conflict": _(
                "{path}: NOT upgraded ({old} -> {new}): these files conflict with local edits; the "
                "repository is unchanged. Resolve by hand with `copier update --conflict inline`:"
            ),
        }
        line = messages[result.outcome].format(path=repo, old=result.old, new=result.new)
        click.echo(line, err=result.outcome == "conflict")
        for name in result.conflicts:
            click.echo(f"  {name}", err=True)
    if failed:
        raise SystemExit(EXIT_BLOCKED)
