"""An intake repository on the GitHub stand-in, and its people, for the intake's tests and benchmark."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from github import Github
from github.Issue import Issue

from tests.conftest import git
from tests.office import PEOPLE, roster_text
from tests.standin import StandIn
from tests.standin.fixtures import github
from toolkit.paths import default_policy

INTAKE = "dinas/intake"
LOGINS = {member: f"gh-{member}" for member in PEOPLE}
FORM = {
    "Nama OPD pemohon": "Badan Kepegawaian Daerah",
    "Nama aplikasi": "Sistem Informasi Kepegawaian",
    "Jenis permintaan": "pembangunan",
    "Nomor surat permintaan": "800/123/BKD/2026",
    "Tanggal surat": "2026-11-20",
    "Perihal": "_No response_",
    "Ringkasan kebutuhan": "Data pegawai dan cuti.",
    "Lampiran": "[surat.pdf](https://github.com/user-attachments/files/1/surat.pdf)",
}


def form_body(**changes: str) -> str:
    return "\n\n".join(f"### {k}\n\n{v}" for k, v in {**FORM, **changes}.items()) + "\n"


@dataclass
class Intake:
    standin: StandIn
    tokens: dict[str, str]
    folder: Path

    def gh(self, who: str) -> Github:
        return github(self.standin, self.tokens[who])

    def issue(self, who: str, number: int) -> Issue:
        return self.gh(who).get_repo(INTAKE).get_issue(number)

    def open(self, who: str, body: str | None = None) -> int:
        repo = self.gh(who).get_repo(INTAKE)
        number = repo.create_issue(title="Permintaan aplikasi: SIMPEG", body=body or form_body()).number
        self.run(number, "issues", "opened", who)
        return number

    def label(self, who: str, number: int, name: str) -> None:
        self.issue(who, number).add_to_labels(name)
        self.run(number, "issues", "labeled", who, label=name)

    def unlabel(self, who: str, number: int, name: str) -> None:
        self.issue(who, number).remove_from_labels(name)
        self.run(number, "issues", "unlabeled", who)

    def comment(self, who: str, number: int, body: str) -> int:
        made = self.issue(who, number).create_comment(body)
        self.run(number, "issue_comment", "created", who)
        return int(made.id)

    def run(self, number: int, event: str, action: str, sender: str, **state: str) -> None:
        result = self.intake(number, event, action, sender, **state)
        assert result.exit_code == 0, result.output

    def intake(
        self, number: int, event: str, action: str, sender: str, token: str | None = None, **state: str
    ) -> Result:
        from toolkit.cli.app import cli

        # built from the examples the stand-in holds (issues.labeled, issue_comment.created), the action
        # set to the one that happened: the intake reads only the issue's number from the payload
        event_name = state.pop("event_name", event)
        example = "labeled" if event == "issues" else "created"
        login = LOGINS.get(sender, sender)
        payload = self.standin.event_payload(
            event, example, repo=INTAKE, number=number, sender=login, **state
        )
        payload["action"] = action
        path = self.folder / "event.json"
        path.write_text(json.dumps(payload))
        env = {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": INTAKE,
            "GITHUB_TOKEN": self.standin.actions_token(INTAKE) if token is None else token,
            "GITHUB_API_URL": self.standin.api_url,
            "SOPKIT_LANG": "en",
        }
        return CliRunner().invoke(cli, ["github", "intake"], env=env)

    def labels(self, number: int) -> set[str]:
        return {label.name for label in self.issue("budi", number).labels}

    def answers(self, number: int) -> list[str]:
        return [c.body for c in self.issue("budi", number).get_comments() if c.user.type == "Bot"]


def open_intake(standin: StandIn, keyring: dict[str, Path], tmp_path: Path, pinned: bool = False) -> Intake:
    """An intake repository on the stand-in: the office's people with GitHub logins and write access, an
    agency operator (read) and a programmer (write, not in the roster). ``pinned``: the roster gives each
    account's number too."""
    from toolkit.cli.app import cli

    tokens = {m: standin.add_user(LOGINS[m], name=m.title(), email=f"{m}@sumbarprov.go.id") for m in PEOPLE}
    for outsider in ("eko", "opd"):  # a programmer with write access; the agency's operator
        LOGINS.setdefault(outsider, f"gh-{outsider}")
        tokens[outsider] = standin.add_user(LOGINS[outsider], name=outsider.title(), email=f"{outsider}@x.id")
    standin.add_org("dinas", plan="team", owners=[LOGINS["budi"]])
    standin.create_repo(INTAKE)
    for member in [*PEOPLE, "eko"]:
        standin.grant(INTAKE, LOGINS[member], "write")
    standin.grant(INTAKE, LOGINS["opd"], "read")
    numbers = {m: standin.world.users[LOGINS[m]].id for m in PEOPLE} if pinned else None
    (tmp_path / "roster.yaml").write_text(roster_text(keyring, PEOPLE, LOGINS, numbers))
    made = tmp_path / "intake"
    args = [
        "request",
        "init",
        str(made),
        "--policy",
        str(default_policy()),
        "--roster",
        str(tmp_path / "roster.yaml"),
    ]
    result = CliRunner().invoke(cli, [*args, "--github", "dinas", "--toolkit-ref", "0" * 40])
    assert result.exit_code == 0, result.output
    git(made, "push", "-q", str(standin.git_path("dinas", "intake")), "HEAD:refs/heads/main")
    return Intake(standin, tokens, tmp_path)
