from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Cli
from tests.gate.office import PEOPLE, Office, make_key, roster_text


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    return {name: make_key(folder, name) for name in [*PEOPLE, "outsider"]}


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> Office:
    """A scaffolded application and a server with the hook, first push done."""
    shutil.copyfile(ROOT / "sop.yaml", tmp_path / "sop.yaml")
    (tmp_path / "roster.yaml").write_text(roster_text(keyring, PEOPLE))
    office = Office(tmp_path, lambda *args: cli(*args, lang="en"), keyring)
    result = cli(
        "new",
        str(office.app),
        "--defaults",
        "--data",
        "app_name=Sistem Informasi Kepegawaian",
        "--data",
        "opd=Badan Kepegawaian Daerah",
    )
    assert result.exit_code == 0, result.stderr
    result = cli(
        "server",
        "init",
        str(office.bare),
        "--policy",
        str(tmp_path / "sop.yaml"),
        "--roster",
        str(tmp_path / "roster.yaml"),
        "--hook-lang",
        "en",
    )
    assert result.exit_code == 0, result.stderr
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    return office
