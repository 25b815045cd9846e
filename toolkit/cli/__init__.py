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
    from toolkit.cli.lean import ran_lean

    try:
        cli.main(args=args, prog_name="sopkit")
    except SystemExit as done:
        if ran_lean():
            _end_now(done.code)
        raise


def _end_now(code: object) -> None:
    """End the process with ``code`` at once: output flushed, the interpreter's teardown skipped."""
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (sopkit ... | head)
        status = status or 1
    os._exit(status)
