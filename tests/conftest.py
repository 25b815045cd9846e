from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent

Cli = Callable[..., Result]


@pytest.fixture(scope="session", autouse=True)
def isolated_git_and_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never see the machine's git configuration nor write into the user's template store."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Penguji\n\temail = penguji@example.go.id\n[init]\n\tdefaultBranch = main\n"
    )
    saved = dict(os.environ)
    os.environ.update(
        {
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "SOPKIT_TEMPLATE_STORE": str(home / "store"),
            "SOPKIT_CACHE_DIR": str(home / "cache"),
        }
    )
    for key in ("SOPKIT_LANG", "SOPKIT_TEMPLATE_DIR"):
        os.environ.pop(key, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def cli() -> Cli:
    """Run ``sopkit ARGS...`` in-process; stdout and stderr are kept apart."""
    from toolkit.cli.app import cli as sopkit

    def run(*args: str, lang: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(sopkit, list(args), env={"SOPKIT_LANG": lang}, catch_exceptions=False)

    return run


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout
