"""``sopkit server init`` and the hooks it installs (``sopkit hook ...``, not for people)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.lean import lean
from toolkit.i18n import LANGUAGES, _


@click.group(help=_("A plain git server that enforces the SOP with a pre-receive hook."))
def server() -> None:
    pass


@server.command(
    "init",
    help=_(
        "Create (or reconfigure) the bare repository BARE_DIR whose pre-receive hook "
        "runs the gate on every push to the protected branches."
    ),
)
@click.argument("bare_dir", type=click.Path(path_type=Path, file_okay=False, resolve_path=True))
@click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default="sop.yaml",
    show_default=True,
    help=_("The office's sop.yaml."),
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help=_("The roster: who holds which role, with their SSH keys."),
)
@click.option(
    "--branch",
    "branches",
    multiple=True,
    default=("main",),
    show_default=True,
    help=_("A protected branch; repeatable."),
)
@click.option(
    "--allow-ref",
    "allowed_refs",
    multiple=True,
    metavar="PATTERN",
    help=_(
        "Refs a push may change besides the protected branches (* matches anything, / included); "
        "repeatable; default: refs/heads/* and refs/tags/*. Every other ref, such as refs/replace/* "
        "or refs/notes/*, is refused."
    ),
)
@click.option(
    "--app",
    metavar="SLUG",
    help=_(
        "The application this repository holds (its app_slug): sign-offs must name it, whatever the "
        "pushed scaffold answers say. Default: the answers of the first push."
    ),
)
@click.option(
    "--registry",
    is_flag=True,
    help=_(
        "The repository is a request registry (sopkit request): every push is judged as transitions, "
        "and only the protected branches may change unless --allow-ref says otherwise."
    ),
)
@click.option(
    "--hook-lang",
    type=click.Choice(LANGUAGES),
    default="id",
    show_default=True,
    help=_("Language of the hook's messages to pushers."),
)
def init(
    bare_dir: Path,
    policy: Path,
    roster: Path,
    branches: tuple[str, ...],
    allowed_refs: tuple[str, ...],
    app: str | None,
    registry: bool,
    hook_lang: str,
) -> None:
    from toolkit.forge.plain import server as server_lib

    config = server_lib.init(
        bare_dir, policy, roster, branches, hook_lang, allowed_refs or None, app, registry
    )
    click.echo(
        _("Server ready: {path}; protected: {refs}. Push with: git push {path} main").format(
            path=config.root, refs=", ".join(config.protected)
        )
    )
    click.echo(
        _("Other refs a push may change: {patterns}").format(patterns=", ".join(config.allowed) or "-")
    )


@click.command("hook", hidden=True)
@click.argument("name", type=click.Choice(["pre-receive", "post-receive"]))
def hook(name: str) -> None:
    # Only the pre-receive hook reads and reports; post-receive writes the push log, so it ends the
    # ordinary way (see toolkit.cli.lean).
    (lean(_run_hook) if name == "pre-receive" else _run_hook)(name)


def _run_hook(name: str) -> None:
    from toolkit.forge.plain.server import run_hook

    raise SystemExit(run_hook(name, sys.stdin.read()))
