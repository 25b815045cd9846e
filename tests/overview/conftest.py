"""Repositories for the status and dashboard tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git, run_sopkit
from tests.office import Office, open_office

DAY = 86_400


def new_app(dest: Path, *data: str, policy: Path | None = None) -> Path:
    data = (*data, "opd=Dinas Kominfo")
    args = ["new", str(dest), "--defaults", *(x for d in data for x in ("--data", d))]
    result = run_sopkit(*args, *(("--policy", str(policy)) if policy else ()))
    assert result.exit_code == 0, result.stderr
    return dest


@pytest.fixture(scope="module")
def fleet(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]
) -> Iterator[tuple[Path, Office]]:
    """ROOT with: ``server.git`` (steps 1-2 signed off and pushed: step 3 is next), ``app`` (its clone),
    ``rusak`` (a policy that does not parse), ``cabang`` (its work on branch ``master``), ``lain`` (a git
    repository without a policy), ``luar`` (a link to an application outside ROOT)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOPKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        root = tmp_path_factory.mktemp("fleet")
        office = open_office(root, run_sopkit, keyring)
        office.complete(1)
        office.complete(2)
        broken = new_app(root / "rusak", "app_name=Aplikasi Rusak")
        (broken / ".sop" / "sop.yaml").write_text("version: 1\nsteps: [\n", encoding="utf-8")
        git(broken, "commit", "-qam", "Kebijakan rusak", "--no-verify")
        other_branch = new_app(root / "cabang", "app_name=Aplikasi Cabang")
        git(other_branch, "branch", "-m", "main", "master")
        git(root, "init", "-q", str(root / "lain"))
        outside = new_app(tmp_path_factory.mktemp("outside") / "jauh", "app_name=Di Luar")
        (root / "luar").symlink_to(outside)
        yield root, office
