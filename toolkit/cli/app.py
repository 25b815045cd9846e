"""The ``sopkit`` group: global options, error handling, and the sub-command groups."""

from __future__ import annotations

from typing import Any

import click

from toolkit import __version__
from toolkit.errors import UserError
from toolkit.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, set_language

# Sub-command -> the module defining it: a module is imported only when its command is used (or help
# lists them all), so `sopkit gate check` on every push does not pay for defining `sopkit new`.
COMMANDS = {
    "sop": "toolkit.cli.sop_cmd",
    "gate": "toolkit.cli.gate_cmd",
    "signoff": "toolkit.cli.gate_cmd",
    "audit": "toolkit.cli.gate_cmd",
    "demo": "toolkit.cli.demo_cmd",
    "new": "toolkit.cli.scaffold_cmd",
    "upgrade": "toolkit.cli.scaffold_cmd",
    "server": "toolkit.cli.server_cmd",
    "hook": "toolkit.cli.server_cmd",
    "github": "toolkit.cli.github_cmd",
    "pdf": "toolkit.cli.pdf_cmd",
    "request": "toolkit.cli.request_cmd",
    "report": "toolkit.cli.request_cmd",
    "status": "toolkit.cli.status_cmd",
    "dashboard": "toolkit.cli.status_cmd",
}


class SopkitGroup(click.Group):
    """Loads its sub-commands on demand, and prints a :class:`UserError` as its message with its exit
    code; never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            from importlib import import_module

            self.add_command(getattr(import_module(COMMANDS[cmd_name]), cmd_name))
        return super().get_command(ctx, cmd_name)

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
