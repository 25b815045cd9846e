"""``sopkit demo``: the embedded setup, end to end, in a folder."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.errors import EXIT_BLOCKED
from toolkit.i18n import _


@click.command(
    help=_(
        "Try sop-toolkit on this machine: keys, roster, an application repository and a git "
        "server with the SOP gate, and four pushes the gate judges. Everything goes into DIR."
    )
)
@click.argument(
    "folder", metavar="DIR", default="sopkit-demo", type=click.Path(path_type=Path, file_okay=False)
)
def demo(folder: Path) -> None:
    from toolkit import demo as demo_lib
    from toolkit.forge.plain import gate as plaingit
    from toolkit.gate.render import as_text

    result = demo_lib.run(folder, click.echo)
    click.echo("")
    click.echo(
        as_text(plaingit.state(result.app, "HEAD", result.rules)),
        nl=False,
    )
    click.echo("")
    click.echo(
        _(
            "Continue by hand: fill in docs/02-surat-masuk/arsip-surat-masuk.md (replace every [[ISI ...]]), "
            "then\n"
            "  cd {app}\n"
            '  git commit -am "Arsip surat masuk"\n'
            "  sopkit signoff 2 --role tu --key ../kunci/ani --policy ../sop.yaml --roster ../roster.yaml\n"
            "  git push ../server.git HEAD:main\n"
            "  sopkit gate check --policy ../sop.yaml --roster ../roster.yaml"
        ).format(app=result.app)
    )
    if tuple(accepted for _what, accepted in result.pushes) != demo_lib.EXPECTED:
        raise SystemExit(EXIT_BLOCKED)
