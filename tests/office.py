"""A small office on one machine, for gate tests: people with real SSH keys, a roster, a scaffolded
application repository and a bare server repository with the pre-receive hook."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import Result

from tests.conftest import ROOT, Cli, git
from toolkit import sop
from toolkit.demo import MINIMAL_PDF, fill_step

__all__ = [
    "MINIMAL_PDF",
    "SECURITY_REPORT",
    "Office",
    "make_key",
    "open_office",
    "roster_text",
    "write_security_report",
]

PEOPLE = {  # member id -> (roles, from, until)
    "ani": (["tu"], None, None),
    "dedi": (["kadis"], None, None),
    "rahmat": (["kabid"], None, None),
    "budi": (["kasi"], None, None),
    "sari": (["kasi"], None, None),
    "rina": (["it-support"], None, None),
    "joko": (["security"], None, None),
    "wati": (["pengendalian"], None, None),
    "lina": (["kasi"], "2019-01-01", "2020-12-31"),  # a Kasi who has left
}
SIGNER = {
    "tu": "ani",
    "kadis": "dedi",
    "kabid": "rahmat",
    "kasi": "budi",
    "security": "joko",
    "pengendalian": "wati",
}


SECURITY_REPORT = "docs/14-uji-keamanan/laporan-uji-keamanan.md"
FIXED_FINDING = "| 1 | Injeksi SQL pada formulir masuk | VAL-2 (V5.3.4) | Tinggi | 8.1 | Diperbaiki | Lulus |"


def write_security_report(
    app: Path, tested: str, result: str = "LULUS", findings: str = FIXED_FINDING
) -> Path:
    """The security team's report (step 14, filled in already): the tested commit, the result, and the
    rows of its findings table (``findings``: Markdown table rows)."""
    report = app / SECURITY_REPORT
    text = report.read_text(encoding="utf-8")
    text = re.sub(r"commit_diuji: .*", f'commit_diuji: "{tested}"', text)
    text = re.sub(r"hasil: .*", f'hasil: "{result}"', text)
    table = r"(## Temuan\n(?:[^|\n].*\n|\n)*\|.*\|\n\|.*\|\n)(\|.*\|\n)+"  # its header, after any prose
    text = re.sub(table, lambda m: m.group(1) + findings + "\n", text)
    report.write_text(text, encoding="utf-8")
    return report


def make_key(folder: Path, name: str) -> Path:
    key = folder / name
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
        )
    return key


def roster_text(
    keys: dict[str, Path],
    people: dict[str, tuple[list[str], str | None, str | None]],
    logins: dict[str, str] | None = None,
    account_ids: dict[str, int] | None = None,
) -> str:
    """The roster of ``people``; ``logins``: their GitHub logins, by member id (``account_ids``: the
    numbers of those accounts)."""
    lines = ["version: 1", "members:"]
    for member, (roles, start, until) in people.items():
        lines += [
            f"  {member}:",
            f"    name: {member.title()}",
            f"    email: {member}@sumbarprov.go.id",
            *([f"    github: {logins[member]}"] if logins and member in logins else []),
            *([f"    github_id: {account_ids[member]}"] if account_ids and member in account_ids else []),
            "    keys:",
            f"      - {keys[member].with_suffix('.pub').read_text().strip()}",
            "    roles:",
        ]
        for role in roles:
            lines.append(f"      - role: {role}")
            if start:
                lines.append(f"        from: {start}")
            if until:
                lines.append(f"        until: {until}")
    return "\n".join(lines) + "\n"


@dataclass
class Office:
    root: Path
    cli: Cli
    keys: dict[str, Path] = field(default_factory=dict)

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def bare(self) -> Path:
        return self.root / "server.git"

    @property
    def rules(self) -> tuple[str, ...]:
        """The office's policy and roster, for commands run outside the server."""
        return ("--policy", str(self.root / "sop.yaml"), "--roster", str(self.root / "roster.yaml"))

    @property
    def app_id(self) -> str:
        """The application's id, as its scaffold answers name it (sign-offs carry it)."""
        from toolkit.repo.gather import app_of

        found = app_of((self.app / ".copier-answers.yml").read_bytes())
        assert found is not None
        return found

    @property
    def policy(self) -> sop.Sop:
        return sop.load(self.app / ".sop" / "sop.yaml")

    def write(self, path: str, text: str) -> Path:
        """Write a file of the application, its folders made as needed (``src/`` comes with the code)."""
        file = self.app / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        return file

    def commit(self, message: str, author: str = "rina") -> str:
        git(self.app, "add", "-A")
        git(
            self.app,
            "-c",
            f"user.name={author.title()}",
            "-c",
            f"user.email={author}@sumbarprov.go.id",
            "commit",
            "-q",
            "--no-verify",
            "-m",
            message,
        )
        return git(self.app, "rev-parse", "HEAD").strip()

    def fill(self, step_no: int) -> None:
        """Fill in every artefact of a step the way its team would."""
        fill_step(self.app, self.policy, step_no)

    def signoff(
        self, step: str | int, role: str, member: str | None = None, key: Path | None = None
    ) -> Result:
        member = member or SIGNER[role]
        return self.cli(
            "signoff",
            str(step),
            "--role",
            role,
            "--repo",
            str(self.app),
            "--key",
            str(key or self.keys[member]),
            *self.rules,
        )

    def push(self, ref: str = "HEAD:main", *flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "push", "-q", *flags, str(self.bare), ref],
            cwd=self.app,
            capture_output=True,
            text=True,
            check=False,
        )

    def program(self, path: str = "src/app.py", text: str = "print('halo')\n") -> tuple[str, str]:
        """Steps 1-10 completed, the first code pushed once the design allows it, steps 11-13 completed:
        what the security team then tests. Returns main before the code, and main to be tested."""
        for step in range(1, 11):
            self.complete(step)
        designed = git(self.app, "rev-parse", "HEAD").strip()
        self.write(path, text)
        self.commit("Mulai pemrograman", author="rina")
        pushed = self.push()
        assert pushed.returncode == 0, pushed.stderr
        for step in (11, 12, 13):
            self.complete(step)
        return designed, git(self.app, "rev-parse", "HEAD").strip()

    def push_to(self, bare: Path, ref: str = "HEAD:main") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "push", "-q", str(bare), ref], cwd=self.app, capture_output=True, text=True, check=False
        )

    def complete(self, step_no: int) -> None:
        """Fill, commit, sign off with every required role, and push one step."""
        self.fill(step_no)
        self.commit(f"Langkah {step_no}")
        for role in self.policy.step(step_no).signoffs:
            result = self.signoff(step_no, role)
            assert result.exit_code == 0, result.output + result.stderr
        pushed = self.push()
        assert pushed.returncode == 0, pushed.stderr


def open_office(
    root: Path,
    cli: Cli,
    keyring: dict[str, Path],
    people: dict[str, tuple[list[str], str | None, str | None]] = PEOPLE,
    logins: dict[str, str] | None = None,
    account_ids: dict[str, int] | None = None,
) -> Office:
    """The office policy and roster in ``root``, a scaffolded application and a server with the hook,
    first push done (``cli`` runs sopkit in-process; the office's own runs speak English)."""
    shutil.copyfile(ROOT / "sop.yaml", root / "sop.yaml")
    (root / "roster.yaml").write_text(roster_text(keyring, people, logins, account_ids))
    office = Office(root, lambda *args: cli(*args, lang="en"), keyring)
    result = cli(
        "new",
        str(office.app),
        "--defaults",
        "--data",
        "app_name=Sistem Informasi Kepegawaian",
        "--data",
        "opd=Badan Kepegawaian Daerah",
    )
    assert result.exit_code == 0, result.stderr
    result = cli(
        "server",
        "init",
        str(office.bare),
        "--policy",
        str(root / "sop.yaml"),
        "--roster",
        str(root / "roster.yaml"),
        "--hook-lang",
        "en",
    )
    assert result.exit_code == 0, result.stderr
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    return office
