"""``sopkit demo``: the embedded setup, end to end, in a folder."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.errors import EXIT_BLOCKED
from toolkit.i18n import _


@click.command(
    help=_(
        "Run the whole SOP on this machine, in DIR: keys and a roster, a request recorded and disposed in "
        "the request registry (steps 1-5), the application repository scaffolded from it and a git server "
        "with the gate, every step to 17 signed off, the release gate, the status table and the dashboard."
    )
)
@click.argument(
    "folder", metavar="DIR", default="sopkit-demo", type=click.Path(path_type=Path, file_okay=False)
)
def demo(folder: Path) -> None:
    from toolkit import demo as demo_lib
    from toolkit.overview.table import print_table

    result = demo_lib.run(folder, click.echo)
    click.echo("")
    print_table(demo_lib.served(result.folder))
    click.echo("")
    click.echo(
        _(
            "Where to look:\n"
            "  the dashboard:            {dashboard}\n"
            "  the application:          {app}\n"
            "  its git server:           {server}   (sopkit audit --repo {server})\n"
            "  the request registry:     {registry}   (sopkit report requests --registry {registry})\n"
            "  the keys and the roster:  {folder}/kunci, {folder}/roster.yaml"
        ).format(
            dashboard=result.dashboard,
            app=result.app,
            server=result.server,
            registry=result.registry,
            folder=result.folder,
        )
    )
    pushes = tuple(accepted for _what, accepted in result.pushes)
    if pushes != demo_lib.EXPECTED_PUSHES or result.releases != demo_lib.EXPECTED_RELEASES:
        raise SystemExit(EXIT_BLOCKED)
