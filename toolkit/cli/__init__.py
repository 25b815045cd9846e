"""The ``sopkit`` command line: parse, call the library, render. No decisions live here."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    from toolkit.i18n import language_from_argv, language_from_env, set_language

    args = list(sys.argv[1:] if argv is None else argv)
    # Help texts are built when the commands are defined, so the language must be known first.
    set_language(language_from_argv(args) or language_from_env(os.environ))
    from toolkit.cli.app import cli

    cli.main(args=args, prog_name="sopkit")
