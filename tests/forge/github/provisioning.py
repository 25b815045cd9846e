"""An application scaffold from ``sopkit new`` with a roster of GitHub logins, and ``sopkit github provision``
run against the stand-in (shared by the provisioning tests and ``benchmarks/github_calls.py``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result

from tests.office import PEOPLE, make_key, roster_text
from tests.standin import StandIn

ORG = "dinas"
OWNER = "admin-dinas"  # the organisation owner whose token provisions
PEOPLE_HERE = {
    **PEOPLE,
    "eko": (["web-programmer"], None, None),
    "yanto": (["security"], "2019-01-01", "2020-12-31"),  # a tester who has left
    "nur": (["opd"], None, None),
}
LOGINS = {member: f"gh-{member}" for member in PEOPLE_HERE}
APP = ("--data", "app_name=Sistem Informasi Kepegawaian", "--data", "opd=Badan Kepegawaian Daerah")
SLUG = "sistem-informasi-kepegawaian"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))  # binary: pushed as a blob


def make_scaffold(
    root: Path, keys_folder: Path, people: dict[str, tuple[list[str], str | None, str | None]]
) -> Path:
    """``sopkit new`` in ``root/app`` with ``.sop/roster.yaml`` of ``people`` and a binary mock-up,
    committed."""
    from tests.conftest import git, run_sopkit

    app = root / "app"
    result = run_sopkit("new", str(app), "--defaults", *APP)
    assert result.exit_code == 0, result.output
    keys = {member: make_key(keys_folder, member) for member in people}
    (app / ".sop" / "roster.yaml").write_text(roster_text(keys, people, LOGINS), encoding="utf-8")
    mockup = app / "docs" / "10-desain-front-end" / "mockup"
    mockup.mkdir(parents=True, exist_ok=True)
    (mockup / "beranda.png").write_bytes(PNG)
    git(app, "add", "-A")
    git(app, "-c", "user.name=Admin", "-c", "user.email=admin@example.go.id", "commit", "-q", "-m", "Roster")
    return app


def open_hub(standin: StandIn, plan: str = "team") -> str:
    """Organisation ``dinas`` on ``plan`` with every roster login as a user; the owner's token."""
    token = standin.add_user(OWNER, name="Admin Dinas", email="admin@example.go.id")
    for member, login in LOGINS.items():
        standin.add_user(login, name=member.title(), email=f"{member}@example.go.id")
    standin.add_org(ORG, plan=plan, owners=[OWNER])
    for login in LOGINS.values():
        standin.add_member(ORG, login)
    return token


def provision(standin: StandIn, token: str, folder: Path, *args: str) -> Result:
    """``sopkit github provision`` in-process, in English, without GitHub's pause between writes."""
    from toolkit.cli.app import cli

    env = {
        "GITHUB_TOKEN": token,
        "GH_TOKEN": None,
        "SOPKIT_GITHUB_PAUSE": "0",
        "SOPKIT_LANG": "en",
    }
    argv = ["github", "provision", "--org", ORG, "--from", str(folder), "--api-url", standin.api_url, *args]
    return CliRunner().invoke(cli, argv, env=env, catch_exceptions=False)


def clone(standin: StandIn, into: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", str(standin.git_path(ORG, SLUG)), str(into)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    return into


def tokens_of(standin: StandIn) -> dict[str, str]:
    """Each roster member's personal token on the stand-in, by member id (logins are gh-<member>)."""
    return {
        token.user.login.removeprefix("gh-"): value
        for value, token in standin.world.tokens.items()
        if token.app is None and token.user.login.startswith("gh-")
    }
