"""An office on the GitHub stand-in: the application's history (steps 1-13 complete, signed with SSH keys
on a plain server, then moved to GitHub with the roster), people with GitHub logins, and the gate run as an
Actions job would run it: ``sopkit github gate`` in a checkout, with the workflow's token and event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from github import Github
from github.Repository import Repository

from tests.conftest import git, run_sopkit
from tests.office import PEOPLE, make_key, open_office, write_security_report
from tests.standin import ACTIONS_APP_ID, StandIn
from tests.standin.fixtures import github

REPO = "dinas/simpeg"
PEOPLE_HERE = {
    **PEOPLE,
    "eko": (["web-programmer"], None, None),
    "yanto": (["security"], "2019-01-01", "2020-12-31"),  # a tester who has left
}
LOGINS = {member: f"gh-{member}" for member in PEOPLE_HERE}
# the numbers of their accounts, pinned in the roster (a login can change hands; the number cannot)
ACCOUNT_IDS = {member: 90_000_000 + index for index, member in enumerate(PEOPLE_HERE)}
ROSTER_FILE = ".sop/roster.yaml"


@dataclass
class Programmed:
    """A local application repository: steps 1-13 complete and the code written; ``tested`` is its tip."""

    app: Path
    tested: str


@pytest.fixture(scope="session")
def programmed(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> Programmed:
    root = tmp_path_factory.mktemp("programmed")
    keys = dict(keyring)
    for extra in ("eko", "yanto"):
        keys[extra] = make_key(root, extra)
    office = open_office(root, run_sopkit, keys, PEOPLE_HERE, LOGINS, ACCOUNT_IDS)
    office.program()
    # on GitHub the roster travels with the repository: the office adds it before the move
    (office.app / ROSTER_FILE).write_text((root / "roster.yaml").read_text())
    office.commit("Roster kantor", author="admin")
    return Programmed(office.app, git(office.app, "rev-parse", "HEAD").strip())


@dataclass
class GitHubOffice:
    standin: StandIn
    work: Path  # a working clone of the repository on the stand-in
    tokens: dict[str, str] = field(default_factory=dict)
    tested: str = ""
    setup: set[str] = field(default_factory=set)  # commits the set-up pushed straight to main
    name: str = REPO

    def gh(self, member: str) -> Github:
        return github(self.standin, self.tokens[member])

    def repo(self, member: str = "budi") -> Repository:
        return self.gh(member).get_repo(self.name)

    def git(self, *args: str) -> str:
        return git(self.work, *args)

    def branch(
        self,
        name: str,
        files: dict[str, str],
        author: str = "eko",
        trailers: str = "",
        start: str = "main",
        binary: dict[str, bytes] | None = None,
    ) -> str:
        """A branch from ``start`` with one commit of ``files`` (and ``binary`` ones) by ``author``, pushed;
        its commit."""
        self.git("checkout", "-q", "-B", name, f"origin/{start}" if start == "main" else start)
        every = {**{p: t.encode() for p, t in files.items()}, **(binary or {})}
        for path, data in every.items():
            file = self.work / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        self.git("add", "-A")
        email = f"{author}@sumbarprov.go.id"
        self.git(
            "-c", f"user.name={author.title()}", "-c", f"user.email={email}",
            "commit", "-q", "-m", f"Perubahan {name}" + (f"\n\n{trailers}" if trailers else ""),
        )  # fmt: skip
        pushed = subprocess.run(
            ["git", "push", "-q", "-f", "-o", f"user={LOGINS[author]}", "origin", f"HEAD:refs/heads/{name}"],
            cwd=self.work,
            capture_output=True,
            text=True,
            check=False,
        )
        assert pushed.returncode == 0, pushed.stderr
        return self.git("rev-parse", "HEAD").strip()

    def pull(self, branch: str, author: str = "eko") -> int:
        return self.repo(author).create_pull(base="main", head=branch, title=f"Perubahan {branch}").number

    def review(self, number: int, member: str, event: str = "APPROVE", commit: str | None = None) -> int:
        pull = self.repo(member).get_pull(number)
        head = self.repo(member).get_commit(commit or pull.head.sha)
        return pull.create_review(commit=head, event=event, body="").id

    def gate(
        self,
        number: int,
        event: str = "pull_request",
        action: str = "synchronize",
        head_sha: str | None = None,
        checkout: str | None = None,
        **env: str,
    ) -> subprocess.CompletedProcess[str]:
        """``sopkit github gate`` as the Actions job runs it: a checkout (the pull request's head) with the
        whole history, the workflow's token, the event payload."""
        self.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
        self.git("checkout", "-q", "--detach", checkout or self.repo().get_pull(number).head.sha)
        state = {"head_sha": head_sha} if head_sha else {}
        payload = self.standin.event_payload(
            event, action, repo=self.name, number=number, sender=LOGINS["eko"], **state
        )
        event_file = self.work.parent / "event.json"
        event_file.write_text(json.dumps(payload))
        summary = self.work.parent / "summary.md"
        return self.sopkit(
            "github",
            "gate",
            GITHUB_EVENT_NAME=event,
            GITHUB_EVENT_PATH=str(event_file),
            GITHUB_STEP_SUMMARY=str(summary),
            **env,
        )

    def sopkit(self, *args: str, checkout: str = "--repo", **env: str) -> subprocess.CompletedProcess[str]:
        """``sopkit ARGS --repo WORK`` (``checkout`` names the option) in an Actions job of the repository
        (its token, its API); an empty value in ``env`` removes the variable."""
        environ = {
            **os.environ,
            "GITHUB_REPOSITORY": self.name,
            "GITHUB_TOKEN": self.standin.actions_token(self.name),
            "GITHUB_API_URL": self.standin.api_url,
            "SOPKIT_LANG": "en",
            **env,
        }
        sopkit = str(Path(sys.executable).parent / "sopkit")
        return subprocess.run(
            [sopkit, *args, checkout, str(self.work)],
            env={k: v for k, v in environ.items() if v != ""},
            capture_output=True,
            text=True,
            check=False,
        )

    def on_main(self) -> str:
        """The checkout at the tip of main on GitHub (as a push to main checks it out)."""
        self.git("fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*")
        self.git("checkout", "-q", "--detach", "origin/main")
        return self.git("rev-parse", "HEAD").strip()

    def conclusion(self, sha: str) -> str | None:
        """The conclusion of the latest ``sop-gate`` check run the GitHub Actions app made on ``sha``."""
        runs = [
            run
            for run in self.repo().get_commit(sha).get_check_runs(check_name="sop-gate")
            if run.app.id == ACTIONS_APP_ID
        ]
        return runs[0].conclusion if runs else None

    def security_report(self, result: str = "LULUS") -> dict[str, str]:
        """The files of step 14 filled in, the report naming the tested commit (read from a scratch
        checkout of main, which is left as it was)."""
        from toolkit import sop
        from toolkit.demo import fill_step

        self.git("checkout", "-q", "--detach", "origin/main")
        fill_step(self.work, sop.load(self.work / ".sop" / "sop.yaml"), 14)
        write_security_report(self.work, self.tested, result)
        changed = [line[3:] for line in self.git("status", "--porcelain").splitlines()]
        files = {path: (self.work / path).read_text(encoding="utf-8") for path in changed}
        self.git("checkout", "-q", "--", ".")
        return files


@pytest.fixture
def ghoffice(standin: StandIn, programmed: Programmed, tmp_path: Path) -> GitHubOffice:
    tokens = {
        member: standin.add_user(
            LOGINS[member],
            name=member.title(),
            email=f"{member}@sumbarprov.go.id",
            account_id=ACCOUNT_IDS[member],
        )
        for member in PEOPLE_HERE
    }
    standin.add_org("dinas", plan="team", owners=[LOGINS["budi"]])
    standin.create_repo(REPO)
    for member in PEOPLE_HERE:
        standin.add_member("dinas", LOGINS[member])
        standin.grant(REPO, LOGINS[member], "write")
    moved = subprocess.run(
        ["git", "push", "-q", str(standin.git_path(*REPO.split("/"))), "HEAD:refs/heads/main"],
        cwd=programmed.app,
        capture_output=True,
        text=True,
        check=False,
    )
    assert moved.returncode == 0, moved.stderr
    work = tmp_path / "work"
    subprocess.run(
        ["git", "clone", "-q", str(standin.git_path(*REPO.split("/"))), str(work)],
        check=True,
        capture_output=True,
    )
    return GitHubOffice(standin, work, tokens, programmed.tested)
