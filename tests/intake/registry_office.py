"""A request registry on one machine for tests: the office's people with real SSH keys, a roster, a
registry made by ``sopkit request init`` and a registry server with the hook."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result

from tests.conftest import ROOT, Cli, git
from tests.office import MINIMAL_PDF, PEOPLE, roster_text
from toolkit.intake.decide import FileChange, digest, message

LETTER = {
    "--opd": "Badan Kepegawaian Daerah",
    "--app": "Sistem Informasi Kepegawaian",
    "--letter-no": "800/12/BKD/2026",
    "--letter-date": "2026-03-02",
}


@dataclass
class RegistryOffice:
    root: Path
    cli: Cli
    keys: dict[str, Path]

    @property
    def reg(self) -> Path:
        return self.root / "registri"

    @property
    def bare(self) -> Path:
        return self.root / "registri.git"

    def run(self, *args: str, key: str | None = None) -> Result:
        extra = ["--key", str(self.keys[key])] if key else []
        return self.cli("request", *args, "--registry", str(self.reg), *extra)

    def new(self, key: str = "ani", **letter: str) -> Result:
        pdf = self.root / "surat.pdf"
        pdf.write_bytes(MINIMAL_PDF)
        values = {**LETTER, **{f"--{k.replace('_', '-')}": v for k, v in letter.items()}}
        flat = [part for pair in values.items() for part in pair]
        return self.run("new", *flat, "--letter", str(pdf), key=key)

    def through(self, request_id: str, last: str, agenda: str | None = None) -> None:
        """Move ``request_id`` on in SOP order by the right people, up to transition ``last``."""
        steps = [
            ("record", ["record", request_id, "--agenda", agenda or f"AG-{request_id}"], "ani"),
            ("dispose-kadis", ["dispose", request_id, "--instruction", "Untuk ditindaklanjuti"], "dedi"),
            (
                "dispose-kabid",
                [
                    "dispose",
                    request_id,
                    "--instruction",
                    "Proses lebih lanjut",
                    "--assignment-no",
                    "090/ST/2026",
                    "--assignment-date",
                    "2026-03-05",
                ],
                "rahmat",
            ),
            (
                "assign",
                [
                    "assign",
                    request_id,
                    "--it-support",
                    "rina",
                    "--database",
                    "rina,sari",
                    "--security",
                    "joko",
                ],
                "budi",
            ),
        ]
        for name, args, key in steps:
            result = self.run(*args, key=key)
            assert result.exit_code == 0, result.output + result.stderr
            if name == last:
                return

    def head(self) -> str:
        return git(self.reg, "rev-parse", "HEAD").strip()

    def state(self) -> tuple[str, str, list[str]]:
        """What must not change when a transition is refused: the tip, the working tree, the files."""
        files = sorted(str(p.relative_to(self.reg)) for p in self.reg.rglob("*") if ".git" not in p.parts)
        return self.head(), git(self.reg, "status", "--porcelain"), files

    def push(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "push", "-q", str(self.bare), "HEAD:main"],
            cwd=self.reg,
            capture_output=True,
            text=True,
            check=False,
        )

    def server_tip(self) -> str:
        return git(self.bare, "rev-parse", "--verify", "-q", "main").strip()

    def craft(
        self,
        files: dict[str, bytes | None] | dict[str | bytes, bytes | None],
        trailers: dict[str, str] | None,
        key: str | None,
        links: dict[str, str] | None = None,
        parents: list[str] | None = None,
    ) -> str:
        """A commit made by hand on top of the tip, as an attacker would: ``files`` added or replaced
        (``None``: deleted; a name given as bytes may be any bytes git takes), ``links`` added as symbolic
        links, trailers as given (``Sop-Digest: auto``: the true digest), signed with ``key``'s SSH key
        when given. The branch and tree move to it."""
        head = self.head()
        changes = []
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}

            def g(*args: str, data: bytes | None = None) -> str:
                import os

                done = subprocess.run(
                    ["git", *args],
                    cwd=self.reg,
                    env={**os.environ, **env},
                    input=data,
                    capture_output=True,
                    check=True,
                )
                return done.stdout.decode().strip()

            g("read-tree", head)
            for path, content in files.items():
                if content is None:
                    assert isinstance(path, str)
                    g("update-index", "--force-remove", path)
                    continue
                sha = g("hash-object", "-w", "--stdin", data=content)
                raw = path if isinstance(path, bytes) else path.encode()  # bytes: any name, UTF-8 or not
                entry = b"100644 %s\t%s\0" % (sha.encode(), raw)
                g("update-index", "--add", "-z", "--index-info", data=entry)
                name = raw.decode("utf-8", "surrogateescape")
                changes.append(FileChange(name, "A", "100644", sha, len(content), content))
            for path, target in (links or {}).items():
                sha = g("hash-object", "-w", "--stdin", data=target.encode())
                g("update-index", "--add", "--cacheinfo", f"120000,{sha},{path}")
                changes.append(FileChange(path, "A", "120000", sha, len(target), target.encode()))
            tree = g("write-tree")
            text = "Hand-made commit\n"
            if trailers is not None:
                values = dict(trailers)
                if values.get("Sop-Digest") == "auto":
                    values["Sop-Digest"] = digest(changes)
                text = message(
                    "Hand-made transition",
                    values.get("Sop-Request", ""),
                    values["Sop-Transition"],
                    values["Sop-Step"],
                    values["Sop-Role"],
                    values["Sop-Digest"],
                )
            sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.keys[key]}"] if key else []
            parent_args = [arg for p in (parents or [head]) for arg in ("-p", p)]
            commit = g(*sign, "commit-tree", tree, *parent_args, *(["-S"] if key else []), "-m", text)
        git(self.reg, "update-ref", "refs/heads/main", commit)
        git(self.reg, "reset", "-q", "--hard", commit)
        return commit


def open_registry(root: Path, cli: Cli, keyring: dict[str, Path], with_server: bool = True) -> RegistryOffice:
    shutil.copyfile(ROOT / "sop.yaml", root / "sop.yaml")
    (root / "roster.yaml").write_text(roster_text(keyring, PEOPLE))
    office = RegistryOffice(root, lambda *args: cli(*args, lang="en"), keyring)
    made = office.cli(
        "request",
        "init",
        str(office.reg),
        "--policy",
        str(root / "sop.yaml"),
        "--roster",
        str(root / "roster.yaml"),
    )
    assert made.exit_code == 0, made.stderr
    if with_server:
        served = office.cli(
            "server",
            "init",
            str(office.bare),
            "--registry",
            "--policy",
            str(root / "sop.yaml"),
            "--roster",
            str(root / "roster.yaml"),
            "--hook-lang",
            "en",
        )
        assert served.exit_code == 0, served.stderr
        pushed = office.push()
        assert pushed.returncode == 0, pushed.stderr
    return office
