"""The gate's command line: formats, exit codes, failing closed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, git
from tests.office import Office


def test_json_report_of_a_blocked_change(office: Office) -> None:
    base = git(office.app, "rev-parse", "HEAD").strip()
    (office.app / "app.js").write_text("console.log(1)\n")
    office.commit("Kode")
    result = office.cli(
        "gate", "check", "--repo", str(office.app), "--base", base, "--format", "json", *office.rules
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["decision"] == "block"
    assert [s["no"] for s in data["steps"]] == list(range(1, 18))
    assert set(data["steps"][0]) >= {"no", "id", "status", "reasons"}
    (violation,) = data["violations"]
    assert violation["code"] == "code.design-incomplete" and violation["rule"] == "code"
    assert violation["path"] == "app.js" and violation["params"]["steps"] == "7, 8, 9, 10"
    assert "app.js" in violation["message"]
    assert "app.js" in data["violations"][0]["message"]


def test_markdown_and_text_reports(office: Office) -> None:
    markdown = office.cli("gate", "check", "--repo", str(office.app), "--format", "markdown", *office.rules)
    assert markdown.exit_code == 0  # a state report always passes
    assert markdown.stdout.startswith("### SOP state: 0 of 17 steps complete")
    assert "| 14 | " in markdown.stdout
    text = office.cli("gate", "check", "--repo", str(office.app), *office.rules)
    # the Kasi's words: who must act, by name from the roster (not a role id), and only those who hold
    # the role today (Lina, a Kasi until 2020, is not asked)
    kasi = "to act: Budi, Sari (Head of the application development section (Kasi))"
    assert kasi in text.stdout and kasi in markdown.stdout and "Lina" not in text.stdout
    # a step waiting for its prerequisite is blocked, told apart from a step whose documents are unfilled
    rows = {line.split()[0]: line for line in text.stdout.splitlines() if line[:3].strip().isdigit()}
    assert "not filled in" in rows["1"] or "missing" in rows["1"]
    assert all("blocked by a dependency" in rows[str(no)] for no in range(2, 18))
    data = json.loads(
        office.cli("gate", "check", "--repo", str(office.app), "--format", "json", *office.rules).stdout
    )
    assert data["steps"][15]["act"] == ["kasi"] and data["steps"][15]["people"] == [
        "Budi, Sari (Head of the application development section (Kasi))"
    ]


def test_cannot_decide_without_a_policy(cli: Cli, tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("a\n")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-qm", "a")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    git(repo, "commit", "-qm", "b")
    result = cli("gate", "check", "--repo", str(repo), "--base", base, lang="en")
    assert result.exit_code == 2
    assert "cannot decide" in result.stderr and "the change is blocked" in result.stderr


def test_an_invalid_roster_is_reported_with_its_location(office: Office) -> None:
    bad = office.root / "bad-roster.yaml"
    bad.write_text(
        "version: 1\nmembers:\n  budi:\n    name: Budi\n    email: budi\n    keys: [nope]\n"
        "    roles:\n      - role: kepala\n        from: 2026-13-01\n"
    )
    result = office.cli(
        "gate",
        "check",
        "--repo",
        str(office.app),
        "--policy",
        str(office.root / "sop.yaml"),
        "--roster",
        str(bad),
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"{bad}:5:12: 'email' must be an e-mail address or a list of them" in lines
    assert f"{bad}:6:12: not an SSH public key (expected e.g. 'ssh-ed25519 AAAA... comment')" in lines
    assert any(line.startswith(f"{bad}:8:15: unknown role 'kepala'") for line in lines)
    assert f"{bad}:9:15: '2026-13-01' is not a date like 2026-01-31" in lines


def test_release_of_an_unfinished_repository_is_blocked(office: Office) -> None:
    result = office.cli("gate", "release", "--repo", str(office.app), *office.rules)
    assert result.exit_code == 1
    assert "[release] step 1 is" in result.stdout
