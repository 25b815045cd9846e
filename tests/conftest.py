from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent

Cli = Callable[..., Result]


@pytest.fixture
def cli() -> Cli:
    """Run ``sopkit ARGS...`` in-process; stdout and stderr are kept apart."""
    from toolkit.cli.app import cli as sopkit

    def run(*args: str, lang: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(sopkit, list(args), env={"SOPKIT_LANG": lang}, catch_exceptions=False)

    return run
