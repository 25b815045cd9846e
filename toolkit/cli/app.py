"""The ``sopkit`` group: global options, error handling, and the sub-command groups."""

from __future__ import annotations

from typing import Any

import click

from toolkit import __version__
from toolkit.errors import UserError
from toolkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, set_language


class SopkitGroup(click.Group):
    """Prints a :class:`UserError` as its message and exits with its code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as error:
            click.echo(error.message, err=True)
            ctx.exit(error.exit_code)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Runs on every invocation (in-process callers too), so the language never leaks between runs.
    set_language(value or DEFAULT_LANGUAGE)
    return value


@click.group(
    cls=SopkitGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_("sop-toolkit: run the office's application-development SOP inside git."),
)
@click.version_option(__version__, "-V", "--version", prog_name="sopkit")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    expose_value=False,
    is_eager=True,
    callback=_set_lang,
    envvar="SOPKIT_LANG",
    help=_("Language of messages: id (Indonesian, default) or en."),
)
def cli() -> None:
    pass


def _register() -> None:
    from toolkit.cli.demo_cmd import demo
    from toolkit.cli.gate_cmd import audit, gate, signoff
    from toolkit.cli.scaffold_cmd import new, upgrade
    from toolkit.cli.server_cmd import hook, server
    from toolkit.cli.sop_cmd import sop

    cli.add_command(sop)
    cli.add_command(gate)
    cli.add_command(signoff)
    cli.add_command(audit)
    cli.add_command(demo)
    cli.add_command(new)
    cli.add_command(upgrade)
    cli.add_command(server)
    cli.add_command(hook)


_register()
