"""``sopkit status`` and ``sopkit dashboard``: every application under a folder, as rows or as one page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit.cli.lean import lean
from toolkit.errors import EXIT_USAGE, UserError
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.overview.model import AppState, Request

ROOT_ARG = click.argument(
    "root",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    required=False,
)
ORG = click.option(
    "--org",
    help=_(
        "A GitHub organisation instead of ROOT: each repository's state as its tracking issue tells it "
        "(token from GITHUB_TOKEN)."
    ),
)
API_URL = click.option(
    "--api-url",
    default="https://api.github.com",
    show_default=True,
    help=_("GitHub's API address (GitHub Enterprise Server: https://HOST/api/v3)."),
)
BRANCH = click.option(
    "--branch",
    default="main",
    show_default=True,
    help=_("The branch whose state is reported: a name (refs/heads/NAME) or a full ref."),
)


def _gather(root: Path | None, branch: str, org: str | None, api_url: str) -> list[AppState]:
    if org is not None:
        if root is not None:
            raise UserError(_("give either ROOT or --org, not both"))
        return org_states(org, api_url)
    return _gather_local(root or Path.cwd(), branch)


def org_states(org: str, api_url: str, skip: tuple[str, ...] = ()) -> list[AppState]:
    """The organisation's applications from their tracking issues (GITHUB_TOKEN must read them all)."""
    import os
    import time

    from toolkit.forge.github.api import make_client
    from toolkit.forge.github.orgstatus import check_org, org_status

    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        raise UserError(
            _(
                "no GITHUB_TOKEN in the environment: give a token that can read the issues of {org}'s "
                "repositories"
            ).format(org=org)
        )
    if not api_url.lower().startswith(("https://", "http://")):
        raise UserError(_("--api-url must be an http(s) address, not {url!r}").format(url=api_url))
    apps = org_status(make_client(token, api_url, "--api-url"), check_org(org), int(time.time()), skip)
    if not apps:
        raise UserError(_("{org} has no repository (that is not archived) the token can see").format(org=org))
    return apps


def _gather_local(root: Path, branch: str) -> list[AppState]:
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
        "act and how many steps are complete. With --org, every repository of a GitHub organisation as "
        "its tracking issue tells it (a summary: the gate and the audit are what enforce). Exit 0; 2 when "
        "a repository cannot be judged (it is listed with the reason) or none is found."
    )
)
@ROOT_ARG
@ORG
@API_URL
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
def status(root: Path | None, org: str | None, api_url: str, fmt: str, branch: str) -> None:
    from toolkit.overview import table

    apps = _gather(root, branch, org, api_url)
    if fmt == "table":
        table.print_table(apps)
    else:
        render = {"csv": table.as_csv, "json": table.as_json, "markdown": table.as_markdown}[fmt]
        click.echo(render(apps), nl=False)
    _undecided(apps)


def _url_template(value: str | None, needs: tuple[str, ...], option: str) -> str | None:
    """A link template the office gives: http(s) only (never javascript: or data:), with its placeholders."""
    if value is None:
        return None
    sample = {"repo": "r", "branch": "b", "path": "p"}
    try:
        value.format(**sample)
    except (KeyError, IndexError, ValueError) as error:
        raise UserError(
            _(
                "{option} {value!r} is not a link template: {error}; use {{repo}}, {{branch}} and {{path}}"
            ).format(option=option, value=value, error=error)
        ) from error
    if not value.lower().startswith(("https://", "http://")) or any(
        "{" + n + "}" not in value for n in needs
    ):
        raise UserError(
            _("{option} must be an http(s) address with {needs}, e.g. {example}").format(
                option=option,
                needs=", ".join("{" + n + "}" for n in needs),
                example="https://git.example.go.id/" + "/".join("{" + n + "}" for n in needs),
            )
        )
    return value


@click.command(
    help=_(
        "Write the SOP dashboard of every application repository under ROOT to DIR/index.html: one "
        "self-contained page (no script, nothing fetched, readable on a phone) with each application's "
        "progress through the steps, overdue steps, who must act, links to repositories and documents, "
        "and the requests' timeline; with --org, a GitHub organisation's repositories from their "
        "tracking issues. Exit 0; 1 when the --registry's history is not valid (nothing is written); 2 when "
        "a repository cannot be judged (it is on the page with the reason)."
    )
)
@ROOT_ARG
@ORG
@API_URL
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help=_("The folder to write index.html into (made when missing)."),
)
@BRANCH
@click.option("--repo-url", help=_("Link template of a repository, e.g. https://git.example.go.id/{repo}"))
@click.option(
    "--doc-url",
    help=_("Link template of a document, e.g. https://git.example.go.id/{repo}/src/branch/{branch}/{path}"),
)
@click.option(
    "--registry",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    help=_("The request registry: its requests and their dispositions as a timeline."),
)
def dashboard(
    root: Path | None,
    org: str | None,
    api_url: str,
    out: Path,
    branch: str,
    repo_url: str | None,
    doc_url: str | None,
    registry: Path | None,
) -> None:
    import time

    from toolkit.overview.dashboard import Links, page

    links = Links(
        _url_template(repo_url, ("repo",), "--repo-url"),
        _url_template(doc_url, ("repo", "path"), "--doc-url"),
        branch,
    )
    apps = _gather(root, branch, org, api_url)
    if org is not None and links.repo is None:  # the repositories' own addresses on GitHub
        links = links._replace(repo=_org_repo_url(apps))
    requests = _timeline(registry, apps) if registry is not None else None
    html = page(apps, requests, links=links, generated=time.strftime("%Y-%m-%d %H:%M %Z"))
    target = write_page(out, html)
    click.echo(_("Dashboard written: {path}").format(path=target))
    _undecided(apps)


def _org_repo_url(apps: list[AppState]) -> str | None:
    """``{repo}`` beside the repositories' web address GitHub gave (``https://github.com/ORG/{repo}``)."""
    base = apps[0].path.rsplit("/", 1)[0]
    return base + "/{repo}" if base.lower().startswith(("https://", "http://")) else None


def _timeline(registry: Path, apps: list[AppState]) -> list[Request]:
    """The registry's requests (its whole history verified first), each linked to the application of its
    name where one was found."""
    from toolkit.intake.registry import load
    from toolkit.overview.requests import timeline

    loaded = load(registry)
    by_name = {app.name: app.repo for app in apps}
    names = {rid: str(r.letter.get("aplikasi", "")) for rid, r in loaded.requests.items()}
    linked = {rid: by_name[name] for rid, name in names.items() if name in by_name}
    return timeline(loaded.requests, loaded.rules.roster, loaded.rules.sop.settings.timezone, linked)


def write_page(out: Path, html: str) -> Path:
    """``out/index.html``, replaced whole (never written through a link planted in its place)."""
    from toolkit.atomic import replace_file

    if out.is_symlink():
        raise UserError(_("{path} is a symbolic link; give a real folder for --out").format(path=out))
    try:
        out.mkdir(parents=True, exist_ok=True)
        replace_file(out / "index.html", html.encode("utf-8"))  # 0644: the web server reads it
    except OSError as error:
        raise UserError(_("cannot write {path}: {error}").format(path=out, error=error.strerror)) from error
    return out / "index.html"
