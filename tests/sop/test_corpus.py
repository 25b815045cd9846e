"""Every file in corpus/ is a real mistake (or an attack) in sop.yaml; each must be refused with the
exact located messages in the ``.expected`` file beside it, exit code 2, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert all(case.with_suffix(".expected").exists() for case in CASES)


def test_base_of_the_corpus_is_valid(cli: Cli) -> None:
    result = cli("sop", "validate", str(HERE / "minimal.yaml"))
    assert result.exit_code == 0, result.stderr
    assert "sah (3 langkah, 3 peran, 1 dokumen)" in result.stdout


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_broken_policy_is_refused_with_located_messages(
    case: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    result = cli("sop", "validate", case.name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == case.with_suffix(".expected").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command", [("sop", "show"), ("sop", "show", "--format", "json"), ("sop", "diagram")]
)
def test_every_command_refuses_a_broken_policy(
    command: tuple[str, ...], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    result = cli(*command, "unknown-role-typo.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("unknown-role-typo.yaml:54:14: peran 'securty' tidak dikenal")


def test_messages_in_english(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = cli("--lang", "en", "sop", "validate", "unknown-role-typo.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "unknown-role-typo.yaml:54:14: unknown role 'securty' (did you mean 'security'?); roles are "
        "declared under 'roles': kasi, programmer, security\n"
        "1 problem found in unknown-role-typo.yaml\n"
    )
    env_result = cli("sop", "validate", "duplicate-key.yaml", lang="en")
    assert env_result.stderr.splitlines()[0] == (
        "duplicate-key.yaml:39:5: duplicate key 'title' (first on line 38); keep only one"
    )


def test_huge_file_is_refused_without_reading_it(cli: Cli, tmp_path: Path) -> None:
    huge = tmp_path / "sop.yaml"
    with huge.open("wb") as f:
        f.truncate(1024 * 1024 + 1)
    result = cli("sop", "validate", str(huge))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{huge}:1:1: ukuran berkas 1048577 byte, melebihi batas 1048576; kebijakan SOP berupa teks kecil"
    )


def test_missing_file_and_directory(cli: Cli, tmp_path: Path) -> None:
    result = cli("sop", "validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "berkas tidak ditemukan; berikan path ke sop.yaml" in result.stderr
    result = cli("sop", "show", str(tmp_path))
    assert result.exit_code == 2
    assert "adalah folder" in result.stderr
