from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

if TYPE_CHECKING:
    from tests.office import Office

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.standin.fixtures"]

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
        }
    )
    for key in ("SOPKIT_LANG", "SOPKIT_TEMPLATE_DIR"):
        os.environ.pop(key, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts with a cache folder of its own (cold); ``SOPKIT_TEST_CACHE`` names one folder
    shared by the whole run instead, to run the suite again on a warm cache."""
    shared = os.environ.get("SOPKIT_TEST_CACHE")
    folder = Path(shared) if shared else tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(folder))
    return folder


def run_sopkit(*args: str, lang: str | None = None) -> Result:
    """Run ``sopkit ARGS...`` in-process; stdout and stderr are kept apart."""
    from toolkit.cli.app import cli as sopkit

    runner = CliRunner()
    return runner.invoke(sopkit, list(args), env={"SOPKIT_LANG": lang}, catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    """Run ``sopkit ARGS...`` in-process; stdout and stderr are kept apart."""
    return run_sopkit


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.office import PEOPLE, make_key

    folder = tmp_path_factory.mktemp("keys")
    return {name: make_key(folder, name) for name in [*PEOPLE, "outsider"]}


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> Office:
    """A scaffolded application and a server with the hook, first push done."""
    from tests.office import open_office

    return open_office(tmp_path, cli, keyring)
