"""``sopkit demo``: the whole embedded setup on one machine, in one folder, in a minute.

It makes SSH keys and a roster for a few officials, scaffolds an application repository, sets up a plain
git server with the gate, and pushes: the unfilled scaffold is accepted, code before the design steps is
rejected, the request letter filled in and signed off by the records office is accepted. Everything
stays inside the folder (its own template store included), so it can be deleted afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import UserError
from toolkit.evidence.contents import example_mark
from toolkit.i18n import _
from toolkit.repo.git import git, git_env
from toolkit.sop.model import Sop

if TYPE_CHECKING:
    from toolkit.gate.model import Rules

PLACEHOLDER = re.compile(r"\[\[ISI[^\]]*\]\]")
FILLED = "Isi sebenarnya"
# Fields the policy allows only some values for (``values`` in sop.yaml): what a team that got there writes.
DECIDED = {"keputusan_opd": "Diterima"}
# Placeholders whose answer the gate reads: a security control's status (any other needs a finding).
ANSWERED = {"[[ISI: status]]": "Sesuai"}
# The smallest well-formed PDF: what a scanned or e-signed letter is stored as.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>"
    b"endobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n101\n%%EOF\n"
)
PEOPLE = {
    "ani": "tu",
    "dedi": "kadis",
    "rahmat": "kabid",
    "budi": "kasi",
    "rina": "it-support",
    "joko": "security",
}


def fill_step(repo: Path, policy: Sop, step_no: int) -> None:
    """Fill in every required artefact of a step as its team would (placeholders replaced, PDFs stored)."""
    for artefact in policy.step(step_no).artefacts:
        if artefact.optional:
            continue
        path = repo / artefact.path
        if artefact.kind == "pdf":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(MINIMAL_PDF)
            continue
        if artefact.kind == "image" and not any(repo.glob(artefact.path)):  # a photo of the meeting
            photo = repo / artefact.path.replace("*", "foto-1.png")
            photo.parent.mkdir(parents=True, exist_ok=True)
            photo.write_bytes(_png())
            continue
        for match in sorted(repo.glob(artefact.path)) if "*" in artefact.path else [path]:
            match.write_text(filled(match.read_text(encoding="utf-8")), encoding="utf-8")


def filled(text: str) -> str:
    """``text`` as its team would fill it in: every placeholder replaced, the template's examples kept
    as the real content (their marks removed)."""
    for field, value in DECIDED.items():
        text = re.sub(rf'(?m)^({field}: *)"\[\[ISI[^\]]*\]\]"', rf'\g<1>"{value}"', text)
    for placeholder, value in ANSWERED.items():
        text = text.replace(placeholder, value)
    rows = PLACEHOLDER.sub(FILLED, text).split("\n")
    return "\n".join(r for r in rows if not example_mark(r))


def _png() -> bytes:
    """A one-pixel PNG: what a photo is stored as."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    app: Path
    server: Path
    pushes: tuple[tuple[str, bool], ...]  # what was pushed, and whether the server accepted it
    rules: Rules  # the office's policy and roster, as the server has them


def _key(folder: Path, name: str) -> Path:
    key = folder / name
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@demo", "-f", str(key)], check=True
        )
    return key


def _roster(keys: dict[str, Path]) -> str:
    lines = ["version: 1", "members:"]
    for name, role in PEOPLE.items():
        public = keys[name].with_suffix(".pub").read_text(encoding="utf-8").strip()
        lines += [
            f"  {name}:",
            f"    name: {name.title()}",
            f"    email: {name}@demo.sumbarprov.go.id",
            f"    keys: [{public}]",
            "    roles:",
            f"      - role: {role}",
        ]
    return "\n".join(lines) + "\n"


def run(folder: Path, say: Callable[[str], None]) -> DemoResult:
    from toolkit import sop
    from toolkit.forge.plain import server
    from toolkit.forge.plain.signing import sign_off
    from toolkit.paths import default_policy
    from toolkit.repo.gather import policy_from_files
    from toolkit.scaffold.new import create
    from toolkit.scaffold.store import ensure_store, store_path

    folder = folder.resolve()  # git runs in other folders below: every path must be absolute
    if folder.exists() and any(folder.iterdir()):
        raise UserError(_("{dest} is not empty; the demo needs a new or empty folder").format(dest=folder))
    folder.mkdir(parents=True, exist_ok=True)
    keys_dir = folder / "kunci"
    keys_dir.mkdir()
    keys = {name: _key(keys_dir, name) for name in PEOPLE}
    (folder / "roster.yaml").write_text(_roster(keys), encoding="utf-8")
    policy_file = folder / "sop.yaml"
    policy_file.write_bytes(default_policy().read_bytes())
    say(_("1. Keys and a roster for {names} in {path}").format(names=", ".join(PEOPLE), path=folder))

    app, bare = folder / "aplikasi", folder / "server.git"
    own_store = "SOPKIT_TEMPLATE_STORE" not in os.environ  # keep the user's store untouched
    store = ensure_store(path=folder / "template-store" if own_store else store_path())
    create(
        app,
        {"app_name": "Sistem Informasi Kepegawaian", "opd": "Badan Kepegawaian Daerah"},
        defaults=True,
        store=store,
    )
    server.init(bare, policy_file, folder / "roster.yaml", ("main",), "id")
    say(
        _("2. Application repository {app} and git server {server} with the SOP gate").format(
            app=app, server=bare
        )
    )

    def commit(message: str, author: str) -> None:
        git(["add", "-A"], app)
        git(
            [
                "-c",
                f"user.name={author.title()}",
                "-c",
                f"user.email={author}@demo.sumbarprov.go.id",
                "commit",
                "-q",
                "--no-verify",
                "-m",
                message,
            ],
            app,
        )

    pushes: list[tuple[str, bool]] = []

    def push(what: str) -> None:
        result = subprocess.run(
            ["git", "push", "-q", str(bare), "HEAD:main"],
            cwd=app,
            env=git_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        pushes.append((what, result.returncode == 0))
        verdict = _("accepted") if result.returncode == 0 else _("REJECTED")
        say(f"   git push ({what}): {verdict}")
        reasons = [
            line.split("remote:", 1)[1].strip()
            for line in result.stderr.splitlines()
            if "remote:" in line and "- [" in line
        ]
        for reason in reasons:
            say(f"     {reason}")

    push(_("the unfilled scaffold"))
    (app / "src").mkdir(exist_ok=True)
    (app / "src" / "index.php").write_text("<?php echo 'Halo';\n", encoding="utf-8")
    commit("Mulai pemrograman", "rina")
    push(_("code before the design steps"))
    git(["reset", "-q", "--hard", "HEAD~1"], app)

    rules = policy_from_files(policy_file, folder / "roster.yaml")
    policy = sop.load(app / ".sop" / "sop.yaml")
    fill_step(app, policy, 1)
    commit("Surat permintaan dari BKD", "rina")
    push(_("step 1 filled in, without a sign-off"))
    sign_off(
        app,
        "1",
        "tu",
        "Surat diterima dan diperiksa",
        str(keys["ani"]),
        rules,
    )
    push(_("step 1 signed off by the records office (TU)"))
    return DemoResult(folder, app, bare, tuple(pushes), rules)


EXPECTED = (True, False, False, True)  # the four pushes: accepted, rejected, rejected, accepted
