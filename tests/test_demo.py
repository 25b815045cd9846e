"""``sopkit demo``: the quick start's main job, on a fresh folder."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, git


def test_demo_runs_the_sop_on_local_repositories(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = cli("demo", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    verdicts = [line.rsplit(": ", 1)[1] for line in lines if line.startswith("   git push (")]
    assert verdicts == ["diterima", "DITOLAK", "DITOLAK", "diterima"]
    assert any("[code]" in line for line in lines) and any("[signoff]" in line for line in lines)
    assert "Keadaan SOP: 1 dari 17 langkah lengkap" in result.stdout
    assert (
        git(folder / "server.git", "rev-list", "--count", "main").strip() == "3"
    )  # scaffold, letter, sign-off


def test_demo_refuses_a_folder_in_use(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "catatan.txt").write_text("milik saya")
    result = cli("demo", str(tmp_path))
    assert result.exit_code == 2
    assert (tmp_path / "catatan.txt").read_text() == "milik saya"


def test_demo_in_a_relative_folder(cli: Cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli("demo")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (tmp_path / "sopkit-demo" / "server.git" / "sopkit" / "pushes.log").read_text().count("\n") == 2
