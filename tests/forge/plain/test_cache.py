"""The gate remembers results in a cache (policy and roster data, artefact verdicts, signature checks). A
cache may only save time: cold, warm or damaged, the report is the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.office import Office


@pytest.fixture
def busy_office(office: Office) -> tuple[Office, str]:
    """A base with the roster in the repository, and a change on it: one step signed off and a
    half-done step. Returns the office and the base."""
    (office.app / ".sop" / "roster.yaml").write_text((office.root / "roster.yaml").read_text())
    base = office.commit("Roster")
    office.fill(1)
    office.commit("Langkah 1")
    for role in office.policy.step(1).signoffs:
        signed = office.signoff(1, role)
        assert signed.exit_code == 0, signed.stderr
    office.fill(2)
    record = office.app / "docs" / "02-surat-masuk" / "arsip-surat-masuk.md"
    record.write_text(record.read_text() + "\n[[ISI: disposisi]]\n")  # half done: one placeholder left
    (office.app / "docs" / "02-surat-masuk" / "catatan.md").write_text("[[ISI: catatan]]\n")
    office.commit("Langkah 2, sebagian")
    return office, base


def report(office: Office, base: str, lang: str = "en") -> str:
    result = office.cli("gate", "check", "--repo", str(office.app), "--base", base, "--format", "json")
    if lang != "en":
        from click.testing import CliRunner

        from toolkit.cli.app import cli

        result = CliRunner().invoke(
            cli,
            ["--lang", lang, "gate", "check", "--repo", str(office.app), "--base", base, "--format", "json"],
        )
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.stdout


def entries(cache: Path, namespace: str | None = None) -> list[Path]:
    folders = [cache / namespace] if namespace else [p for p in cache.iterdir() if p.is_dir()]
    return [f for folder in folders if folder.is_dir() for f in folder.iterdir()]


def test_cold_warm_and_damaged_caches_give_the_same_report(
    busy_office: tuple[Office, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office, base = busy_office
    cache = tmp_path / "cache"
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(cache))
    cold = report(office, base)
    assert '"decision": "block"' in cold
    namespaces = {p.name for p in cache.iterdir()}
    assert {"valid-policy-data", "valid-roster-data", "artefact-verdicts", "signatures"} <= namespaces
    assert report(office, base) == cold
    for damage in ("not json {", "[]", "{}", '["present", [1]]', '{"steps": 3}', "null"):
        for entry in entries(cache):
            entry.write_text(damage)
        assert report(office, base) == cold, damage


def test_verdicts_are_remembered_per_language(
    busy_office: tuple[Office, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office, base = busy_office
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(tmp_path / "cache"))
    english, indonesian = report(office, base), report(office, base, "id")
    assert "still has the template placeholder" in english
    assert "still has the template placeholder" not in indonesian and "[[ISI" in indonesian
    assert report(office, base) == english and report(office, base, "id") == indonesian


def test_every_key_changes_with_the_code(
    busy_office: tuple[Office, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One code identity is in every key: edited code never reads what older code remembered."""
    from toolkit import cache as cache_lib

    office, base = busy_office
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(tmp_path / "cache"))
    first = report(office, base)
    before = {p.relative_to(tmp_path) for p in entries(tmp_path / "cache")}
    monkeypatch.setattr(cache_lib, "code_identity", lambda: b"other code")
    assert report(office, base) == first
    after = {p.relative_to(tmp_path) for p in entries(tmp_path / "cache")}
    assert before and after - before and {p.parent for p in after - before} == {p.parent for p in before}


def test_a_base_judged_before_gives_the_same_report(
    busy_office: tuple[Office, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the base's history remembered, only the change's commits are walked and the base's files come
    from the head's with git's diff undone: the report is the same as from a fresh cache."""
    office, base = busy_office
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(tmp_path / "fresh"))
    fresh = report(office, base)
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(tmp_path / "seen"))
    seen = office.cli("gate", "check", "--repo", str(office.app), "--head", base)
    assert seen.exit_code == 0, seen.stderr
    assert entries(tmp_path / "seen", "histories")
    assert report(office, base) == fresh
