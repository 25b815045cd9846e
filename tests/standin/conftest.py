from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from github import Github
from github.Repository import Repository

from tests.standin import StandIn
from tests.standin.fixtures import github

PEOPLE = {"kasi": "Kasi Pengembangan", "prog": "Programmer Web", "sec": "Tim Sekuriti", "tamu": "Tamu"}


@dataclass
class Office:
    """Org ``dinas`` (plan team, owner kasi) with private ``dinas/app``: prog and sec may write, tamu reads;
    main has one commit; ``clone`` is a working clone of it."""

    standin: StandIn
    tokens: dict[str, str]
    clone: Path

    def gh(self, login: str) -> Github:
        return github(self.standin, self.tokens[login])

    def repo(self, login: str = "kasi") -> Repository:
        return self.gh(login).get_repo("dinas/app")

    def git(self, *args: str) -> str:
        return run_git(self.clone, *args)

    def commit(self, path: str, text: str, message: str, *, author: str = "prog") -> str:
        file = self.clone / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
        self.git("add", path)
        who = f"{PEOPLE[author]} <{author}@example.go.id>"
        self.git(
            "-c",
            f"user.name={PEOPLE[author]}",
            "-c",
            f"user.email={author}@example.go.id",
            "commit",
            "-q",
            "-m",
            message,
            f"--author={who}",
        )
        return self.git("rev-parse", "HEAD").strip()

    def push(
        self, branch: str, *, user: str = "prog", force: bool = False
    ) -> subprocess.CompletedProcess[str]:
        args = ["git", "push", "-q", "-o", f"user={user}", "origin", f"HEAD:refs/heads/{branch}"]
        if force:
            args.insert(2, "--force")
        return subprocess.run(args, cwd=self.clone, capture_output=True, text=True, check=False)


def run_git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def office(standin: StandIn, tmp_path: Path) -> Office:
    tokens = {
        login: standin.add_user(login, name=name, email=f"{login}@example.go.id")
        for login, name in PEOPLE.items()
    }
    standin.add_org("dinas", plan="team", owners=["kasi"])
    for login in ("prog", "sec", "tamu"):
        standin.add_member("dinas", login)
    standin.create_repo("dinas/app")
    standin.grant("dinas/app", "prog", "write")
    standin.grant("dinas/app", "sec", "write")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(standin.git_path("dinas", "app")), str(clone)],
        check=True,
        capture_output=True,
    )
    office = Office(standin, tokens, clone)
    office.git("checkout", "-q", "-b", "main")
    office.commit("README.md", "# app\n", "Initial commit", author="kasi")
    result = office.push("main", user="kasi")
    assert result.returncode == 0, result.stderr
    return office
