from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Cli

APP = ("--data", "app_name=Sistem Informasi Kepegawaian", "--data", "opd=Badan Kepegawaian Daerah")

NewApp = Callable[..., Path]


@pytest.fixture
def new_app(cli: Cli, tmp_path: Path) -> NewApp:
    """``sopkit new`` into a fresh folder; returns the repository path."""

    def make(*extra: str, name: str = "app") -> Path:
        dest = tmp_path / name
        result = cli("new", str(dest), "--defaults", *APP, *extra)
        assert result.exit_code == 0, result.stderr
        return dest

    return make


@pytest.fixture
def template_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of project_template (and a private store) that a test may release new versions of."""
    source = tmp_path / "template-src"
    shutil.copytree(ROOT / "project_template", source, symlinks=True)
    monkeypatch.setenv("SOPKIT_TEMPLATE_DIR", str(source))
    monkeypatch.setenv("SOPKIT_TEMPLATE_STORE", str(tmp_path / "store"))
    return source
