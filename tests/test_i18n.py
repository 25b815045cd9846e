"""Every message in the code has an Indonesian translation, and the compiled catalog is current."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, Cli


def test_catalogs_are_complete_and_compiled() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/i18n.py", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_click_messages_follow_the_language(cli: Cli) -> None:
    result = cli("sop", "show", "--nope")
    assert result.exit_code == 2
    assert "Galat: Tidak ada opsi '--nope'." in result.stderr
    result = cli("--lang", "en", "sop", "show", "--nope")
    assert "Error: No such option '--nope'." in result.stderr


def test_help_in_both_languages() -> None:
    def run(*args: str, env_lang: str = "") -> str:
        env = {"PATH": "", "SOPKIT_LANG": env_lang}
        return subprocess.run(
            [sys.executable, "-m", "toolkit", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert run("--help").startswith("Penggunaan: sopkit")
    assert "Tampilkan pesan ini lalu keluar." in run("sop", "--help")
    assert run("--lang", "en", "--help").startswith("Usage: sopkit")
    assert run("--help", env_lang="en").startswith("Usage: sopkit")
