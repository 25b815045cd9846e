"""``sopkit demo``: the quick start's main job, the whole SOP on a fresh folder."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import Cli, git


def test_demo_runs_the_whole_sop_on_local_repositories(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    started = time.monotonic()
    result = cli("demo", str(folder))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert time.monotonic() - started < 120  # a minute on a quiet machine; this one is shared
    lines = result.stdout.splitlines()
    verdicts = [line.rsplit(": ", 1)[1] for line in lines if line.startswith("   git push (")]
    assert verdicts == ["DITOLAK", "DITOLAK", *(["diterima"] * 14)]
    releases = [line.rsplit(": ", 1)[1] for line in lines if line.startswith("   gerbang rilis (")]
    assert releases == ["DIRILIS", "DITAHAN", "DIRILIS"]
    assert any("[code]" in line for line in lines) and any("[signoff]" in line for line in lines)
    # every step complete, on the server as in the working repository
    table = [line for line in lines if "server.git" in line and "Sistem Informasi Kepegawaian" in line]
    assert table and "17/17" in table[0]
    rows = [line for line in lines if "Sistem Informasi Kepegawaian" in line and line.startswith("│")]
    assert rows == table  # once: the server's row, not the working clone's beside it
    # the registry holds the request's five transitions, and verifies
    assert git(folder / "registri", "rev-list", "--count", "HEAD").strip() == "6"  # init + 5
    assert cli("request", "verify", "--registry", str(folder / "registri")).exit_code == 0
    page = (folder / "dasbor" / "index.html").read_text(encoding="utf-8")
    assert "Sistem Informasi Kepegawaian" in page and "2026-001" in page


def test_demo_speaks_english_when_asked(cli: Cli, tmp_path: Path) -> None:
    result = cli("--lang", "en", "demo", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "release gate (the code changed after the test): BLOCKED" in result.stdout
    # the demo's server answers in the demo's language (it is made with --hook-lang)
    assert "     - [code] application code changes (src/index.php), but the design steps" in result.stdout
    assert "Where to look:" in result.stdout


def test_demo_refuses_a_folder_in_use(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "catatan.txt").write_text("milik saya")
    result = cli("demo", str(tmp_path))
    assert result.exit_code == 2
    assert (tmp_path / "catatan.txt").read_text() == "milik saya"


def test_demo_in_a_relative_folder(cli: Cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli("demo")
    assert result.exit_code == 0, result.stdout + result.stderr
    pushes = (tmp_path / "sopkit-demo" / "server.git" / "sopkit" / "pushes.log").read_text()
    assert pushes.count("\n") == 14  # the accepted pushes
